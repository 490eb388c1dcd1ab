"""The request journal: a bounded ring, queryable by dialect, operation, tenant and status."""

from __future__ import annotations

import pytest

from doppelgate.config import Settings
from doppelgate.testing import Emulator

from .helpers import gigya_get, gigya_store


@pytest.fixture
def doppelgate_settings() -> Settings:
    return Settings(journal_size=4)


async def test_entries_record_the_call(doppelgate: Emulator) -> None:
    async with doppelgate.client("gigya") as gigya:
        stored = await gigya.post("ds.store", data=gigya_store("3_j"))
    async with doppelgate.client("spid") as spid:
        await spid.get("/api/2/user/7/dataobject/k", headers={"Authorization": "Bearer c"})
    g, s = doppelgate.journal()
    assert (g.dialect, g.operation, g.tenant, g.method, g.path) == (
        "gigya",
        "ds.store",
        "3_j",
        "POST",
        "/ds.store",
    )
    assert g.status == 200 and g.request_id == stored.json()["callId"] and g.fault is None
    assert g.host == "testserver" and g.duration_ms >= 0 and g.started <= s.started
    assert (s.dialect, s.operation, s.status) == (
        "spid",
        "GET /api/2/user/{id}/dataobject/{key}",
        404,
    )
    assert s.seq == g.seq + 1


async def test_the_ring_keeps_the_newest(doppelgate: Emulator) -> None:
    async with doppelgate.client("gigya") as gigya:
        for i in range(6):
            await gigya.get("ds.get", params=gigya_get("3_ring", f"o{i}"))
    entries = doppelgate.journal()
    assert [e.seq for e in entries] == [3, 4, 5, 6]
    assert doppelgate.control.journal.capacity == 4


async def test_queries(doppelgate: Emulator) -> None:
    async with doppelgate.client("gigya") as gigya:
        await gigya.post("ds.store", data=gigya_store("3_q1"))
        await gigya.get("ds.get", params=gigya_get("3_q1"))
        await gigya.get("ds.get", params=gigya_get("3_q2"))
    async with doppelgate.client("gainsight") as gs:
        await gs.get("/v1/data/objects/company/xyz", headers={"Accesskey": "k"})
    assert [e.tenant for e in doppelgate.journal(operation="DS.GET")] == ["3_q1", "3_q2"]
    assert [e.operation for e in doppelgate.journal(tenant="3_q1")] == ["ds.store", "ds.get"]
    assert [e.dialect for e in doppelgate.journal(dialect="gainsight")] == ["gainsight"]
    gs_entry = doppelgate.journal(dialect="gainsight")[0]
    assert gs_entry.operation == "GET /v1/data/objects/{object}/{gsid}"
    assert doppelgate.journal(status=200, limit=1)[0].tenant == "3_q2"
    async with doppelgate.client() as client:
        body = (await client.get("/_doppelgate/journal?dialect=gigya&operation=ds.get")).json()
        assert body["capacity"] == 4
        assert [e["tenant"] for e in body["entries"]] == ["3_q1", "3_q2"]
        assert (await client.get("/_doppelgate/journal?limit=x")).status_code == 400
        assert (await client.delete("/_doppelgate/journal")).json() == {"cleared": True}
        assert (await client.get("/_doppelgate/journal")).json()["entries"] == []


async def test_control_plane_and_unknown_paths_are_not_journaled(doppelgate: Emulator) -> None:
    async with doppelgate.client() as client:
        await client.get("/_doppelgate/health")
        await client.get("/nowhere")
    assert doppelgate.journal() == []


async def test_internal_errors_are_journaled_with_their_status(doppelgate: Emulator) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    doppelgate.engine.collection = broken  # type: ignore[method-assign,assignment]
    async with doppelgate.client("gainsight") as gs:
        r = await gs.get("/v1/data/objects/company/xyz", headers={"Accesskey": "k"})
    assert r.status_code == 500
    (entry,) = doppelgate.journal()
    assert entry.status == 500 and entry.request_id


async def test_spid_gainsight_and_lightblue_entries_name_their_tenant(doppelgate: Emulator) -> None:
    async with doppelgate.client("spid") as spid:
        await spid.get("/api/2/user/7/dataobject/k", headers={"Authorization": "Bearer client-a"})
    async with doppelgate.client("gainsight") as gainsight:
        await gainsight.post(
            "/v1/data/objects/query/Company", json={"select": ["Name"]}, headers={"Accesskey": "k9"}
        )
    async with doppelgate.client("lightblue") as lightblue:
        await lightblue.get("/rest/metadata/", auth=("team-lb", "pw"))
    assert [e.tenant for e in doppelgate.journal()] == ["client-a", "k9", "team-lb"]
