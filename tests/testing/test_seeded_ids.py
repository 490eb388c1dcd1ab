"""Seeded ids: the same calls in the same order, with one id seed and a frozen clock, give
byte-identical responses (status, headers but Date, body) on both backends; ids keep each
vendor's own format."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from doppelgate.clock import Clock
from doppelgate.config import Settings
from doppelgate.engine.core import new_id
from doppelgate.ids import IdSource
from doppelgate.testing import Emulator
from tests.backends import BACKENDS, make_engine
from tests.lightblue.helpers import country_metadata

from .helpers import SECRET

START = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
Exchange = tuple[int, list[tuple[str, str]], bytes]
VOLATILE_HEADERS = {"date"}  # the HTTP server's wall clock, outside the emulator (RFC 9110)


def _seen(r: httpx.Response) -> Exchange:
    headers = [(k, v) for k, v in r.headers.multi_items() if k.lower() not in VOLATILE_HEADERS]
    return r.status_code, headers, r.content


async def scenario(emu: Emulator) -> list[Exchange]:
    """Calls of every dialect that generate ids: Gigya oid=auto and cursors, SPiD tokens and
    data objects, Gainsight GSIDs, lightblue `_id`s; each response carries a request id."""
    seen: list[Exchange] = []
    async with emu.client("gigya") as gigya:
        auth = {"apiKey": "3_seed", "secret": SECRET}
        for n in range(3):
            data = {**auth, "type": "t", "oid": "auto", "data": f'{{"n_i": {n}}}'}
            seen.append(_seen(await gigya.post("ds.store", data=data)))
        query = {**auth, "query": "SELECT * FROM t LIMIT 1", "openCursor": "true"}
        seen.append(_seen(await gigya.post("ds.search", data=query)))
    async with emu.client("spid") as spid:
        form = {"grant_type": "client_credentials", "client_id": "app"}
        token = await spid.post("/oauth/token", data=form)
        seen.append(_seen(token))
        bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        put = await spid.post("/api/2/user/1/dataobject/k", data={"value": "v"}, headers=bearer)
        seen.append(_seen(put))
        seen.append(_seen(await spid.get("/api/2/user/1/dataobjects", headers=bearer)))
    async with emu.client("gainsight", headers={"Accesskey": "seed"}) as gs:
        records = {"records": [{"Name": "A"}, {"Name": "B"}]}
        seen.append(_seen(await gs.post("/v1/data/objects/Company", json=records)))
        query = {"select": ["Gsid", "Name"], "orderBy": {"Name": "asc"}}
        seen.append(_seen(await gs.post("/v1/data/objects/query/Company", json=query)))
    async with emu.client("lightblue") as lb:
        seen.append(_seen(await lb.put("/rest/metadata/country/1.0.0", json=country_metadata())))
        rows = {"data": [{"name": "A", "iso2code": "AA"}, {"name": "B", "iso2code": "BB"}]}
        rows["projection"] = {"field": "*", "recursive": True}
        seen.append(_seen(await lb.put("/rest/data/insert/country", json=rows)))
    return seen


async def run(backend: str, request: pytest.FixtureRequest, seed: int) -> list[Exchange]:
    engine = await make_engine(backend, request)
    async with Emulator(Settings(backend=backend), engine=engine, id_seed=seed) as emu:
        await emu.clock.freeze(START)
        return await scenario(emu)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_one_seed_gives_byte_identical_responses(
    backend: str, request: pytest.FixtureRequest
) -> None:
    first, second = await run(backend, request, 7), await run(backend, request, 7)
    assert all(status < 300 for status, _, _ in first), first
    for a, b in zip(first, second, strict=True):
        assert a == b
    other = await run(backend, request, 8)
    assert [body for *_, body in other] != [body for *_, body in first]


async def test_ids_keep_the_vendor_formats(request: pytest.FixtureRequest) -> None:
    engine = await make_engine("memory", request)
    async with Emulator(engine=engine, id_seed=1) as emu:
        await emu.clock.freeze(START)
        seen = await scenario(emu)
    bodies = [httpx.Response(200, content=body).json() for _, _, body in seen]
    uuid_hex = re.compile(r"^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$")
    assert uuid_hex.match(bodies[0]["oid"]) and uuid_hex.match(bodies[0]["callId"])
    assert uuid_hex.match(bodies[3]["nextCursorId"])
    assert re.fullmatch(r"[0-9a-f]{40}", bodies[4]["access_token"])
    assert bodies[5]["data"]["dataObjectId"] == "1"  # SPiD's are sequential (spid/service.py)
    gsids = [r["Gsid"] for r in bodies[8]["data"]["records"]]
    assert all(re.fullmatch(r"1[0-9A-Z]{35}", g) for g in gsids), gsids
    assert re.fullmatch(r"[0-9a-f-]{36}", bodies[8]["requestId"])
    ids = [d["_id"] for d in bodies[10]["processed"]]  # ObjectId text: the clock's seconds first
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids) and ids[0] != ids[1]
    assert {int(i[:8], 16) for i in ids} == {int(START.timestamp())}


async def test_the_seed_over_http_restarts_the_generators(doppelgate: Emulator) -> None:
    async with doppelgate.client() as client:
        assert (await client.get("/_doppelgate/ids")).json() == {"seed": None}
        oids = []
        for _ in range(2):
            assert (await client.put("/_doppelgate/ids", json={"seed": 3})).json() == {"seed": 3}
            data = {"apiKey": "3_h", "secret": SECRET, "type": "t", "oid": "auto", "data": "{}"}
            oids.append((await client.post("/gigya/ds.store", data=data)).json()["oid"])
        assert oids[0] == oids[1]
        assert (await client.post("/_doppelgate/ids", json={"seed": "x"})).status_code == 400
        assert (await client.post("/_doppelgate/ids", json={})).json() == {"seed": None}


async def test_object_ids_carry_the_clock(request: pytest.FixtureRequest) -> None:
    """The engine's `_id`s (ObjectId text): the clock's seconds, then seeded bytes."""
    clock, source = Clock(), IdSource(5)
    await clock.freeze(START)
    drawn = []
    for _ in range(2):
        source.reseed(5)
        tokens, clock_token = source.bind(), clock.bind()
        try:
            drawn.append([new_id(), new_id()])
        finally:
            IdSource.unbind(tokens)
            Clock.unbind(clock_token)
    assert drawn[0] == drawn[1] and drawn[0][0] != drawn[0][1]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in drawn[0])
    assert int(drawn[0][0][:8], 16) == int(START.timestamp())
    assert new_id() != new_id()  # outside a request: random ObjectIds, as before


async def test_each_tenant_has_its_own_generator(request: pytest.FixtureRequest) -> None:
    """Another tenant's calls in between do not shift a tenant's generated ids."""

    async def oid(emu: Emulator, api_key: str) -> str:
        data = {"apiKey": api_key, "secret": SECRET, "type": "t", "oid": "auto", "data": "{}"}
        async with emu.client("gigya") as gigya:
            return str((await gigya.post("ds.store", data=data)).json()["oid"])

    async with Emulator(id_seed=9) as alone:
        first = await oid(alone, "3_a")
    async with Emulator(id_seed=9) as shared:
        other = await oid(shared, "3_b")
        assert await oid(shared, "3_a") == first != other
