"""The control plane under /_doppelgate/ and its Python twin (Control, on app.state.control):
reset, seed, snapshot export/import, the request journal and fault injection.

Each dialect mount runs   JournalLayer -> ErrorBoundary -> FaultLayer -> the dialect's routes:
the fault layer names the operation (from the path) and may answer in the vendor's own error
vocabulary (Dialect fault hook) before the routes run; the journal layer records every request
with the id, operation and tenant the inner layers left in scope["state"].
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import msgspec
import yaml
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import clock_for
from .config import Settings
from .controlextra import extra_routes
from .dialect import Dialect, FaultResponse, fault_hook
from .engine import Engine
from .ids import IdSource, within
from .metrics import Metrics
from .testing.capture import Body, Exchange, redact_headers, redact_text
from .testing.faults import Fault, Faults, FaultSpec
from .testing.journal import Entry, Journal
from .testing.seed import (
    SEED_MARK,
    SeedError,
    SeedFile,
    SeedReport,
    load_yaml,
    parse_seed,
    run_seed,
)
from .testing.snapshot import Snapshot, export_snapshot, import_snapshot, parse_snapshot

OperationOf = Callable[[str, str], str]
logger = logging.getLogger("doppelgate")


def _scope_name(dialect: str | None, tenant: str | None) -> str:
    return "all dialects" if dialect is None else dialect + (f" tenant {tenant}" if tenant else "")


# -- operation names -------------------------------------------------------------------------

_SPID_OBJECT = re.compile(r"^/api/2/user/[^/]+/dataobject(?:/[^/]*)?$")
_SPID_OBJECTS = re.compile(r"^/api/2/user/[^/]+/dataobjects$")


def _gigya(method: str, path: str) -> str | None:
    return path.rstrip("/").rpartition("/")[2] or None  # the method: any path ending ds.<m>


def _spid(method: str, path: str) -> str | None:
    path = path.removesuffix(".json").rstrip("/") if path != "/" else path
    if _SPID_OBJECT.match(path):
        return f"{method} /api/2/user/{{id}}/dataobject/{{key}}"
    if _SPID_OBJECTS.match(path):
        return f"{method} /api/2/user/{{id}}/dataobjects"
    return f"{method} {path}" if path == "/api/2/dataobjects" else None


# dialects whose routes are one catch-all: the operation comes from the path itself. Others use
# their route templates; a dialect can supply its own (Dialect.operation_of).
PATH_RULES: dict[str, Callable[[str, str], str | None]] = {"gigya": _gigya, "spid": _spid}


def route_template(routes: Sequence[BaseRoute], method: str, path: str) -> str | None:
    """The path template of the route serving (method, path), through nested Mounts."""
    scope: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return _template(routes, scope)


def _template(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.FULL:
            continue
        if isinstance(route, Mount):
            rest = _template(route.routes, {**scope, **child})
            return None if rest is None else route.path + rest
        template = getattr(route, "path", None)
        return None if template is None or ":path}" in template else template
    return None


def route_operations(routes: Sequence[BaseRoute], prefix: str = "") -> list[str]:
    """ "<METHOD> <template>" for every route with methods, through nested Mounts."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            found += route_operations(route.routes, prefix + route.path)
            continue
        template, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if template is None or not methods or ":path}" in template:
            continue
        found += [f"{m} {prefix}{template}" for m in sorted(methods) if m != "HEAD"]
    return found


def operation_namer(dialect: Dialect, routes: Sequence[BaseRoute]) -> OperationOf:
    rule = dialect.operation_of or PATH_RULES.get(dialect.name)

    @functools.lru_cache(maxsize=4096)
    def name(method: str, path: str) -> str:
        found = rule(method, path) if rule is not None else None
        if found is None:
            template = route_template(routes, method, path)
            found = f"{method} {template if template is not None else path}"
        return found

    return name


# -- the per-dialect layers ------------------------------------------------------------------


class FaultLayer:
    """Inside the error boundary: names the operation, then applies a matching fault (latency,
    then the vendor's error envelope, or the real operation late)."""

    def __init__(self, app: ASGIApp, dialect: Dialect, faults: Faults, namer: OperationOf) -> None:
        self.app = app
        self.dialect = dialect
        self.faults = faults
        self.namer = namer
        self.respond: FaultResponse = fault_hook(dialect)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        within(self.dialect.name, state)  # ids drawn from here on: the dialect's (and tenant's)
        operation = self.namer(scope["method"], _vendor_path(scope))
        state["operation"] = operation
        seeding = state.get(SEED_MARK, False)  # seed calls neither fire nor draw
        fault = (
            self.faults.pick(self.dialect.name, operation) if self.faults and not seeding else None
        )
        if fault is None:
            await self.app(scope, receive, send)
            return
        state["fault"] = fault.id
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
        if scope["type"] != "http" or scope.get("state", {}).get(SEED_MARK):
            await self.app(scope, receive, send)
            return
        outer: dict[str, Any] | None = scope.get("state")
        state: dict[str, Any] = dict(outer or {})
        scope = {**scope, "state": state}  # shared with the layers inside (request id, ...)
        status = 0
        started = time.time()
        clock = time.perf_counter()
        sent, received = Body(), Body()  # bounded copies of both bodies (testing/capture.py)
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
            self.journal.record(
                Entry(
                    seq=self.journal.next_seq(),
                    started=started,
                    duration_ms=round((time.perf_counter() - clock) * 1000, 3),
                    dialect=self.dialect.name,
                    operation=state.get("operation") or scope["method"],
                    tenant=state.get("tenant"),
                    method=scope["method"],
                    path=_vendor_path(scope),
                    host=_host(scope),
                    status=status,
                    request_id=state.get("request_id", ""),
                    fault=state.get("fault"),
                ),
                exchange,
            )
            operation = state.get("operation") or scope["method"]
            took = time.perf_counter() - clock
            self.metrics.observe(
                self.dialect.name, operation, status, took, bool(state.get("fault"))
            )
            if outer is not None:  # what the access log (outside the dialect) reports
                state["dialect"] = self.dialect.name
                outer.update({k: state[k] for k in ACCESS_FIELDS if state.get(k)})


ACCESS_FIELDS = ("dialect", "operation", "tenant", "fault")


def _vendor_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _host(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"host":
            return str(value.decode("latin-1"))
    return ""


# -- the control object ----------------------------------------------------------------------


class Control:
    """The emulator's own operations, shared by the HTTP control plane and Python callers."""

    def __init__(self, engine: Engine, dialects: Sequence[Dialect], settings: Settings) -> None:
        self.engine = engine
        self.dialects = {d.name: d for d in dialects}
        self.journal = Journal(settings.journal_size)
        self.faults = Faults()
        self.operations: dict[str, tuple[str, ...]] = {}  # per dialect: what faults may target
        self.metrics = Metrics(self.operations)
        self.app: ASGIApp | None = None  # the gateway, for seed calls (set by create_app)
        self.clock = clock_for(engine)  # what every dialect's time reads (clock.py)
        self.ids = IdSource(settings.id_seed)  # what generated ids come from (ids.py)

    def wrap(self, dialect: Dialect, routes: Sequence[BaseRoute], inner: ASGIApp) -> ASGIApp:
        """The fault layer around a dialect's router (inside its error boundary)."""
        self.operations[dialect.name] = (*dialect.operations, *route_operations(routes))
        return FaultLayer(inner, dialect, self.faults, operation_namer(dialect, routes))

    def journaled(self, dialect: Dialect, boundary: ASGIApp) -> ASGIApp:
        return JournalLayer(boundary, dialect, self.journal, self.metrics)

    async def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        """Drop the data of every dialect, one dialect, or one dialect's tenant."""
        if tenant is not None and dialect is None:
            raise ValueError("a tenant belongs to a dialect: give the dialect too")
        self._check_dialect(dialect)
        dropped = await self.engine.reset(dialect, tenant)
        logger.info("reset %s: %d collections dropped", _scope_name(dialect, tenant), dropped)
        return dropped

    async def seed(self, source: Any) -> SeedReport:
        if self.app is None:
            raise RuntimeError("the control plane is not attached to an app")
        prefixes = {name: d.prefix for name, d in self.dialects.items()}
        report = await run_seed(parse_seed(source), self.app, self.engine, prefixes)
        logger.info("seed: %d calls, %d documents", report.calls, report.documents)
        return report

    async def snapshot(self) -> Snapshot:
        snapshot = await export_snapshot(self.engine)
        logger.info("snapshot exported: %d collections", len(snapshot.collections))
        return snapshot

    async def restore(self, snapshot: Any) -> tuple[int, int]:
        """Replace all data with a snapshot's: (collections, documents)."""
        collections, documents = await import_snapshot(self.engine, parse_snapshot(snapshot))
        logger.info("snapshot imported: %d collections, %d documents", collections, documents)
        return collections, documents

    def add_fault(self, spec: FaultSpec | dict[str, Any]) -> Fault:
        spec = spec if isinstance(spec, FaultSpec) else msgspec.convert(spec, FaultSpec)
        self._check_dialect(spec.dialect)
        if spec.error is not None:  # reject a code the vendor's catalogue lacks, now
            dialect = self.dialects[spec.dialect]
            try:
                fault_hook(dialect)(_probe_request(dialect), spec.error)
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{spec.dialect} has no error {spec.error!r}: {exc}") from None
        self._check_operation(spec.dialect, spec.operation)
        fault = self.faults.add(spec)
        logger.info("fault %s added: %s", fault.id, msgspec.json.encode(spec).decode())
        return fault

    def _check_operation(self, dialect: str, operation: str | None) -> None:
        """A fault for an operation the dialect does not have could never fire: refused."""
        known = self.operations.get(dialect, ())
        if operation in (None, "*") or not known:
            return
        if operation.lower() not in {k.lower() for k in known}:
            listed = ", ".join(known)
            raise ValueError(f"{dialect} has no operation {operation!r} (known: {listed}, or *)")

    def _check_dialect(self, name: str | None) -> None:
        if name is not None and name not in self.dialects:
            raise ValueError(f"unknown dialect {name!r} (known: {', '.join(self.dialects)})")

    def routes(self, prefix: str) -> list[BaseRoute]:
        return control_routes(self, prefix)


def _probe_request(dialect: Dialect) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": dialect.prefix + "/",
            "root_path": dialect.prefix,
            "query_string": b"",
            "headers": [],
            "state": {"request_id": "0" * 32},
        }
    )


# -- HTTP ------------------------------------------------------------------------------------


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(msgspec.json.encode(body), status_code, media_type="application/json")


def _problem(message: str, status_code: int = 400) -> Response:
    return _json({"error": message}, status_code)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    if "yaml" in request.headers.get("content-type", ""):
        return load_yaml(raw)
    return msgspec.json.decode(raw)


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    dialect: str | None = None
    tenant: str | None = None


def control_routes(control: Control, prefix: str) -> list[BaseRoute]:
    async def reset(request: Request) -> Response:
        try:
            body = await _body(request) or dict(request.query_params)
            what = msgspec.convert(body, ResetRequest)
            dropped = await control.reset(what.dialect, what.tenant)
        except (ValueError, msgspec.MsgspecError) as exc:
            return _problem(str(exc))
        return _json({"dropped": dropped})

    async def seed(request: Request) -> Response:
        try:
            body = await _body(request)
            report = await control.seed(body if body is not None else SeedFile())
        except (SeedError, ValueError, yaml.YAMLError, msgspec.MsgspecError) as exc:
            return _problem(str(exc))
        return _json(report)

    async def snapshot(request: Request) -> Response:
        if request.method == "GET":
            return _json(await control.snapshot())
        try:
            collections, documents = await control.restore(await request.body())
        except ValueError as exc:
            return _problem(str(exc))
        return _json({"collections": collections, "documents": documents})

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            control.journal.clear()
            return _json({"cleared": True})
        q = request.query_params
        try:
            status = int(q["status"]) if q.get("status") else None
            limit = int(q["limit"]) if q.get("limit") else None
            after = int(q["after"]) if q.get("after") else None
        except ValueError:
            return _problem("status, limit and after are integers")
        entries = control.journal.query(
            q.get("dialect"), q.get("operation"), q.get("tenant"), status, limit, after
        )
        return _json({"capacity": control.journal.capacity, "entries": entries})

    async def journal_entry(request: Request) -> Response:
        seq = request.path_params["seq"]
        found = control.journal.get(seq)
        if found is None:
            return _problem("no such entry (the journal keeps the newest ones)", 404)
        entry, exchange = found
        return _json({"entry": entry, "exchange": exchange})

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return _json({"faults": control.faults.states()})
        if request.method == "DELETE":
            return _json({"removed": control.faults.clear(request.query_params.get("dialect"))})
        try:
            fault = control.add_fault(msgspec.convert(await _body(request), FaultSpec))
        except msgspec.ValidationError as exc:
            known = ", ".join(FaultSpec.__struct_fields__)
            return _problem(f"{exc} (a fault's fields: {known})")
        except (ValueError, msgspec.MsgspecError) as exc:
            return _problem(str(exc))
        return _json(fault.state(), 201)

    async def one_fault(request: Request) -> Response:
        if control.faults.remove(request.path_params["fault_id"]):
            return _json({"removed": 1})
        return _problem("no such fault", 404)

    return [
        Route(f"{prefix}/reset", reset, methods=["POST"]),
        Route(f"{prefix}/seed", seed, methods=["POST"]),
        Route(f"{prefix}/snapshot", snapshot, methods=["GET", "PUT", "POST"]),
        Route(f"{prefix}/journal", journal, methods=["GET", "DELETE"]),
        Route(f"{prefix}/journal/{{seq:int}}", journal_entry, methods=["GET"]),
        Route(f"{prefix}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{prefix}/faults/{{fault_id}}", one_fault, methods=["DELETE"]),
        *extra_routes(control, prefix),
    ]
