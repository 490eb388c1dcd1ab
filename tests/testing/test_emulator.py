"""The in-process emulator: async and sync use, clients on the app, the Date header."""

from __future__ import annotations

import importlib.metadata

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.testing import Emulator

from .helpers import gigya_get, gigya_store


async def test_async_emulator_serves_every_dialect_in_process() -> None:
    async with Emulator() as emu:
        async with emu.client("gigya") as client:
            stored = await client.post("ds.store", data=gigya_store("3_async"))
            got = await client.get("ds.get", params=gigya_get("3_async"))
        async with emu.client() as client:
            health = await client.get("/_doppelgate/health")
    assert stored.json()["errorCode"] == 0
    assert got.json()["data"] == {"n_i": 1}
    assert "date" in got.headers  # as uvicorn would send it
    assert health.json()["status"] == "ok"
    assert set(health.json()["dialects"]) == {"gigya", "spid", "gainsight", "lightblue"}


def test_sync_emulator_and_sync_client() -> None:
    with Emulator() as emu, emu.sync_client("gigya") as client:
        assert client.post("ds.store", data=gigya_store("3_sync")).json()["errorCode"] == 0
        assert client.get("ds.get", params=gigya_get("3_sync")).json()["data"] == {"n_i": 1}
        snap = emu.blocking.snapshot()
        assert {c.tenant for c in snap.collections} == {"3_sync"}
        assert emu.blocking.reset() == 2
        assert emu.blocking.snapshot().collections == []


async def test_a_sync_client_inside_an_async_emulator() -> None:
    async with Emulator() as emu:
        with emu.sync_client("gigya") as client:
            client.post("ds.store", data=gigya_store("3_mixed"))
        async with emu.client("gigya") as client:
            got = await client.get("ds.get", params=gigya_get("3_mixed"))
    assert got.json()["data"] == {"n_i": 1}


async def test_settings_reach_the_app() -> None:
    settings = Settings(dialects={"lightblue": {"hosts": ["lb.example.test"]}}, journal_size=3)
    async with Emulator(settings) as emu:
        assert emu.app.state.settings is settings
        assert emu.control.journal.capacity == 3
        assert emu.url("spid") == "http://testserver/spid"
        transport = httpx.ASGITransport(app=emu.app)
        async with httpx.AsyncClient(transport=transport) as client:
            r = await client.get("http://lb.example.test/rest/data/health")
    assert r.json() == {"engine": {"healthy": True, "message": "ok"}}


def test_the_plugin_is_registered(request: pytest.FixtureRequest) -> None:
    points = importlib.metadata.entry_points(group="pytest11")
    assert any(p.value == "doppelgate.testing.plugin" for p in points)
    assert request.config.pluginmanager.has_plugin("doppelgate")
