"""Building blocks for the gateway tests: settings, test-only routes, an in-process client."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import httpx
import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.config import Settings
from doppelgate.dialect import Dialect, DialectContext, load_dialects, request_id, vendor_path

LIGHTBLUE_HOST = "lightblue.example.org"


def make_settings(**changes: object) -> Settings:
    lightblue = {"lightblue": {"hosts": [LIGHTBLUE_HOST]}}
    return msgspec.structs.replace(Settings(dialects=lightblue), **changes)


def with_routes(extra: Callable[[Dialect], Sequence[BaseRoute]]) -> tuple[Dialect, ...]:
    """The real dialects, each with the test-only `extra(dialect)` routes in front of its own."""

    def patched(d: Dialect) -> Dialect:
        def routes(ctx: DialectContext) -> list[BaseRoute]:
            return [*extra(d), *d.routes(ctx)]

        return dataclasses.replace(d, routes=routes)

    return tuple(patched(d) for d in load_dialects())


def whoami_routes(d: Dialect) -> list[BaseRoute]:
    """GET|POST /whoami on every dialect: which mount answered, the path it saw, the request id."""

    async def whoami(request: Request) -> Response:
        body = {"dialect": d.name, "path": vendor_path(request), "request_id": request_id(request)}
        return Response(msgspec.json.encode(body), media_type="application/json")

    return [Route("/whoami", whoami, methods=["GET", "POST"])]


def client_for(app: Starlette, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base_url)
