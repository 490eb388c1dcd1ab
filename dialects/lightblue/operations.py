"""The data operations by name, and running one over REST or inside /bulk (§1.1, §2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from doppelgate.engine import BackendUnavailable, Derived, Engine, EngineError, InvalidUpdate

from . import errors as E
from . import reads, searches, writes
from .access import Caller
from .calls import Outcome
from .errors import CallFailed, LightblueError
from .schema import Schema
from .searches import SAVED_SEARCH_CODES
from .service import DataService
from .wire import (
    DeleteRequest,
    Envelope,
    FindRequest,
    InsertRequest,
    Request,
    SaveRequest,
    UpdateRequest,
)
from .wire import decode as wire_decode

# (the caller's service, the call's outcome, the decoded body, the path's version) -> None
Handler = Callable[[DataService, Outcome, Any, str | None], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Operation:
    """One data operation: its handler and, when it takes a JSON body, the body's struct and
    the REST error an undecodable body answers (§2.1, §2.4)."""

    handler: Handler
    body: type[Request] | None = None
    decode_error: str | None = None


OPERATIONS: dict[str, Operation] = {
    "insert": Operation(writes.insert, InsertRequest, E.REST_INSERT_ERROR),
    "save": Operation(writes.save, SaveRequest, E.REST_SAVE_ERROR),
    "update": Operation(writes.update, UpdateRequest, E.REST_UPDATE_ERROR),
    "delete": Operation(writes.delete, DeleteRequest, E.REST_DELETE_ERROR),
    "find": Operation(reads.find, FindRequest, E.REST_FIND_ERROR),
    "explain": Operation(reads.explain, FindRequest, E.REST_FIND_ERROR),
    "generate": Operation(reads.generate),  # body: reads.Generate
    "search": Operation(searches.saved_search),  # body: searches.SavedSearch
}
# failures before the engine: only {errors, status} (§2.2)
BARE = frozenset(
    {E.NO_ENTITY_MATCH, E.NO_VERSION_MATCH, *E.PARSE_ERRORS}
    | {op.decode_error for op in OPERATIONS.values() if op.decode_error}
    | {E.INVALID_UPDATE, E.INVALID_SET, E.INVALID_UNSET, E.INVALID_ARRAY_UPDATE}
    | SAVED_SEARCH_CODES
)


def decode(operation: Operation, raw: bytes | dict[str, Any]) -> Request:
    """A JSON body (REST) or a /bulk entry's request object as the operation's struct."""
    assert operation.body is not None and operation.decode_error is not None
    try:
        if isinstance(raw, dict):
            return msgspec.convert(raw, operation.body)
        return wire_decode(raw or b"{}", operation.body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:  # in lightblue's words
        raise LightblueError(operation.decode_error, str(exc)) from None


async def call(
    engine: Engine,
    schemas: Derived[Schema],
    caller: Caller,
    op: str,
    entity: str,
    version: str | None,
    body: Any,
) -> Envelope:
    """One data call's envelope: `body` is the raw JSON (bytes, or a /bulk entry's object) or
    the already parsed body (GET find, search, generate). A failure raises CallFailed, which
    errors.py answers (over REST) and bulk.py reports in its entry."""
    operation = OPERATIONS[op]
    out = Outcome(op, entity, version)
    try:
        given = decode(operation, body) if isinstance(body, bytes | dict) else body
        await operation.handler(DataService(engine, caller, schemas), out, given, version)
    # the call's boundary: errors leave it with the call's outcome, which their answer needs
    except LightblueError as exc:
        raise CallFailed(out, exc, bare=exc.code in BARE) from exc
    except BackendUnavailable:
        raise  # not the request's fault: the gateway's internal error, logged
    except EngineError as exc:  # the engine refused a translated expression (§2.4)
        code = E.INVALID_UPDATE if isinstance(exc, InvalidUpdate) else E.INVALID_QUERY
        raise CallFailed(out, LightblueError(code, str(exc)), bare=True) from exc
    return out.envelope()
