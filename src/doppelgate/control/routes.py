"""The control plane over HTTP under /_doppelgate/: reset, seed, snapshot, journal, faults
(and the clock, ids and counts of extra.py); each route calls the Control object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
import yaml
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .extra import extra_routes
from .faults import FaultSpec
from .http import json_response, problem, read_body
from .seed import SeedError, SeedFile

if TYPE_CHECKING:
    from .plane import Control


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    dialect: str | None = None
    tenant: str | None = None


def control_routes(control: Control, prefix: str) -> list[BaseRoute]:
    async def reset(request: Request) -> Response:
        try:
            body = await read_body(request) or dict(request.query_params)
            what = msgspec.convert(body, ResetRequest)
            dropped = await control.reset(what.dialect, what.tenant)
        except (ValueError, msgspec.MsgspecError) as exc:
            return problem(str(exc))
        return json_response({"dropped": dropped})

    async def seed(request: Request) -> Response:
        try:
            body = await read_body(request)
            seed = body if body is not None else SeedFile()
            report = await control.seed(seed, request.app)  # its calls: through this gateway
        except (SeedError, ValueError, yaml.YAMLError, msgspec.MsgspecError) as exc:
            return problem(str(exc))
        return json_response(report)

    async def snapshot(request: Request) -> Response:
        if request.method == "GET":
            return json_response(await control.snapshot())
        try:
            collections, documents = await control.restore(await request.body())
        except ValueError as exc:
            return problem(str(exc))
        return json_response({"collections": collections, "documents": documents})

    async def journal(request: Request) -> Response:
        if request.method == "DELETE":
            control.journal.clear()
            return json_response({"cleared": True})
        q = request.query_params
        try:
            status = int(q["status"]) if q.get("status") else None
            limit = int(q["limit"]) if q.get("limit") else None
            after = int(q["after"]) if q.get("after") else None
        except ValueError:
            return problem("status, limit and after are integers")
        entries = control.journal.query(
            q.get("dialect"), q.get("operation"), q.get("tenant"), status, limit, after
        )
        return json_response({"capacity": control.journal.capacity, "entries": entries})

    async def journal_entry(request: Request) -> Response:
        seq = request.path_params["seq"]
        found = control.journal.get(seq)
        if found is None:
            return problem("no such entry (the journal keeps the newest ones)", 404)
        entry, exchange = found
        return json_response({"entry": entry, "exchange": exchange})

    async def faults(request: Request) -> Response:
        if request.method == "GET":
            return json_response({"faults": control.faults.states()})
        if request.method == "DELETE":
            removed = control.faults.clear(request.query_params.get("dialect"))
            return json_response({"removed": removed})
        try:
            fault = control.add_fault(msgspec.convert(await read_body(request), FaultSpec))
        except msgspec.ValidationError as exc:
            known = ", ".join(FaultSpec.__struct_fields__)
            return problem(f"{exc} (a fault's fields: {known})")
        except (ValueError, msgspec.MsgspecError) as exc:
            return problem(str(exc))
        return json_response(fault.state(), 201)

    async def one_fault(request: Request) -> Response:
        if control.faults.remove(request.path_params["fault_id"]):
            return json_response({"removed": 1})
        return problem("no such fault", 404)

    return [
        Route(f"{prefix}/reset", reset, methods=["POST"]),
        Route(f"{prefix}/seed", seed, methods=["POST"]),
        Route(f"{prefix}/snapshot", snapshot, methods=["GET", "PUT", "POST"]),
        Route(f"{prefix}/journal", journal, methods=["GET", "DELETE"]),
        Route(f"{prefix}/journal/{{seq:int}}", journal_entry, methods=["GET"]),
        Route(f"{prefix}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{prefix}/faults/{{fault_id}}", one_fault, methods=["DELETE"]),
        *extra_routes(control, prefix),
    ]
