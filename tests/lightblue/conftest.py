"""Fixtures of the lightblue suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from tests.backends import BACKENDS, make_engine

from .helpers import Lightblue, country_metadata

LightblueFactory = Callable[..., Lightblue]


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
async def lb_factory(engine: Engine) -> AsyncIterator[LightblueFactory]:
    """Clients of an app on the test's engine, with the given [dialects.lightblue] options."""
    clients: list[httpx.AsyncClient] = []

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Lightblue:
        settings = Settings(dialects={"lightblue": options or {}})
        app = create_app(settings, engine)
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app),
            base_url=kwargs.pop("base_url", "http://testserver/lightblue"),
            auth=kwargs.pop("auth", None),
        )
        clients.append(http)
        return Lightblue(http, **kwargs)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def lb(lb_factory: LightblueFactory) -> Lightblue:
    return lb_factory()


@pytest.fixture
async def country(lb: Lightblue) -> Lightblue:
    """A client whose tenant has the `country` entity (version 1.0.0, the default)."""
    await lb.create_metadata(country_metadata())
    return lb
