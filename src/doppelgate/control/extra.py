"""Control-plane routes for deterministic tests: the clock, the id seed, verification counts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .http import json_response, problem
from .verify import verify

if TYPE_CHECKING:
    from .plane import Control

# (path under the prefix, methods, what it does): listed by the control-plane index
EXTRA_API: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "/journal/count",
        ("GET",),
        "Count calls: dialect, operation, tenant, status, times; the near misses.",
    ),
    ("/clock", ("GET",), "The emulated time: {frozen, now, epoch_ms, offset_s}."),
    ("/clock/freeze", ("POST",), "Stop time: {at: ISO 8601 or Unix seconds} or now."),
    ("/clock/advance", ("POST",), "Move time forward: {seconds}."),
    ("/clock/resume", ("POST",), "Back to real time."),
    ("/ids", ("GET",), "The id seed: {seed} (null: random ids)."),
    ("/ids", ("PUT", "POST"), "Seed the ids: {seed: N} restarts every generator; null: random."),
)


class FreezeRequest(msgspec.Struct, forbid_unknown_fields=True):
    at: float | dt.datetime | None = None


class AdvanceRequest(msgspec.Struct, forbid_unknown_fields=True):
    seconds: float


class IdsRequest(msgspec.Struct, forbid_unknown_fields=True):
    seed: int | None = None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


async def _args(request: Request, kind: type[Any]) -> Any:
    raw = await request.body()
    if raw.strip():
        return msgspec.json.decode(raw, type=kind)
    return msgspec.convert(dict(request.query_params), kind, strict=False)


def extra_routes(control: Control, prefix: str) -> list[BaseRoute]:
    journal, dialects, clock = control.journal, set(control.dialects), control.clock

    async def clock_view(request: Request) -> Response:
        await clock.refresh(force=True)
        return json_response(clock.view())

    async def freeze(request: Request) -> Response:
        try:
            at = (await _args(request, FreezeRequest)).at
            if isinstance(at, dt.datetime) and at.tzinfo is None:
                raise ValueError("give the instant a time zone (e.g. Z)")
            return json_response(await clock.freeze(at))
        except (ValueError, msgspec.MsgspecError) as exc:
            return problem(str(exc))

    async def advance(request: Request) -> Response:
        try:
            seconds = (await _args(request, AdvanceRequest)).seconds
            return json_response(await clock.advance(seconds))
        except (ValueError, msgspec.MsgspecError) as exc:
            return problem(str(exc))

    async def resume(request: Request) -> Response:
        return json_response(await clock.resume())

    async def ids(request: Request) -> Response:
        if request.method != "GET":
            try:
                control.ids.reseed((await _args(request, IdsRequest)).seed)
            except (ValueError, msgspec.MsgspecError) as exc:
                return problem(str(exc))
        return json_response({"seed": control.ids.seed})

    async def count(request: Request) -> Response:
        q = request.query_params
        dialect = q.get("dialect")
        if dialect is not None and dialect not in dialects:
            return problem(f"dialect is one of {', '.join(sorted(dialects))} (or none: all)")
        try:
            status, times = _int(q.get("status")), _int(q.get("times"))
        except ValueError:
            return problem("status and times are integers")
        verdict = verify(
            journal, dialect, q.get("operation"), tenant=q.get("tenant"), status=status, times=times
        )
        return json_response(verdict)

    return [
        Route(f"{prefix}/journal/count", count, methods=["GET"]),
        Route(f"{prefix}/clock", clock_view, methods=["GET"]),
        Route(f"{prefix}/clock/freeze", freeze, methods=["POST"]),
        Route(f"{prefix}/clock/advance", advance, methods=["POST"]),
        Route(f"{prefix}/clock/resume", resume, methods=["POST"]),
        Route(f"{prefix}/ids", ids, methods=["GET", "PUT", "POST"]),
    ]
