"""Connection hygiene for uvicorn's HTTP/1.1 protocol: a request's headers must arrive within
`header_timeout`, its body must not stall for `body_timeout`, and at most `max_connections` are
open at once, so idle, slowloris and stalled-body clients cannot use up the file descriptors.

Wiring (cli.py): uvicorn.Config(http=GuardedH11Protocol, timeout_keep_alive=...) and
`config.doppelgate_limits = connection_limits(settings)`. Another uvicorn protocol class gets the
same by putting `ReadTimeouts` first among its bases.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import Settings

logger = logging.getLogger("doppelgate")

RESERVED_FDS = 64  # listening sockets, logs, the data file, imports: not for clients


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout: float = 10.0  # seconds from a request's first byte (or the connection)
    body_timeout: float = 30.0  # seconds without a body byte while the app waits for one
    max_connections: int = 1000


def connection_limits(settings: Settings) -> ConnectionLimits:
    """The settings' limits, max_connections within the process's descriptor limit: asyncio
    accepts up to the listen backlog (set to the cap) at once before any can be closed, so the
    open connections plus one such burst must fit, or accept() fails with EMFILE for a second."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    reserved = RESERVED_FDS + (settings.mongo_pool_size if settings.backend == "mongodb" else 0)
    cap = settings.max_connections
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, max(16, (soft - reserved) // 2))
    return ConnectionLimits(settings.header_timeout, settings.body_timeout, cap)


class ReadTimeouts:
    """Mixin for a uvicorn HTTP protocol (self.config, transport, cycle, connections, loop)."""

    config: Any
    transport: asyncio.Transport
    cycle: Any
    connections: set[Any]
    loop: asyncio.AbstractEventLoop
    flow: Any

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._limits: ConnectionLimits = (
            getattr(self.config, "doppelgate_limits", None) or ConnectionLimits()
        )
        self._timer: asyncio.TimerHandle | None = None
        self.idle_since: float | None = self.loop.time()
        self._arm(self._limits.header_timeout, self._headers_late)
        if len(self.connections) > self._limits.max_connections:
            self._make_room()

    def data_received(self, data: bytes) -> None:
        if self._between_requests():
            self.idle_since = None
            if self._timer is None:  # the first byte after keep-alive: the headers' clock starts
                self._arm(self._limits.header_timeout, self._headers_late)
        super().data_received(data)  # type: ignore[misc]
        if self._between_requests():
            return  # headers still coming: their clock keeps running
        if self.cycle.more_body and not self.cycle.disconnected:
            self._arm(self._limits.body_timeout, self._body_stalled)
        else:
            self._disarm()  # the app has the whole request; its own time is not limited here

    def on_response_complete(self) -> None:
        self._disarm()
        self.idle_since = self.loop.time()
        super().on_response_complete()  # type: ignore[misc]  # arms uvicorn's keep-alive timer

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    # -- internals ---------------------------------------------------------------------------

    def _between_requests(self) -> bool:
        return self.cycle is None or bool(self.cycle.response_complete)

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_late(self) -> None:
        self._timer = None
        logger.debug("closing a connection whose request headers did not arrive in time")
        self.transport.close()

    def _body_stalled(self) -> None:
        self._timer = None
        cycle = self.cycle
        if cycle is None or not cycle.more_body or cycle.response_complete:
            return
        if cycle.body or self.flow.read_paused:  # the app is behind, not the client
            self._arm(self._limits.body_timeout, self._body_stalled)
            return
        logger.debug("closing a connection whose request body stalled")
        self.transport.close()  # the app's receive() gets http.disconnect

    def _make_room(self) -> None:
        """Over the cap: close the connection idle the longest, else refuse this one (503)."""
        idle = [
            c
            for c in self.connections
            if c is not self and getattr(c, "idle_since", None) is not None
        ]
        if idle:
            min(idle, key=lambda c: c.idle_since).transport.close()
            return
        self.transport.write(
            b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
        )
        self.transport.close()


class GuardedH11Protocol(ReadTimeouts, H11Protocol):
    """uvicorn's h11 protocol with doppelgate's read timeouts and connection cap."""


def guard_connections(config: Any, settings: Settings) -> Any:
    """A uvicorn.Config with doppelgate's read timeouts, connection cap and keep-alive timeout.
    A protocol class already given (http=...) is kept: base it on ReadTimeouts to keep these."""
    limits = connection_limits(settings)
    config.timeout_keep_alive = settings.keep_alive_timeout
    config.backlog = min(config.backlog, limits.max_connections)
    config.doppelgate_limits = limits
    if isinstance(config.http, str):  # "auto" or "h11": h11, as without httptools
        config.http = GuardedH11Protocol
    elif isinstance(config.http, type) and not issubclass(config.http, ReadTimeouts):
        logger.warning("%s has no read timeouts (base it on ReadTimeouts)", config.http.__name__)
    return config
