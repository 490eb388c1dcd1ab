"""Property-based fuzzing (issue 15.10): no client input gives a 5xx (GU_1101); every answer is
Gainsight's envelope; the server keeps serving afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, any_values, deep_texts, json_texts, keys, server_stack, texts

from .helpers import Gainsight

# Sane__gc exists (each example starts by writing to it), so reads get past the object check
OBJECTS = st.sampled_from(["Sane__gc", "Company", "record_delete_log", "query"]) | texts
FIELDS = st.sampled_from(["Name", "N__gc", "Gsid", "J__gc", "Company_ID__gc", "Rel__gr.Name"])
OPERATORS = st.sampled_from(["EQ", "NE", "GT", "IN", "BTW", "CONTAINS", "IS_NULL", "INCLUDES"])
conditions = st.fixed_dictionaries(
    {"name": FIELDS | texts, "alias": st.sampled_from(["A", "B"]) | texts},
    optional={
        "operator": OPERATORS | texts,
        "value": st.lists(any_values, max_size=3) | any_values,
    },
)
expressions = st.one_of(
    texts,
    st.sampled_from(["A", "A AND B", "A OR (B AND A)", "(A", "A)", "AND", "A OR OR B"]),
    st.builds(lambda n: "(" * n + "A" + ")" * n, st.sampled_from([1, 32, 33, 330, 2000])),
    st.builds(lambda n: "A" + " AND (A" * n + ")" * n, st.sampled_from([10, 31, 40])),
)
queries = st.fixed_dictionaries(
    {"select": st.just(["Name"]) | st.lists(FIELDS | texts, max_size=3) | any_values},
    optional={
        "where": st.fixed_dictionaries(
            {}, optional={"conditions": st.lists(conditions, max_size=3), "expression": expressions}
        )
        | any_values,
        "orderBy": st.dictionaries(FIELDS | texts, st.sampled_from(["asc", "desc"]) | texts)
        | any_values,
        "limit": any_values,
        "offset": any_values,
    },
)
records = st.lists(st.dictionaries(FIELDS | keys, any_values, max_size=4), max_size=3)
write_bodies = st.fixed_dictionaries(
    {"records": records | any_values},
    optional={"lookups": st.dictionaries(keys, any_values, max_size=2)},
)


def body_of(value: Any) -> bytes:
    return value if isinstance(value, bytes) else msgspec.json.encode(value)


requests = st.one_of(
    st.tuples(st.just("POST"), OBJECTS.map(lambda o: f"/{quote(o, safe='')}"), write_bodies),
    st.tuples(
        st.just("PUT"),
        st.tuples(OBJECTS, st.sampled_from(["Gsid", "Name", "Name,N__gc"]) | texts).map(
            lambda ok: f"/{quote(ok[0], safe='')}?keys={quote(ok[1], safe='')}"
        ),
        write_bodies,
    ),
    st.tuples(st.just("POST"), OBJECTS.map(lambda o: f"/query/{quote(o, safe='')}"), queries),
    st.tuples(
        st.sampled_from(["GET", "DELETE", "PATCH", "PUT"]),
        st.tuples(OBJECTS, texts).map(lambda p: f"/{quote(p[0], safe='')}/{quote(p[1], safe='')}"),
        st.none(),
    ),
    st.tuples(
        st.sampled_from(["POST", "PUT"]),
        st.sampled_from(["/Sane__gc", "/query/Sane__gc", "/Sane__gc?keys=Name"]),
        json_texts.map(str.encode) | deep_texts,
    ),
)


def deep_query(parentheses: int) -> dict[str, Any]:
    condition = {"name": "Name", "alias": "A", "operator": "EQ", "value": ["ok"]}
    expression = "(" * parentheses + "A" + ")" * parentheses
    return {"select": ["Name"], "where": {"conditions": [condition], "expression": expression}}


def deep_record(levels: int) -> bytes:
    return b'{"records":[{"Name":"x","J__gc":' + b"[" * levels + b"]" * levels + b"}]}"


def deep_condition(levels: int) -> bytes:
    value = b"[" * levels + b'"ok"' + b"]" * levels
    return b'{"select":["Name"],"where":{"conditions":[{"name":"Name","alias":"A",' + (
        b'"operator":"EQ","value":' + value + b"}]}}"
    )


@FUZZ
@given(request=requests)
# the cases, always run: ~330+ nested parentheses, values nested 500-1,000 deep; and
# far deeper, as Hypothesis raises the recursion limit while it runs a test
@example(request=("POST", "/query/Sane__gc", deep_query(330)))
@example(request=("POST", "/query/Sane__gc", deep_query(5000)))
@example(request=("POST", "/Sane__gc", deep_record(20000)))
@example(request=("POST", "/query/Sane__gc", deep_query(33)))
@example(request=("POST", "/Sane__gc", deep_record(500)))
@example(request=("POST", "/Sane__gc", deep_record(1000)))
@example(request=("POST", "/query/Sane__gc", deep_condition(500)))
@example(request=("POST", "/query/Sane__gc", deep_condition(1000)))
async def test_no_input_gives_an_internal_error(gs: Gainsight, request: Any) -> None:
    method, path, body = request
    [row] = await gs.insert("Sane__gc", {"Name": "ok"})  # the object reads need to exist
    content = None if body is None else body_of(body)
    with server_stack():
        r = await gs.http.request(
            method,
            gs.prefix + path,
            content=content,
            headers={**gs.headers, "Content-Type": "application/json"},
        )
    assert r.status_code < 500, (method, path, r.text[:300])
    envelope = gs.envelope(r)
    assert envelope["result"] is (r.status_code == 200), envelope
    assert envelope["errorCode"] is None or isinstance(envelope["errorCode"], str), envelope
    # and the server still serves an ordinary call
    assert (await gs.ok("GET", f"/Sane__gc/{row['Gsid']}"))["records"][0]["Name"] == "ok"
