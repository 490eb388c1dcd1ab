"""The serving port as an HTTPS proxy for the vendor hosts: CONNECT opens TLS terminated here.

A client configured with `HTTPS_PROXY=http://127.0.0.1:8080` sends `CONNECT ds.us1.gigya.com:443`.
For a vendor host, doppelgate answers 200 and becomes that host: TLS with a certificate for it
issued by the local CA (certs.py), then plain HTTP/1.1 served by uvicorn's h11 protocol, where the
Host header routes the request to the dialect. Any other host is refused with 403: nothing is
forwarded. Every connection that does not start with CONNECT is uvicorn's from its first byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from .config import Settings
from .forward import refusal
from .hosts import HostTable, split_authority

if TYPE_CHECKING:
    from .certs import LocalCA

logger = logging.getLogger("doppelgate")

CONNECT = b"CONNECT "
ESTABLISHED = b"HTTP/1.1 200 Connection Established\r\n\r\n"
HEAD_LIMIT = 16 * 1024  # bytes of a CONNECT request head before it is refused
HEAD_TIMEOUT_S = 10.0  # a connection that sends no complete request head in time is closed
HANDSHAKE_TIMEOUT_S = 10.0
PLAIN_PORTS = frozenset({80})  # CONNECT to these tunnels plain HTTP, not TLS


class ProxyContext:
    """What tunnels need, made on first use in each (worker) process: host table and CA."""

    def __init__(self, settings: Settings, table: HostTable | None = None) -> None:
        self.settings = settings
        self._table = table
        self._ca: LocalCA | None = None

    @property
    def table(self) -> HostTable:
        if self._table is None:
            from .dialect import load_dialects
            from .gateway import host_table

            self._table = host_table(load_dialects(), self.settings)
        return self._table

    @property
    def ca(self) -> LocalCA:
        if self._ca is None:  # cryptography loads with the first CONNECT, not at start-up
            from .certs import LocalCA

            self._ca = LocalCA(self.settings.ca_dir)
        return self._ca

    def __getstate__(self) -> dict[str, Any]:  # sent to worker processes: settings only
        return {"settings": self.settings}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["settings"])  # type: ignore[misc]


class EntryProtocol(asyncio.Protocol):
    """uvicorn's `http` protocol class: reads the first request line, then hands the connection
    to h11 (any request but CONNECT) or tunnels it (CONNECT to a vendor host)."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        proxy: ProxyContext,
    ) -> None:
        self.uvicorn = {"config": config, "server_state": server_state, "app_state": app_state}
        self.loop = _loop or asyncio.get_event_loop()
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.tunnelling = False
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.timer = self.loop.call_later(HEAD_TIMEOUT_S, self._abort)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.tunnelling:  # decrypted bytes that beat the hand-off: kept for h11
            return
        if self.buffer[: len(CONNECT)] != CONNECT[: len(self.buffer)]:
            self._hand_off(self.transport)  # not CONNECT: uvicorn's from the first byte
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > HEAD_LIMIT:
                self._reply(431, b'{"error":"request head too large"}', close=True)
            return
        head, rest = bytes(self.buffer[:end]), bytes(self.buffer[end + 4 :])
        self.buffer.clear()
        self._connect(head, rest)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()

    def _connect(self, head: bytes, early: bytes) -> None:
        parts = head.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            self._reply(400, b'{"error":"malformed CONNECT request"}', close=True)
            return
        host, port = split_authority(parts[1].decode("latin-1"))
        if not self.proxy.table.is_vendor(host):
            logger.info("proxy: refused CONNECT to %s (not a vendor host)", host)
            status, body = refusal(host, self.proxy.table)
            self._reply(status, body, close=True)
            return
        if early:  # a client must wait for the 200 before it speaks TLS
            self._reply(400, b'{"error":"data sent before the tunnel was open"}', close=True)
            return
        self._cancel_timer()
        self.tunnelling = True
        assert self.transport is not None
        if port in PLAIN_PORTS:
            self.transport.write(ESTABLISHED)
            self._hand_off(self.transport)
            return
        # the ClientHello must stay in the socket until start_tls reads it
        self.transport.pause_reading()
        task = self.loop.create_task(self._start_tls(host))
        task.add_done_callback(_log_failure)

    async def _start_tls(self, host: str) -> None:
        assert self.transport is not None
        try:  # issuing a certificate takes milliseconds: off the event loop
            context: ssl.SSLContext = await self.loop.run_in_executor(
                None, self.proxy.ca.context_for, host
            )
        except (OSError, ValueError) as exc:
            logger.error("proxy: no certificate for %s: %s", host, exc)
            self._reply(502, b'{"error":"doppelgate cannot issue a certificate"}', close=True)
            return
        try:
            self.transport.write(ESTABLISHED)
            tls = await self.loop.start_tls(
                self.transport,
                self,
                context,
                server_side=True,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S,
            )
        except (OSError, ssl.SSLError, ConnectionError, TimeoutError) as exc:
            logger.info("proxy: TLS for %s failed: %s", host, exc)
            self.transport.close()
            return
        if tls is None or tls.is_closing():
            return
        assert isinstance(tls, asyncio.Transport)
        self._hand_off(tls)

    def _hand_off(self, transport: asyncio.Transport | None) -> None:
        assert transport is not None
        self._cancel_timer()
        protocol = H11Protocol(**self.uvicorn, _loop=self.loop)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        pending, self.buffer = bytes(self.buffer), bytearray()
        if pending:
            protocol.data_received(pending)

    def _reply(self, status: int, body: bytes, *, close: bool) -> None:
        reason = {
            400: "Bad Request",
            403: "Forbidden",
            431: "Request Header Fields Too Large",
            502: "Bad Gateway",
        }
        head = (
            f"HTTP/1.1 {status} {reason.get(status, 'Error')}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        assert self.transport is not None
        self.transport.write(head + body)
        if close:
            self._cancel_timer()
            self.transport.close()

    def _abort(self) -> None:
        if self.transport is not None and not self.tunnelling:
            self.transport.close()

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def _log_failure(task: asyncio.Task[None]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        exc = task.exception()
        if exc is not None:
            logger.error("proxy: tunnel failed", exc_info=exc)


class EntryProtocolFactory:
    """A picklable `uvicorn.Config(http=...)` value: EntryProtocol bound to a ProxyContext."""

    def __init__(self, proxy: ProxyContext) -> None:
        self.proxy = proxy

    def __call__(self, **kwargs: Any) -> EntryProtocol:
        return EntryProtocol(**kwargs, proxy=self.proxy)
