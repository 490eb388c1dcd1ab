"""pytest fixtures (registered through the `pytest11` entry point `doppelgate`):

- `doppelgate`: a fresh in-process Emulator per test (memory backend), entered for the test;
- `doppelgate_respx`: its respx router, active for the test: httpx clients (async or sync)
  calling the vendors' real hosts reach the emulator;
- `doppelgate_settings`, `doppelgate_base_urls`: override them in a conftest.py to configure
  the emulator (e.g. `Settings(lightblue_hosts=(...,))`) and extra base URLs for the router.

The fixtures are synchronous, so they work with or without pytest-asyncio. httpx and respx
load when a test first asks for a fixture: installing doppelgate without them breaks no pytest run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ..config import Settings

if TYPE_CHECKING:
    from .emulator import Emulator
    from .routing import VendorRouter


@pytest.fixture
def doppelgate_settings() -> Settings:
    return Settings()


@pytest.fixture
def doppelgate_base_urls() -> dict[str, str]:
    """dialect -> base URL routed to it besides the vendor hosts (lightblue is self-hosted)."""
    return {}


@pytest.fixture
def doppelgate(doppelgate_settings: Settings) -> Iterator[Emulator]:
    from .emulator import Emulator

    with Emulator(doppelgate_settings) as emulator:
        yield emulator


@pytest.fixture
def doppelgate_respx(
    doppelgate: Emulator, doppelgate_base_urls: dict[str, str]
) -> Iterator[VendorRouter]:
    with doppelgate.router(doppelgate_base_urls) as router:
        yield router
