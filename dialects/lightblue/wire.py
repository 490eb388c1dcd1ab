"""lightblue's wire structs: requests, the response envelope and the error object (§2)."""

from __future__ import annotations

import decimal
import socket
from typing import Any

import msgspec
from starlette.responses import Response

from doppelgate import nesting

UNSET: Any = msgspec.UNSET
HOSTNAME = socket.gethostname()


class Error(msgspec.Struct, kw_only=True):
    objectType: str = "error"
    context: str | msgspec.UnsetType = msgspec.UNSET  # UNSET fields are omitted (§2.4)
    errorCode: str
    msg: str | msgspec.UnsetType = msgspec.UNSET


class FailedCall(msgspec.Struct):
    """What a request that fails before reaching the engine gets: errors and status (§2.2)."""

    errors: list[Error]
    status: str = "ERROR"


class DataError(msgspec.Struct):
    data: Any
    errors: list[Error]


class ResultMetadata(msgspec.Struct):
    documentVersion: str


class Envelope(msgspec.Struct, kw_only=True):
    """The response of every data call, keys in the implementation's order (§2.2)."""

    entity: str | msgspec.UnsetType = msgspec.UNSET
    entityVersion: str | msgspec.UnsetType = msgspec.UNSET
    status: str = "COMPLETE"  # COMPLETE | PARTIAL | ASYNC | ERROR
    modifiedCount: int = 0
    matchCount: int = 0
    hostname: str = HOSTNAME
    processed: Any = msgspec.UNSET
    resultMetadata: list[ResultMetadata] | msgspec.UnsetType = msgspec.UNSET
    dataErrors: list[DataError] | msgspec.UnsetType = msgspec.UNSET
    errors: list[Error] | msgspec.UnsetType = msgspec.UNSET


class Request(msgspec.Struct, kw_only=True):
    """Fields every data request may carry (§2.1); unknown fields are ignored."""

    entity: Any = UNSET
    entityVersion: Any = UNSET
    client: Any = UNSET
    execution: Any = UNSET
    projection: Any = UNSET
    range: Any = UNSET
    # the Java client sends these as JSON; `from` is a Python keyword
    from_: Any = msgspec.field(default=UNSET, name="from")
    to: Any = UNSET
    maxResults: Any = UNSET


class InsertRequest(Request, kw_only=True):
    data: Any = UNSET


class SaveRequest(Request, kw_only=True):
    data: Any = UNSET
    upsert: Any = False
    onlyIfCurrent: Any = False
    documentVersions: Any = UNSET


class UpdateRequest(Request, kw_only=True):
    query: Any = UNSET
    update: Any = UNSET
    onlyIfCurrent: Any = False
    documentVersions: Any = UNSET


class DeleteRequest(Request, kw_only=True):
    query: Any = UNSET


class FindRequest(Request, kw_only=True):
    query: Any = UNSET
    sort: Any = UNSET


class LockRequest(msgspec.Struct, kw_only=True):
    operation: str
    domain: str
    callerId: str
    resourceId: str
    ttl: int | None = None


class LockResult(msgspec.Struct):
    result: bool | int


class BulkEntry(msgspec.Struct, kw_only=True):
    seq: int = 0
    op: str
    request: dict[str, Any]


class BulkRequest(msgspec.Struct, kw_only=True):
    requests: list[BulkEntry]
    ordered: bool = True


class BulkResponseEntry(msgspec.Struct):
    seq: int
    response: Envelope | FailedCall


class BulkResponse(msgspec.Struct):
    responses: list[BulkResponseEntry]


# bigdecimal/biginteger travel at full precision (§7): JSON fractions decode as Decimal and
# Decimals encode as JSON numbers
_encoder = msgspec.json.Encoder(decimal_format="number")
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def encode(body: Any) -> bytes:
    return _encoder.encode(body)


def decode(raw: bytes, kind: Any = Any) -> Any:
    """A request body; deeper than nesting.MAX_DEPTH is a DecodeError like any bad JSON, so
    every caller answers its own bad-request error (never a RecursionError's internal error)."""
    decoder = _decoders.get(kind)
    if decoder is None:
        decoder = _decoders[kind] = msgspec.json.Decoder(kind, float_hook=decimal.Decimal)
    try:
        return nesting.checked(decoder.decode(raw), raw)
    except (RecursionError, nesting.TooDeep):
        raise msgspec.DecodeError(str(nesting.TooDeep())) from None


def decode_plain(raw: bytes | str) -> Any:
    """JSON as msgspec decodes it (floats stay floats), with the same nesting limit."""
    try:
        return nesting.decode(raw)
    except nesting.TooDeep as exc:
        raise msgspec.DecodeError(str(exc)) from None


def respond(body: Any, status_code: int = 200) -> Response:
    return Response(_encoder.encode(body), status_code, media_type="application/json")
