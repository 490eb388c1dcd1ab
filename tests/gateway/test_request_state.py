"""One RequestState per request: every layer on the dialect's path writes the same object, under
one key of scope["state"], and the dialect reads its id and notes its tenant through it."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.dialect import Dialect, note, request_id
from doppelgate.state import STATE_KEY, RequestState

from .conftest import AppFactory
from .helpers import client_for, with_routes

seen: list[tuple[list[str], RequestState]] = []


def state_routes(d: Dialect) -> list[BaseRoute]:
    async def state(request: Request) -> Response:
        note(request, tenant="t-1")
        found: RequestState = request.scope["state"][STATE_KEY]
        seen.append((sorted(request.scope["state"]), found))
        body: dict[str, Any] = {"request_id": request_id(request)}
        return Response(msgspec.json.encode(body), media_type="application/json")

    return [Route("/state", state, methods=["GET"])]


async def test_one_state_object_carries_what_every_layer_learns(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    seen.clear()
    app = await app_factory(dialects=with_routes(state_routes))
    caplog.set_level(logging.INFO, logger="doppelgate.access")
    async with client_for(app) as client:
        r = await client.get("/spid/state", headers={"x-request-id": "client-id-7"})
    assert r.status_code == 200 and r.json() == {"request_id": "client-id-7"}
    ((keys, state),) = seen
    assert keys == [STATE_KEY]  # no other layer writes its own keys
    assert (state.dialect, state.operation, state.tenant, state.fault) == (
        "spid",
        "GET /state",
        "t-1",
        None,
    )
    (entry,) = app.state.control.journal.query(dialect="spid")
    assert (entry.request_id, entry.operation, entry.tenant) == ("client-id-7", "GET /state", "t-1")
    line = next(r.getMessage() for r in caplog.records if "client-id-7" in r.getMessage())
    assert "dialect=spid" in line and "op=GET /state" in line and "tenant=t-1" in line


async def test_each_request_gets_its_own_state(app_factory: AppFactory) -> None:
    seen.clear()
    app = await app_factory(dialects=with_routes(state_routes))
    async with client_for(app) as client:
        first = (await client.get("/gainsight/state")).json()
        second = (await client.get("/gainsight/state")).json()
    assert first["request_id"] != second["request_id"] and len(first["request_id"]) == 32
    assert seen[0][1] is not seen[1][1]  # both held in `seen`: two live objects
