"""The web console at /_doppelgate/console: a data browser, vendor query box, live request
journal, faults, snapshots and resets, as one offline page (static/) over a small JSON API."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .api import Console, api_routes

if TYPE_CHECKING:
    from ..config import Settings
    from ..control.plane import Control

CONSOLE_PATH = "/console"  # under the control plane's prefix
ASSETS = {  # name -> media type: everything the page loads, vendored here (no CDN)
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "index.html": "text/html; charset=utf-8",
}
# read-only servers: control-plane calls with other methods are refused
READS = frozenset({"GET", "HEAD", "OPTIONS"})
QUERY_PATH = CONSOLE_PATH + "/api/query"  # a vendor read sent as POST: allowed


def _asset(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


def console_routes(control: Control, settings: Settings, prefix: str) -> list[BaseRoute]:
    """The page, its assets and its API, under `prefix` + /console; none when it is off."""
    base = prefix + CONSOLE_PATH

    if settings.console == "off":
        return []
    files = {name: _asset(name) for name in ASSETS}  # read once: the wheel's package data
    console = Console(control, settings, settings.console == "read-only")

    async def page(request: Request) -> Response:
        headers = {"cache-control": "no-cache", "x-content-type-options": "nosniff"}
        return Response(files["index.html"], media_type=ASSETS["index.html"], headers=headers)

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in files or name == "index.html":
            return Response("not found", 404, media_type="text/plain")
        return Response(files[name], media_type=ASSETS[name], headers={"cache-control": "no-cache"})

    async def slash(request: Request) -> Response:
        return RedirectResponse(base, 308)

    return [
        Route(base, page, methods=["GET"]),
        Route(f"{base}/", slash, methods=["GET"]),
        Route(f"{base}/static/{{name:str}}", asset, methods=["GET"]),
        *api_routes(console, base),
    ]


class ReadOnlyControlPlane:
    """ASGI middleware for `console = "read-only"` (shared servers): the control plane's
    state-changing calls (any method but GET/HEAD/OPTIONS, the console's query box excepted)
    answer 403; reads, the console's pages and the vendor APIs still work."""

    def __init__(self, app: ASGIApp, prefix: str, settings: Settings) -> None:
        self.app = app
        self.prefix = prefix
        self.read_only = settings.console == "read-only"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.read_only and scope["type"] == "http":
            path: str = scope["path"]
            changing = scope["method"] not in READS and path != self.prefix + QUERY_PATH
            if path.startswith(self.prefix + "/") and changing:
                body = b'{"error":"read-only server: the control plane takes no changes"}'
                response = Response(body, 403, media_type="application/json")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
