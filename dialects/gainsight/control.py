"""The dialect's control plane under /gainsight/_doppelgate (README): declare, show and drop
a tenant's object schemas. The Accesskey header names the tenant, as on the data API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate import nesting
from doppelgate.dialect import DialectContext

from .catalog import Catalog
from .describe import describe
from .errors import INVALID_API, GainsightError, invalid_request
from .options import GainsightOptions, ObjectDecl
from .schema import SchemaError

Endpoint = Callable[
    [Callable[[Any, Request], Awaitable[Any]], bool], Callable[[Request], Awaitable[Response]]
]
PREFIX = "/_doppelgate/objects"


def control_routes(
    ctx: DialectContext, options: GainsightOptions, endpoint: Endpoint
) -> list[BaseRoute]:
    def catalog(service: Any) -> Catalog:
        return Catalog(ctx.engine, options, service.caller.tenant)

    async def put(service: Any, request: Request) -> Any:
        try:
            decl = nesting.decode(await request.body() or b"{}", type=ObjectDecl)
            schema = await catalog(service).declare(request.path_params["name"], decl)
        except (msgspec.DecodeError, SchemaError, nesting.TooDeep) as exc:
            raise invalid_request(f"Invalid object declaration: {exc}.") from None
        return describe(schema)

    async def show(service: Any, request: Request) -> Any:
        schema = await catalog(service).get(request.path_params["name"])
        if schema is None:
            raise GainsightError(INVALID_API, f"Unknown object {request.path_params['name']}.")
        return describe(schema)

    async def drop(service: Any, request: Request) -> Any:
        found = await catalog(service).undeclare(request.path_params["name"])
        return {"dropped": found}

    async def names(service: Any, request: Request) -> Any:
        return await catalog(service).names()

    return [
        Route(PREFIX, endpoint(names, False), methods=["GET"]),
        Route(f"{PREFIX}/{{name}}", endpoint(put, False), methods=["PUT"]),
        Route(f"{PREFIX}/{{name}}", endpoint(show, False), methods=["GET"]),
        Route(f"{PREFIX}/{{name}}", endpoint(drop, False), methods=["DELETE"]),
    ]
