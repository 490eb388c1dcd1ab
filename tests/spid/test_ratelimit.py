"""Rate limiting (spec §5.3): HTTP 420 with the counters in the container's `request` block."""

from __future__ import annotations

import asyncio

import httpx

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app

from .conftest import SpidFactory
from .helpers import Spid


async def test_counters_and_420(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 3})
    await spid.put("1", "k", "v")
    remaining = []
    for _ in range(2):
        body = await spid.ok("GET", "/user/1/dataobject/k")
        assert body["request"]["limit"] == 3 and 0 < body["request"]["reset"] <= 3600
        remaining.append(body["request"]["remaining"])
    assert remaining == [1, 0]
    body = await spid.error("GET", "/user/1/dataobject/k", 420, "Request Ratelimit exceeded")
    assert body["request"]["limit"] == 3 and body["request"]["remaining"] == 0
    assert body["object"] == "DataObject"


async def test_limits_are_per_client(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 1})
    await spid.error("GET", "/dataobjects", 404, "No data objects found")
    await spid.error("GET", "/dataobjects", 420, "Request Ratelimit exceeded")
    await spid.user("1").error("GET", "/user/1/dataobjects", 420, "Request Ratelimit exceeded")
    await spid.as_token("other").error("GET", "/dataobjects", 404, "No data objects found")


async def test_per_client_override(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 1, "clients": {"big": {"rateLimit": 0}}}, token="big")
    for _ in range(3):
        body = await spid.error("GET", "/dataobjects", 404, "No data objects found")
        assert body["request"]["limit"] == 0
    small = spid_factory({"clients": {"small": {"rateLimit": 1}}}, token="small")
    await small.error("GET", "/dataobjects", 404, "No data objects found")
    await small.error("GET", "/dataobjects", 420, "Request Ratelimit exceeded")


async def test_window_resets(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 1, "ratePeriod": 1})
    await spid.error("GET", "/dataobjects", 404, "No data objects found")
    await asyncio.sleep(1.05)
    body = await spid.error("GET", "/dataobjects", 404, "No data objects found")
    assert body["request"]["reset"] == 1


async def test_oauth_failures_are_not_counted(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 1})
    for _ in range(3):
        await spid.as_token("a b").oauth("GET", "/dataobjects", "invalid_token")
    await spid.error("GET", "/dataobjects", 404, "No data objects found")


async def test_counters_are_shared_by_workers(engine: Engine) -> None:
    settings = Settings(dialects={"spid": {"rateLimit": 2}})
    apps = [create_app(settings, engine) for _ in range(2)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(a), base_url="http://t/spid") for a in apps
    ]
    try:
        one, two = (Spid(c, "shared") for c in clients)
        await one.error("GET", "/dataobjects", 404, "No data objects found")
        await two.error("GET", "/dataobjects", 404, "No data objects found")
        await one.error("GET", "/dataobjects", 420, "Request Ratelimit exceeded")
    finally:
        for c in clients:
            await c.aclose()


async def test_concurrent_requests_never_exceed_the_limit(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"rateLimit": 5})
    responses = await asyncio.gather(*(spid.raw("GET", "/dataobjects") for _ in range(12)))
    codes = [r.status_code for r in responses]
    assert codes.count(404) == 5 and codes.count(420) == 7
