"""Gigya's error catalogue (spec §7), the GigyaError exception, the fallback envelopes and the
one handler (EXCEPTION_HANDLERS) that turns every expected error into the envelope."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import request_id, vendor_path
from doppelgate.engine import (
    BackendUnavailable,
    DocumentTooLarge,
    DuplicateKey,
    EngineError,
    InvalidDocument,
    InvalidFilter,
    InvalidUpdate,
    QueryTimeout,
)

from .wire import BadParam, ErrorResponse, call_time, context_of, respond, status_of

INVALID_DATA_CENTER = 301001
INVALID_REQUEST_FORMAT = 400001
MISSING_PARAMETER = 400002
INVALID_PARAMETER_FORMAT = 400004
INVALID_PARAMETER_VALUE = 400006
VALIDATION_ERROR = 400009
SCHEMA_VALIDATION_FAILED = 400020
UNIQUE_INDEX_VALIDATION = 400022
INVALID_TYPE_VALIDATION = 400023
DYNAMIC_FIELDS_VALIDATION = 400024
WRITE_ACCESS_VALIDATION = 400025
INVALID_FORMAT_VALIDATION = 400026
SCHEMA_CONFLICT = 400029
INVALID_API_KEY = 400093
FORBIDDEN = 403000
REQUEST_EXPIRED = 403002
INVALID_SIGNATURE = 403003
DUPLICATE_NONCE = 403004
UNAUTHORIZED_USER = 403005
SECRET_OVER_HTTP = 403006
PERMISSION_DENIED = 403007
INVALID_SECRET = 403010
UNAUTHORIZED_PARTNER = 403036
RATE_LIMIT_EXCEEDED = 403048
NOT_FOUND = 404000
CONCURRENT_UPDATES = 409030
OBJECT_TOO_LARGE = 413003
GENERAL_SERVER_ERROR = 500001
TIMEOUT = 504001
REQUEST_TIMEOUT = 504002

ERROR_MESSAGES: dict[int, str] = {  # the vendor table's short names (spec §7)
    INVALID_DATA_CENTER: "Invalid data center",
    INVALID_REQUEST_FORMAT: "Invalid request format",
    MISSING_PARAMETER: "Missing required parameter",
    INVALID_PARAMETER_FORMAT: "Invalid parameter format",
    INVALID_PARAMETER_VALUE: "Invalid parameter value",
    VALIDATION_ERROR: "Validation error",
    SCHEMA_VALIDATION_FAILED: "Schema validation failed",
    UNIQUE_INDEX_VALIDATION: "Unique index validation",
    INVALID_TYPE_VALIDATION: "Invalid type validation",
    DYNAMIC_FIELDS_VALIDATION: "Dynamic fields validation",
    WRITE_ACCESS_VALIDATION: "Write access validation",
    INVALID_FORMAT_VALIDATION: "Invalid format validation",
    SCHEMA_CONFLICT: "Schema conflict",
    INVALID_API_KEY: "Invalid ApiKey parameter",
    FORBIDDEN: "Forbidden",
    REQUEST_EXPIRED: "Request has expired",
    INVALID_SIGNATURE: "Invalid request signature",
    DUPLICATE_NONCE: "Duplicate nonce",
    UNAUTHORIZED_USER: "Unauthorized user",
    SECRET_OVER_HTTP: "Secret Sent Over Http",
    PERMISSION_DENIED: "Permission denied",
    INVALID_SECRET: "Invalid Secret",
    UNAUTHORIZED_PARTNER: "Unauthorized partner",
    RATE_LIMIT_EXCEEDED: "Api rate limit exceeded",
    NOT_FOUND: "Not found",
    CONCURRENT_UPDATES: "Concurrent updates not allowed",
    OBJECT_TOO_LARGE: "Object too large",
    GENERAL_SERVER_ERROR: "General Server error",
    TIMEOUT: "Timeout",
    REQUEST_TIMEOUT: "Request Timeout",
}


class GigyaError(Exception):
    """A vendor error: its code, free-text details naming the culprit, optional extra fields."""

    def __init__(self, code: int, details: str = "", **extra: Any) -> None:
        super().__init__(details or ERROR_MESSAGES[code])
        self.code = code
        self.details = details or ERROR_MESSAGES[code]
        self.extra = extra


def missing(name: str) -> GigyaError:
    return GigyaError(MISSING_PARAMETER, f"Missing required parameter: {name}")


def invalid(details: str) -> GigyaError:
    return GigyaError(INVALID_PARAMETER_VALUE, details)


def from_exception(exc: Exception) -> GigyaError | None:
    """A vendor error for the exceptions we expect; None for bugs (-> 500001 via the boundary)."""
    if isinstance(exc, GigyaError):
        return exc
    if isinstance(exc, BadParam):
        return GigyaError(exc.code, exc.details)
    if isinstance(exc, DuplicateKey):
        return GigyaError(UNIQUE_INDEX_VALIDATION, "Unique index validation: duplicate value")
    if isinstance(exc, DocumentTooLarge):
        return GigyaError(OBJECT_TOO_LARGE, "Object too large")
    if isinstance(exc, BackendUnavailable):
        return GigyaError(GENERAL_SERVER_ERROR, "General Server error")
    if isinstance(exc, QueryTimeout):  # e.g. a runaway REGEX or format regex (§7: 504001)
        return GigyaError(TIMEOUT, f"Timeout: {exc}")
    if isinstance(exc, InvalidFilter | InvalidUpdate | InvalidDocument):
        return GigyaError(INVALID_PARAMETER_VALUE, f"Invalid parameter value: {exc}")
    if isinstance(exc, EngineError):
        return GigyaError(GENERAL_SERVER_ERROR, "General Server error")
    return None


def error_response(
    request: Request, call_id: str, error_code: int, details: str, **extra: Any
) -> Response:
    status, reason = status_of(error_code)
    body = ErrorResponse(
        callId=call_id,
        context=context_of(request),  # echoed verbatim (§1)
        errorCode=error_code,
        errorDetails=details,
        errorMessage=ERROR_MESSAGES[error_code],
        statusCode=status,
        statusReason=reason,
        time=call_time(),
    )
    if extra:  # e.g. 301001's apiDomain/location (spec §7)
        return respond(request, {**extra, **_as_dict(body)}, status)
    return respond(request, body, status)


def _as_dict(body: ErrorResponse) -> dict[str, Any]:
    return msgspec.to_builtins(body)  # type: ignore[no-any-return]


def gigya_error_response(request: Request, call_id: str, error: GigyaError) -> Response:
    return error_response(request, call_id, error.code, error.details, **error.extra)


async def vendor_error(request: Request, exc: Exception) -> Response:
    """The envelope for an error raised anywhere in a ds.* call (installed by the gateway; async:
    starlette runs a sync handler in its thread pool)."""
    error = from_exception(exc)
    if error is None or isinstance(exc, BackendUnavailable):
        raise exc  # a bug, or the backend down: the error boundary logs it and answers 500001
    return gigya_error_response(request, request_id(request), error)


# the dialect's error boundary: vendor errors, undecodable params and the engine's errors
EXCEPTION_HANDLERS = {GigyaError: vendor_error, BadParam: vendor_error, EngineError: vendor_error}


def internal_error(request: Request, request_id: str) -> Response:
    return error_response(request, request_id, GENERAL_SERVER_ERROR, "General Server error")


def not_found(request: Request) -> Response:
    # the method is the last path segment, whatever the host (spec §1); 404000 is our choice [inf]
    method = vendor_path(request).rstrip("/").rpartition("/")[2]
    return error_response(request, request_id(request), NOT_FOUND, f"Method not found: {method}")


def too_large(request: Request, limit: int) -> Response:
    # the whole request over doppelgate's body limit: the vendor's size error (spec §7) [inf]
    details = f"Object too large: request body over {limit} bytes"
    return error_response(request, request_id(request), OBJECT_TOO_LARGE, details)


def fault_response(request: Request, code: str) -> Response:
    """An injected fault (doppelgate's control plane): any code of the catalogue, e.g. 403048."""
    number = int(code) if code.strip().isdigit() else 0
    if number not in ERROR_MESSAGES:
        raise ValueError(f"not a Gigya error code: {code!r} (spec §7 lists {len(ERROR_MESSAGES)})")
    return error_response(request, request_id(request), number, ERROR_MESSAGES[number])
