"""Transport (spec §1): GET/POST, merged params, JSONP, context, httpStatusCodes, warnings."""

from __future__ import annotations

from urllib.parse import parse_qsl

import hypothesis
import msgspec
import pytest
from doppelgate.dialects.gigya.wire import _origin, form_fields
from hypothesis import strategies as st
from starlette.requests import Request

from .conftest import GigyaFactory
from .helpers import CALL_ID, TIME, Gigya

ENVELOPE = ["callId", "errorCode", "apiVersion", "statusCode", "statusReason", "time"]


async def test_success_envelope(gigya: Gigya) -> None:
    r = await gigya.raw("ds.store", type="todo", oid="auto", data={"title_s": "x"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert list(body) == ["oid", *ENVELOPE]
    assert CALL_ID.match(body["callId"]) and TIME.match(body["time"])
    assert CALL_ID.match(body["oid"])  # "auto": 32 hex (spec §3)
    assert (body["errorCode"], body["statusCode"], body["statusReason"]) == (0, 200, "OK")


async def test_error_envelope_keeps_http_200_by_default(gigya: Gigya) -> None:
    r = await gigya.raw("ds.get", type="todo", oid="nope")
    assert r.status_code == 200
    body = r.json()
    assert list(body) == [
        "callId",
        "errorCode",
        "errorDetails",
        "errorMessage",
        "apiVersion",
        "statusCode",
        "statusReason",
        "time",
    ]
    assert (body["errorCode"], body["errorMessage"]) == (404000, "Not found")
    assert (body["statusCode"], body["statusReason"]) == (404, "Not Found")


@pytest.mark.parametrize("value", ["true", "True", "1", "TRUE"])
async def test_http_status_codes(gigya: Gigya, value: str) -> None:
    r = await gigya.raw("ds.get", type="todo", oid="nope", httpStatusCodes=value)
    assert r.status_code == 404
    r = await gigya.raw("ds.get", type="todo", oid="nope", httpStatusCodes="false")
    assert r.status_code == 200


async def test_http_status_codes_on_success(gigya: Gigya) -> None:
    r = await gigya.raw("ds.store", type="t", oid="a", data={}, httpStatusCodes="true")
    assert r.status_code == 200


async def test_get_with_query_string(gigya: Gigya) -> None:
    await gigya.store("todo", {"n_i": 1}, oid="o1")
    params = gigya.params({"type": "todo", "oid": "o1"})
    r = await gigya.http.get("/gigya/ds.get", params=params)
    assert r.json()["data"] == {"n_i": 1}


async def test_query_and_body_merge_body_wins(gigya: Gigya) -> None:
    await gigya.store("todo", {"n_i": 1}, oid="body")
    await gigya.store("todo", {"n_i": 2}, oid="query")
    r = await gigya.http.post(
        "/gigya/ds.get",
        params={"oid": "query", "type": "todo"},
        data=gigya.params({"oid": "body"}),
    )
    assert r.json()["oid"] == "body"


async def test_spaces_as_plus_and_percent_20(gigya: Gigya) -> None:
    data = '{"t_s":"a b"}'
    for body in (
        f"apiKey={gigya.api_key}&secret=s&type=t&oid=p&data=" + data.replace(" ", "+"),
        f"apiKey={gigya.api_key}&secret=s&type=t&oid=q&data=" + data.replace(" ", "%20"),
    ):
        r = await gigya.http.post(
            "/gigya/ds.store",
            content=body,
            headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        assert r.json()["errorCode"] == 0, r.text
    for oid in ("p", "q"):
        assert (await gigya.ok("ds.get", type="t", oid=oid))["data"] == {"t_s": "a b"}


async def test_jsonp(gigya: Gigya) -> None:
    r = await gigya.raw("ds.store", type="t", oid="j", data={}, format="jsonp", callback="gigya.cb")
    assert r.headers["content-type"].startswith("application/javascript")
    assert r.text.startswith("gigya.cb({") and r.text.endswith("});")
    body = msgspec.json.decode(r.text[len("gigya.cb(") : -2])
    assert body["oid"] == "j" and body["errorCode"] == 0


async def test_jsonp_error(gigya: Gigya) -> None:
    r = await gigya.raw("ds.get", type="t", oid="x", format="jsonp", callback="cb")
    assert r.text.startswith("cb({") and '"errorCode":404000' in r.text


async def test_context_string_is_echoed(gigya: Gigya) -> None:
    body = await gigya.ok("ds.store", type="t", oid="c", data={}, context="R3948184752")
    assert body["context"] == "R3948184752"
    assert list(body)[:3] == ["oid", "callId", "context"]
    body = await gigya.error("ds.get", 404000, type="t", oid="missing", context="R1")
    assert body["context"] == "R1"


async def test_context_object_is_echoed_as_object(gigya: Gigya) -> None:
    body = await gigya.ok("ds.store", type="t", oid="c", data={}, context={"a": [1, "x"]})
    assert body["context"] == {"a": [1, "x"]}


async def test_jsonp_needs_a_callback(gigya: Gigya) -> None:
    body = await gigya.error("ds.store", 400002, type="t", oid="j", data={}, format="jsonp")
    assert "callback" in body["errorDetails"]


async def test_unknown_params_are_reported(gigya: Gigya) -> None:
    body = await gigya.ok("ds.store", type="t", oid="u", data={}, foo="1", sdk="python_3.6.0")
    assert body["ignoredParams"] == [
        {
            "paramName": "foo",
            "warningCode": 403007,
            "message": "This parameter was not recognized as valid for this API method",
        }
    ]
    body = await gigya.ok("ds.store", type="t", oid="u", data={}, targetEnv="mobile", gmid="g")
    assert "ignoredParams" not in body


async def test_check_params_rejects_unknown(gigya: Gigya) -> None:
    body = await gigya.error(
        "ds.store", 403007, type="t", oid="u", data={}, foo="1", bar="2", checkParams="true"
    )
    assert body["errorMessage"] == "Permission denied"
    assert "foo" in body["errorDetails"] and "bar" in body["errorDetails"]
    await gigya.error("ds.get", 404000, type="t", oid="u")  # nothing was written


@pytest.mark.parametrize(
    "path",
    ["/gigya/ds.store", "/gigya/accounts/ds.store", "/gigya//ds.store/", "/gigya/x//ds.store"],
)
async def test_dispatch_on_last_path_segment(gigya: Gigya, path: str) -> None:
    r = await gigya.http.post(path, data=gigya.params({"type": "t", "oid": "p", "data": {}}))
    assert r.json()["errorCode"] == 0, r.text


async def test_vendor_host(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(base_url="https://ds.us1.gigya.com")
    r = await client.http.post(
        "/ds.store", data=client.params({"type": "t", "oid": "h", "data": {}})
    )
    assert r.json()["oid"] == "h"
    client = gigya_factory(base_url="https://accounts.eu1.gigya.com")
    r = await client.http.post("/ds.getTypes", data=client.params({}))
    assert r.json()["errorCode"] == 0


async def test_unknown_method(gigya: Gigya) -> None:
    body = await gigya.error("ds.frobnicate", 404000)
    assert "ds.frobnicate" in body["errorDetails"]


async def test_method_name_case_insensitive(gigya: Gigya) -> None:
    await gigya.ok("DS.STORE", type="t", oid="m", data={})


async def test_other_http_methods_get_not_found(gigya: Gigya) -> None:
    r = await gigya.http.put("/gigya/ds.store", params={"httpStatusCodes": "true"})
    assert r.status_code == 404 and r.json()["errorCode"] == 404000


async def test_invalid_json_param(gigya: Gigya) -> None:
    body = await gigya.error("ds.store", 400006, type="t", oid="x", data="{not json")
    assert "data" in body["errorDetails"]


async def test_not_utf8_body(gigya: Gigya) -> None:
    r = await gigya.http.post(
        "/gigya/ds.store",
        content=b"apiKey=k&data=%FF%FE",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.json()["errorCode"] == 400001


async def test_json_body_is_accepted(gigya: Gigya) -> None:
    r = await gigya.http.post(
        "/gigya/ds.store",
        json={"apiKey": gigya.api_key, "secret": "s", "type": "t", "oid": "js", "data": {"a_i": 1}},
    )
    assert r.json()["errorCode"] == 0, r.text
    assert (await gigya.ok("ds.get", type="t", oid="js"))["data"] == {"a_i": 1}


async def test_missing_api_key(gigya: Gigya) -> None:
    r = await gigya.http.post("/gigya/ds.get", data={"type": "t", "oid": "x", "secret": "s"})
    body = r.json()
    assert (body["errorCode"], body["errorMessage"]) == (400093, "Invalid ApiKey parameter")
    assert (body["statusCode"], body["statusReason"]) == (400, "Bad Request")


async def test_internal_error_is_500001(gigya: Gigya, monkeypatch: pytest.MonkeyPatch) -> None:
    from doppelgate.dialects.gigya import service

    async def boom(self: object, call: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service.DataStore, "get", boom)
    r = await gigya.raw("ds.get", type="t", oid="x", context="c1", httpStatusCodes="true")
    assert r.status_code == 500
    body = r.json()
    assert (body["errorCode"], body["errorMessage"]) == (500001, "General Server error")
    assert body["context"] == "c1"  # read from the POST body even in the error boundary
    assert "secret detail" not in r.text


async def test_backend_unavailable_is_500001(gigya: Gigya, monkeypatch: pytest.MonkeyPatch) -> None:
    from doppelgate.dialects.gigya import service

    from doppelgate.engine import BackendUnavailable

    async def down(self: object, call: object) -> None:
        raise BackendUnavailable("connection refused")

    monkeypatch.setattr(service.DataStore, "get", down)
    body = (await gigya.raw("ds.get", type="t", oid="x")).json()
    assert body["errorCode"] == 500001


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(
    text=st.text(alphabet="ab=&+%2FZ0\u00e97\x00 ", max_size=30),
    errors=st.sampled_from(["strict", "replace"]),
)
def test_form_fields_read_a_form_as_parse_qsl_does(text: str, errors: str) -> None:
    """The parameters' parser keeps urllib's reading: names and values, blanks, `+`, %-escapes,
    the last of a repeated name, and the same error for bad UTF-8 under errors="strict"."""
    try:
        expected: object = dict(parse_qsl(text, keep_blank_values=True, errors=errors))
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    try:
        found: object = form_fields(text, errors)
    except UnicodeDecodeError:
        found = UnicodeDecodeError
    assert found == expected


@hypothesis.settings(max_examples=500, deadline=None)
@hypothesis.given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.none() | st.binary(max_size=24) | st.sampled_from([b"ds.us1.gigya.com", b"[::1]:8443"]),
    server=st.none() | st.tuples(st.sampled_from(["127.0.0.1", "::1", "h"]), st.integers(1, 70000)),
    path=st.sampled_from(["/gigya/ds.get", "/gigya/a?b#c", "//x"]),
)
def test_the_signed_url_is_starlettes(
    scheme: str, host: bytes | None, server: tuple[str, int] | None, path: str
) -> None:
    """The URL signatures are checked against (spec §2) is request.url's scheme and netloc,
    whatever the Host header, server address and path, from the cached origin."""
    headers = [] if host is None else [(b"host", host)]
    scope = {"type": "http", "scheme": scheme, "server": server, "path": path, "headers": headers}
    url = Request(scope).url
    assert _origin(scope) == (url.scheme, url.netloc)
