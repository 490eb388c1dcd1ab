"""POST /bulk: several CRUD requests in one call, answered in `seq` order (§2.3)."""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate.engine import Derived, Engine

from . import errors as E
from .access import Caller
from .errors import CallFailed, answer
from .operations import call
from .schema import Schema
from .wire import BulkRequest, BulkResponse, BulkResponseEntry, Error, FailedCall, decode

# the CRUD operations a /bulk entry may name (§2.3)
BULK_OPERATIONS = ("insert", "save", "update", "delete", "find")


async def bulk(
    engine: Engine, schemas: Derived[Schema], caller: Caller, raw: bytes
) -> BulkResponse | FailedCall:
    try:
        request = decode(raw, BulkRequest)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:  # in the 200 answer (§1.4)
        return FailedCall([Error(errorCode=E.REST_ERROR, msg=str(exc))])
    entries = sorted(request.requests, key=lambda e: e.seq)
    # ordered or not, running the entries one after another in seq order is a valid schedule
    responses: list[BulkResponseEntry] = []
    for seq, entry in enumerate(entries):
        op = entry.op.lower()
        body: dict[str, Any] = entry.request
        if op not in BULK_OPERATIONS:
            result: Any = FailedCall([Error(errorCode=E.REST_ERROR, msg=f"op {entry.op}")])
        else:
            entity = str(body.get("entity") or "")
            version = body.get("entityVersion")
            try:
                result = await call(engine, schemas, caller, op, entity, version, body)
            except CallFailed as failed:  # reported in its entry: /bulk answers 200 (§1.4, §2.3)
                result, _ = answer(failed)
        responses.append(BulkResponseEntry(seq, result))
    return BulkResponse(responses)
