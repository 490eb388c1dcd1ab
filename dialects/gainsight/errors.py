"""Gainsight's error catalogue (spec §6) as data, the GainsightError exception, its envelopes and
the one handler (EXCEPTION_HANDLERS) that turns every expected error into them."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate import clock
from doppelgate.dialect import request_id
from doppelgate.engine import BackendUnavailable, EngineError
from doppelgate.limits import clip

from .wire import (
    Envelope,
    FieldError,
    GatewayEnvelope,
    ProblemBody,
    RecordError,
    WriteData,
    request_uuid,
    respond,
)


class Code(NamedTuple):
    code: str
    desc: str  # errorDesc (catalogue text); field errors use `<errorMessage> (<f> = <v>).`
    status: int


FIELD_TOO_LONG = Code("GSOBJ_1001", "Field exceeds maximum allowed length", 400)
INVALID_FIELD = Code("GSOBJ_1002", "Invalid field, please re-check data mapping", 400)
DELETE_FAILED = Code("GSOBJ_1003", "Failed to delete data", 500)
INVALID_GSID = Code(
    "GSOBJ_1004",
    "Either the Gainsight ID is invalid or missing, please re-check your request.",
    400,
)
INVALID_DATETIME = Code("GSOBJ_1005", "Invalid dateTime format", 400)
INVALID_DATE = Code("GSOBJ_1006", "Invalid dateTime format", 400)  # same text (spec §6)
INVALID_VALUE = Code("GSOBJ_1007", "Invalid field value", 400)
TYPE_VALIDATION = Code("GSOBJ_1008", "Invalid field value", 400)  # message varies per type
NO_MATCH = Code(
    "GSOBJ_1011", "No entity matches the given criteria, please re-check your request", 400
)
INVALID_PICKLIST = Code("GSOBJ_1012", "Invalid/Inactive value provided for picklist.", 400)
INVALID_API = Code("GSOBJ_1023", "Invalid API called, please refer to API documentation", 400)
# [I] a known route called with a method it lacks: the "wrong API" text, with HTTP's 405
WRONG_METHOD = Code("GSOBJ_1023", "Invalid API called, please refer to API documentation", 405)
INVALID_AUTH_HEADERS = Code(
    "GSOBJ_1024", "Invalid authorization headers, please re-check your API request", 400
)

# gateway and generic errors: `message` repeats errorDesc (spec §6)
NOT_FOUND = Code("GS_APIG_1000", "Not Found", 404)
UNAUTHORIZED = Code("GS_APIG_2401", "Unauthorized", 401)
IP_NOT_ALLOWED = Code("GS_APIG_2402", "IP Address does not lie in range of whitelisted ips", 403)
RATE_LIMITED = Code("GS_APIG_2404", "Rate limit exceeded", 429)
UNEXPECTED = Code("GU_1101", "Oops, something went wrong.", 500)

CATALOGUE: tuple[Code, ...] = (
    FIELD_TOO_LONG,
    INVALID_FIELD,
    DELETE_FAILED,
    INVALID_GSID,
    INVALID_DATETIME,
    INVALID_DATE,
    INVALID_VALUE,
    TYPE_VALIDATION,
    NO_MATCH,
    INVALID_PICKLIST,
    INVALID_API,
    INVALID_AUTH_HEADERS,
    NOT_FOUND,
    UNAUTHORIZED,
    IP_NOT_ALLOWED,
    RATE_LIMITED,
    UNEXPECTED,
)


class GainsightError(Exception):
    """A vendor error: its catalogue entry, the errorDesc to send and the `data` to attach."""

    def __init__(self, code: Code, desc: str = "", data: Any = None) -> None:
        super().__init__(desc or code.desc)
        self.code = code
        self.desc = desc or code.desc
        self.data = data


def show(value: Any) -> str:
    """A raw JSON value as the vendor prints it inside errorDesc (`XYZ Inc.`, `7809`, `null`)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


class FieldFailure(Exception):
    """One field failed validation: the message and code of the nested error (spec §1.2)."""

    def __init__(self, code: Code, message: str = "", invalid: Any = None) -> None:
        super().__init__(message or code.desc)
        self.code = code
        self.message = message or code.desc
        self.invalid = invalid  # invalidValue when it differs from the raw value (picklists)


def field_error(failure: FieldFailure, field_name: str, raw: Any) -> GainsightError:
    """The write call's one error: `<errorMessage> (<fieldName> = <raw value>).` (spec §1.2)."""
    raw = clip(raw)  # never the whole of a huge bad value, three times over
    invalid = raw if failure.invalid is None else clip(failure.invalid)
    item = FieldError(failure.message, failure.code.code, field_name, invalid)
    data = WriteData(count=0, errors=[[RecordError(parsedValue=raw, errors=[item])]], records=None)
    desc = f"{failure.message} ({field_name} = {show(raw)})."
    return GainsightError(failure.code, desc, data)


def invalid_request(detail: str) -> GainsightError:
    """Request-shape problems (bad JSON, >50 records, bad keys, bad query): GSOBJ_1002 (README)."""
    return GainsightError(INVALID_FIELD, f"{INVALID_FIELD.desc}. {detail}")


class ObjectNotFound(Exception):
    """Describe of an object the tenant does not have (spec §1.7)."""


def object_not_found(rid: str) -> Response:
    from .meta import NOT_FOUND_DETAIL, NOT_FOUND_TITLE

    now = clock.utcnow().strftime("%Y-%m-%d %H:%M:%S UTC")
    body = ProblemBody(rid, False, now, NOT_FOUND_TITLE, NOT_FOUND_DETAIL, NOT_FOUND_DETAIL)
    headers = {"x-gs-request-id": rid, "x-request-id": rid}
    return Response(msgspec.json.encode(body), 404, headers, "application/json")  # status [I]


def error_response(error: GainsightError, rid: str) -> Response:
    code = error.code
    if code.code.startswith(("GS_APIG", "GU_")):
        return gateway_response(code, rid)
    envelope = Envelope(
        result=False, errorCode=code.code, errorDesc=error.desc, requestId=rid, data=error.data
    )
    return respond(envelope, code.status)


async def vendor_error(request: Request, exc: Exception) -> Response:
    """The envelope for an error raised anywhere in a call (installed by the gateway; async:
    starlette runs a sync handler in its thread pool)."""
    rid = request_uuid(request_id(request))
    if isinstance(exc, GainsightError):
        return error_response(exc, rid)
    if isinstance(exc, ObjectNotFound):
        return object_not_found(rid)
    if isinstance(exc, BackendUnavailable):
        raise exc  # the error boundary logs it and answers GU_1101
    # any other engine error, e.g. a JSON value the store cannot hold
    return error_response(GainsightError(INVALID_FIELD, f"{INVALID_FIELD.desc}. {exc}"), rid)


# the dialect's error boundary: vendor errors, unknown objects and the engine's errors
EXCEPTION_HANDLERS = {
    GainsightError: vendor_error,
    ObjectNotFound: vendor_error,
    EngineError: vendor_error,
}


def gateway_response(code: Code, rid: str) -> Response:
    if code is UNAUTHORIZED:  # the documented 401 body has no `data` key (spec §6)
        return respond(GatewayEnvelope(False, code.code, code.desc, rid, code.desc), code.status)
    envelope = Envelope(
        result=False, errorCode=code.code, errorDesc=code.desc, requestId=rid, message=code.desc
    )
    return respond(envelope, code.status)


def not_found(request: Request) -> Response:
    return gateway_response(NOT_FOUND, request_uuid(request_id(request)))


def method_not_allowed(request: Request) -> Response:
    """Checked with the route, before the Accesskey, as an unknown route is (issue 15.9)."""
    return error_response(GainsightError(WRONG_METHOD), request_uuid(request_id(request)))


def internal_error(request: Request, request_id: str) -> Response:
    return gateway_response(UNEXPECTED, request_uuid(request_id))


def too_large(request: Request, limit: int) -> Response:
    # a request-shape problem (GSOBJ_1002, README), with HTTP 413 for clients that look [inf]
    error = GainsightError(
        INVALID_FIELD._replace(status=413), f"{INVALID_FIELD.desc}. Body over {limit} bytes."
    )
    return error_response(error, request_uuid(request_id(request)))


def fault_response(request: Request, code: str) -> Response:
    """An injected fault (doppelgate's control plane): any catalogue code, e.g. "GU_1101"."""
    found = next((entry for entry in CATALOGUE if entry.code == code), None)
    if found is None:
        known = ", ".join(entry.code for entry in CATALOGUE)
        raise ValueError(f"not a Gainsight error code: {code!r} (known: {known})")
    return error_response(GainsightError(found), request_uuid(request_id(request)))
