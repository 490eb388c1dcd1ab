"""The emulator's clock: a frozen clock moved by `advance` expires a Gigya cursor, a SPiD token
and a lightblue lock, and resets a Gainsight per-minute limit: both backends, no sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from doppelgate.config import Settings
from doppelgate.testing import Emulator
from doppelgate.testing.clocks import SyncClock
from tests.backends import BACKENDS, make_engine

from .helpers import SECRET, gigya_store

START = dt.datetime(2030, 1, 2, 3, 4, 30, tzinfo=dt.UTC)  # 30 s into a minute
OPTIONS = {"gainsight": {"rate_limits": {"per_minute": 2}}}


@pytest.fixture(params=BACKENDS)
async def emu(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    engine = await make_engine(request.param, request)
    settings = Settings(backend=request.param, dialects=OPTIONS)
    async with Emulator(settings, engine=engine) as emulator:
        await emulator.clock.freeze(START)
        yield emulator


async def test_a_gigya_cursor_expires(emu: Emulator) -> None:
    async with emu.client("gigya") as gigya:
        for i in range(3):
            await gigya.post("ds.store", data=gigya_store("3_clock", f"o{i}"))
        search = {"apiKey": "3_clock", "secret": SECRET}
        query = "SELECT * FROM things LIMIT 1"
        first = (
            await gigya.post("ds.search", data={**search, "query": query, "openCursor": "true"})
        ).json()
        cursor = {**search, "cursorId": first["nextCursorId"]}
        await emu.clock.advance(299)  # unused for less than cursorTtl (300 s, docs/gigya.md §4)
        second = (await gigya.post("ds.search", data=cursor)).json()
        assert second["errorCode"] == 0 and len(second["results"]) == 1
        await emu.clock.advance(301)
        gone = await gigya.post("ds.search", data={**search, "cursorId": second["nextCursorId"]})
        assert gone.json()["errorCode"] == 400006


async def test_a_spid_token_expires(emu: Emulator) -> None:
    async with emu.client("spid") as spid:
        form = {"grant_type": "client_credentials", "client_id": "app"}
        issued = (await spid.post("/oauth/token", data=form)).json()
        assert issued["server_time"] == int(START.timestamp())
        bearer = {"Authorization": f"Bearer {issued['access_token']}"}
        await emu.clock.advance(issued["expires_in"] - 1)
        put = {"data": {"value": "v"}, "headers": bearer}
        assert (await spid.post("/api/2/user/1/dataobject/k", **put)).status_code == 201
        await emu.clock.advance(1)
        expired = await spid.post("/api/2/user/1/dataobject/k", **put)
        assert expired.status_code == 401 and "expired_token" in expired.text


async def test_a_lightblue_lock_expires(emu: Emulator) -> None:
    async with emu.client("lightblue") as lb:
        taken = await lb.put("/rest/data/lock/dom/alice/r", params={"ttl": 60_000})
        assert taken.json() == {"result": True}
        await emu.clock.advance(59.999)
        assert (await lb.put("/rest/data/lock/dom/bob/r")).json() == {"result": False}
        await emu.clock.advance(0.001)
        assert (await lb.put("/rest/data/lock/dom/bob/r")).json() == {"result": True}


async def test_a_gainsight_minute_limit_resets(emu: Emulator) -> None:
    async with emu.client("gainsight", headers={"Accesskey": "k"}) as gs:
        query = {"select": ["Name"]}
        codes = [
            (await gs.post("/v1/data/objects/query/Company", json=query)).status_code
            for _ in range(3)
        ]
        assert codes[2] == 429
        await emu.clock.advance(29)  # :59 of the same minute
        assert (await gs.post("/v1/data/objects/query/Company", json=query)).status_code == 429
        await emu.clock.advance(1)  # :00 of the next minute
        assert (await gs.post("/v1/data/objects/query/Company", json=query)).status_code != 429


async def test_times_in_responses_follow_the_clock(emu: Emulator) -> None:
    async with emu.client("gigya") as gigya:
        stored = (await gigya.post("ds.store", data=gigya_store("3_t"))).json()
        assert stored["time"] == "2030-01-02T03:04:30.000Z"
        await emu.clock.advance(dt.timedelta(hours=1))
        later = (
            await gigya.post(
                "ds.get", data={"apiKey": "3_t", "secret": SECRET, "type": "things", "oid": "o1"}
            )
        ).json()
        assert later["time"] == "2030-01-02T04:04:30.000Z"
        assert later["lastUpdatedTime"] == "2030-01-02T03:04:30.000Z"


async def test_the_control_plane_drives_the_clock(emu: Emulator) -> None:
    async with emu.client() as client:
        view = (await client.get("/_doppelgate/clock")).json()
        assert view == {
            "frozen": True,
            "now": "2030-01-02T03:04:30.000Z",
            "epoch_ms": int(START.timestamp() * 1000),
            "offset_s": 0.0,
        }
        moved = (await client.post("/_doppelgate/clock/advance", json={"seconds": 90.5})).json()
        assert moved["now"] == "2030-01-02T03:06:00.500Z"
        frozen = await client.post("/_doppelgate/clock/freeze", json={"at": "2031-06-01T00:00:00Z"})
        assert frozen.json()["now"] == "2031-06-01T00:00:00.000Z"
        by_query = await client.post("/_doppelgate/clock/advance?seconds=60")
        assert by_query.json()["now"] == "2031-06-01T00:01:00.000Z"
        for bad in ({"seconds": -1}, {"seconds": "x"}, {"minutes": 1}):
            assert (await client.post("/_doppelgate/clock/advance", json=bad)).status_code == 400
        naive = await client.post("/_doppelgate/clock/freeze", json={"at": "2031-06-01T00:00:00"})
        assert naive.status_code == 400
        running = (await client.post("/_doppelgate/clock/resume")).json()
        assert not running["frozen"]
        assert abs(running["epoch_ms"] / 1000 - dt.datetime.now(dt.UTC).timestamp()) < 60


def test_the_pytest_fixture(doppelgate: Emulator, doppelgate_clock: SyncClock) -> None:
    frozen = doppelgate_clock.now()
    with doppelgate.sync_client("spid") as spid:
        form = {"grant_type": "client_credentials", "client_id": "app"}
        issued = spid.post("/oauth/token", data=form).json()
        assert issued["server_time"] == int(frozen.timestamp())
        doppelgate_clock.advance(dt.timedelta(days=7))
        bearer = {"Authorization": f"Bearer {issued['access_token']}"}
        assert spid.get("/api/2/user/1/dataobject/k", headers=bearer).status_code == 401
    assert doppelgate_clock.now() == frozen + dt.timedelta(days=7)
    assert not doppelgate_clock.resume().frozen


async def test_spid_yesterday_follows_the_clock(emu: Emulator) -> None:
    async with emu.client("spid", headers={"Authorization": "Bearer app"}) as spid:
        assert (await spid.post("/api/2/user/1/dataobject/k", data={"value": "v"})).is_success
        await emu.clock.advance(dt.timedelta(hours=12))  # created on the 2nd; "yesterday": the 1st
        listed = await spid.get("/api/2/dataobjects", params={"since": "yesterday"})
        assert listed.status_code == 200 and len(listed.json()["data"]) == 1
        await emu.clock.advance(dt.timedelta(days=3))  # "yesterday" is now the 4th
        listed = await spid.get("/api/2/dataobjects", params={"since": "yesterday"})
        assert listed.status_code == 404  # no objects: SPiD's documented 404 (docs/spid.md §4)
