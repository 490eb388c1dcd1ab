"""Fixtures of the engine suite: every test runs once per backend in tests.backends.BACKENDS.

The interface tests use only the Engine/Collection methods of doppelgate.engine.core and assert
only what a real MongoDB 7 would return, so they run unchanged on every backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from doppelgate.engine import Collection, Engine
from tests.backends import BACKENDS, make_engine


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
def coll(engine: Engine) -> Collection:
    return engine.collection("test", "tenant", "things")
