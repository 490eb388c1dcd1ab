"""Gigya's ds.* methods: GET or POST to any path ending in `ds.<method>` (spec §1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate import ratelimit
from doppelgate.dialect import DialectContext, note, request_id, vendor_path
from doppelgate.engine import Derived

from .auth import Authenticator
from .errors import (
    PERMISSION_DENIED,
    RATE_LIMIT_EXCEEDED,
    GigyaError,
    missing,
    not_found,
)
from .options import gigya_options
from .schema import Schema
from .search import Search
from .service import DataStore
from .wire import COMMON_PARAMS, Call, method_of, read_call, respond, success_body

Method = Callable[[DataStore, Authenticator, Call], Awaitable[dict[str, Any]]]


async def _search(store: DataStore, auth: Authenticator, call: Call) -> dict[str, Any]:
    return await Search(store, auth).run(call)


def _on(method: Callable[[DataStore, Call], Awaitable[dict[str, Any]]]) -> Method:
    async def run(store: DataStore, auth: Authenticator, call: Call) -> dict[str, Any]:
        return await method(store, call)

    return run


# method -> (its parameters, its implementation) (spec §3-§6)
METHODS: dict[str, tuple[frozenset[str], Method]] = {
    "ds.store": (
        frozenset({"data", "type", "oid", "UID", "updateBehavior"}),
        _on(lambda s, c: s.store(c)),
    ),
    "ds.get": (frozenset({"oid", "type", "fields", "UID"}), _on(lambda s, c: s.get(c))),
    "ds.delete": (frozenset({"oid", "type", "fields", "UID"}), _on(lambda s, c: s.delete(c))),
    "ds.search": (
        frozenset({"query", "openCursor", "cursorId", "timeout", "querySig", "expTime"}),
        _search,
    ),
    "ds.setSchema": (frozenset({"type", "dataSchema"}), _on(lambda s, c: s.set_schema(c))),
    "ds.getSchema": (frozenset({"type", "filter", "mode"}), _on(lambda s, c: s.get_schema(c))),
    "ds.getTypes": (frozenset(), _on(lambda s, c: s.get_types(c))),
    "ds.deleteSchemaFields": (
        frozenset({"type", "dataSchema", "fields"}),
        _on(lambda s, c: s.delete_schema_fields(c)),
    ),
}
_BY_LOWER = {name.lower(): name for name in METHODS}


def operation_of(http_method: str, path: str) -> str | None:
    """The journal's and faults' name for a call: its method as METHODS spells it (names are
    case-insensitive [inf]), else the last path segment as sent (spec §1)."""
    name = method_of(path)
    return _BY_LOWER.get(name.lower(), name) or None


def check_params(call: Call, known: frozenset[str]) -> None:
    """Unknown params are ignored and reported; checkParams=true makes them 403007 (spec §1)."""
    call.ignored = [name for name in call.params if name not in known and name not in COMMON_PARAMS]
    if call.ignored and call.flag("checkParams"):
        names = ", ".join(call.ignored)
        raise GigyaError(PERMISSION_DENIED, f"Permission denied: unrecognized parameters: {names}")


def routes(ctx: DialectContext) -> list[BaseRoute]:
    options = gigya_options(ctx.settings)
    auth = Authenticator(options, ctx.engine)
    type_schemas: Derived[Schema] = Derived()  # the types' schemas, while none changed

    async def endpoint(request: Request) -> Response:
        path = vendor_path(request)
        name = method_of(path)
        method = _BY_LOWER.get(name.lower())  # method names: case-insensitive [inf]
        if method is None:
            return not_found(request)
        known, run = METHODS[method]
        # errors raised from here on become the envelope in errors.EXCEPTION_HANDLERS
        call = await read_call(request, request_id(request), method)
        if (call.get("format") or "").lower() == "jsonp" and not call.get("callback"):
            raise missing("callback")  # required with format=jsonp (spec §1)
        caller = await auth.authenticate(call, path)
        note(request, tenant=caller.api_key)
        if options.rateLimit:
            window = await ratelimit.hit(ctx.engine, "gigya", caller.api_key, 60)
            if window.hits > options.rateLimit:
                raise GigyaError(RATE_LIMIT_EXCEEDED, "Api rate limit exceeded")
        check_params(call, known)
        payload = await run(DataStore(ctx.engine, options, caller, type_schemas), auth, call)
        return respond(request, success_body(call, payload), 200)

    return [Route("/{path:path}", endpoint, methods=["GET", "POST"])]
