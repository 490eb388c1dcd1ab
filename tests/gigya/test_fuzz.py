"""Property-based fuzzing (issue 15.10): no client input gives a 5xx or the internal-error code
500001; every answer is Gigya's envelope; the server keeps serving afterwards."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, json_texts, keys, server_stack, texts

from .helpers import CALL_ID, Gigya

METHODS = [
    "ds.store",
    "ds.get",
    "ds.delete",
    "ds.search",
    "ds.setSchema",
    "ds.getSchema",
    "ds.getTypes",
    "ds.deleteSchemaFields",
    "ds.nothing",
]
WHERE = [
    "data.a = {v}",
    "a_s CONTAINS {v}",
    "data.b_i > {v}",
    "x IN ({v}, {v})",
    "data.d_d < {v}",
    "NOT a_s = {v}",
    "a_t = REGEX({v})",
    "{v}",
]


def literal(value: Any) -> str:
    return msgspec.json.encode(value).decode() if not isinstance(value, str) else f'"{value}"'


queries = st.one_of(
    texts,
    st.builds(
        lambda where, v, depth: (
            "SELECT * FROM t WHERE " + "(" * depth + where.format(v=literal(v)) + ")" * depth
        ),
        st.sampled_from(WHERE),
        texts | st.integers() | st.floats(allow_nan=False),
        st.sampled_from([0, 1, 50, 51, 400, 2000]),
    ),
    st.builds(lambda t: f"SELECT {t} FROM {t} ORDER BY {t} LIMIT {t}", texts),
)
params = st.fixed_dictionaries(
    {},
    optional={
        "type": texts,
        "oid": texts,
        "UID": texts,
        "data": json_texts,
        "dataSchema": json_texts,
        "fields": texts,
        "query": queries,
        "updateBehavior": st.sampled_from(["arrayPush", "arraySet", "replace", "", "x"]),
        "openCursor": texts,
        "cursorId": texts,
        "context": json_texts | texts,
    },
).flatmap(lambda p: st.dictionaries(keys, texts, max_size=3).map(lambda extra: {**extra, **p}))


def form(values: dict[str, Any]) -> dict[str, str]:
    return {k.replace("\x00", ""): v for k, v in values.items() if k not in ("format", "callback")}


DEEP_ARRAYS = '{"a":' + "[" * 1000 + "]" * 1000 + "}"  # the cases, always run
DEEP_OBJECTS = '{"a":' * 1500 + "1" + "}" * 1500


@FUZZ
@given(method=st.sampled_from(METHODS), fields=params)
@example(method="ds.store", fields={"type": "t", "oid": "1", "data": DEEP_ARRAYS})
@example(method="ds.store", fields={"type": "t", "oid": "1", "data": DEEP_OBJECTS})
@example(method="ds.setSchema", fields={"type": "t", "dataSchema": DEEP_OBJECTS})
@example(method="ds.search", fields={"query": "SELECT * FROM t WHERE " + "(" * 3000 + "a = 1"})
async def test_no_input_gives_an_internal_error(
    gigya: Gigya, method: str, fields: dict[str, Any]
) -> None:
    data = {"apiKey": gigya.api_key, "secret": "any", **form(fields)}
    with server_stack():
        r = await gigya.http.post(f"/gigya/{method}", data=data)
    assert r.status_code == 200, r.text  # httpStatusCodes=false: the code is in the body
    body = r.json()
    assert CALL_ID.match(body["callId"]) and isinstance(body["errorCode"], int), body
    assert body["errorCode"] // 1000 != 5 and body["statusCode"] < 500, (method, body)
    # and the server still serves an ordinary call
    await gigya.store("after", {"ok_s": "yes"}, oid="sane")
    assert (await gigya.ok("ds.get", type="after", oid="sane"))["data"]["ok_s"] == "yes"


@FUZZ
@given(levels=st.sampled_from([65, 100, 999, 1000, 1500, 5000]), kind=st.sampled_from("[{"))
def test_deep_data_is_a_400006_not_500001(levels: int, kind: str) -> None:
    """The issue's cases as a property of the JSON-text decoding alone (no server needed)."""
    from doppelgate.dialects.gigya.wire import BadParam, Call

    text = ("[" * levels + "]" * levels) if kind == "[" else ('{"a":' * levels + "1" + "}" * levels)
    call = Call(call_id="c", method="ds.store", params={"data": text}, url="", secure=True)
    try:
        call.json("data")
    except BadParam as exc:
        assert exc.code == 400006 and "deeper than 64" in str(exc)
    else:
        raise AssertionError("accepted")
