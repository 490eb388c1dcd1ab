"""The transport (spec §1, §5.1, §5.2, §6): the container field by field, parameters from query
and body, the `method=` override, the `.json` suffix, encodings, vendor hosts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from .conftest import SpidFactory
from .helpers import Spid


async def test_container_field_by_field(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    r = await spid.raw("GET", "/dataobjects")
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    body = r.json()
    assert body["debug"] == {
        "route": {
            "name": "List",
            "url": "/api/2/dataobjects",
            "controller": "Api/2/DataObject.dataobjects",
        },
        "params": {"options": [], "where": []},
    }
    assert body["request"]["limit"] == 0 and body["request"]["remaining"] == 0
    assert 0 < body["request"]["reset"] <= 3600
    assert (body["object"], body["type"], body["code"]) == ("DataObject", "collection", 200)
    assert "sig" not in body and "algorithm" not in body


async def test_slashes_are_escaped_as_php_does(spid: Spid) -> None:
    r = await spid.raw("GET", "/user/1/dataobjects")
    assert '"url":"\\/api\\/2\\/user\\/{id}\\/dataobjects"' in r.text


@pytest.mark.parametrize(
    ("method", "path", "name", "url", "controller"),
    [
        ("GET", "/user/1/dataobjects", "List data objects by user", "/api/2/user/{id}/dataobjects",
         "Api/2/DataObject.user_dataobjects"),
        ("GET", "/user/1/dataobject/k", "Get, update, and delete data objects by user",
         "/api/2/user/{id}/dataobject/{key}", "Api/2/DataObject.user_dataobject"),
    ],
)  # fmt: skip
async def test_debug_route_names_the_endpoint(
    spid: Spid, method: str, path: str, name: str, url: str, controller: str
) -> None:
    await spid.put("1", "k", "v")
    body = (await spid.raw(method, path)).json()
    assert body["debug"]["route"] == {"name": name, "url": url, "controller": controller}


@pytest.mark.parametrize(
    "path", ["/dataobjects.json", "/user/1/dataobjects.json", "/user/1/dataobject/k.json"]
)
async def test_json_suffix_is_the_default_format(spid: Spid, path: str) -> None:
    await spid.put("1", "k", "v")
    await spid.ok("GET", path)


@pytest.mark.parametrize(
    "path", ["/dataobjects.jsonp", "/user/1/dataobjects.jsonp", "/user/1/dataobject/k.jsonp"]
)
async def test_jsonp_is_not_supported_here(spid: Spid, path: str) -> None:
    await spid.put("1", "k", "v")
    r = await spid.raw("GET", path, params={"callback": "cb"})
    assert r.status_code == 404
    assert r.json()["error"]["description"] == "No such endpoint."


async def test_trailing_slash_on_lists(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    await spid.ok("GET", "/dataobjects/")
    await spid.ok("GET", "/user/1/dataobjects/")


async def test_value_in_the_query_string_like_sdk_python(spid: Spid) -> None:
    r = await spid.raw("POST", "/user/1/dataobject/k", params={"value": "from-query"})
    assert r.status_code == 201 and r.json()["data"]["value"] == "from-query"


async def test_body_wins_over_query(spid: Spid) -> None:
    r = await spid.raw("POST", "/user/1/dataobject/k", params={"value": "q"}, data={"value": "b"})
    assert r.json()["data"]["value"] == "b"


async def test_list_params_in_a_get_body(spid: Spid) -> None:
    # the Apache Java client sends a form content type on every verb (spec §6)
    await spid.put("1", "a", "v")
    await spid.put("1", "b", "v")
    r = await spid.raw(
        "GET",
        "/dataobjects",
        content=b"key=b",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert [o["key"] for o in r.json()["data"].values()] == ["b"]


async def test_json_body_is_accepted(spid: Spid) -> None:
    r = await spid.raw("POST", "/user/1/dataobject/k", json={"value": "j"})
    assert r.status_code == 201 and r.json()["data"]["value"] == "j"
    r = await spid.raw("POST", "/user/1/dataobject/k", json={"value": {"a": 1}})
    assert r.json()["data"]["value"] == '{"a":1}'


async def test_broken_json_body_is_400_not_500(spid: Spid) -> None:
    r = await spid.raw(
        "POST", "/user/1/dataobject/k", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["type"] == "error"


@pytest.mark.parametrize("where", ["query", "body"])
async def test_method_override_delete(spid: Spid, where: str) -> None:
    await spid.put("1", "k", "v")
    params = {"method": "DELETE"}
    kwargs = {"params": params} if where == "query" else {"data": params}
    r = await spid.raw("POST", "/user/1/dataobject/k", **kwargs)
    assert r.status_code == 200 and r.json()["data"] == {"success": True}
    await spid.error("GET", "/user/1/dataobject/k", 404, "No data object found for this key")


async def test_method_override_matching_the_verb_is_harmless(spid: Spid) -> None:
    # sdk-php after 2015 always sends method=<VERB> (spec §6)
    r = await spid.raw("POST", "/user/1/dataobject/k", params={"method": "POST", "value": "v"})
    assert r.status_code == 201
    r = await spid.raw("GET", "/user/1/dataobject/k", params={"method": "GET"})
    assert r.status_code == 200


async def test_get_cannot_be_turned_into_delete(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    await spid.ok("GET", "/user/1/dataobject/k", params={"method": "DELETE"})
    await spid.ok("GET", "/user/1/dataobject/k")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/user/1/dataobject/k"),
        ("POST", "/dataobjects"),
        ("DELETE", "/user/1/dataobjects"),
        ("GET", "/dataobject"),
        ("GET", "/user/1/dataobject/a/b"),
        ("GET", "/users/1/dataobjects"),
    ],
)
async def test_no_such_endpoint(spid: Spid, method: str, path: str) -> None:
    r = await spid.raw(method, path, data={"value": "v"} if method != "GET" else None)
    assert r.status_code == 404
    body = r.json()
    assert body["object"] == "Utility"
    assert body["debug"]["route"]["controller"] == "Api/2/Utility.notFound"
    assert body["error"]["description"] == "No such endpoint."


async def test_unknown_endpoint_is_checked_before_the_token(spid: Spid) -> None:
    r = await spid.http.get("/api/2/nothing")
    assert r.status_code == 404 and r.json()["error"]["description"] == "No such endpoint."


async def test_latin1_input_is_converted(spid: Spid) -> None:
    # invalid UTF-8 is treated as ISO-8859-1 (spec §1): "blåbær" in Latin-1
    r = await spid.raw(
        "POST",
        "/user/1/dataobject/k",
        content=b"value=bl%E5b%E6r",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.json()["data"]["value"] == "blåbær"
    assert (await spid.get("1", "k"))["value"] == "blåbær"


async def test_unknown_extras_are_ignored(spid: Spid) -> None:
    extras = {"client_id": "x", "redirect_uri": "http://localhost", "callback": "cb", "zz": "1"}
    r = await spid.raw("POST", "/user/1/dataobject/k", data={"value": "v", **extras})
    assert r.status_code == 201


@pytest.mark.parametrize(
    "host", ["login.schibsted.com", "payment.schibsted.no", "identity-pre.schibsted.com"]
)
async def test_vendor_hosts_serve_the_vendor_paths(spid_factory: SpidFactory, host: str) -> None:
    spid = spid_factory(base_url=f"https://{host}")
    r = await spid.raw("POST", "/user/1/dataobject/a%2Fb", data={"value": "v"})
    assert r.status_code == 201 and r.json()["data"]["key"] == "a/b"
    assert (await spid.get("1", "a%2Fb"))["value"] == "v"


async def test_curl_style_oauth_token_form_param(spid: Spid) -> None:
    # the pre-2019 doc examples: curl -G -d oauth_token=... (spec §6)
    await spid.put("1", "k", "v")
    r = await spid.http.get("/api/2/dataobjects", params={"oauth_token": spid.token})
    assert r.status_code == 200
    r = await spid.http.post(
        "/api/2/user/1/dataobject/k2", data={"oauth_token": spid.token, "value": "v"}
    )
    assert r.status_code == 201 and r.json()["data"]["clientId"] == spid.token


async def test_signed_responses(spid_factory: SpidFactory) -> None:
    # spec §5.1: data = base64url(JSON), sig = base64url(HMAC-SHA256(data, the sign secret))
    spid = spid_factory({"clients": {"app": {"signatureSecret": "sign-me"}}}, token="app")
    r = await spid.raw("POST", "/user/1/dataobject/k", data={"value": "a/b"})
    body = r.json()
    assert r.status_code == 201 and body["algorithm"] == "HMAC-SHA256"
    assert list(body)[-3:] == ["data", "sig", "algorithm"]
    payload: str = body["data"]
    digest = hmac.new(b"sign-me", payload.encode(), hashlib.sha256).digest()
    assert body["sig"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (data["key"], data["value"]) == ("k", "a/b")
    error = (await spid.raw("GET", "/user/1/dataobject/none")).json()
    assert "sig" not in error and error["data"] is None  # errors are not signed
    plain = await spid.as_token("other").raw("POST", "/user/1/dataobject/k", data={"value": "v"})
    assert "sig" not in plain.json()


async def test_multipart_form_fields_are_parameters(spid: Spid) -> None:
    # `curl -F value=...` and sdk-php with file upload on send multipart/form-data; PHP reads
    # its fields as ordinary POST fields (issue 15.4)
    files = {"value": (None, "héllo\r\nwörld"), "extra": (None, "x")}
    r = await spid.raw("POST", "/user/1/dataobject/k", files=files)
    assert r.status_code == 201, r.text
    assert (await spid.get("1", "k"))["value"] == "héllo\r\nwörld"
    # the token inside the multipart body, as the PHP SDK's oauth_token form field
    files = {"oauth_token": (None, spid.token), "value": (None, "v2")}
    r = await spid.http.post("/api/2/user/1/dataobject/k", files=files)
    assert r.status_code == 201 and r.json()["data"]["clientId"] == spid.token, r.text
    # an uploaded file is $_FILES, not a parameter: `value` is still missing
    upload = {"value": ("value.txt", b"file content", "text/plain")}
    await spid.error(
        "POST",
        "/user/1/dataobject/k",
        400,
        "One or more required parameters are missing",
        files=upload,
    )
    # the old PHP SDK's method override travels in the multipart body too
    r = await spid.raw("POST", "/user/1/dataobject/k", files={"method": (None, "DELETE")})
    assert r.status_code == 200 and r.json()["data"] == {"success": True}, r.text


async def test_broken_multipart_body_is_a_4xx(spid: Spid) -> None:
    for body in (b"", b"--x\r\nnot a part", b"\xff\x00--x--", b"--x\r\n\r\n\r\n--x--"):
        r = await spid.raw(
            "POST",
            "/user/1/dataobject/k",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"]["description"] == "One or more required parameters are missing"
