"""One dialect's request path below its Mount, in one ASGI layer (assembled in
gateway.dialect_app): the journal, the error boundary, the faults, the body limit and the
dialect's exception handlers around its routes. One layer, not six: each wrapped send, receive
and Request cost every request (issue 16.5)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import ids
from ..dialect import Dialect, ExceptionHandler, fault_hook, vendor_path
from ..engine import BackendUnavailable
from ..hosts import host_header
from ..limits import BodyCounter, TooLarge, declared_length
from ..metrics import Metrics
from ..state import RequestState, request_state
from .capture import Body, Capture
from .faults import Faults
from .http import json_response
from .journal import Entry, Journal

logger = logging.getLogger("doppelgate")


def log_failure(dialect: Dialect, scope: Scope, rid: str, exc: Exception) -> None:
    """The error boundary's log line for an exception, with the request id."""
    where = f"{dialect.name} {scope['method']} {scope['path']}"
    if isinstance(exc, BackendUnavailable):
        logger.error("request %s (%s): backend unavailable: %s", rid, where, exc)
    else:
        logger.exception("request %s (%s): internal error", rid, where, exc_info=exc)


def internal_answer(dialect: Dialect, scope: Scope, rid: str) -> Response:
    """The dialect's internal-error envelope (plain JSON when its builder fails too)."""
    try:
        return dialect.internal_error(Request(scope), rid)
    except Exception:
        logger.exception("request %s: the %s error builder failed", rid, dialect.name)
        return json_response({"error": "internal error", "request_id": rid}, 500)


class DialectPath:
    """Outermost first, as separate layers did before: the journal records the request once its
    response has been sent; the error boundary names the request id and turns any exception into
    the dialect's internal-error envelope; the fault layer names the operation and applies a
    matching fault; the body limit answers a declared or streamed body over `limit` with
    `too_large`; the dialect's exception handlers (starlette's semantics) give its envelopes."""

    def __init__(
        self,
        router: ASGIApp,
        dialect: Dialect,
        *,
        handlers: Mapping[Any, ExceptionHandler],
        journal: Journal,
        metrics: Metrics,
        faults: Faults,
        namer: Callable[[str, str], str],
        limit: int,
        too_large: TooLarge,
    ) -> None:
        self.router = router
        self.dialect = dialect
        self.name = dialect.name
        self.journal = journal
        self.metrics = metrics
        self.faults = faults
        self.namer = namer
        self.limit = limit
        self.too_large = too_large
        self.respond_fault = fault_hook(dialect)
        self.other = ExceptionMiddleware(router, handlers=handlers)  # websockets
        # what starlette's routes read to answer their endpoints' exceptions
        self.handlers = (
            {HTTPException: self.other.http_exception}
            | {k: v for k, v in handlers.items() if not isinstance(k, int)},
            {k: v for k, v in handlers.items() if isinstance(k, int)},
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.other(scope, receive, send)
            return
        state = request_state(scope)  # shared with the access log outside
        journaled = not state.seeding  # seed calls are neither journaled nor faulted
        path = vendor_path(scope)  # now: routers inside may move root_path on (Mounts)
        started_at = time.time()
        clock = time.perf_counter()
        # the access log's id (the client's X-Request-Id, or a fresh one) when there is one
        rid = state.request_id = state.request_id or ids.uuid_hex()
        if journaled:
            state.dialect = self.name
        limit = self.limit
        sent, received = Body(), Body()  # bounded copies of both bodies (control/capture.py)
        status = 0
        response_headers: Any = ()
        counter = BodyCounter(limit)
        started = ours = False  # ours: the body-limit answer, past the guard

        async def path_receive() -> Message:
            counter.refuse_if_over()
            message = await receive()
            if message["type"] == "http.request":
                received.add(message.get("body", b""))
            counter.count(message)
            return message

        async def path_send(message: Message) -> None:
            nonlocal status, response_headers, started
            if counter.exceeded and not started and not ours:
                return  # the app's own answer to the cut-off body: ours goes out instead
            kind = message["type"]
            if kind == "http.response.start":
                started = True
                status = message["status"]
                response_headers = message.get("headers", ())
            elif kind == "http.response.body":
                sent.add(message.get("body", b""))
            await send(message)

        try:
            try:  # the error boundary
                ids.within(self.name, state)  # ids drawn from here on: the dialect's (and tenant's)
                operation = state.operation = self.namer(scope["method"], path)
                fault = (
                    self.faults.pick(self.name, operation) if self.faults and journaled else None
                )
                if fault is not None:
                    state.fault = fault.id
                    if fault.spec.latency_ms:
                        await anyio.sleep(fault.spec.latency_ms / 1000)
                    if fault.spec.error is not None:
                        answer = self.respond_fault(Request(scope, path_receive), fault.spec.error)
                        await answer(scope, path_receive, path_send)
                        return
                declared = declared_length(scope)
                if declared is not None and declared > limit:
                    await self.too_large(Request(scope), limit)(scope, path_receive, path_send)
                    return
                scope["starlette.exception_handlers"] = self.handlers
                try:
                    try:
                        await self.router(scope, path_receive, path_send)
                    except Exception as exc:
                        await self._handled(exc, scope, path_receive, path_send, started)
                except ClientDisconnect:
                    return  # the client left (or its stalled body was cut off): no one to answer
                except Exception:
                    if not counter.exceeded:  # a real failure: the boundary answers it
                        raise
                if counter.exceeded and not started:
                    ours = True
                    await self.too_large(Request(scope), limit)(scope, path_receive, path_send)
            except Exception as exc:
                log_failure(self.dialect, scope, rid, exc)
                if not started:  # once the response has begun, the connection can only be cut
                    await internal_answer(self.dialect, scope, rid)(scope, path_receive, path_send)
        finally:
            if journaled:  # raw: redacted when the journal is read (capture.py)
                capture = Capture(
                    scope.get("query_string", b""),
                    scope.get("headers", ()),
                    received,
                    response_headers,
                    sent,
                )
                self._record(scope, state, path, started_at, clock, status, capture)

    def _record(
        self,
        scope: Scope,
        state: RequestState,
        path: str,
        started_at: float,
        clock: float,
        status: int,
        capture: Capture,
    ) -> None:
        operation = state.operation or scope["method"]
        took = time.perf_counter() - clock
        self.journal.record(
            Entry(
                seq=self.journal.next_seq(),
                started=started_at,
                duration_ms=round(took * 1000, 3),
                dialect=self.name,
                operation=operation,
                tenant=state.tenant,
                method=scope["method"],
                path=path,
                host=host_header(scope),
                status=status,
                request_id=state.request_id,
                fault=state.fault,
            ),
            capture,
        )
        self.metrics.observe(self.name, operation, status, took, bool(state.fault))

    async def _handled(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send, started: bool
    ) -> None:
        """starlette's ExceptionMiddleware, on the failure path only: the dialect's handler for
        the exception (by status for HTTPException, else by class), or the exception again."""
        exceptions, statuses = self.handlers
        handler = statuses.get(exc.status_code) if isinstance(exc, HTTPException) else None
        if handler is None:
            handler = next((exceptions[c] for c in type(exc).__mro__ if c in exceptions), None)
        if handler is None:
            raise exc
        if started:
            raise RuntimeError("Caught handled exception, but response already started.") from exc
        request = Request(scope, receive, send)
        if is_async_callable(handler):
            response = await handler(request, exc)
        else:
            response = await run_in_threadpool(handler, request, exc)
        if response is not None:
            await response(scope, receive, send)
        exc.__traceback__ = None
