"""The Accesskey header (spec §1.1, §6) and fixed-window rate limits (spec §1.1, §6)."""

from __future__ import annotations

from typing import Any

import pytest
from doppelgate.dialects.gainsight import ratelimit

from .helpers import UUID4, Gainsight

UNAUTHORIZED = {"result": False, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized"}


async def test_missing_key(gs: Gainsight) -> None:
    for headers in ({}, {"Accesskey": ""}, {"Accesskey": "  "}):
        r = await gs.http.post("/gainsight/v1/data/objects/query/Company", headers=headers,
                               json={"select": ["Name"]})  # fmt: skip
        assert r.status_code == 401
        body = r.json()
        assert UUID4.match(body.pop("requestId"))
        assert body == {**UNAUTHORIZED, "message": "Unauthorized"}  # no `data` key


@pytest.mark.parametrize("name", ["accesskey", "AccessKey", "ACCESSKEY"])
async def test_header_name_case_insensitive(gs: Gainsight, name: str) -> None:
    r = await gs.http.post("/gainsight/v1/data/objects/query/Company", headers={name: "k"},
                           json={"select": ["Name"]})  # fmt: skip
    assert r.status_code == 200, r.text


async def test_malformed_key(gs: Gainsight) -> None:
    headers = {"Accesskey": "has space"}
    r = await gs.http.post(
        "/gainsight/v1/data/objects/query/Company", headers=headers, json={"select": ["Name"]}
    )
    assert r.status_code == 400 and r.json()["errorCode"] == "GSOBJ_1024"


async def test_keys_are_tenants(gs_factory: Any) -> None:
    one, two = gs_factory(key="one"), gs_factory(key="two")
    await one.insert("Company", {"Name": "Only mine"})
    assert await two.query("Company", select=["Name"]) == []
    assert await one.query("Company", select=["Name"]) == [{"Name": "Only mine"}]


async def test_strict(gs_factory: Any) -> None:
    options = {"strict": True, "keys": {"k1": "acme", "k2": {"tenant": "acme"}, "k3": {}}}
    k1, k2, k3 = (gs_factory(options, key=k) for k in ("k1", "k2", "k3"))
    await k1.insert("Company", {"Name": "A"})
    assert await k2.query("Company", select=["Name"]) == [{"Name": "A"}]  # same tenant
    assert await k3.query("Company", select=["Name"]) == []  # tenant = the key itself
    stranger = gs_factory(options, key="k4")
    await stranger.error("POST", "/query/Company", {"select": ["Name"]}, "GS_APIG_2401", 401)


async def test_created_by_configured_user(gs_factory: Any) -> None:
    user = "1P01OI3OHC9S79J7VN1DW2NKI9JJFXEVHIZK"
    gs = gs_factory({"keys": {"k": {"user": user}}}, key="k")
    [row] = await gs.insert("Company", {"Name": "A"})
    [read] = await gs.query("Company", select=["CreatedBy", "ModifiedBy"])
    assert read == {"CreatedBy": user, "ModifiedBy": user}
    assert row["Gsid"]


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock(1_700_000_020.0)  # 40 s into a minute
    monkeypatch.setattr(ratelimit, "now", fixed)
    return fixed


async def test_minute_window(gs_factory: Any, clock: Clock) -> None:
    gs = gs_factory({"rate_limits": {"per_minute": 3}})
    for _ in range(3):
        await gs.query("Company", select=["Name"])
    env = await gs.error("POST", "/query/Company", {"select": ["Name"]}, "GS_APIG_2404", 429)
    assert env["errorDesc"] == "Rate limit exceeded" and env["data"] is None
    other = gs_factory({"rate_limits": {"per_minute": 3}})
    await other.query("Company", select=["Name"])  # per tenant
    clock.now += 19  # still the same fixed window (:59)
    await gs.error("POST", "/query/Company", {"select": ["Name"]}, "GS_APIG_2404", 429)
    clock.now += 1  # :00 of the next minute: reset
    await gs.query("Company", select=["Name"])


async def test_day_window_counts_rejected_calls(gs_factory: Any, clock: Clock) -> None:
    gs = gs_factory({"rate_limits": {"per_minute": 0, "per_day": 4}})
    await gs.error("POST", "/Company", {"records": []}, "GSOBJ_1002")  # counts too
    for _ in range(3):
        await gs.query("Company", select=["Name"])
    await gs.error("POST", "/query/Company", {"select": ["Name"]}, "GS_APIG_2404", 429)
    clock.now = (clock.now // 86_400 + 1) * 86_400  # 00:00 UTC
    await gs.query("Company", select=["Name"])


async def test_strict_defaults_to_vendor_limits(gs_factory: Any, clock: Clock) -> None:
    gs = gs_factory({"strict": True, "keys": {"k": "t"}}, key="k")
    for _ in range(100):
        await gs.raw("POST", "/query/Company", {"select": ["Name"]})
    await gs.error("POST", "/query/Company", {"select": ["Name"]}, "GS_APIG_2404", 429)


async def test_unauthenticated_calls_do_not_count(gs_factory: Any, clock: Clock) -> None:
    gs = gs_factory({"rate_limits": {"per_minute": 1}})
    r = await gs.http.post("/gainsight/v1/data/objects/query/Company", json={"select": ["x"]})
    assert r.status_code == 401
    await gs.query("Company", select=["Name"])


async def test_control_plane_is_not_limited(gs_factory: Any, clock: Clock) -> None:
    gs = gs_factory({"rate_limits": {"per_minute": 1}})
    for _ in range(3):
        r = await gs.http.get("/gainsight/_doppelgate/objects", headers=gs.headers)
        assert r.status_code == 200
    await gs.query("Company", select=["Name"])


@pytest.mark.parametrize(("networks", "status"), [(["127.0.0.0/8"], 200), (["10.0.0.0/8"], 403)])
async def test_allowed_ips(gs_factory: Any, networks: list[str], status: int) -> None:
    gs = gs_factory({"allowed_ips": networks})  # httpx.ASGITransport calls from 127.0.0.1
    r = await gs.raw("POST", "/query/Company", {"select": ["Name"]})
    assert r.status_code == status
    if status == 403:
        body = r.json()
        assert body["errorCode"] == "GS_APIG_2402" and body["message"] == body["errorDesc"]
        assert body["errorDesc"] == "IP Address does not lie in range of whitelisted ips"
