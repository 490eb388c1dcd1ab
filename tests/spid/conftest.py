"""Fixtures of the spid suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from tests.backends import BACKENDS, make_engine

from .helpers import Spid

SpidFactory = Callable[..., Spid]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
async def spid_factory(engine: Engine) -> AsyncIterator[SpidFactory]:
    """Clients of an app on the test's engine, with the given [dialects.spid] options."""
    clients: list[httpx.AsyncClient] = []

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Spid:
        app = create_app(Settings(dialects={"spid": options or {}}), engine)
        base_url = kwargs.pop("base_url", "http://testserver/spid")
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base_url)
        clients.append(http)
        return Spid(http, **kwargs)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def spid(spid_factory: SpidFactory) -> Spid:
    """A permissive server, called with a fresh client's server token."""
    return spid_factory()
