"""Replay a scenario through any httpx.AsyncClient: in-process (httpx.ASGITransport) or a real
base URL, the vendor's included. The client's base_url is the dialect's base URL; step paths are
relative to it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import msgspec

from ..control.asgi import form_value
from .matchers import MISSING, Mismatch, compare
from .scenario import UNSET, Expect, Request, Scenario, Step
from .template import UnresolvedVariable, parse_path, substitute, value_at

if TYPE_CHECKING:
    import httpx

SHOWN_BODY_CHARS = 1500  # of a failing step's response, in the report


@dataclass(slots=True)
class Exchange:
    """What was sent and what came back, for the report."""

    method: str
    url: str
    status: int
    text: str


@dataclass(slots=True)
class StepResult:
    index: int
    name: str
    mismatches: list[Mismatch] = field(default_factory=list)
    error: str | None = None  # the step could not run: undefined variable, connection failure
    exchange: Exchange | None = None
    iteration: int | None = None  # of a repeated step: the first one that failed

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches


@dataclass(slots=True)
class ScenarioResult:
    scenario: Scenario
    steps: list[StepResult]
    variables: dict[str, Any]

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.steps)

    def report(self) -> str:
        return format_result(self)


def run_token() -> str:
    """`${run}`: unique per replay, so runs against a shared (real) site never collide."""
    return "r" + uuid.uuid4().hex[:12]


def initial_variables(scenario: Scenario, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Builtins < the scenario's `variables` (which may use them) < the caller's."""
    given = dict(given or {})
    env: dict[str, Any] = {"run": run_token(), **given}
    for name, value in scenario.variables.items():
        if name not in given:
            env[name] = substitute(value, env)
    return env


async def replay(
    scenario: Scenario,
    client: httpx.AsyncClient,
    variables: Mapping[str, Any] | None = None,
    *,
    stop_on_failure: bool = False,
) -> ScenarioResult:
    """Run the steps in order; every step runs (its captures feed later ones) unless
    `stop_on_failure`. Returns one result per step."""
    try:
        env = initial_variables(scenario, variables)
    except UnresolvedVariable as exc:
        failed = StepResult(0, "variables", error=f"scenario variables: {exc}")
        return ScenarioResult(scenario, [failed], dict(variables or {}))
    results: list[StepResult] = []
    for index, step in enumerate(scenario.steps):
        result = await _run_repeated(index, step, client, env)
        results.append(result)
        if stop_on_failure and not result.passed:
            break
    return ScenarioResult(scenario, results, env)


async def _run_repeated(
    index: int, step: Step, client: httpx.AsyncClient, env: dict[str, Any]
) -> StepResult:
    if step.repeat == 1:
        return await run_step(index, step, client, env)
    result = StepResult(index, step.name)
    for i in range(step.repeat):  # `${i}`: 0, 1, ... inside a repeated step
        env["i"] = i
        result = await run_step(index, step, client, env)
        if not result.passed:
            result.iteration = i
            break
    env.pop("i", None)
    return result


async def run_step(
    index: int, step: Step, client: httpx.AsyncClient, env: dict[str, Any]
) -> StepResult:
    """Send one step's request, check its expectation, store its captures in `env`."""
    result = StepResult(index, step.name)
    try:
        request = _resolve_request(step.request, env)
        expect = _resolve_expect(step.expect, env)
    except UnresolvedVariable as exc:
        result.error = str(exc)
        return result
    try:
        url = url_of(request)
        response = await client.request(request.method, url, **_httpx_args(request))
    except Exception as exc:  # the transport's errors: report them as the step's failure
        result.error = f"request failed: {type(exc).__name__}: {exc}"
        return result
    result.exchange = Exchange(
        request.method, str(response.request.url), response.status_code, response.text
    )
    response_headers = {k.lower(): v for k, v in response.headers.items()}
    result.mismatches = check(expect, response.status_code, response_headers, response.text)
    result.mismatches += capture(
        step.capture, response.status_code, response_headers, response.text, expect.jsonp, env
    )
    return result


# -- requests ------------------------------------------------------------------------------


def _resolve_request(request: Request, env: Mapping[str, Any]) -> Request:
    return Request(
        method=request.method,
        path=str(substitute(request.path, env)),
        query=substitute(request.query, env),
        form=substitute(request.form, env),
        json=request.json if request.json is UNSET else substitute(request.json, env),
        content=substitute(request.content, env),
        headers=substitute(request.headers, env),
    )


def url_of(request: Request) -> str:
    """The path with `query` appended to any query string written in it (httpx's `params`
    would replace that one, and a path is the only way to repeat a name: `?k[]=a&k[]=b`)."""
    if not request.query:
        return request.path
    pairs = {str(k): form_value(v) for k, v in request.query.items()}
    joiner = "&" if "?" in request.path else "?"
    return request.path + joiner + urlencode(pairs, quote_via=quote)


def _httpx_args(request: Request) -> dict[str, Any]:
    headers = {str(k): str(v) for k, v in request.headers.items()}
    args: dict[str, Any] = {"headers": headers}
    if request.form is not None:
        args["data"] = {str(k): form_value(v) for k, v in request.form.items()}
    elif request.json is not UNSET:
        args["content"] = msgspec.json.encode(request.json)
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif request.content is not None:
        args["content"] = request.content.encode()
    return args


# -- expectations ----------------------------------------------------------------------------


def _resolve_expect(expect: Expect, env: Mapping[str, Any]) -> Expect:
    return Expect(
        status=substitute(expect.status, env),
        headers=substitute(expect.headers, env),
        body=expect.body if expect.body is UNSET else substitute(expect.body, env),
        exact=expect.exact,
        jsonp=substitute(expect.jsonp, env),
        text=expect.text if expect.text is UNSET else substitute(expect.text, env),
    )


def decode_body(text: str, jsonp: str | None) -> tuple[Any, str | None]:
    """The JSON body (inside `jsonp(...)` when a callback is expected), or why it is none."""
    payload = text
    if jsonp is not None:
        inner = text.strip()
        inner = inner.removesuffix(";").rstrip()
        if not (inner.startswith(f"{jsonp}(") and inner.endswith(")")):
            return MISSING, f"expected a JSONP response {jsonp}(...)"
        payload = inner[len(jsonp) + 1 : -1]
    try:
        return msgspec.json.decode(payload.encode()), None
    except msgspec.DecodeError as exc:
        return MISSING, f"the response is not JSON ({exc})"


def check(expect: Expect, status: int, headers: Mapping[str, str], text: str) -> list[Mismatch]:
    out: list[Mismatch] = []
    if expect.status is not UNSET:
        out += compare(expect.status, status, "status")
    for name, expected in expect.headers.items():
        out += compare(expected, headers.get(name, MISSING), f"headers.{name}")
    if expect.text is not UNSET:
        out += compare(expect.text, text, "text")
    if expect.body is not UNSET or expect.jsonp is not None:
        body, problem = decode_body(text, expect.jsonp)
        if problem is not None:
            shown = expect.body if expect.body is not UNSET else f"{expect.jsonp}(...)"
            out.append(Mismatch("body", shown, text, problem))
        elif expect.body is not UNSET:
            out += compare(expect.body, body, "body", expect.exact)
    return out


def capture(
    captures: Mapping[str, str],
    status: int,
    headers: Mapping[str, str],
    text: str,
    jsonp: str | None,
    env: dict[str, Any],
) -> list[Mismatch]:
    """Store each captured value in `env`; a path with nothing there is a mismatch."""
    out: list[Mismatch] = []
    for name, path in captures.items():
        segments = parse_path(path)
        source, rest = segments[0], segments[1:]
        if source == "status":
            root: Any = status
        elif source == "headers":
            root = dict(headers)
            rest = [str(s).lower() for s in rest]
        elif source == "text":
            root = text
        else:
            root, _problem = decode_body(text, jsonp)
        value = value_at(root, rest)
        if value is MISSING:
            out.append(Mismatch(f"capture {name}", f"a value at {path}", MISSING))
        else:
            env[name] = value
    return out


# -- the report ------------------------------------------------------------------------------


def format_result(result: ScenarioResult) -> str:
    """A readable account: each step ok or FAILED, failures with their differences."""
    s = result.scenario
    verdict = "passed" if result.passed else "FAILED"
    lines = [f"scenario {s.id} ({s.file}): {verdict}", *_indent(s.description.splitlines(), 2)]
    for step in result.steps:
        label = f"step {step.index + 1}" + (f" {step.name!r}" if step.name else "")
        if step.iteration is not None:
            label += f" (repeat i={step.iteration})"
        exchange = step.exchange
        sent = f": {exchange.method} {exchange.url} -> {exchange.status}" if exchange else ""
        if step.passed:
            lines.append(f"  ok     {label}{sent}")
            continue
        lines.append(f"  FAILED {label}{sent}")
        if step.error:
            lines.append(f"    error: {step.error}")
        lines += [f"    {m}" for m in step.mismatches]
        if exchange is not None:
            body = exchange.text
            if len(body) > SHOWN_BODY_CHARS:
                body = body[:SHOWN_BODY_CHARS] + f"... ({len(exchange.text)} chars)"
            lines.append(f"    response: {body}")
    skipped = len(s.steps) - len(result.steps)
    if skipped:
        lines.append(f"  ({skipped} later steps not run)")
    return "\n".join(lines)


def _indent(lines: list[str], width: int) -> list[str]:
    return [" " * width + line for line in lines]
