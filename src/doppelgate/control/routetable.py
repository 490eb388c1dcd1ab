"""A dialect's routes matched once per (method, path), not once per request (issue 16.5):
starlette's Router tries every route's regex in order on each call (lightblue has 23)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Router
from starlette.types import Receive, Scope, Send

SEEN_PATHS = 4096  # (method, path) answers kept; clients choose the paths, so it is bounded


class RouteTable:
    """starlette's Router for HTTP requests, with each (method, path)'s match remembered: the
    first full match, else the first partial one (a 405), exactly as Router.app picks them.
    Anything else (no match at all, websockets) goes to the Router itself."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.router = Router(routes=list(routes))
        self.routes = self.router.routes
        self._seen: dict[tuple[str, str, str], tuple[BaseRoute, dict[str, Any]] | None] = {}

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
        route, child = found
        scope.setdefault("router", self.router)
        scope["route"] = route
        scope.update(child)
        scope["path_params"] = dict(child["path_params"])  # the endpoint's own copy
        await route.handle(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[BaseRoute, dict[str, Any]] | None:
        partial = None
        for route in self.routes:
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, child
            if match is Match.PARTIAL and partial is None:
                partial = route, child
        return partial
