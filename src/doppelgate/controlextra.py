"""Control-plane routes for deterministic tests: verification counts (the clock and ids join)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .testing.journal import Journal
from .verify import verify

# (path under the prefix, methods, what it does): listed by the control-plane index
EXTRA_API: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "/journal/count",
        ("GET",),
        "Count calls: dialect, operation, tenant, status, times; the near misses.",
    ),
)


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(msgspec.json.encode(body), status_code, media_type="application/json")


def _problem(message: str, status_code: int = 400) -> Response:
    return _json({"error": message}, status_code)


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def extra_routes(journal: Journal, dialects: set[str], prefix: str) -> list[BaseRoute]:
    async def count(request: Request) -> Response:
        q = request.query_params
        dialect = q.get("dialect")
        if dialect is not None and dialect not in dialects:
            return _problem(f"dialect is one of {', '.join(sorted(dialects))} (or none: all)")
        try:
            status, times = _int(q.get("status")), _int(q.get("times"))
        except ValueError:
            return _problem("status and times are integers")
        verdict = verify(
            journal, dialect, q.get("operation"), tenant=q.get("tenant"), status=status, times=times
        )
        return _json(verdict)

    return [Route(f"{prefix}/journal/count", count, methods=["GET"])]
