"""Fixtures of the engine suite: every test runs once per backend in tests.backends.BACKENDS.

The interface tests use only the Engine/Collection methods of doppelgate.engine.core and assert
only what a real MongoDB 7 would return, so they run unchanged on every backend.
"""

from __future__ import annotations

import pytest

from doppelgate.engine import Collection, Engine


@pytest.fixture
def coll(engine: Engine) -> Collection:
    return engine.collection("test", "tenant", "things")
