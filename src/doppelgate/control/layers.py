"""The control plane's two layers on each dialect's request path (assembled in gateway.dialect_app):
the journal outside the error boundary, the faults inside it."""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..dialect import Dialect, FaultResponse, fault_hook, vendor_path
from ..hosts import host_header
from ..ids import within
from ..metrics import Metrics
from ..state import request_state
from .capture import Body, Exchange, redact_headers, redact_text
from .faults import Faults
from .journal import Entry, Journal


class FaultLayer:
    """Inside the error boundary: names the operation, then applies a matching fault (latency,
    then the vendor's error envelope, or the real operation late)."""

    def __init__(
        self, app: ASGIApp, dialect: Dialect, faults: Faults, namer: Callable[[str, str], str]
    ) -> None:
        self.app = app
        self.dialect = dialect
        self.faults = faults
        self.namer = namer
        self.respond: FaultResponse = fault_hook(dialect)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = request_state(scope)
        within(self.dialect.name, state)  # ids drawn from here on: the dialect's (and tenant's)
        operation = self.namer(scope["method"], vendor_path(scope))
        state.operation = operation
        seeding = state.seeding  # seed calls neither fire nor draw
        fault = (
            self.faults.pick(self.dialect.name, operation) if self.faults and not seeding else None
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        state.fault = fault.id
        if fault.spec.latency_ms:
            await anyio.sleep(fault.spec.latency_ms / 1000)
        if fault.spec.error is None:
            await self.app(scope, receive, send)
            return
        response = self.respond(Request(scope, receive), fault.spec.error)
        await response(scope, receive, send)


class JournalLayer:
    """Outside the error boundary: records each request once its response has been sent."""

    def __init__(self, app: ASGIApp, dialect: Dialect, journal: Journal, metrics: Metrics) -> None:
        self.app = app
        self.dialect = dialect
        self.journal = journal
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = request_state(scope)  # shared with the layers inside and the access log outside
        if state.seeding:
            await self.app(scope, receive, send)
            return
        state.dialect = self.dialect.name
        path = vendor_path(scope)  # now: routers inside may move root_path on (Mounts)
        status = 0
        started = time.time()
        clock = time.perf_counter()
        sent, received = Body(), Body()  # bounded copies of both bodies (control/capture.py)
        response_headers: list[tuple[bytes, bytes]] = []

        async def tracking_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                received.add(message.get("body", b""))
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal status, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                sent.add(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, tracking_receive, tracking_send)
        finally:
            exchange = Exchange(
                query=redact_text(scope.get("query_string", b"").decode("latin-1")),
                request_headers=redact_headers(scope.get("headers", [])),
                request_body=received.text(),
                request_truncated=received.truncated,
                response_headers=redact_headers(response_headers),
                response_body=sent.text(),
                response_truncated=sent.truncated,
            )
            operation = state.operation or scope["method"]
            self.journal.record(
                Entry(
                    seq=self.journal.next_seq(),
                    started=started,
                    duration_ms=round((time.perf_counter() - clock) * 1000, 3),
                    dialect=self.dialect.name,
                    operation=operation,
                    tenant=state.tenant,
                    method=scope["method"],
                    path=path,
                    host=host_header(scope),
                    status=status,
                    request_id=state.request_id,
                    fault=state.fault,
                ),
                exchange,
            )
            took = time.perf_counter() - clock
            self.metrics.observe(self.dialect.name, operation, status, took, bool(state.fault))
