"""The emulator in-process: the gateway app, its engine and control plane, no socket.

async with Emulator() as emu:             # or `with Emulator() as emu:` in sync code
    async with emu.client("gigya") as client:
        await client.post("ds.store", data={...})
    emu.journal(dialect="gigya")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import msgspec
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp

from ..clock import Clock, ClockView
from ..config import Settings
from ..control.asgi import http_scope, run_asgi
from ..control.faults import Fault, FaultSpec, FaultState
from ..control.journal import Entry
from ..control.plane import Control
from ..control.seed import SeedReport
from ..control.snapshot import Snapshot
from ..control.verify import Verdict, verify
from ..dialect import Dialect
from ..engine import Engine
from ..gateway import create_app
from .routing import VendorRouter
from .server import ServerHeaders

if TYPE_CHECKING:
    from .requests_routing import RequestsRouter

T = TypeVar("T")
BASE = "http://testserver"


class Emulator:
    """Every dialect on one in-process app. Enter it (async or sync) to open the engine."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        engine: Engine | None = None,
        dialects: Sequence[Dialect] | None = None,
        id_seed: int | None = None,
    ) -> None:
        self.settings = settings if settings is not None else Settings()
        if id_seed is not None:  # generated ids from seeded generators (ids.py)
            self.settings = msgspec.structs.replace(self.settings, id_seed=id_seed)
        self.app = create_app(self.settings, engine, dialects=dialects)
        self.engine: Engine = self.app.state.engine
        self.control: Control = self.app.state.control
        self.transport = AppTransport(ServerHeaders(self.app))
        self.sync_transport = SyncASGITransport(self)
        self._lifespan: AbstractAsyncContextManager[Any] | None = None
        self._sync_lifespan: AbstractContextManager[Any] | None = None
        self._portal: BlockingPortal | None = None
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None

    # -- life --------------------------------------------------------------------------------

    async def __aenter__(self) -> Emulator:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            if self._lifespan is not None:
                await self._lifespan.__aexit__(None, None, None)
                self._lifespan = None
        finally:
            self._stop_portal()

    def __enter__(self) -> Emulator:
        """Sync use: the app runs on an event loop in a helper thread (an anyio portal)."""
        portal = self.portal()
        self._sync_lifespan = portal.wrap_async_context_manager(
            self.app.router.lifespan_context(self.app)
        )
        self._sync_lifespan.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._sync_lifespan is not None:
                self._sync_lifespan.__exit__(None, None, None)
                self._sync_lifespan = None
        finally:
            self._stop_portal()

    def portal(self) -> BlockingPortal:
        """The helper thread's loop that sync calls run the app on (started on first use)."""
        if self._portal is None:
            self._portal_cm = start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        return self._portal

    def _stop_portal(self) -> None:
        if self._portal_cm is not None:
            cm, self._portal_cm, self._portal = self._portal_cm, None, None
            cm.__exit__(None, None, None)

    # -- clients -----------------------------------------------------------------------------

    def url(self, dialect: str | None = None) -> str:
        """The in-process base URL of a dialect (or of the gateway)."""
        if dialect is None:
            return BASE
        return BASE + self.control.dialects[dialect].prefix

    def client(self, dialect: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An httpx.AsyncClient on the app (base URL: the dialect's mount)."""
        kwargs.setdefault("base_url", self.url(dialect))
        return httpx.AsyncClient(transport=self.transport, **kwargs)

    def sync_client(self, dialect: str | None = None, **kwargs: Any) -> httpx.Client:
        kwargs.setdefault("base_url", self.url(dialect))
        return httpx.Client(transport=self.sync_transport, **kwargs)

    def router(self, base_urls: Mapping[str, str] | None = None, **kwargs: Any) -> VendorRouter:
        """A respx router sending the vendors' hosts (and `base_urls`: dialect -> URL) here."""
        return VendorRouter(self, base_urls=base_urls, **kwargs)

    def requests_router(self, base_urls: Mapping[str, str] | None = None) -> RequestsRouter:
        """The same routing for `requests` clients (needs the `responses` package); enter it."""
        from .requests_routing import RequestsRouter

        return RequestsRouter(VendorRouter(self, base_urls=base_urls))

    # -- the control plane in Python -------------------------------------------------------

    async def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        return await self.control.reset(dialect, tenant)

    async def seed(self, source: Any) -> SeedReport:
        """Seed from a path (.json/.yaml), text or a mapping (format: control/seed.py)."""
        return await self.control.seed(source, self.app)

    async def snapshot(self) -> Snapshot:
        return await self.control.snapshot()

    async def restore(self, snapshot: Any) -> tuple[int, int]:
        return await self.control.restore(snapshot)

    def journal(
        self,
        dialect: str | None = None,
        operation: str | None = None,
        tenant: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> list[Entry]:
        return self.control.journal.query(dialect, operation, tenant, status, limit)

    def calls(
        self,
        dialect: str,
        operation: str | None = None,
        *,
        tenant: str | None = None,
        status: int | None = None,
    ) -> list[Entry]:
        """The journaled calls of a dialect matching operation, tenant and status, oldest first."""
        return self.control.journal.query(dialect, operation, tenant, status)

    def assert_called(
        self,
        dialect: str,
        operation: str | None = None,
        *,
        tenant: str | None = None,
        status: int | None = None,
        times: int | None = None,
    ) -> Verdict:
        """AssertionError unless the call was made `times` times (None: at least once); the
        message lists the near misses (same operation, another tenant or status)."""
        verdict = verify(
            self.control.journal, dialect, operation, tenant=tenant, status=status, times=times
        )
        if not verdict.ok:
            raise AssertionError(verdict.message)
        return verdict

    def assert_not_called(
        self,
        dialect: str,
        operation: str | None = None,
        *,
        tenant: str | None = None,
        status: int | None = None,
    ) -> Verdict:
        return self.assert_called(dialect, operation, tenant=tenant, status=status, times=0)

    @property
    def clock(self) -> Clock:
        """The server's clock: `await emu.clock.freeze(at)`, `.advance(seconds)`, `.resume()`,
        `emu.clock.now()` (sync code: `emu.blocking.freeze_clock(...)` and so on)."""
        return self.control.clock

    def seed_ids(self, seed: int | None) -> None:
        """Restart every id generator from `seed` (None: random ids again)."""
        self.control.ids.reseed(seed)

    def clear_journal(self) -> None:
        self.control.journal.clear()

    def fault(self, dialect: str, operation: str | None = None, **spec: Any) -> Fault:
        """Inject a fault: error=<vendor code>, latency_ms, probability, seed, times."""
        return self.control.add_fault(FaultSpec(dialect=dialect, operation=operation, **spec))

    def faults(self) -> list[FaultState]:
        return self.control.faults.states()

    def clear_faults(self, dialect: str | None = None) -> int:
        return self.control.faults.clear(dialect)

    @property
    def blocking(self) -> Blocking:
        """The async operations, run to completion on the helper loop: for sync code."""
        return Blocking(self)


class Blocking:
    """`emu.blocking.reset()` etc.: the Emulator's async operations for sync callers."""

    def __init__(self, emulator: Emulator) -> None:
        self._emu = emulator

    def _run(self, fn: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> T:
        return self._emu.portal().call(fn, *args)

    def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        return self._run(self._emu.reset, dialect, tenant)

    def seed(self, source: Any) -> SeedReport:
        return self._run(self._emu.seed, source)

    def snapshot(self) -> Snapshot:
        return self._run(self._emu.snapshot)

    def restore(self, snapshot: Any) -> tuple[int, int]:
        return self._run(self._emu.restore, snapshot)

    def freeze_clock(self, at: float | dt.datetime | None = None) -> ClockView:
        return self._run(self._emu.clock.freeze, at)

    def advance_clock(self, by: float | dt.timedelta) -> ClockView:
        return self._run(self._emu.clock.advance, by)

    def resume_clock(self) -> ClockView:
        return self._run(self._emu.clock.resume)


class SyncASGITransport(httpx.BaseTransport):
    """httpx.Client -> the app, run on the emulator's helper loop (no socket)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        status, headers, content = self.emulator.portal().call(self._send, request, body)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _send(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return await self.emulator.transport.exchange(request, body)


class AppTransport(httpx.AsyncBaseTransport):
    """httpx.AsyncClient -> an ASGI app in memory: a lean httpx.ASGITransport (whole bodies, no
    streaming), about twice as fast per call."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        status, headers, content = await self.exchange(request, await request.aread())
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def exchange(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        url = request.url
        path, _, query = url.raw_path.partition(b"?")
        headers = [(k.lower(), v) for k, v in request.headers.raw]  # ASGI: lower-case names
        scope = http_scope(request.method, url.scheme, url.host, url.port, path, query, headers)
        return await run_asgi(self.app, scope, body)
