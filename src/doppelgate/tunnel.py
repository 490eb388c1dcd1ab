"""The serving port as an HTTPS proxy for the vendor hosts: CONNECT opens TLS terminated here.

A client configured with `HTTPS_PROXY=http://127.0.0.1:8080` sends `CONNECT ds.us1.gigya.com:443`.
For a vendor host, doppelgate answers 200 and becomes that host: TLS with a certificate for it
issued by the local CA (certs.py), then plain HTTP/1.1 served by uvicorn's h11 protocol (with
connections.py's read timeouts and cap), where the Host header routes the request to the
dialect. Any other host is refused with 403: nothing is forwarded. Every connection that does
not start with CONNECT is uvicorn's from its first byte.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import TYPE_CHECKING, Any

from .config import Settings
from .connections import GuardedH11Protocol
from .forward import refusal
from .hosts import HostTable, split_authority

if TYPE_CHECKING:
    from .certs import LocalCA

logger = logging.getLogger("doppelgate")

CONNECT = b"CONNECT "
ESTABLISHED = b"HTTP/1.1 200 Connection Established\r\n\r\n"
HEAD_LIMIT = 16 * 1024  # bytes of a CONNECT request head before it is refused
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


class TunnelingH11Protocol(GuardedH11Protocol):
    """uvicorn's h11 protocol (with read timeouts and the connection cap) that first looks for
    CONNECT: a tunnel to a vendor host is served here over TLS, any other CONNECT is refused.
    Until the tunnel's TLS is up, the connection counts as one waiting for its headers, so the
    header timeout bounds the CONNECT head and the handshake alike."""

    def __init__(self, *args: Any, proxy: ProxyContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proxy = proxy
        self.sniffing = True  # until the first bytes say whether this is a CONNECT
        self.head = bytearray()
        self.tunnelling = False  # TLS under way: decrypted bytes wait for the inner protocol

    def data_received(self, data: bytes) -> None:
        if self.tunnelling:
            self.head += data
            return
        if not self.sniffing:
            super().data_received(data)
            return
        self.head += data
        if self.head[: len(CONNECT)] != CONNECT[: len(self.head)]:
            self.sniffing = False  # not CONNECT: h11's from the first byte
            pending, self.head = bytes(self.head), bytearray()
            super().data_received(pending)
            return
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            if len(self.head) > HEAD_LIMIT:
                self._reply(431, b'{"error":"request head too large"}')
            return
        head, early = bytes(self.head[:end]), bytes(self.head[end + 4 :])
        self.head = bytearray()
        self._connect(head, early)

    def _connect(self, head: bytes, early: bytes) -> None:
        parts = head.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            self._reply(400, b'{"error":"malformed CONNECT request"}')
            return
        host, port = split_authority(parts[1].decode("latin-1"))
        if not self.proxy.table.is_vendor(host):
            logger.info("proxy: refused CONNECT to %s (not a vendor host)", host)
            self._reply(*refusal(host, self.proxy.table))
            return
        if early:  # a client must wait for the 200 before it speaks TLS
            self._reply(400, b'{"error":"data sent before the tunnel was open"}')
            return
        if port in PLAIN_PORTS:  # plain HTTP inside the tunnel: h11 from here on
            self.transport.write(ESTABLISHED)
            self.sniffing = False
            return
        # the ClientHello must stay in the socket until start_tls reads it
        self.transport.pause_reading()
        self.tunnelling = True
        task = self.loop.create_task(self._start_tls(host))
        task.add_done_callback(_log_failure)

    async def _start_tls(self, host: str) -> None:
        raw = self.transport
        try:  # issuing a certificate takes milliseconds: off the event loop
            context: ssl.SSLContext = await self.loop.run_in_executor(
                None, self.proxy.ca.context_for, host
            )
        except (OSError, ValueError) as exc:
            logger.error("proxy: no certificate for %s: %s", host, exc)
            self._reply(502, b'{"error":"doppelgate cannot issue a certificate"}')
            return
        try:
            raw.write(ESTABLISHED)
            tls = await self.loop.start_tls(
                raw, self, context, server_side=True, ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S
            )
        except (OSError, ssl.SSLError, ConnectionError, TimeoutError) as exc:
            logger.info("proxy: TLS for %s failed: %s", host, exc)
            self._retire()
            raw.close()
            return
        self._retire()
        if tls is None or tls.is_closing():
            return
        assert isinstance(tls, asyncio.Transport)
        inner = GuardedH11Protocol(
            config=self.config,
            server_state=self.server_state,
            app_state=self.app_state,
            _loop=self.loop,
        )
        tls.set_protocol(inner)
        inner.connection_made(tls)
        pending, self.head = bytes(self.head), bytearray()
        if pending:
            inner.data_received(pending)

    def _retire(self) -> None:
        """This protocol object leaves the connection (the TLS one takes over, or it closed)."""
        self._disarm()
        self.connections.discard(self)

    def _reply(self, status: int, body: bytes) -> None:
        """An answer of the proxy's own (never the app's), then the connection closes."""
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
        self.transport.write(head + body)
        self.transport.close()


def _log_failure(task: asyncio.Task[None]) -> None:
    with contextlib.suppress(asyncio.CancelledError):
        exc = task.exception()
        if exc is not None:
            logger.error("proxy: tunnel failed", exc_info=exc)


class EntryProtocolFactory:
    """A picklable `uvicorn.Config(http=...)` value: TunnelingH11Protocol bound to a context."""

    def __init__(self, proxy: ProxyContext) -> None:
        self.proxy = proxy

    def __call__(self, **kwargs: Any) -> TunnelingH11Protocol:
        return TunnelingH11Protocol(**kwargs, proxy=self.proxy)
