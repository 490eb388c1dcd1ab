"""The "SPP Container" every /api/2 JSON response travels in (spec §5.1)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import Response


class RequestLimit(msgspec.Struct):
    reset: int = 3600
    limit: int = 0  # a client without rate limiting (spec §5.1 sample)
    remaining: int = 0


class Route(msgspec.Struct):
    name: str
    url: str
    controller: str


class DebugParams(msgspec.Struct):
    options: list[Any] = msgspec.field(default_factory=list)
    where: list[Any] | dict[str, Any] = msgspec.field(default_factory=list)  # PHP: {} as [] (§5.1)


class Debug(msgspec.Struct):
    route: Route
    params: DebugParams = msgspec.field(default_factory=DebugParams)


class ApiException(msgspec.Struct, kw_only=True):
    code: int
    type: str = "ApiException"
    description: str | dict[str, str]  # or field -> message for validation errors (§5.1)


class Container(msgspec.Struct, kw_only=True):
    name: str = "SPP Container"  # SDKs test this exact string (spec §5.1)
    version: str = "0.2"
    api: int = 2
    object: str
    type: str  # "element" | "collection" | "error"
    code: int  # the HTTP status
    request: RequestLimit = msgspec.field(default_factory=RequestLimit)
    debug: Debug
    meta: dict[str, Any] | None = None
    error: ApiException | None = None
    data: Any = None


def respond(container: Container) -> Response:
    return Response(
        msgspec.json.encode(container),
        container.code,
        media_type="application/json; charset=utf-8",
    )
