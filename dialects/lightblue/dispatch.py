"""Running one data call, over REST or inside /bulk: decode, serve, envelope, status (§1.4, §2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from doppelgate.engine import BackendUnavailable, Engine, EngineError, InvalidUpdate

from . import errors as E
from .access import Caller
from .calls import Outcome
from .errors import LightblueError, http_status
from .searches import SAVED_SEARCH_CODES, SavedSearches
from .updating import Updates
from .wire import (
    DeleteRequest,
    Envelope,
    Error,
    FailedCall,
    FindRequest,
    InsertRequest,
    Request,
    SaveRequest,
    UpdateRequest,
)
from .wire import decode as wire_decode

# operation -> (request struct, its REST decode error) (§2.1, §2.4)
OPERATIONS: dict[str, tuple[type[Request], str]] = {
    "insert": (InsertRequest, E.REST_INSERT_ERROR),
    "save": (SaveRequest, E.REST_SAVE_ERROR),
    "update": (UpdateRequest, E.REST_UPDATE_ERROR),
    "delete": (DeleteRequest, E.REST_DELETE_ERROR),
    "find": (FindRequest, E.REST_FIND_ERROR),
    "explain": (FindRequest, E.REST_FIND_ERROR),
}
# failures before the engine: only {errors, status} (§2.2)
BARE = frozenset(
    {E.NO_ENTITY_MATCH, E.NO_VERSION_MATCH, *E.PARSE_ERRORS}
    | {code for _, code in OPERATIONS.values()}
    | {E.INVALID_UPDATE, E.INVALID_SET, E.INVALID_UNSET, E.INVALID_ARRAY_UPDATE}
    | SAVED_SEARCH_CODES
)


def decode(op: str, raw: bytes | dict[str, Any]) -> Request:
    kind, code = OPERATIONS[op]
    try:
        if isinstance(raw, dict):
            return msgspec.convert(raw, kind)
        return wire_decode(raw or b"{}", kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise LightblueError(code, str(exc)) from None


class Service(Updates, SavedSearches):
    """Every data operation of one caller: reads, writes and saved searches."""


Action = Callable[[Service, Outcome], Awaitable[None]]


async def run(
    engine: Engine,
    caller: Caller,
    op: str,
    entity: str,
    version: str | None,
    raw: bytes | dict[str, Any] | Request,
) -> tuple[Envelope | FailedCall, int]:
    """The response body of one data call and its HTTP status."""

    async def action(service: Service, out: Outcome) -> None:
        body = raw if isinstance(raw, Request) else decode(op, raw)
        await getattr(service, op)(out, body, version)

    return await perform(engine, caller, Outcome(op, entity, version), action)


async def perform(
    engine: Engine, caller: Caller, out: Outcome, action: Action
) -> tuple[Envelope | FailedCall, int]:
    """Run `action`, turning its errors into lightblue's envelope or bare failure (§2.2)."""
    try:
        await action(Service(engine, caller), out)
    except LightblueError as exc:
        if exc.code in BARE:
            return FailedCall([exc.wire(out.context)]), 500
        out.fail(exc)
    except BackendUnavailable:
        raise
    except EngineError as exc:  # the engine refused a translated expression
        code = E.INVALID_UPDATE if isinstance(exc, InvalidUpdate) else E.INVALID_QUERY
        return FailedCall([Error(errorCode=code, msg=str(exc), context=out.context)]), 500
    envelope = out.envelope()
    errors = envelope.errors if isinstance(envelope.errors, list) else []
    return envelope, http_status(errors)
