"""The app factory, its lifespan and the health endpoint."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from doppelgate import __version__
from doppelgate.engine import BackendUnavailable
from doppelgate.engine.memory import MemoryEngine
from doppelgate.gateway import create_app

from .conftest import AppFactory
from .helpers import client_for, make_settings

DIALECTS = {
    "gigya": "/gigya",
    "spid": "/spid",
    "gainsight": "/gainsight",
    "lightblue": "/lightblue",
}


class DownEngine(MemoryEngine):
    """A memory engine whose backend is unreachable."""

    async def ping(self) -> None:
        raise BackendUnavailable("connection refused")


class RecordingEngine(MemoryEngine):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    async def open(self) -> None:
        self.events.append("open")

    async def close(self) -> None:
        self.events.append("close")


async def test_health_reports_backend_dialects_and_version(client: httpx.AsyncClient) -> None:
    r = await client.get("/_doppelgate/health")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {
        "status": "ok",
        "backend": "memory",
        "dialects": DIALECTS,
        "version": __version__,
    }


async def test_health_is_503_when_the_backend_is_unavailable(app_factory: AppFactory) -> None:
    app = await app_factory(engine=DownEngine())
    async with client_for(app) as client:
        r = await client.get("/_doppelgate/health")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert r.json()["backend"] == "memory"


async def test_factory_builds_the_engine_the_settings_ask_for() -> None:
    app = create_app(make_settings())
    assert isinstance(app, Starlette)
    assert isinstance(app.state.engine, MemoryEngine)
    assert app.state.settings == make_settings()


async def test_each_app_gets_its_own_engine() -> None:
    assert create_app(make_settings()).state.engine is not create_app(make_settings()).state.engine


async def test_lifespan_opens_and_closes_the_engine() -> None:
    engine = RecordingEngine()
    app = create_app(make_settings(), engine)
    async with app.router.lifespan_context(app):
        assert engine.events == ["open"]
        async with client_for(app) as client:
            assert (await client.get("/_doppelgate/health")).status_code == 200
    assert engine.events == ["open", "close"]


async def test_a_path_outside_every_dialect_is_a_json_404(client: httpx.AsyncClient) -> None:
    r = await client.get("/nowhere")
    assert r.status_code == 404
    assert r.json()["dialects"] == DIALECTS
    assert r.json()["health"] == "/_doppelgate/health"
