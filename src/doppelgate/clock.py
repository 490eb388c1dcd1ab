"""The emulator's clock: real time, or frozen at an instant and advanced by hand. Every dialect's
time-dependent behaviour reads it (`clock.now()`); on MongoDB its state is shared by processes
(control/clockstore.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, Protocol

import msgspec

SHARED_TTL_S = 0.25  # a MongoDB-backed clock rereads its state at most this often per process

_current: ContextVar[Clock | None] = ContextVar("doppelgate_clock", default=None)


class ClockState(msgspec.Struct, kw_only=True):
    frozen_at: float | None = None  # Unix seconds; None: running
    offset: float = 0.0  # seconds added to real time while running (advance without freezing)
    version: int = 0  # bumped by every change: the shared store's optimistic lock


class ClockView(msgspec.Struct, kw_only=True):
    """What the control plane answers: the emulated time and how it flows."""

    frozen: bool
    now: str  # ISO 8601, UTC, milliseconds
    epoch_ms: int
    offset_s: float


# -- reading the clock (dialects) -------------------------------------------------------------


def now() -> float:
    """Unix seconds on the clock of the server handling this request (real time elsewhere)."""
    clock = _current.get()
    return time.time() if clock is None else clock.now()


def now_ms() -> int:
    return int(now() * 1000)


def utcnow() -> dt.datetime:
    return dt.datetime.fromtimestamp(now(), dt.UTC)


# -- the clock -------------------------------------------------------------------------------


class Store(Protocol):
    # what load and save raise when the store is out of reach (the engine's BackendUnavailable)
    unavailable: type[Exception]

    async def load(self) -> ClockState | None: ...
    async def save(self, state: ClockState, expected_version: int) -> bool: ...


class Clock:
    """One per server. Changes go to the store first; reads are local (refreshed per request
    when the store is shared and the local copy is older than `ttl` seconds)."""

    def __init__(self, store: Store | None = None, ttl: float = SHARED_TTL_S) -> None:
        self.store = store
        self.ttl = ttl
        self.state = ClockState()
        self._read_at = -1e18  # monotonic time of the last store read

    def now(self) -> float:
        return _now(self.state)

    def bind(self) -> Any:
        """Make this the clock of the current context (a request): returns the reset token."""
        return _current.set(self)

    @staticmethod
    def unbind(token: Any) -> None:
        _current.reset(token)

    async def refresh(self, force: bool = False) -> None:
        if self.store is None or (not force and time.monotonic() - self._read_at < self.ttl):
            return
        self._read_at = time.monotonic()  # first: concurrent requests do not all read it
        try:
            loaded = await self.store.load()
        except self.store.unavailable:
            if force:
                raise
            return  # the request meets the outage in its dialect, with the vendor's error
        self.state = loaded if loaded is not None else ClockState()

    async def _change(self, compute: Callable[[ClockState], ClockState]) -> ClockView:
        for _ in range(20):  # another process changed it meanwhile: recompute on its state
            await self.refresh(force=True)
            new = compute(self.state)
            new.version = self.state.version + 1
            if self.store is None or await self.store.save(new, self.state.version):
                self.state = new
                return self.view()
        assert self.store is not None  # a local clock saves at once
        raise self.store.unavailable("the shared clock kept changing under us")

    async def freeze(self, at: float | dt.datetime | None = None) -> ClockView:
        """Stop time at `at` (Unix seconds or an aware datetime), or at the clock's now."""
        instant = at.timestamp() if isinstance(at, dt.datetime) else at
        return await self._change(
            lambda s: ClockState(frozen_at=float(instant) if instant is not None else _now(s))
        )

    async def advance(self, by: float | dt.timedelta) -> ClockView:
        """Move the clock forward (frozen or running) by seconds or a timedelta."""
        step = by.total_seconds() if isinstance(by, dt.timedelta) else float(by)
        if not step >= 0:
            raise ValueError("the clock only moves forward: seconds >= 0")

        def forward(s: ClockState) -> ClockState:
            if s.frozen_at is not None:
                return ClockState(frozen_at=s.frozen_at + step)
            return ClockState(offset=s.offset + step)

        return await self._change(forward)

    async def resume(self) -> ClockView:
        """Back to real time."""
        return await self._change(lambda s: ClockState())

    def view(self) -> ClockView:
        moment = self.now()
        text = dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="milliseconds")
        return ClockView(
            frozen=self.state.frozen_at is not None,
            now=text.replace("+00:00", "Z"),
            epoch_ms=int(moment * 1000),
            offset_s=self.state.offset,
        )


def _now(s: ClockState) -> float:
    return s.frozen_at if s.frozen_at is not None else time.time() + s.offset
