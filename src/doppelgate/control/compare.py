"""Expected JSON values against actual ones: the subset comparison and its diff, shared by seed
files' `expect` (seed.py) and the contract runner, whose matchers subclass `Matcher` here.

`compare(expected, actual, path)` walks an expectation tree (dicts, lists, scalars and Matcher
objects) against a decoded response and returns one Mismatch per difference, each naming where
it is (`body.results[0].oid`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import msgspec

SHOWN_CHARS = 200  # a value longer than this is cut in messages


class _Missing:
    """The actual value where there is none (a key the response lacks)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass(frozen=True, slots=True)
class Mismatch:
    path: str  # where: "status", "headers.content-type", "body.results[0].oid"
    expected: Any
    actual: Any
    reason: str = ""  # when "expected X, got Y" is not enough

    def __str__(self) -> str:
        text = f"{self.path}: expected {show(self.expected)}, got {show(self.actual)}"
        return f"{text} ({self.reason})" if self.reason else text


def show(value: Any) -> str:
    """A value as a message shows it: JSON for data, the YAML tag form for matchers."""
    if isinstance(value, Matcher | _Missing):
        text = repr(value)
    else:
        try:
            text = msgspec.json.encode(value).decode()
        except (TypeError, msgspec.EncodeError):
            text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_$][\w$-]*", key):
        return f"{path}.{key}"
    return f"{path}[{show(key)}]"


def compare(expected: Any, actual: Any, path: str, exact: bool = False) -> list[Mismatch]:
    """Every difference between `expected` and `actual`.

    Objects: every expected key must match (`!absent` keys must be missing); other keys are
    allowed unless `exact`. Lists: same length, element by element. Numbers: equal by value
    (1 == 1.0), but booleans never equal numbers. Matchers decide for themselves.
    """
    if isinstance(expected, Matcher):
        return expected.check(actual, path, exact)
    if actual is MISSING:
        return [Mismatch(path, expected, actual)]
    if isinstance(expected, dict):
        return _compare_dict(expected, actual, path, exact)
    if isinstance(expected, list):
        return _compare_list(expected, actual, path, exact)
    if not same_scalar(expected, actual):
        return [Mismatch(path, expected, actual)]
    return []


def matches(expected: Any, actual: Any, exact: bool = False) -> bool:
    return not compare(expected, actual, "", exact)


def same_scalar(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _compare_dict(expected: dict[str, Any], actual: Any, path: str, exact: bool) -> list[Mismatch]:
    if not isinstance(actual, dict):
        return [Mismatch(path, expected, actual, "expected an object")]
    out: list[Mismatch] = []
    for key, value in expected.items():
        out += compare(value, actual.get(key, MISSING), child(path, key), exact)
    if exact:
        for key in actual:
            if key not in expected:
                out.append(Mismatch(child(path, key), MISSING, actual[key], "unexpected key"))
    return out


def _compare_list(expected: list[Any], actual: Any, path: str, exact: bool) -> list[Mismatch]:
    if not isinstance(actual, list):
        return [Mismatch(path, expected, actual, "expected an array")]
    if len(expected) != len(actual):
        reason = f"expected {len(expected)} items, got {len(actual)}"
        return [Mismatch(path, expected, actual, reason)]
    out: list[Mismatch] = []
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        out += compare(e, a, child(path, i), exact)
    return out


class Matcher:
    """A rule for a volatile or partly known value; `tag` is its YAML spelling."""

    tag: ClassVar[str] = ""

    def check(self, actual: Any, path: str, exact: bool) -> list[Mismatch]:
        if actual is MISSING:
            return [Mismatch(path, self, actual)]
        return [] if self.test(actual, exact) else [Mismatch(path, self, actual, self.why(actual))]

    def test(self, actual: Any, exact: bool) -> bool:
        raise NotImplementedError

    def why(self, actual: Any) -> str:
        return ""

    def args(self) -> Any:
        """The tag's argument, as written in YAML (None: a bare tag)."""
        return None

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        """The same matcher with `resolve` applied to its arguments (variables)."""
        return self

    def __repr__(self) -> str:
        args = self.args()
        return self.tag if args is None else f"{self.tag} {show(args)}"
