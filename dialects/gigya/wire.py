"""Gigya's response envelope (spec §1) and how it goes on the wire."""

from __future__ import annotations

import datetime as dt
import re
from http import HTTPStatus

import msgspec
from starlette.requests import Request
from starlette.responses import Response

API_VERSION = 2
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]*$")


class ErrorResponse(msgspec.Struct, kw_only=True):
    """An error body; field order follows the vendor's live sample (spec §1)."""

    callId: str
    context: str | msgspec.UnsetType = msgspec.UNSET
    errorCode: int
    errorDetails: str
    errorMessage: str
    apiVersion: int = API_VERSION
    statusCode: int
    statusReason: str
    time: str


def call_time(now: dt.datetime | None = None) -> str:
    """ISO-8601 UTC with milliseconds and `Z`, e.g. 2015-03-22T11:42:25.943Z (spec §1)."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def status_of(error_code: int) -> tuple[int, str]:
    """statusCode = errorCode / 1000 and its HTTP reason phrase (spec §1)."""
    status = error_code // 1000 if error_code else 200
    try:
        return status, HTTPStatus(status).phrase
    except ValueError:
        return status, ""


def is_true(value: str | None) -> bool:
    # booleans arrive as true/True/1 depending on the SDK (spec §1)
    return value is not None and value.strip().lower() in ("true", "1")


def respond(request: Request, body: msgspec.Struct, status_code: int) -> Response:
    """HTTP 200 unless httpStatusCodes=true; JSONP when format=jsonp with a callback (spec §1)."""
    params = request.query_params
    http_status = status_code if is_true(params.get("httpStatusCodes")) else 200
    payload = msgspec.json.encode(body)
    callback = params.get("callback", "")
    if params.get("format", "").lower() == "jsonp" and _CALLBACK.match(callback):
        js = callback.encode() + b"(" + payload + b");"
        return Response(js, http_status, media_type="application/javascript")
    return Response(payload, http_status, media_type="application/json")
