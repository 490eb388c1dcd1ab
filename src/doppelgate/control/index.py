"""The control plane describing itself: `/_doppelgate/` (an index), `/_doppelgate/openapi.json`,
`/_doppelgate/metrics`; and the JSON 404 for any other path under `/_doppelgate/`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from ..engine import Engine
from ..metrics import CONTENT_TYPE
from .extra import EXTRA_API
from .http import json_response
from .plane import Control

# (path under the prefix, methods, what it does): the index and the OpenAPI document alike
CONTROL_API: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("/", ("GET",), "This index: every control-plane route."),
    ("/health", ("GET",), "ok (200) or unavailable (503: the backend is down)."),
    ("/console", ("GET",), "The web console (HTML), unless console = off."),
    ("/reset", ("POST",), "Drop data: all, {dialect}, or {dialect, tenant}."),
    ("/seed", ("POST",), "Apply a seed file (JSON or YAML): vendor API calls or raw documents."),
    ("/snapshot", ("GET",), "Export every dialect's data."),
    ("/snapshot", ("PUT", "POST"), "Replace all data with a snapshot."),
    ("/journal", ("GET",), "Recent requests; filters dialect, operation, tenant, status, limit."),
    ("/journal/{seq}", ("GET",), "One entry with its request and response (bounded, redacted)."),
    ("/journal", ("DELETE",), "Clear the journal."),
    ("/faults", ("GET",), "The registered faults and how often they fired."),
    ("/faults", ("POST",), "Add a fault: {dialect, operation, error, latency_ms, probability}."),
    ("/faults", ("DELETE",), "Remove every fault (or ?dialect=)."),
    ("/faults/{fault_id}", ("DELETE",), "Remove one fault."),
    ("/openapi.json", ("GET",), "This API as an OpenAPI 3.1 document."),
    ("/metrics", ("GET",), "Prometheus metrics: requests, latency, faults fired, documents."),
    *EXTRA_API,
)


def openapi(prefix: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, methods, summary in CONTROL_API:
        operations = paths.setdefault(prefix + path, {})
        for method in methods:
            operations[method.lower()] = {
                "summary": summary,
                "responses": {"200": {"description": "done"}, "400": {"description": "refused"}},
            }
    return {
        "openapi": "3.1.0",
        "info": {"title": "doppelgate control plane", "version": __version__},
        "paths": paths,
    }


def index_routes(control: Control, engine: Engine, prefix: str) -> list[BaseRoute]:
    """The index, OpenAPI and metrics routes."""

    async def index(request: Request) -> Response:
        routes = [
            {"path": prefix + path, "methods": list(methods), "summary": summary}
            for path, methods, summary in CONTROL_API
        ]
        dialects = {name: d.prefix for name, d in control.dialects.items()}
        body = {"name": "doppelgate control plane", "version": __version__}
        return json_response({**body, "dialects": dialects, "routes": routes})

    async def openapi_document(request: Request) -> Response:
        return json_response(openapi(prefix))

    async def metrics(request: Request) -> Response:
        text = await control.metrics.exposition(engine, list(control.dialects))
        return Response(text, media_type=CONTENT_TYPE)

    return [
        Route(f"{prefix}/", index, methods=["GET"]),
        Route(prefix, index, methods=["GET"]),
        Route(f"{prefix}/openapi.json", openapi_document, methods=["GET"]),
        Route(f"{prefix}/metrics", metrics, methods=["GET"]),
    ]


def unknown_control_path(path: str, prefix: str) -> Response:
    message = f"no control-plane route {path}; the index is {prefix}/"
    return json_response({"error": message, "index": f"{prefix}/"}, 404)
