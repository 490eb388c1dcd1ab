"""Bad input gets the vendor's envelope and code: never a bare 500, never a stack trace."""

from __future__ import annotations

import pytest

from .helpers import Spid

ODD_PARAMS = [
    {"limit": "99999999999999999999999"},
    {"offset": "99999999999999999999999"},
    {"offset": "-5"},
    {"since": "99999999999999999999999"},
    {"until": "-99999999999999999999999"},
    {"since": "+99999999999 years"},
    {"since": "9999-12-31 23:59:59"},
    {"since": "0000-00-00 00:00:00"},
    {"until": "first day of Smarch"},
    {"since": "2014-13-45"},
    {"sort[": "x"},
    {"sort[]": "key"},
    {"sort[key][x]": "desc"},
    {"key[]": ""},
    {"key": ",,,"},
    {"filters": "merchant,updated,bogus"},
    {"key": "\x00"},
    {"method": "TRACE"},
]


@pytest.mark.parametrize("params", ODD_PARAMS)
async def test_odd_list_params(spid: Spid, params: dict[str, str]) -> None:
    await spid.put("1", "k", "v")
    for path in ("/dataobjects", "/user/1/dataobjects"):
        r = await spid.raw("GET", path, params=params)
        assert r.status_code in (200, 400, 404), r.text
        assert r.json()["name"] == "SPP Container"


@pytest.mark.parametrize(
    "key", ["%00", "%zz", "%", "$set", "a.b", "..", "%2E%2E", "x%00y", "%FF%FE", "{key}"]
)
async def test_odd_keys_round_trip(spid: Spid, key: str) -> None:
    r = await spid.raw("POST", f"/user/1/dataobject/{key}", data={"value": "v"})
    assert r.status_code in (201, 400, 404), r.text
    if r.status_code == 201:
        stored = r.json()["data"]["key"]
        got = await spid.raw("GET", f"/user/1/dataobject/{key}")
        assert got.status_code == 200 and got.json()["data"]["key"] == stored


@pytest.mark.parametrize("userId", ["abc", "-1", "1e9", "%00", "9" * 300])
async def test_odd_user_ids(spid: Spid, userId: str) -> None:
    r = await spid.raw("POST", f"/user/{userId}/dataobject/k", data={"value": "v"})
    assert r.status_code in (201, 400), r.text
    r = await spid.raw("GET", f"/user/{userId}/dataobjects")
    assert r.status_code in (200, 400, 404), r.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xfe\x00", "application/x-www-form-urlencoded"),
        (b"value", "application/x-www-form-urlencoded"),
        (b"=&&=x&value=%", "application/x-www-form-urlencoded"),
        (b"[1,2]", "application/json"),
        (b"\xff", "application/json"),
        (b"--b\r\nbroken", "multipart/form-data; boundary=b"),
    ],
)
async def test_odd_bodies(spid: Spid, content: bytes, content_type: str) -> None:
    r = await spid.raw(
        "POST", "/user/1/dataobject/k", content=content, headers={"Content-Type": content_type}
    )
    assert r.status_code in (201, 400), r.text
    assert r.json()["name"] == "SPP Container"
