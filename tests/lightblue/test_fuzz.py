"""Property-based fuzzing (issue 15.10): no client input gives the internal error; every answer is
lightblue's response envelope; the server keeps serving afterwards.

lightblue itself answers HTTP 500 for most errors (spec §1.4: any first error but access and
unknown entity), so the property is "never doppelgate's own internal error" (rest-crud:RestError
"Internal error (request ...)"), and a 5xx only with a vendor error code in the body."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import (
    FUZZ,
    any_values,
    deep_texts,
    json_texts,
    keys,
    server_stack,
    texts,
)

from .helpers import Lightblue, eq

FIELDS = st.sampled_from(["name", "population", "tags", "cities.*.name", "capital.name", "_id"])
OPS = st.sampled_from(["=", "$eq", "<", "$in", "$nin", "$all", "$regex", "$not", "$and"]) | texts
queries = (
    st.recursive(
        st.fixed_dictionaries(
            {"field": FIELDS | texts, "op": OPS, "rvalue": any_values},
            optional={"values": st.lists(any_values, max_size=3), "regex": texts},
        ),
        lambda inner: st.builds(
            lambda op, qs: {op: qs},
            st.sampled_from(["$and", "$or", "$all"]),
            st.lists(inner, max_size=3),
        ),
        max_leaves=6,
    )
    | any_values
)
projections = (
    st.fixed_dictionaries(
        {"field": FIELDS | texts}, optional={"include": any_values, "recursive": any_values}
    )
    | any_values
)
updates = st.dictionaries(
    st.sampled_from(["$set", "$unset", "$add", "$append", "$insert", "$foreach"]) | keys,
    st.dictionaries(FIELDS | keys, any_values, max_size=2) | any_values,
    max_size=2,
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "query": queries,
        "projection": projections,
        "sort": st.dictionaries(FIELDS | keys, any_values, max_size=2) | any_values,
        "range": any_values,
        "from": any_values,
        "to": any_values,
        "update": updates | any_values,
        "data": st.dictionaries(FIELDS | keys, any_values, max_size=4) | any_values,
    },
)
ACTIONS = st.sampled_from(
    [("POST", "find"), ("PUT", "insert"), ("POST", "update"), ("POST", "save"),
     ("POST", "delete"), ("GET", "find")]
)  # fmt: skip
ENTITIES = st.sampled_from(["country", "country/1.0.0", "nothing", "country/9"]) | texts
raw_bodies = json_texts.map(str.encode) | deep_texts


def deep_query(levels: int) -> bytes:
    """A query of `levels` nested $and, as JSON text (too deep to encode from Python)."""
    inner = b'{"field":"name","op":"=","rvalue":"x"}'
    query = b'{"$and":[' * levels + inner + b"]}" * levels
    return b'{"query":' + query + b',"projection":{"field":"name"}}'


def deep_data(levels: int) -> bytes:
    return b'{"data":{"name":"x","capital":' + b'{"a":' * levels + b"1" + b"}" * levels + b"}}"


@FUZZ
@given(action=ACTIONS, entity=ENTITIES, body=bodies | raw_bodies)
# the kind of case, always run: queries and documents nested hundreds of levels
@example(action=("POST", "find"), entity="country", body=deep_query(400))
@example(action=("POST", "find"), entity="country", body=deep_query(3000))
@example(action=("PUT", "insert"), entity="country", body=deep_data(500))
@example(action=("PUT", "insert"), entity="country", body=deep_data(5000))
@example(action=("POST", "find"), entity="country", body=b'{"query":' + b"[" * 20000)
async def test_no_input_gives_an_internal_error(
    country: Lightblue, action: tuple[str, str], entity: str, body: Any
) -> None:
    method, verb = action
    content = body if isinstance(body, bytes) else msgspec.json.encode(body)
    with server_stack():
        r = await country.http.request(
            method,
            f"/rest/data/{verb}/{quote(entity, safe='/')}",
            content=content,
            headers={"Content-Type": "application/json"},
        )
    answer = r.json()
    assert isinstance(answer, dict) and answer.get("status") in ("COMPLETE", "PARTIAL", "ERROR")
    errors = answer.get("errors") or []
    for error in errors:
        assert error["objectType"] == "error" and error["errorCode"], error
        assert not error.get("msg", "").startswith("Internal error"), (verb, entity, error)
    assert r.status_code < 500 or errors, (method, verb, entity, r.text[:300])
    # and the server still serves an ordinary call
    reply = await country.find("country", eq("name", "nobody"))
    assert reply["status"] == "COMPLETE", reply
