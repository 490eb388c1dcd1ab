"""control/routetable.py: a remembered match calls a plain async endpoint directly, and every
other route (sync, a class, route middleware, a 405) the way starlette's Route does."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
from starlette.endpoints import HTTPEndpoint
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from doppelgate.config import Settings
from doppelgate.control.routetable import RouteTable, direct_endpoint
from doppelgate.dialect import DialectContext, load_dialects
from doppelgate.engine.memory import MemoryEngine


async def hello(request: Request) -> Response:
    return JSONResponse({"hi": request.path_params.get("name"), "path": request.url.path})


def sync_hello(request: Request) -> Response:
    return PlainTextResponse("sync")


class Endpoint(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return PlainTextResponse("class")


class Tag:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-tag", b"1")]
            await send(message)

        await self.app(scope, receive, tagged)


ROUTES: list[BaseRoute] = [
    Route("/hello/{name}", hello, methods=["GET"]),
    Route("/sync", sync_hello),
    Route("/class", Endpoint),
    Route("/tagged", hello, middleware=[Middleware(Tag)]),
]


def test_only_a_plain_async_function_route_is_called_directly() -> None:
    assert [direct_endpoint(r) for r in ROUTES] == [hello, None, None, None]


@pytest.mark.parametrize(
    ("method", "path", "status", "body", "tag"),
    [
        ("GET", "/hello/ann", 200, '{"hi":"ann","path":"/hello/ann"}', None),
        ("GET", "/hello/bob", 200, '{"hi":"bob","path":"/hello/bob"}', None),  # its own params
        ("POST", "/hello/ann", 405, "Method Not Allowed", None),
        ("GET", "/sync", 200, "sync", None),
        ("GET", "/class", 200, "class", None),
        ("GET", "/tagged", 200, '{"hi":null,"path":"/tagged"}', "1"),
        ("GET", "/nowhere", 404, "Not Found", None),
    ],
)
async def test_each_kind_of_route_answers_as_starlette_does(
    method: str, path: str, status: int, body: str, tag: str | None
) -> None:
    table = RouteTable(ROUTES)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=table), base_url="http://t"
    ) as client:
        for _ in range(2):  # the first call matches, the second is remembered
            r = await client.request(method, path)
            assert (r.status_code, r.text, r.headers.get("x-tag")) == (status, body, tag)


async def test_every_dialect_route_of_an_async_function_is_called_directly() -> None:
    """starlette's request_response is recognised (a release that changes it shows up here)."""
    ctx = DialectContext(engine=MemoryEngine(), settings=Settings())
    direct = 0
    for dialect in load_dialects():
        for route in dialect.routes(ctx):
            if type(route) is Route and inspect.iscoroutinefunction(route.endpoint):
                assert direct_endpoint(route) is route.endpoint, (dialect.name, route.path)
                direct += 1
    assert direct > 20
