"""A dialect's routes matched once per (method, path), not once per request (issue 16.5):
starlette's Router tries every route's regex in order on each call (lightblue has 23). A match
on a plain Route of an async function calls that function directly: starlette's per-route
wrapper only adds the exception handling that DialectPath (control/layers.py) gives already."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette._utils import get_route_path, is_async_callable
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

SEEN_PATHS = 4096  # (method, path) answers kept; clients choose the paths, so it is bounded

Endpoint = Callable[[Request], Awaitable[Response]]
Found = tuple[BaseRoute, dict[str, Any], Endpoint | None]


def direct_endpoint(route: BaseRoute) -> Endpoint | None:
    """The async function a plain Route wraps in starlette's request_response, and nothing
    else (no route middleware, no body limit, not a class): safe to call directly."""
    if type(route) is not Route or not is_async_callable(route.endpoint):
        return None
    if getattr(route.app, "__qualname__", "") != "request_response.<locals>.app":
        return None
    return route.endpoint  # type: ignore[no-any-return]


class RouteTable:
    """starlette's Router for HTTP requests, with each (method, path)'s match remembered: the
    first full match, else the first partial one (a 405), exactly as Router.app picks them.
    Anything else (no match at all, websockets) goes to the Router itself."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.router = Router(routes=list(routes))
        self.routes = self.router.routes
        self._seen: dict[tuple[str, str, str], Found | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.router(scope, receive, send)
            return
        # the root path too: a match's child scope (a Mount's) is computed under it
        key = (scope["method"], scope.get("root_path", ""), get_route_path(scope))
        try:
            found = self._seen[key]
        except KeyError:
            found = self._match(scope)
            if len(self._seen) >= SEEN_PATHS:
                self._seen.clear()
            self._seen[key] = found
        if found is None:
            await self.router(scope, receive, send)
            return
        route, child, endpoint = found
        scope.setdefault("router", self.router)
        scope["route"] = route
        scope.update(child)
        scope["path_params"] = dict(child["path_params"])  # the endpoint's own copy
        if endpoint is None:
            await route.handle(scope, receive, send)
            return
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    def _match(self, scope: Scope) -> Found | None:
        partial = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:  # the method is one the route takes
                return route, child, direct_endpoint(route)
            if match is Match.PARTIAL and partial is None:
                partial = route, child, None
        return partial
