"""The scenario model: a file of scenarios, each an ordered list of request/expect steps.

Loading checks the shape (unknown keys, wrong types) and folds the file's and the scenario's
`defaults` into every step, so a Step holds everything it sends and expects. Placeholders stay
unresolved until the replay (they may name captures of earlier steps).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .loader import load_yaml
from .matchers import Matcher
from .template import parse_path

REQUEST_KEYS = ("method", "path", "query", "form", "json", "content", "headers")
EXPECT_KEYS = ("status", "headers", "body", "exact", "jsonp", "text")
STEP_KEYS = ("name", "request", "expect", "capture", "repeat")
SCENARIO_KEYS = (
    "name",
    "description",
    "known_failure",
    "variables",
    "defaults",
    "emulator",
    "steps",
)
FILE_KEYS = ("defaults", "variables", "emulator", "scenarios")
EMULATOR_KEYS = ("settings", "base_url")  # how the in-process replay runs; ignored elsewhere
DEFAULTS_KEYS = ("request", "expect")
BODY_KEYS = ("form", "json", "content")  # at most one per request
MERGED_KEYS = ("query", "form", "headers")  # defaults and step merged key by key
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CAPTURE_SOURCES = ("status", "headers", "body", "text")


class _Unset:
    """Not given: unlike None, which is a value (`body: null` expects a JSON null)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class ScenarioError(ValueError):
    """A scenario file that cannot be replayed: the message says where and why."""


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    form: dict[str, Any] | None = None
    json: Any = UNSET
    content: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Expect:
    status: Any = UNSET
    headers: dict[str, Any] = field(default_factory=dict)
    body: Any = UNSET
    exact: bool = False
    jsonp: str | None = None
    text: Any = UNSET


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # "" when the YAML gives none
    request: Request
    expect: Expect
    capture: dict[str, str] = field(default_factory=dict)
    repeat: int = 1


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    description: str
    steps: tuple[Step, ...]
    variables: dict[str, Any] = field(default_factory=dict)
    known_failure: str | None = None
    file: str = ""
    emulator: dict[str, Any] = field(default_factory=dict)  # settings, base_url

    @property
    def id(self) -> str:
        return f"{Path(self.file).stem}/{self.name}" if self.file else self.name


# -- loading -----------------------------------------------------------------------------


def load_file(path: str | Path) -> list[Scenario]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return load_text(text, str(path))


def load_text(text: str, file: str = "<string>") -> list[Scenario]:
    """The scenarios of one file's text (`file` names it in errors and results)."""
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{file}: invalid YAML: {exc}") from None
    where = Where(file)
    top = _mapping(raw, where, FILE_KEYS)
    file_defaults = _defaults(top.get("defaults"), where.at("defaults"))
    file_vars = _variables(top.get("variables"), where.at("variables"))
    file_emulator = _emulator(top.get("emulator"), where.at("emulator"))
    items = top.get("scenarios")
    if not isinstance(items, list) or not items:
        raise where.at("scenarios").error("expected a non-empty list of scenarios")
    scenarios = [
        _scenario(item, where.at(f"scenarios[{i}]"), file_defaults, file_vars, file_emulator)
        for i, item in enumerate(items)
    ]
    seen: set[str] = set()
    for s in scenarios:
        if s.name in seen:
            raise where.error(f"two scenarios are named {s.name!r}")
        seen.add(s.name)
    return scenarios


@dataclass(frozen=True, slots=True)
class Where:
    file: str
    path: str = ""

    def at(self, part: str) -> Where:
        joined = f"{self.path}{part}" if part.startswith("[") or not self.path else None
        return Where(self.file, joined or f"{self.path}.{part}")

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(f"{self.file}: {self.path or 'top level'}: {message}")


def _mapping(value: Any, where: Where, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(f"expected a mapping, got {type(value).__name__}")
    unknown = [k for k in value if k not in allowed and not str(k).startswith("x-")]
    if unknown:
        raise where.error(f"unknown key {unknown[0]!r} (allowed: {', '.join(allowed)})")
    return {k: v for k, v in value.items() if not str(k).startswith("x-")}


def _variables(value: Any, where: Where) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise where.error("expected a mapping of variable names to values")
    return dict(value)


@dataclass(frozen=True, slots=True)
class Defaults:
    request: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, Any] = field(default_factory=dict)


def _defaults(value: Any, where: Where) -> Defaults:
    if value is None:
        return Defaults()
    raw = _mapping(value, where, DEFAULTS_KEYS)
    request = _mapping(raw.get("request") or {}, where.at("request"), REQUEST_KEYS)
    expect = _mapping(raw.get("expect") or {}, where.at("expect"), EXPECT_KEYS)
    return Defaults(dict(request), dict(expect))


def _emulator(value: Any, where: Where) -> dict[str, Any]:
    if value is None:
        return {}
    raw = _mapping(value, where, EMULATOR_KEYS)
    if not isinstance(raw.get("settings", {}), dict):
        raise where.at("settings").error("expected a mapping of doppelgate settings")
    if not isinstance(raw.get("base_url", ""), str):
        raise where.at("base_url").error("expected a URL")
    return dict(raw)


def _scenario(
    value: Any,
    where: Where,
    defaults: Defaults,
    variables: dict[str, Any],
    emulator: dict[str, Any],
) -> Scenario:
    raw = _mapping(value, where, SCENARIO_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        raise where.at("name").error(f"expected a name of letters, digits, _ . - ; got {name!r}")
    where = Where(where.file, f"{where.path} ({name})")
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise where.at("description").error("say what the scenario proves and cite the doc")
    known = raw.get("known_failure")
    if known is not None and not isinstance(known, str):
        raise where.at("known_failure").error("expected a string: the reason")
    mine = _defaults(raw.get("defaults"), where.at("defaults"))
    merged = Defaults(
        _merge_request(defaults.request, mine.request),
        _merge_expect(defaults.expect, mine.expect),
    )
    steps = _flatten(raw.get("steps"))
    if not steps:
        raise where.at("steps").error("expected a non-empty list of steps")
    return Scenario(
        name=name,
        description=description.strip(),
        steps=tuple(_step(s, where.at(f"steps[{i}]"), merged, i) for i, s in enumerate(steps)),
        variables={**variables, **_variables(raw.get("variables"), where.at("variables"))},
        known_failure=known,
        file=where.file,
        emulator=_deep_merge(emulator, _emulator(raw.get("emulator"), where.at("emulator"))),
    )


def _flatten(steps: Any) -> list[Any]:
    """Steps, with nested lists spliced in place (so an anchor can share setup steps)."""
    if not isinstance(steps, list):
        return []
    out: list[Any] = []
    for item in steps:
        out += _flatten(item) if isinstance(item, list) else [item]
    return out


def _step(value: Any, where: Where, defaults: Defaults, index: int) -> Step:
    raw = _mapping(value, where, STEP_KEYS)
    request_raw = _mapping(raw.get("request"), where.at("request"), REQUEST_KEYS)
    request = _request(_merge_request(defaults.request, request_raw), where.at("request"))
    expect_raw = _mapping(raw.get("expect") or {}, where.at("expect"), EXPECT_KEYS)
    expect = _expect(_merge_expect(defaults.expect, expect_raw), where.at("expect"))
    capture = _capture(raw.get("capture"), where.at("capture"))
    repeat = raw.get("repeat", 1)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise where.at("repeat").error("expected a positive integer")
    name = raw.get("name") or ""
    return Step(str(name), request, expect, capture, repeat)


def _merge_request(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Step keys win; query/form/headers merge key by key, a null value dropping the default."""
    out = dict(base)
    for key, value in over.items():
        if key in MERGED_KEYS and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    for key in MERGED_KEYS:
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if v is not None}
    return {k: v for k, v in out.items() if v is not None}


def _merge_expect(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Step keys win; headers merge, and so do body objects (deeply)."""
    out = dict(base)
    for key, value in over.items():
        if key in ("headers", "body") and isinstance(value, dict):
            out[key] = _deep_merge(out.get(key), value)
        else:
            out[key] = value
    return out


def _deep_merge(base: Any, over: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(base, dict):
        return over
    out = dict(base)
    for key, value in over.items():
        out[key] = _deep_merge(out.get(key), value) if isinstance(value, dict) else value
    return out


def _request(raw: dict[str, Any], where: Where) -> Request:
    path = raw.get("path")
    if not isinstance(path, str):
        raise where.at("path").error("expected the path, relative to the dialect's base URL")
    bodies = [k for k in BODY_KEYS if k in raw]
    if len(bodies) > 1:
        raise where.error(
            f"{' and '.join(bodies)} both set: a request has one body "
            "(set the default's one to null to drop it)"
        )
    method = raw.get("method") or ("POST" if bodies else "GET")
    if not isinstance(method, str):
        raise where.at("method").error("expected an HTTP method name")
    for key in ("query", "form", "headers"):
        if key in raw and not isinstance(raw[key], dict):
            raise where.at(key).error("expected a mapping")
    content = raw.get("content")
    if content is not None and not isinstance(content, str):
        raise where.at("content").error("expected the raw body as a string")
    _no_matchers(raw, where)
    return Request(
        method=method.upper(),
        path=path,
        query=dict(raw.get("query") or {}),
        form=raw.get("form"),
        json=raw.get("json", UNSET),
        content=content,
        headers=dict(raw.get("headers") or {}),
    )


def _no_matchers(value: Any, where: Where) -> None:
    if isinstance(value, Matcher):
        raise where.error(f"{value.tag} is a matcher: it belongs in expect, not in a request")
    if isinstance(value, dict):
        for v in value.values():
            _no_matchers(v, where)
    elif isinstance(value, list):
        for v in value:
            _no_matchers(v, where)


def _expect(raw: dict[str, Any], where: Where) -> Expect:
    if not isinstance(raw.get("exact", False), bool):
        raise where.at("exact").error("expected true or false")
    jsonp = raw.get("jsonp")
    if jsonp is not None and not isinstance(jsonp, str):
        raise where.at("jsonp").error("expected the callback name")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict):
        raise where.at("headers").error("expected a mapping of header names")
    return Expect(
        status=raw.get("status", UNSET),
        headers={str(k).lower(): v for k, v in headers.items()},
        body=raw.get("body", UNSET),
        exact=raw.get("exact", False),
        jsonp=jsonp,
        text=raw.get("text", UNSET),
    )


def _capture(value: Any, where: Where) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.error("expected a mapping of variable names to paths (body.oid)")
    for name, path in value.items():
        try:
            source = parse_path(path)[0] if isinstance(path, str) else None
        except ValueError as exc:
            raise where.at(str(name)).error(str(exc)) from None
        if source not in CAPTURE_SOURCES:
            raise where.at(str(name)).error(
                f"expected a path starting with {', '.join(CAPTURE_SOURCES)}; got {path!r}"
            )
    return {str(k): v for k, v in value.items()}


# -- discovery ---------------------------------------------------------------------------


def scenario_files(dialects_dir: str | Path) -> list[tuple[str, Path]]:
    """(dialect name, file) for every `<dialects_dir>/<name>/contract/*.yaml`, sorted."""
    root = Path(dialects_dir)
    return [(p.parent.parent.name, p) for p in sorted(root.glob("*/contract/*.yaml"))]
