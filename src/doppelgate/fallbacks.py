"""Where no route fits, an envelope still answers, never starlette's text/plain: the bare mount
path (`POST /gigya`) goes to the dialect, a wrong method on a gateway route gets a JSON 405."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

# the catch-all takes these; any other method gets the 405 below
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class BareMount:
    """The dialect app for its prefix without the slash (`/gigya`), as its Mount would call it
    for `/gigya/`: the dialect's own unknown-route envelope answers, whatever the method."""

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self.prefix = prefix
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        child = {**scope, "root_path": root + self.prefix, "path": scope["path"] + "/"}
        if scope.get("raw_path") is not None:
            child["raw_path"] = scope["raw_path"] + b"/"
        await self.app(child, receive, send)


def method_not_allowed(allowed: Sequence[str], method: str) -> Response:
    body = {"error": f"method {method} not allowed here", "allowed": list(allowed)}
    headers = {"Allow": ", ".join(allowed)}
    return Response(msgspec.json.encode(body), 405, headers, media_type="application/json")


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """The methods of the routes whose path matches but whose method does not."""
    found: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.matches(scope)[0] is Match.PARTIAL:
            found |= route.methods or set()
    return sorted(found)


async def json_http_error(request: Request, exc: Exception) -> Response:
    """The gateway's handler for starlette's own HTTP errors (405 for an odd method)."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        allow = (exc.headers or {}).get("Allow", "")
        return method_not_allowed([m.strip() for m in allow.split(",") if m], request.method)
    body = {"error": exc.detail}
    return Response(msgspec.json.encode(body), exc.status_code, media_type="application/json")
