"""Fixtures of the gigya suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from tests.backends import BACKENDS, make_engine

from .helpers import Gigya

GigyaFactory = Callable[..., Gigya]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
async def gigya_factory(engine: Engine) -> AsyncIterator[GigyaFactory]:
    """Clients of an app on the test's engine, with the given [dialects.gigya] options."""
    clients: list[httpx.AsyncClient] = []

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Gigya:
        settings = Settings(dialects={"gigya": options or {}})
        app = create_app(settings, engine)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url=kwargs.pop("base_url", "http://testserver")
        )
        clients.append(http)
        return Gigya(http, **kwargs)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def gigya(gigya_factory: GigyaFactory) -> Gigya:
    """A permissive server, called with apiKey + secret (a server-side call)."""
    return gigya_factory()
