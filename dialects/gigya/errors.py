"""Gigya's fallback errors: 500001 when anything fails, 404000 for an unknown method (§1, §7)."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import request_id, vendor_path

from .wire import ErrorResponse, call_time, respond, status_of

GENERAL_SERVER_ERROR = 500001
NOT_FOUND = 404000
ERROR_MESSAGES: dict[int, str] = {  # the vendor table's short names (spec §7)
    GENERAL_SERVER_ERROR: "General Server error",
    NOT_FOUND: "Not found",
}


def error_response(request: Request, call_id: str, error_code: int, details: str) -> Response:
    status, reason = status_of(error_code)
    body = ErrorResponse(
        callId=call_id,
        context=request.query_params.get("context", msgspec.UNSET),  # echoed verbatim (§1)
        errorCode=error_code,
        errorDetails=details,
        errorMessage=ERROR_MESSAGES[error_code],
        statusCode=status,
        statusReason=reason,
        time=call_time(),
    )
    return respond(request, body, status)


def internal_error(request: Request, request_id: str) -> Response:
    return error_response(request, request_id, GENERAL_SERVER_ERROR, "General Server error")


def not_found(request: Request) -> Response:
    # the method is the last path segment, whatever the host (spec §1); 404000 is our choice [inf]
    method = vendor_path(request).rstrip("/").rpartition("/")[2]
    return error_response(request, request_id(request), NOT_FOUND, f"Method not found: {method}")
