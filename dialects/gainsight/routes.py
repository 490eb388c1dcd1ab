"""Gainsight's /v1/data/objects endpoints (spec §1) and the dialect's control plane (README).

Check order (spec §1.8): auth -> rate limit -> object -> JSON body -> the call's own rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.dialect import DialectContext, note, request_id
from doppelgate.engine import Derived

from .auth import authenticate, check_ip
from .catalog import check_declarations
from .control import control_routes
from .errors import INVALID_GSID, GainsightError, method_not_allowed
from .options import gainsight_options
from .ratelimit import RateLimiter
from .schema import ObjectSchema
from .service import DataService, decode
from .wire import DescribeBody, request_uuid, success

Action = Callable[[DataService, Request], Awaitable[Any]]
BASE = "/v1/data/objects"
META = "/v1/meta/services/objects"  # read by connectors before the data API (spec §1.7)
ANY = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def routes(ctx: DialectContext) -> list[BaseRoute]:
    options = gainsight_options(ctx.settings)
    check_declarations(options)
    limiter = RateLimiter(ctx.engine, options)
    known: Derived[ObjectSchema | None] = Derived()  # objects, while none was (un)declared

    def endpoint(action: Action, limited: bool = True) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            # errors raised from here on become the envelope in errors.EXCEPTION_HANDLERS
            check_ip(request, options)
            caller = authenticate(request, options)
            note(request, tenant=caller.tenant)  # for the control plane's journal
            if limited:  # the control plane is not the vendor's API: never limited
                await limiter.hit(caller.tenant)
            data = await action(DataService(ctx.engine, options, caller, known), request)
            return success(data, request_uuid(request_id(request)))

        return handle

    async def insert(service: DataService, request: Request) -> Any:
        return await service.insert(request.path_params["object"], await request.body())

    async def update(service: DataService, request: Request) -> Any:
        keys = request.query_params.get("keys")
        return await service.update(request.path_params["object"], keys, await request.body())

    async def read(service: DataService, request: Request) -> Any:
        return await service.read(request.path_params["object"], await request.body())

    async def delete(service: DataService, request: Request) -> Any:
        return await service.delete(request.path_params["object"], request.path_params["gsid"])

    async def blank_gsid(service: DataService, request: Request) -> Any:
        raise GainsightError(INVALID_GSID)  # DELETE without a GSID (spec §1.5)

    async def get(service: DataService, request: Request) -> Any:
        return await service.get(request.path_params["object"], request.path_params["gsid"])

    async def object_list(service: DataService, request: Request) -> Any:
        return await service.object_list()

    async def describe(service: DataService, request: Request) -> Any:
        return await service.describe([request.path_params["object"]])

    async def describe_many(service: DataService, request: Request) -> Any:
        body = decode(await request.body(), DescribeBody)
        return await service.describe(body.objectNames)

    # each path's methods, then the same path for any other method: the vendor's method error
    # (issue 15.9), before a later, looser path (/{object}/{gsid}) can claim the request
    wrong = method_not_allowed
    return [
        Route(f"{BASE}/query/{{object}}", endpoint(read), methods=["POST"]),
        Route(f"{BASE}/query/{{object}}", wrong, methods=ANY),
        Route(f"{BASE}/{{object}}", endpoint(insert), methods=["POST"]),
        Route(f"{BASE}/{{object}}", endpoint(update), methods=["PUT"]),
        Route(f"{BASE}/{{object}}", endpoint(blank_gsid), methods=["DELETE"]),
        Route(f"{BASE}/{{object}}", wrong, methods=ANY),
        Route(f"{BASE}/{{object}}/", endpoint(blank_gsid), methods=["DELETE"]),
        Route(f"{BASE}/{{object}}/", wrong, methods=ANY),
        Route(f"{BASE}/{{object}}/{{gsid}}", endpoint(delete), methods=["DELETE"]),
        Route(f"{BASE}/{{object}}/{{gsid}}", endpoint(get), methods=["GET"]),
        Route(f"{BASE}/{{object}}/{{gsid}}", wrong, methods=ANY),
        Route(f"{META}/list", endpoint(object_list), methods=["GET"]),
        Route(f"{META}/list", wrong, methods=ANY),
        Route(f"{META}/describe", endpoint(describe_many), methods=["POST"]),
        Route(f"{META}/describe", wrong, methods=ANY),
        Route(f"{META}/{{object}}/describe", endpoint(describe), methods=["GET"]),
        Route(f"{META}/{{object}}/describe", wrong, methods=ANY),
        *control_routes(ctx, options, endpoint),
    ]
