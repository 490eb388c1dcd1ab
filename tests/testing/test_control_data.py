"""Control plane, data side: reset scoping, seed fixtures, snapshot export/import."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from doppelgate.control.seed import SeedError
from doppelgate.testing import Emulator

from .helpers import gigya_get, gigya_store

SPID = {"Authorization": "Bearer client1"}


async def fill(emu: Emulator) -> None:
    async with emu.client("gigya") as gigya:
        for key in ("3_a", "3_b"):
            assert (await gigya.post("ds.store", data=gigya_store(key))).json()["errorCode"] == 0
    async with emu.client("spid") as spid:
        r = await spid.post("/api/2/user/1/dataobject/k", data={"value": "v"}, headers=SPID)
        assert r.status_code == 201


def tenants(snapshot: object) -> set[tuple[str, str]]:
    return {(c.dialect, c.tenant) for c in snapshot.collections}  # type: ignore[attr-defined]


async def test_reset_all_one_dialect_or_one_tenant(doppelgate: Emulator) -> None:
    await fill(doppelgate)
    before = tenants(await doppelgate.snapshot())
    assert {("gigya", "3_a"), ("gigya", "3_b")} <= before and any(d == "spid" for d, _ in before)
    assert await doppelgate.reset("gigya", "3_a") == 2  # objects, schemas
    after = tenants(await doppelgate.snapshot())
    assert ("gigya", "3_a") not in after and ("gigya", "3_b") in after
    await doppelgate.reset("gigya")
    assert {d for d, _ in tenants(await doppelgate.snapshot())} == {"spid"}
    await doppelgate.reset()
    assert (await doppelgate.snapshot()).collections == []


async def test_reset_over_http(doppelgate: Emulator) -> None:
    await fill(doppelgate)
    async with doppelgate.client() as client:
        r = await client.post("/_doppelgate/reset", json={"dialect": "gigya", "tenant": "3_b"})
        assert r.json() == {"dropped": 2}
        r = await client.post("/_doppelgate/reset?dialect=spid")
        assert r.status_code == 200 and r.json()["dropped"] >= 1
        assert (await client.post("/_doppelgate/reset", json={"tenant": "x"})).status_code == 400
        r = await client.post("/_doppelgate/reset", json={"dialect": "nope"})
        assert r.status_code == 400 and "unknown dialect" in r.json()["error"]
        assert (await client.post("/_doppelgate/reset")).json()["dropped"] == 2
    assert (await doppelgate.snapshot()).collections == []


SEED_YAML = """
calls:
  - dialect: gigya
    path: ds.store
    form: {apiKey: 3_seed, secret: c2VjcmV0, type: things, oid: o1, data: {n_i: 7}}
    expect: {body: {errorCode: 0}}
  - dialect: spid
    path: /api/2/user/5/dataobject/colour
    headers: {Authorization: Bearer client1}
    form: {value: blue}
    expect: {status: 201}
documents:
  - dialect: lightblue
    tenant: alice
    collection: raw
    documents: [{_id: d1, at: {$date: "2024-01-10T00:00:00+00:00"}, n: 1}]
"""


async def test_seed_from_a_yaml_file_through_the_vendor_apis(
    doppelgate: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(SEED_YAML)
    report = await doppelgate.seed(path)
    assert (report.calls, report.documents) == (2, 1)
    async with doppelgate.client("gigya") as gigya:
        got = await gigya.get("ds.get", params=gigya_get("3_seed"))
    assert got.json()["data"] == {"n_i": 7}
    raw = await doppelgate.engine.collection("lightblue", "alice", "raw").find()
    assert raw[0]["at"].isoformat() == "2024-01-10T00:00:00+00:00"
    assert doppelgate.journal() == [c for c in doppelgate.journal() if c.dialect == "gigya"]
    assert len(doppelgate.journal()) == 1  # the seed's own calls are not journaled


async def test_seed_over_http_json_and_yaml(doppelgate: Emulator) -> None:
    seed = {"calls": [{"dialect": "gigya", "path": "ds.store", "form": gigya_store("3_h")}]}
    async with doppelgate.client() as client:
        r = await client.post("/_doppelgate/seed", json=seed)
        assert r.json() == {"calls": 1, "documents": 0}
        r = await client.post(
            "/_doppelgate/seed", content=SEED_YAML, headers={"content-type": "application/yaml"}
        )
        assert r.json() == {"calls": 2, "documents": 1}
        bad = {
            "calls": [
                {
                    "dialect": "gigya",
                    "path": "ds.get",
                    "query": gigya_get("3_h", "x"),
                    "expect": {"body": {"errorCode": 0}},
                }
            ]
        }
        r = await client.post("/_doppelgate/seed", json=bad)
        assert r.status_code == 400
        assert "calls[0] gigya ds.get" in r.json()["error"] and "404000" in r.json()["error"]
        r = await client.post("/_doppelgate/seed", json={"calls": [{"dialect": "x", "path": "/"}]})
        assert r.status_code == 400 and "unknown dialect" in r.json()["error"]
        r = await client.post("/_doppelgate/seed", json={"rows": []})
        assert r.status_code == 400 and "invalid seed" in r.json()["error"]


async def test_a_seed_call_with_an_error_status_fails(doppelgate: Emulator) -> None:
    call = {"dialect": "spid", "path": "/api/2/user/1/dataobject/k", "form": {"value": "v"}}
    with pytest.raises(SeedError, match=r"calls\[0\] spid .* status below 400; response 401"):
        await doppelgate.seed({"calls": [call]})


async def test_snapshot_round_trip(emu_on: Emulator) -> None:
    emu = emu_on
    async with emu.client("gigya") as gigya:
        for i in range(3):
            form = gigya_store("3_snap", f"o{i}", n_i=i, when_d=f"2024-01-1{i}T10:00:00Z")
            assert (await gigya.post("ds.store", data=form)).json()["errorCode"] == 0
    await emu.seed(SEED_YAML)
    async with emu.client() as client:
        exported = (await client.get("/_doppelgate/snapshot")).content
        await client.post("/_doppelgate/reset")
        assert (await emu.snapshot()).collections == []
        r = await client.put("/_doppelgate/snapshot", content=exported)
        assert r.status_code == 200 and r.json()["documents"] >= 6
        again = (await client.get("/_doppelgate/snapshot")).content
        assert msgspec.json.decode(again) == msgspec.json.decode(exported)
        bad = await client.put("/_doppelgate/snapshot", content=b'{"format": "x"}')
        assert bad.status_code == 400
    async with emu.client("gigya") as gigya:
        got = await gigya.get("ds.get", params=gigya_get("3_snap", "o2"))
        query = "SELECT * FROM things WHERE when_d > '2024-01-10T12:00:00Z' ORDER BY n_i"
        found = await gigya.post(
            "ds.search", data={"apiKey": "3_snap", "secret": "c2VjcmV0", "query": query}
        )
    assert got.json()["data"] == {"n_i": 2, "when_d": "2024-01-12T10:00:00Z"}
    assert [r["oid"] for r in found.json()["results"]] == ["o1", "o2"]
    raw = await emu.engine.collection("lightblue", "alice", "raw").find()
    assert raw[0]["at"].year == 2024  # a datetime again, not text


async def test_import_replaces_everything(doppelgate: Emulator) -> None:
    await fill(doppelgate)
    snap = await doppelgate.snapshot()
    await doppelgate.reset()
    async with doppelgate.client("gigya") as gigya:
        await gigya.post("ds.store", data=gigya_store("3_later"))
    documents = sum(len(c.documents) for c in snap.collections)
    assert await doppelgate.restore(msgspec.json.encode(snap)) == (len(snap.collections), documents)
    assert ("gigya", "3_later") not in tenants(await doppelgate.snapshot())
