"""The HTTP app: each dialect at its path prefix or vendor Host, behind an error boundary.

A vendor request's way through it, outermost first (create_app, then dialect_app):
Deterministic (clock, ids) -> AccessLog (request id) -> AbsoluteFormTargets -> VendorRouting
(host -> prefix, then straight to the dialect's Mount; other paths: the control-plane guards and
the router) -> the dialect's one layer (journal, error boundary, faults, body limit, its
exception handlers; control/layers.py) -> its routes. Every layer writes what it learns into
the request's one RequestState (state.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

import msgspec
from starlette._utils import get_route_path
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import __version__
from .accesslog import AccessLog
from .config import SETTINGS_JSON_ENV, ConfigError, Settings, dialect_hosts, settings_from_json
from .console import ReadOnlyControlPlane, console_routes
from .control.http import json_response
from .control.index import index_routes, unknown_control_path
from .control.layers import DialectPath
from .control.operations import operation_namer
from .control.plane import Control
from .control.routes import control_routes
from .control.routetable import RouteTable
from .determinism import Deterministic
from .dialect import Dialect, DialectContext, load_dialects, too_large_hook, vendor_path
from .engine import BackendUnavailable, Engine, create_engine
from .fallbacks import ANY_METHOD, BareMount, allowed_methods, json_http_error, method_not_allowed
from .forward import AbsoluteFormTargets
from .guard import ControlPlaneGuard
from .hosts import HostTable, host_of

AnyPath = TypeVar("AnyPath", Route, Mount)
logger = logging.getLogger("doppelgate")

CONTROL_PREFIX = "/_doppelgate"
HEALTH_PATH = f"{CONTROL_PREFIX}/health"


class Health(msgspec.Struct):
    status: str  # "ok" | "unavailable"
    backend: str
    dialects: dict[str, str]
    version: str = __version__


class VendorRouting:
    """ASGI middleware: a request to a vendor's Host gets that dialect's prefix added to its path,
    so https://ds.us1.gigya.com/ds.store is served by the /gigya mount as /gigya/ds.store; then a
    path under a dialect's prefix goes straight to that dialect's Mount, as the app's router would
    send it (the vendor mounts come first there), past the control plane's layers and the router."""

    def __init__(self, app: ASGIApp, table: HostTable, mounts: Sequence[Mount]) -> None:
        self.app = app
        self.table = table
        self.mounts = {mount.path: mount for mount in mounts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        prefix = self.table.prefix_for(host_of(scope))
        if prefix is not None:
            scope = _with_prefix(scope, prefix)
        path = get_route_path(scope)
        mount = self.mounts.get(path[: path.find("/", 1)]) if path.find("/", 1) > 0 else None
        if mount is None:
            await self.app(scope, receive, send)
            return
        root: str = scope.get("root_path", "")
        scope["route"] = mount  # what starlette's Router and Mount.matches would have set
        scope["path_params"] = dict(scope.get("path_params", {}))
        scope["app_root_path"] = scope.get("app_root_path", root)
        scope["root_path"] = root + mount.path
        scope["endpoint"] = mount.app
        await mount.app(scope, receive, send)


def _with_prefix(scope: Scope, prefix: str) -> Scope:
    root: str = scope.get("root_path", "")
    rest = vendor_path(scope)
    if rest.startswith(f"{CONTROL_PREFIX}/"):  # the control plane answers on every host
        return scope
    scope = {**scope, "path": root + prefix + rest}
    raw: bytes | None = scope.get("raw_path")
    if raw is not None:
        head = root.encode() if raw.startswith(root.encode()) else b""
        scope["raw_path"] = head + prefix.encode() + raw[len(head) :]
    return scope


def any_path(route: AnyPath) -> AnyPath:
    """The route with `{path:path}` taking a decoded newline (%0A) too: starlette's `.*` stops
    at one, and the request would get starlette's plain-text 404, not the vendor's envelope."""
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    return route


def dialect_app(dialect: Dialect, ctx: DialectContext, control: Control) -> ASGIApp:
    """One dialect's request path below its Mount (control/layers.py's one layer), outermost
    first: the journal records it, the error boundary answers any exception, a fault may answer
    instead, the body limit counts, the dialect's exception handlers give its envelope, its
    routes (then a catch-all) serve it."""

    async def fallback(request: Request) -> Response:
        return dialect.not_found(request)

    async def http_error(request: Request, exc: Exception) -> Response:
        # starlette's own 404/405 (HTTPException) become the vendor's unknown-route envelope
        if isinstance(exc, HTTPException) and exc.status_code in (404, 405):
            return dialect.not_found(request)
        raise exc  # anything else: the boundary's internal error

    routes = [*dialect.routes(ctx), any_path(Route("/{path:path}", fallback))]
    handlers = {HTTPException: http_error, **dialect.exception_handlers}
    control.add_routes(dialect, routes)  # what its faults may target
    return DialectPath(
        RouteTable(routes),
        dialect,
        handlers=handlers,
        journal=control.journal,
        metrics=control.metrics,
        faults=control.faults,
        namer=operation_namer(dialect, routes),
        limit=ctx.settings.max_body_bytes,
        too_large=too_large_hook(dialect),
    )


def host_table(dialects: Sequence[Dialect], settings: Settings) -> HostTable:
    return HostTable(
        [
            (pattern, d.prefix)
            for d in dialects
            for pattern in (*d.hosts, *dialect_hosts(settings, d.name))
        ]
    )


def create_app(
    settings: Settings, engine: Engine | None = None, *, dialects: Sequence[Dialect] | None = None
) -> Starlette:
    """The gateway for these settings; its lifespan opens and closes the engine."""
    engine = engine if engine is not None else create_engine(settings)
    dialects = tuple(dialects) if dialects is not None else load_dialects()
    ctx = DialectContext(engine=engine, settings=settings)
    control = Control(engine, dialects, settings)
    prefixes = {d.name: d.prefix for d in dialects}

    async def health(request: Request) -> Response:
        try:
            await engine.ping()
        except Exception as exc:
            if not isinstance(exc, BackendUnavailable):
                logger.exception("health: the %s backend's ping failed", engine.backend)
            return json_response(Health("unavailable", engine.backend, prefixes), 503)
        return json_response(Health("ok", engine.backend, prefixes))

    async def unknown(request: Request) -> Response:
        allowed = allowed_methods(routes, request.scope)  # a gateway route, another method
        if allowed:
            return method_not_allowed(allowed, request.method)
        if request.url.path.startswith(CONTROL_PREFIX):
            return unknown_control_path(request.url.path, CONTROL_PREFIX)
        body = {"error": "no dialect here", "dialects": prefixes, "health": HEALTH_PATH}
        return json_response(body, 404)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started = time.perf_counter()
        await engine.open()
        if settings.data_file and settings.backend == "memory":  # a load can take seconds
            addresses = await engine.collections()
            logger.info(
                "loaded data file %s: %d collections in %.2f s",
                settings.data_file,
                len(addresses),
                time.perf_counter() - started,
            )
        try:
            yield
        finally:
            await engine.close()

    apps = {d.prefix: dialect_app(d, ctx, control) for d in dialects}
    # VendorRouting sends their paths straight to them; the router keeps them first for the rest
    mounts = [any_path(Mount(prefix, app=app)) for prefix, app in apps.items()]
    routes: list[BaseRoute] = [
        *mounts,
        *(Route(prefix, BareMount(prefix, app)) for prefix, app in apps.items()),
        Route(HEALTH_PATH, health, methods=["GET"]),
        *control_routes(control, CONTROL_PREFIX),
        *index_routes(control, engine, CONTROL_PREFIX),
        *console_routes(control, settings, CONTROL_PREFIX),  # the web console (console/)
        any_path(Route("/{path:path}", unknown, methods=ANY_METHOD)),
    ]
    table = host_table(dialects, settings)
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                Deterministic, clock=control.clock, ids=control.ids, control_prefix=CONTROL_PREFIX
            ),
            Middleware(AccessLog),  # request id in and out, one log line, secrets redacted
            Middleware(AbsoluteFormTargets, table=table),  # proxied requests name their host
            Middleware(VendorRouting, table=table, mounts=mounts),  # vendor calls leave here
            Middleware(
                ControlPlaneGuard,
                prefix=CONTROL_PREFIX,
                settings=settings,
                host_of=host_of,
                vendor_host=table.is_vendor,
            ),
            Middleware(ReadOnlyControlPlane, prefix=CONTROL_PREFIX, settings=settings),
        ],
        lifespan=lifespan,
        exception_handlers={HTTPException: json_http_error},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.dialects = dialects
    app.state.control = control
    return app


LOG_LEVELS = {"trace": 5, "debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}


def setup_logging(level: str) -> None:
    """Give the "doppelgate" logger a stderr handler in uvicorn's style (once per process)."""
    if not any(getattr(h, "_doppelgate", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:%(padding)s%(message)s"))
        handler.addFilter(_pad)
        handler._doppelgate = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(LOG_LEVELS.get(level, logging.INFO))


def _pad(record: logging.LogRecord) -> bool:
    record.padding = " " * max(1, 9 - len(record.levelname))
    return True


def app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` worker processes: settings come as JSON in an env var."""
    text = os.environ.get(SETTINGS_JSON_ENV)
    if not text:
        raise ConfigError(f"{SETTINGS_JSON_ENV} is not set")
    settings = settings_from_json(text)
    setup_logging(settings.log_level)
    return create_app(settings)
