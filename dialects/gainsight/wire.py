"""Gainsight's wire format (spec §0-§4): the envelope, request bodies and write results."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import msgspec
from starlette.responses import Response

from doppelgate import ids


class Envelope(msgspec.Struct):
    result: bool
    errorCode: str | None = None
    errorDesc: str | None = None
    requestId: str = ""
    data: Any = None
    message: str | None = None


class GatewayEnvelope(msgspec.Struct):
    """The API gateway's 401 body: no `data` key (spec §6)."""

    result: bool
    errorCode: str
    errorDesc: str
    requestId: str
    message: str


# -- write bodies (spec §1.2, §1.3, §4) ------------------------------------------------------


class Lookup(msgspec.Struct, kw_only=True):
    fields: dict[str, str]
    objectName: str
    lookupField: str = "Gsid"
    onNoMatch: Literal["NULLABLE", "DEFAULTVALUE", "ERROR"] = "NULLABLE"
    multiMatchOption: Literal["FIRSTMATCH", "MARKASERROR"] = "FIRSTMATCH"
    isLookup: bool | None = None  # optional (spec §4)


class WriteBody(msgspec.Struct, kw_only=True):
    records: list[dict[str, Any]]
    lookups: dict[str, Lookup] | None = None


class FieldError(msgspec.Struct):
    errorMessage: str
    errorCode: str
    fieldName: str
    invalidValue: Any


class RecordError(msgspec.Struct, kw_only=True):
    success: bool = False
    parsedValue: Any = None
    errors: list[FieldError] = msgspec.field(default_factory=list)


class WriteData(msgspec.Struct, kw_only=True):
    count: int
    errors: list[list[RecordError]] | None = None
    records: list[dict[str, Any]] | None = None


# -- read body (spec §3) ---------------------------------------------------------------------


class Condition(msgspec.Struct, kw_only=True):
    name: str
    operator: str
    alias: str | None = None
    value: Any = msgspec.field(
        default_factory=list
    )  # always an array (spec §3); a scalar is wrapped


class Where(msgspec.Struct, kw_only=True):
    conditions: list[Condition] = msgspec.field(default_factory=list)
    expression: str | None = None


class QueryBody(msgspec.Struct, kw_only=True):
    select: list[str]
    where: Where | None = None
    orderBy: dict[str, str] | None = None
    limit: int | None = None
    offset: int | None = None


class DescribeBody(msgspec.Struct, kw_only=True):
    objectNames: list[str]


class ProblemBody(msgspec.Struct):
    """Data Management's own error shape, e.g. describe of an unknown object (spec §1.7)."""

    requestId: str
    result: bool
    instance: str
    title: str
    detail: str
    errorDesc: str


class RecordsData(msgspec.Struct):
    records: list[dict[str, Any]]


def request_uuid(request_id: str) -> str:
    """The gateway's request id (uuid4 hex) in the vendor's dashed uuid4 form."""
    try:
        return str(uuid.UUID(hex=request_id))
    except ValueError:
        return ids.uuid_text()


def respond(envelope: Envelope | GatewayEnvelope, status_code: int) -> Response:
    # the request id also travels in headers (spec §0)
    headers = {"x-gs-request-id": envelope.requestId, "x-request-id": envelope.requestId}
    return Response(msgspec.json.encode(envelope), status_code, headers, "application/json")


def success(data: Any, rid: str) -> Response:
    return respond(Envelope(result=True, requestId=rid, data=data), 200)
