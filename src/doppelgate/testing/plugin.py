"""pytest fixtures (registered through the `pytest11` entry point `doppelgate`):

- `doppelgate`: a fresh in-process Emulator per test (memory backend), entered for the test;
- `doppelgate_clock`: that emulator's clock, frozen at the test's start: `.advance(seconds)`
  moves it (token, cursor and lock expiry, rate-limit windows), `.resume()` lets it run;
- `doppelgate_respx`: its respx router, active for the test: httpx clients (async or sync)
  calling the vendors' real hosts reach the emulator, and so do `requests` clients when the
  `responses` package is installed; other hosts pass through;
- `doppelgate_requests`: the same for `requests` clients alone;
- `doppelgate_server`: a real server on a free loopback port (one per session), its proxy and CA
  exported for the test (HTTPS_PROXY, REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, ...) to subprocesses;
- `doppelgate_settings`, `doppelgate_base_urls`: override them in a conftest.py to configure
  the emulator (e.g. `Settings(dialects={"lightblue": {"hosts": [...]}})`) and extra base URLs
  for the router.

The fixtures are synchronous, so they work with or without pytest-asyncio. httpx and respx
load when a test first asks for a fixture: installing doppelgate without them breaks no pytest run.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ..config import Settings

if TYPE_CHECKING:
    from .clocks import SyncClock
    from .emulator import Emulator
    from .requests_routing import RequestsRouter
    from .routing import VendorRouter
    from .served import ServedEmulator


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
def doppelgate_clock(doppelgate: Emulator) -> SyncClock:
    from .clocks import SyncClock

    clock = SyncClock(doppelgate)
    clock.freeze()
    return clock


@pytest.fixture
def doppelgate_respx(
    doppelgate: Emulator, doppelgate_base_urls: dict[str, str]
) -> Iterator[VendorRouter]:
    with contextlib.ExitStack() as stack:
        router = stack.enter_context(doppelgate.router(doppelgate_base_urls))
        if importlib.util.find_spec("responses") is not None:
            stack.enter_context(doppelgate.requests_router(doppelgate_base_urls))
        yield router


@pytest.fixture
def doppelgate_requests(
    doppelgate: Emulator, doppelgate_base_urls: dict[str, str]
) -> Iterator[RequestsRouter]:
    with doppelgate.requests_router(doppelgate_base_urls) as router:
        yield router


@pytest.fixture(scope="session")
def doppelgate_server_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The served emulator's settings: its own CA in a temporary directory by default."""
    return Settings(ca_dir=str(tmp_path_factory.mktemp("doppelgate-ca")))


@pytest.fixture(scope="session")
def doppelgate_served(doppelgate_server_settings: Settings) -> Iterator[ServedEmulator]:
    """The session's real server (started once); `doppelgate_server` exports its variables."""
    from .served import ServedEmulator

    with ServedEmulator(doppelgate_server_settings) as server:
        yield server


@pytest.fixture
def doppelgate_server(
    doppelgate_served: ServedEmulator, monkeypatch: pytest.MonkeyPatch
) -> ServedEmulator:
    """The session's real server; its proxy and CA variables are in os.environ for this test,
    so subprocesses (and proxy-aware clients) reach the vendor hosts through it."""
    for name, value in doppelgate_served.proxy_env().items():
        monkeypatch.setenv(name, value)
    return doppelgate_served
