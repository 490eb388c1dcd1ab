"""Property-based fuzzing (issue 15.10): no client input gives a 5xx; every answer is the SPP
Container or the bare OAuth error of spec §5.3; the server keeps serving afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, deep_texts, json_texts, keys, malformed_json, server_stack, texts

from .helpers import Spid

PATHS = st.one_of(
    st.sampled_from(["/dataobjects", "/dataobjects.json", "/user/1/dataobjects"]),
    st.tuples(texts, texts).map(
        lambda p: f"/user/{quote(p[0], safe='')}/dataobject/{quote(p[1], safe='')}"
    ),
    st.sampled_from(["/user/1/traits", "/user/1/trait/x", "/client/c/do/rating", "/nothing"]),
    texts.map(lambda t: "/" + quote(t, safe="/")),
)
PARAM_NAMES = st.sampled_from(
    ["value", "key", "key[]", "sort", "sort[userId]", "filters", "limit", "offset", "since",
     "until", "traits", "rating", "method", "contextClientId", "oauth_token", "callback"]
) | keys  # fmt: skip
params = st.lists(st.tuples(PARAM_NAMES, texts | json_texts), max_size=5)
query_params = st.lists(st.tuples(PARAM_NAMES, texts), max_size=5)  # a URL has a length limit
bodies = st.one_of(
    st.none(),
    st.tuples(st.just("form"), params),
    st.tuples(st.just("multipart"), params),
    st.tuples(st.just("application/json"), json_texts.map(str.encode) | deep_texts),
    st.tuples(st.just("application/json"), malformed_json),
)


def body_args(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    kind, value = body
    if kind == "form":
        form = "application/x-www-form-urlencoded"
        return {"content": urlencode(value).encode(), "headers": {"Content-Type": form}}
    if kind == "multipart":
        return {"files": [(k.replace("\x00", ""), (None, v)) for k, v in value]}
    return {"content": value, "headers": {"Content-Type": kind}}


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    path=PATHS,
    query=query_params,
    body=bodies,
)
@example(method="POST", path="/user/1/traits", query=[], body=("form", [("traits", "[" * 5000)]))
@example(
    method="POST",
    path="/user/1/dataobject/k",
    query=[],
    body=("application/json", b'{"value":' + b"[" * 20000 + b"]" * 20000 + b"}"),
)
async def test_no_input_gives_an_internal_error(
    spid: Spid, method: str, path: str, query: list[tuple[str, str]], body: Any
) -> None:
    args = body_args(body)
    headers = {"Authorization": f"Bearer {spid.token}", **args.pop("headers", {})}
    url = "/api/2" + path
    with server_stack():
        r = await spid.http.request(method, url, params=query, headers=headers, **args)
    assert r.status_code < 500, (method, path, r.text[:300])
    if not r.headers.get("content-type", "").startswith("application/json"):
        assert r.text.endswith(");") and "SPP Container" in r.text, r.text[:300]  # JSONP
        return
    answer = r.json()
    if answer.get("name") != "SPP Container":  # the bare OAuth errors (spec §5.3)
        assert answer["type"] == "OAuthException" and answer["error_code"] == r.status_code
    else:
        assert answer["code"] == r.status_code and answer["type"] in (
            "element",
            "collection",
            "error",
        )
    # and the server still serves an ordinary call
    assert (await spid.put("1", "sane", "ok"))["value"] == "ok"
