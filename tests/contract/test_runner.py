"""The scenario format and replayer (doppelgate.contract) against a tiny fake ASGI app."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import msgspec
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from doppelgate.contract import (
    MISSING,
    ScenarioError,
    ScenarioResult,
    compare,
    load_text,
    replay,
    scenario_files,
)
from doppelgate.contract.loader import load_yaml

# -- the fake app ------------------------------------------------------------------------------


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(msgspec.json.encode(body), status, headers, media_type="application/json")


async def echo(request: Request) -> Response:
    """What arrived: method, path, query, form fields, raw body, a few headers."""
    raw = (await request.body()).decode()
    is_form = "form" in request.headers.get("content-type", "")
    form = dict(parse_qsl(raw, keep_blank_values=True)) if is_form else {}
    return _json(
        {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "form": form,
            "raw": raw,
            "contentType": request.headers.get("content-type"),
            "xTest": request.headers.get("x-test"),
        },
        headers={"X-Served-By": "fake"},
    )


async def create_item(request: Request) -> Response:
    return _json(
        {
            "id": str(uuid.uuid4()),
            "created": "2015-03-22T11:42:25.943Z",
            "n": 1,
            "tags": ["a", "b"],
            "nested": {"x": 1, "y": [1, 2]},
        },
        status=201,
        headers={"X-Served-By": "fake"},
    )


async def get_item(request: Request) -> Response:
    return _json({"id": request.path_params["id"], "found": True})


async def jsonp(request: Request) -> Response:
    callback = request.query_params.get("callback", "cb")
    return Response(f'{callback}({{"a":1,"b":"x"}});', media_type="application/javascript")


async def text(request: Request) -> Response:
    return Response("hello world", media_type="text/plain")


async def status(request: Request) -> Response:
    return _json({"status": int(request.path_params["code"])}, int(request.path_params["code"]))


FAKE = Starlette(
    routes=[
        Route("/api/echo", echo, methods=["GET", "POST", "PUT"]),
        Route("/api/items", create_item, methods=["POST"]),
        Route("/api/items/{id}", get_item),
        Route("/api/jsonp", jsonp),
        Route("/api/text", text),
        Route("/api/status/{code:int}", status),
    ]
)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(FAKE)
    async with httpx.AsyncClient(transport=transport, base_url="http://fake/api") as c:
        yield c


async def run(
    client: httpx.AsyncClient, text: str, variables: dict[str, Any] | None = None
) -> ScenarioResult:
    [scenario] = load_text(text, "test.yaml")
    return await replay(scenario, client, variables)


def one_scenario(steps: str, extra: str = "") -> str:
    """A file with one scenario `s` and these steps (indented YAML)."""
    return f"""{extra}
scenarios:
  - name: s
    description: a test
    steps:
{steps}"""


# -- matchers -----------------------------------------------------------------------------------


def mismatches(expected_yaml: str, actual: Any, exact: bool = False) -> list[str]:
    return [str(m) for m in compare(load_yaml(expected_yaml), actual, "body", exact)]


@pytest.mark.parametrize(
    ("expected", "good", "bad"),
    [
        ("!any", None, MISSING),
        ("!regex '^[0-9a-f]{32}$'", uuid.uuid4().hex, "ABC"),
        ("!regex 'b'", "abc", 5),
        ("!type int", 3, True),
        ("!type float", 1.5, 1),
        ("!type number", 1, "1"),
        ("!type str", "", None),
        ("!type bool", False, 0),
        ("!type list", [], {}),
        ("!type dict", {}, []),
        ("!type null", None, 0),
        ("!iso8601", "2015-03-22T11:42:25.943Z", "2015-03-22"),
        ("!iso8601", "2011-07-14T11:42:32.123+03:00", "yesterday"),
        ("!uuid", "8b8972c3-b311-4db2-a0ac-dfa2617693bf", "8b8972c3b3114db2a0acdfa2617693bf"),
        ("!len 2", [1, 2], [1]),
        ("!len 3", "abc", 3),
        ("!contains [2]", [1, 2, 3], [1, 3]),
        ("!contains [{a: 1}, {a: 1}]", [{"a": 1, "b": 2}, {"a": 1}], [{"a": 1}]),
        ("!contains needle", "haystack with needle", "haystack"),
        ("!unordered [1, 2]", [2, 1], [1, 2, 3]),
        ("!any_of [1, !type str]", "x", 2),
        ("!not 0", 400006, 0),
        ("!none_of [!type str, 2]", 1, "x"),
        ("!not '1'", 1, "1"),  # a quoted argument stays a string
        ("!gt 5", 6, 5),
        ("!gte 5", 5, 4.9),
        ("!lt 5", 4, "4"),
        ("!lte b", "b", "c"),
        ("!exact {a: 1}", {"a": 1}, {"a": 1, "b": 2}),
        ("{a: 1}", {"a": 1, "b": 2}, {"a": 2}),
        ("[1, {a: 1}]", [1, {"a": 1, "z": 0}], [1]),
        ("1", 1.0, True),
        ("true", True, 1),
        ("null", None, MISSING),
        ("2011-07-14", "2011-07-14", "2011-07-15"),  # dates stay strings
    ],
)
def test_matchers(expected: str, good: Any, bad: Any) -> None:
    assert mismatches(expected, good) == []
    assert mismatches(expected, bad) != []


def test_absent() -> None:
    assert mismatches("{a: !absent }", {"b": 1}) == []
    assert mismatches("{a: !absent }", {"a": None}) == ["body.a: expected !absent, got null"]


def test_any_requires_presence() -> None:
    assert mismatches("{a: !any }", {}) == ["body.a: expected !any, got <missing>"]


def test_subset_and_exact() -> None:
    actual = {"a": 1, "b": {"c": 2, "d": 3}}
    assert mismatches("{b: {c: 2}}", actual) == []
    assert mismatches("{a: 1, b: {c: 2}}", actual, exact=True) == [
        "body.b.d: expected <missing>, got 3 (unexpected key)"
    ]
    assert mismatches("{a: 1, b: !subset {c: 2}}", actual, exact=True) == []
    assert mismatches("{b: !exact {c: 2}}", actual) == [
        "body.b.d: expected <missing>, got 3 (unexpected key)"
    ]


def test_mismatch_messages_name_the_path() -> None:
    actual = {"results": [{"oid": "a"}, {"oid": "b"}], "count(*)": 1}
    assert mismatches("{results: [{oid: a}, {oid: c}]}", actual) == [
        'body.results[1].oid: expected "c", got "b"'
    ]
    assert mismatches("{results: [{oid: a}]}", actual) == [
        'body.results: expected [{"oid":"a"}], got [{"oid":"a"},{"oid":"b"}] '
        "(expected 1 items, got 2)"
    ]
    assert mismatches("{count(*): 2}", actual) == ['body["count(*)"]: expected 2, got 1']
    assert mismatches("{results: {}}", actual) == [
        'body.results: expected {}, got [{"oid":"a"},{"oid":"b"}] (expected an object)'
    ]
    assert mismatches("{n: !len 3}", {"n": [1]}) == ["body.n: expected !len 3, got [1] (length 1)"]


def test_long_values_are_cut() -> None:
    [message] = mismatches("{a: x}", {"a": "y" * 1000})
    assert len(message) < 300 and message.endswith('..."') is False and "..." in message


# -- requests -------------------------------------------------------------------------------


async def test_defaults_merge_and_form_encoding(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request:
          path: echo
          query: {q: 1}
          form: {secret: null, obj: {a: [1, "x"]}, flag: true, n: 2.5, s: "a b"}
          headers: {x-test: step}
        expect:
          status: 200
          headers: {x-served-by: fake, content-type: !regex '^application/json'}
          body:
            method: PUT
            path: /api/echo
            query: {q: "1", base: "${key}"}
            form: !exact
              apiKey: "${key}"
              obj: '{"a":[1,"x"]}'
              flag: "true"
              n: "2.5"
              s: a b
            xTest: step
""",
            extra="""
defaults:
  request:
    method: PUT
    query: {base: "${key}"}
    form: {apiKey: "${key}", secret: s3cret}
    headers: {x-test: default}
""",
        ),
        {"key": "k1"},
    )
    assert result.passed, result.report()


async def test_query_in_the_path_is_kept(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {path: "echo?k[]=a&k[]=b", query: {q: "x y", o: {a: 1}}}
        expect:
          body: {query: {"k[]": b, q: x y, o: '{"a":1}'}}
        capture: {url: body.path}
      - request: {path: "echo?only=1"}
        expect:
          body: {query: !exact {only: "1"}}
"""
        ),
    )
    assert result.passed, result.report()
    assert result.steps[0].exchange is not None
    assert result.steps[0].exchange.url.endswith("/echo?k[]=a&k[]=b&q=x%20y&o=%7B%22a%22%3A1%7D")


async def test_json_and_raw_bodies(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {path: echo, json: {a: [1, null], n: "${n}"}}
        expect:
          body: {method: POST, raw: '{"a":[1,null],"n":7}', contentType: application/json}
      - request:
          path: echo
          content: "a=1&b=${n}"
          headers: {content-type: application/x-www-form-urlencoded}
        expect:
          body: {raw: a=1&b=7, form: {a: "1", b: "7"}}
      - request: {path: echo}
        expect:
          body: {method: GET, raw: ""}
"""
        ),
        {"n": 7},
    )
    assert result.passed, result.report()


# -- captures and variables -----------------------------------------------------------------


async def test_captures_feed_later_steps(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {method: POST, path: items}
        expect:
          status: 201
          body: {id: !uuid , created: !iso8601 , n: !type int, tags: [a, b]}
        capture:
          id: body.id
          second_tag: body.tags[1]
          y0: body.nested.y.0
          code: status
          server: headers.X-Served-By
      - request: {path: "items/${id}"}
        expect:
          body: !exact {id: "${id}", found: true}
      - request:
          path: echo
          query: {tag: "${second_tag}", y: "${y0}", code: "${code}"}
        expect:
          body: {query: {tag: b, y: "1", code: "201"}}
"""
        ),
    )
    assert result.passed, result.report()
    assert result.variables["code"] == 201 and result.variables["y0"] == 1


async def test_whole_placeholder_keeps_the_type(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {method: POST, path: items}
        capture: {n: body.n, nested: body.nested}
      - request: {path: echo, json: {n: "${n}", text: "n=${n} ${nested}", lit: "$${n}"}}
        expect:
          body: {raw: '{"n":1,"text":"n=1 {\\"x\\":1,\\"y\\":[1,2]}","lit":"$${n}"}'}
"""
        ),
    )
    assert result.passed, result.report()


async def test_scenario_variables_and_run_token(client: httpx.AsyncClient) -> None:
    text = one_scenario(
        """
      - request: {path: echo, query: {type: "${type}", other: "${other}"}}
        capture: {type: body.query.type}
""",
        extra="variables: {type: 'todo${run}', other: 'from-file'}",
    )
    first = await run(client, text)
    second = await run(client, text)
    assert first.passed and second.passed
    assert first.variables["type"].startswith("todor")
    assert first.variables["type"] != second.variables["type"]  # a new ${run} per replay
    given = await run(client, text, {"other": "given"})
    assert given.variables["other"] == "given"  # the caller's variables win


async def test_missing_capture_and_undefined_variable(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {method: POST, path: items}
        capture: {nope: body.missing.path}
      - name: uses it
        request: {path: "items/${nope}"}
"""
        ),
    )
    assert not result.passed
    first, second = result.steps
    assert [str(m) for m in first.mismatches] == [
        'capture nope: expected "a value at body.missing.path", got <missing>'
    ]
    assert second.error is not None and "undefined variable ${nope}" in second.error
    assert "error: undefined variable ${nope}" in result.report()


async def test_repeat(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - repeat: 3
        request: {path: echo, query: {i: "${i}"}}
        expect: {body: {query: {i: !regex '^[0-2]$'}}}
        capture: {last: body.query.i}
      - repeat: 3
        request: {path: echo, query: {i: "${i}"}}
        expect: {body: {query: {i: !not "1"}}}
"""
        ),
    )
    assert result.steps[0].passed and result.variables["last"] == "2"
    assert not result.steps[1].passed and result.steps[1].iteration == 1
    assert "(repeat i=1)" in result.report()


# -- responses ------------------------------------------------------------------------------


async def test_jsonp_and_text(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {path: jsonp, query: {callback: gigya.callback}}
        expect:
          jsonp: gigya.callback
          text: !regex '^gigya\\.callback\\('
          body: !exact {a: 1, b: x}
      - request: {path: text}
        expect:
          text: hello world
          headers: {content-type: !contains text/plain}
"""
        ),
    )
    assert result.passed, result.report()


async def test_wrong_jsonp_callback_and_non_json(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - request: {path: jsonp, query: {callback: other}}
        expect: {jsonp: cb}
      - request: {path: text}
        expect: {body: {a: 1}}
"""
        ),
    )
    jsonp_step, text_step = result.steps
    assert [m.reason for m in jsonp_step.mismatches] == ["expected a JSONP response cb(...)"]
    [problem] = text_step.mismatches
    assert problem.path == "body" and problem.reason.startswith("the response is not JSON")


async def test_failing_step_report(client: httpx.AsyncClient) -> None:
    result = await run(
        client,
        one_scenario(
            """
      - name: create
        request: {method: POST, path: items}
        expect:
          status: 200
          headers: {x-missing: !any }
          body: {n: 2, tags: !contains [c], extra: !absent , nested: {x: !type str}}
      - name: fine
        request: {path: status/204}
"""
        ),
    )
    assert not result.passed and result.steps[1].passed
    report = result.report()
    for line in (
        "scenario test/s (test.yaml): FAILED",
        "FAILED step 1 'create': POST http://fake/api/items -> 201",
        "status: expected 200, got 201",
        "headers.x-missing: expected !any, got <missing>",
        "body.n: expected 2, got 1",
        'body.tags: expected !contains ["c"], got ["a","b"]',
        'body.nested.x: expected !type "str", got 1',
        'response: {"id":',
        "ok     step 2 'fine': GET http://fake/api/status/204 -> 204",
    ):
        assert line in report, report


async def test_stop_on_failure(client: httpx.AsyncClient) -> None:
    [scenario] = load_text(
        one_scenario(
            """
      - request: {path: status/500}
        expect: {status: 200}
      - request: {path: echo}
"""
        )
    )
    result = await replay(scenario, client, stop_on_failure=True)
    assert len(result.steps) == 1
    assert "(1 later steps not run)" in result.report()


async def test_transport_errors_fail_the_step() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = httpx.MockTransport(refuse)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
        result = await run(c, one_scenario("      - request: {path: a}\n"))
    assert result.steps[0].error == "request failed: ConnectError: refused"


# -- loading ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios: [", "invalid YAML"),
        ("scenarios: []", "scenarios: expected a non-empty list"),
        ("bogus: 1\nscenarios: []", "top level: unknown key 'bogus'"),
        (
            one_scenario("      - request: {path: a, colour: red}\n"),
            "scenarios[0] (s).steps[0].request: unknown key 'colour'",
        ),
        (one_scenario("      - request: {method: GET}\n"), "steps[0].request.path: expected"),
        (
            one_scenario("      - request: {path: a, form: {}, json: {}}\n"),
            "form and json both set",
        ),
        (
            one_scenario("      - request: {path: a, query: {x: !any }}\n"),
            "!any is a matcher: it belongs in expect",
        ),
        (one_scenario("      - request: {path: a}\n        repeat: 0\n"), "repeat: expected"),
        (
            one_scenario("      - request: {path: a}\n        capture: {x: response.id}\n"),
            "capture.x: expected a path starting with status, headers, body, text",
        ),
        (
            one_scenario("      - request: {path: a}\n        expect: {body: !type integer}\n"),
            "!type integer: expected one of int",
        ),
        (
            one_scenario("      - request: {path: a}\n        expect: {body: !len -1}\n"),
            "!len: expects a non-negative integer",
        ),
        (
            "scenarios:\n  - {name: 'has space', description: d, steps: [{request: {path: a}}]}",
            "expected a name of letters",
        ),
        (
            "scenarios:\n  - {name: a, description: d, steps: [{request: {path: a}}]}\n"
            "  - {name: a, description: d, steps: [{request: {path: a}}]}",
            "two scenarios are named 'a'",
        ),
        ("scenarios:\n  - {name: a, steps: [{request: {path: a}}]}", "description: say what"),
    ],
)
def test_load_errors(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_text(text, "bad.yaml")
    assert str(caught.value).startswith("bad.yaml: ")
    assert message in str(caught.value), str(caught.value)


def test_shared_steps_and_extension_keys() -> None:
    [scenario] = load_text(
        """
x-setup: &setup
  - request: {path: one}
  - request: {path: two}
scenarios:
  - name: s
    description: d
    known_failure: the vendor differs
    steps:
      - *setup
      - request: {path: three, method: delete}
"""
    )
    assert [(s.request.method, s.request.path) for s in scenario.steps] == [
        ("GET", "one"),
        ("GET", "two"),
        ("DELETE", "three"),
    ]
    assert scenario.known_failure == "the vendor differs"


def test_emulator_block_merges() -> None:
    first, second = load_text(
        """
emulator:
  base_url: https://vendor.example
  settings: {dialects: {d: {strict: true, window: 1}}}
scenarios:
  - {name: a, description: d, steps: [{request: {path: x}}]}
  - name: b
    description: d
    emulator: {settings: {dialects: {d: {window: 2}}}}
    steps: [{request: {path: x}}]
"""
    )
    assert first.emulator == {
        "base_url": "https://vendor.example",
        "settings": {"dialects": {"d": {"strict": True, "window": 1}}},
    }
    assert second.emulator["settings"] == {"dialects": {"d": {"strict": True, "window": 2}}}
    with pytest.raises(ScenarioError, match="emulator: unknown key 'port'"):
        load_text("emulator: {port: 1}\nscenarios: []")


def test_repeat_tag_builds_long_strings() -> None:
    [scenario] = load_text(
        one_scenario("      - request: {path: a, form: {data: {b: !repeat [xy, 3]}}}\n")
    )
    assert scenario.steps[0].request.form == {"data": {"b": "xyxyxy"}}


def test_scenario_files(tmp_path: Path) -> None:
    for rel in ("b/contract/z.yaml", "a/contract/y.yaml", "a/contract/notes.md", "a/other.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    found = [(d, p.relative_to(tmp_path).as_posix()) for d, p in scenario_files(tmp_path)]
    assert found == [("a", "a/contract/y.yaml"), ("b", "b/contract/z.yaml")]
