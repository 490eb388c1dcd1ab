"""An Emulator per test on each engine backend (tests/backends.py), for the backend-sensitive
control-plane tests; most tests here use the memory backend through the plugin's fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from doppelgate.config import Settings
from doppelgate.testing import Emulator
from tests.backends import BACKENDS, make_engine


@pytest.fixture(params=BACKENDS)
async def emu_on(request: pytest.FixtureRequest) -> AsyncIterator[Emulator]:
    engine = await make_engine(request.param, request)
    async with Emulator(Settings(backend=request.param), engine=engine) as emu:
        yield emu
