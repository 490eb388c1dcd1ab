"""The legacy Data Storage endpoints (spec §3.7): SODA and user traits."""

from __future__ import annotations

import json

import pytest

from .helpers import DATETIME, Spid


async def test_soda_round_trip(spid: Spid) -> None:
    path = f"/client/{spid.token}/do/rating"
    body = await spid.ok("POST", path, data={"rating": '{"positive": 10}'})
    assert (body["object"], body["type"]) == ("Data", "element")
    obj = body["data"]
    assert list(obj) == ["id", "clientRef", "created", "updated", "key", "value"]
    assert len(obj["id"]) == 24 and int(obj["id"], 16) >= 0
    assert (obj["clientRef"], obj["key"], obj["value"]) == (
        spid.token,
        "rating",
        '{"positive": 10}',
    )
    assert DATETIME.match(obj["created"]) and obj["updated"] == obj["created"]
    assert (await spid.ok("GET", path))["data"] == '{"positive": 10}'  # the raw string
    again = await spid.ok("POST", path, data={"rating": "overwritten"})
    assert again["data"]["id"] == obj["id"]
    assert (await spid.ok("GET", path))["data"] == "overwritten"
    body = await spid.ok("DELETE", path, 202)
    assert isinstance(body["data"], str)
    await spid.error("GET", path, 404, "No object found for this key")
    await spid.error("DELETE", path, 404, "No object found for this key")


@pytest.mark.parametrize("type_", ["user", "product", "order", "discount"])
async def test_soda_types(spid: Spid, type_: str) -> None:
    path = f"/{type_}/42/do/k"
    await spid.ok("POST", path, data={"k": "v"})
    assert (await spid.ok("GET", path))["data"] == "v"
    other = "product" if type_ != "product" else "order"
    await spid.error("GET", f"/{other}/42/do/k", 404, "No object found for this key")


async def test_soda_errors(spid: Spid) -> None:
    await spid.error(
        "POST", "/planet/1/do/k", 400, "The provided type is not valid", data={"k": "v"}
    )
    bad_id = "The provided ID does not exist for the provided type"
    await spid.error("POST", "/client/someone-else/do/k", 400, bad_id, data={"k": "v"})
    await spid.error("POST", "/user//do/k", 400, bad_id, data={"k": "v"})
    await spid.error("POST", "/user/1/do/", 400, "Could not find any valid key", data={"k": "v"})
    pair = "Could not find key/value pair in posted data"
    await spid.error("POST", "/user/1/do/k", 400, pair, data={"value": "v"})
    await spid.user("1").error("GET", "/user/1/do/k", 403, "Access token rejected")


async def test_soda_is_per_client(spid: Spid) -> None:
    await spid.ok("POST", "/user/1/do/k", data={"k": "mine"})
    other = spid.as_token("other-client")
    await other.error("GET", "/user/1/do/k", 404, "No object found for this key")


async def test_traits_merge_and_delete(spid: Spid) -> None:
    body = await spid.ok("GET", "/user/1/traits")
    assert (body["object"], body["data"]) == ("User", {})
    body = await spid.ok("POST", "/user/1/traits", data={"traits": '{"a": 1, "b": {"c": [1]}}'})
    assert body["data"] == {"a": 1, "b": {"c": [1]}}
    body = await spid.ok("POST", "/user/1/traits", data={"traits": '{"a": "two", "d": null}'})
    assert body["data"] == {"a": "two", "b": {"c": [1]}, "d": None}
    assert (await spid.ok("DELETE", "/user/1/trait/a", 202))["data"] == {"success": True}
    assert (await spid.ok("GET", "/user/1/traits"))["data"] == {"b": {"c": [1]}, "d": None}
    await spid.ok("DELETE", "/user/1/trait/never-there", 202)
    assert (await spid.ok("GET", "/user/2/traits"))["data"] == {}


async def test_traits_user_token_and_errors(spid: Spid) -> None:
    user = spid.user("1")
    await user.ok("POST", "/user/1/traits", data={"traits": '{"a": 1}'})
    text = "Token is not authorized to access this user"
    await user.error("GET", "/user/2/traits", 403, text)
    await user.error("DELETE", "/user/2/trait/a", 403, text)
    missing = "One or more required parameters are missing"
    await spid.error("POST", "/user/1/traits", 400, missing)
    for bad in ("[1]", "{", '"text"', '{"x": {"$set": 1}}', '{"x": 99999999999999999999}'):
        await spid.error(
            "POST", "/user/1/traits", 400, "traits must be a JSON object", data={"traits": bad}
        )
    await spid.error("GET", "/user//traits", 400, "Missing ID parameter")


async def test_soda_has_jsonp(spid: Spid) -> None:
    await spid.ok("POST", "/user/1/do/k", data={"k": "v"})
    r = await spid.raw("GET", "/user/1/do/k.jsonp", params={"callback": "my.cb"})
    assert r.headers["content-type"].startswith("application/javascript")
    assert r.text.startswith('my.cb({"name":"SPP Container"') and r.text.endswith(");")
    body = json.loads(r.text[len("my.cb(") : -2])
    assert body["data"] == "v"
    r = await spid.raw("GET", "/user/1/do/none.jsonp", params={"callback": "alert(1)//"})
    assert r.status_code == 404 and r.text.startswith("callback(")  # errors wrapped too
    r = await spid.http.get("/api/2/user/1/do/k.jsonp")
    assert r.status_code == 401 and r.text.startswith('callback({"error":"invalid_request"')
    assert "www-authenticate" in r.headers
    assert (await spid.raw("GET", "/user/1/do/k.json")).json()["data"] == "v"


async def test_oversized_legacy_values_are_400_not_500(spid: Spid) -> None:
    huge = "x" * (17 * 1024 * 1024)  # beyond the engine's 16 MiB document limit
    not_stored = "Object could not be stored"
    await spid.error("POST", "/user/1/do/k", 400, not_stored, data={"k": huge})
    traits = '{"big": "' + huge + '"}'
    await spid.error("POST", "/user/1/traits", 400, not_stored, data={"traits": traits})
