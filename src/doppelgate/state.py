"""What the layers of one request learn about it (id, dialect, operation, tenant, fault, the
dialect's decoded call), in one typed object stored once in scope["state"]: every layer and
dialect writes and reads the same fields."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Scope

STATE_KEY = "doppelgate"  # the one key of scope["state"] this server writes


@dataclass(slots=True)
class RequestState:
    request_id: str = ""  # the access log's (client X-Request-Id or fresh), else the boundary's
    dialect: str | None = None  # set by the journal layer: the access log reports it
    operation: str | None = None  # the dialect's name for the call (Dialect.operation_of)
    tenant: str | None = None  # noted by the dialect once it knows the caller (dialect.note)
    fault: str | None = None  # the injected fault's id, when one fired
    seeding: bool = False  # a seed file's call: neither journaled nor faulted
    call: object = None  # the dialect's decoded call, for its error envelope (dialect.keep_call)


def request_state(scope: Scope) -> RequestState:
    """The request's state, created by the first layer that asks (one allocation per request)."""
    state = scope.get("state")
    if state is None:
        state = scope["state"] = {}
    found: RequestState | None = state.get(STATE_KEY)
    if found is None:
        found = state[STATE_KEY] = RequestState()
    return found
