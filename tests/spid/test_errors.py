"""Every endpoint-level error of the listing (spec §3.1-§3.5) in its container."""

from __future__ import annotations

import pytest

from .helpers import Spid

MISSING = "Missing id and/or key parameters"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize(
    "path",
    ["/user//dataobject/k", "/user/1/dataobject/", "/user/1/dataobject", "/user/%20/dataobject/k"],
)
async def test_missing_id_or_key(spid: Spid, method: str, path: str) -> None:
    data = {"value": "v"} if method == "POST" else None
    body = await spid.error(method, path, 400, MISSING, data=data)
    assert body["object"] == "DataObject"
    assert body["debug"]["route"]["url"] == "/api/2/user/{id}/dataobject/{key}"


@pytest.mark.parametrize("path", ["/user//dataobjects", "/user/%20/dataobjects"])
async def test_missing_id_on_the_user_list(spid: Spid, path: str) -> None:
    await spid.error("GET", path, 400, "Missing ID parameter")


@pytest.mark.parametrize("data", [None, {"value": ""}, {"other": "x"}])
async def test_post_without_value(spid: Spid, data: dict[str, str] | None) -> None:
    text = "One or more required parameters are missing"
    await spid.error("POST", "/user/1/dataobject/k", 400, text, data=data)


async def test_error_container_carries_the_request_block(spid: Spid) -> None:
    body = await spid.error("GET", "/dataobjects", 404, "No data objects found")
    assert body["meta"] is None
    assert set(body["request"]) == {"reset", "limit", "remaining"}


async def test_an_unreadable_body_is_a_400_in_the_routes_container(spid: Spid) -> None:
    # raised while reading the params, answered by the dialect's one error handler
    text = "Invalid request body: the body is not valid JSON"
    headers = {"Content-Type": "application/json"}
    path = "/user/1/dataobject/k"
    body = await spid.error("POST", path, 400, text, content=b"{", headers=headers)
    assert body["object"] == "DataObject"
    assert body["debug"]["route"]["url"] == "/api/2/user/{id}/dataobject/{key}"
    # before its params are read, a .jsonp call's error is not wrapped: no callback known yet
    r = await spid.raw("POST", "/user/1/do/k.jsonp", content=b"[1]", headers=headers)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/json")
    assert r.json()["error"]["description"] == "Invalid request body: the body is not a JSON object"
