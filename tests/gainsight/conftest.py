"""Fixtures of the gainsight suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from tests.backends import BACKENDS, make_engine

from .helpers import Gainsight

GainsightFactory = Callable[..., Gainsight]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
async def gs_factory(engine: Engine) -> AsyncIterator[GainsightFactory]:
    """Clients of an app on the test's engine, with the given [dialects.gainsight] options."""
    clients: list[httpx.AsyncClient] = []

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Gainsight:
        settings = Settings(dialects={"gainsight": options or {}})
        app = create_app(settings, engine)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url=kwargs.pop("base_url", "http://testserver")
        )
        clients.append(http)
        return Gainsight(http, **kwargs)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def gs(gs_factory: GainsightFactory) -> Gainsight:
    """A permissive server, called with a fresh Accesskey (a tenant of its own)."""
    return gs_factory()
