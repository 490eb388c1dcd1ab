"""An in-process gateway: httpx's ASGITransport runs no lifespan, so fixtures open the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from starlette.applications import Starlette

from doppelgate.config import Settings
from doppelgate.gateway import create_app

from .helpers import client_for, make_settings, whoami_routes, with_routes

AppFactory = Callable[..., Awaitable[Starlette]]


@pytest.fixture
async def app_factory() -> AsyncIterator[AppFactory]:
    """create_app with the engine opened, and closed after the test."""
    made: list[Starlette] = []

    async def make(settings: Settings | None = None, **kwargs: object) -> Starlette:
        app = create_app(settings or make_settings(), **kwargs)  # type: ignore[arg-type]
        await app.state.engine.open()
        made.append(app)
        return app

    yield make
    for app in made:
        await app.state.engine.close()


@pytest.fixture
async def app(app_factory: AppFactory) -> Starlette:
    return await app_factory(dialects=with_routes(whoami_routes))


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as c:
        yield c
