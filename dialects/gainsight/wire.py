"""Gainsight's envelope around every JSON response (spec §0)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from starlette.responses import Response


class Envelope(msgspec.Struct):
    result: bool
    errorCode: str | None = None
    errorDesc: str | None = None
    requestId: str = ""
    data: Any = None
    message: str | None = None


def request_uuid(request_id: str) -> str:
    """The gateway's request id (uuid4 hex) in the vendor's dashed uuid4 form."""
    try:
        return str(uuid.UUID(hex=request_id))
    except ValueError:
        return str(uuid.uuid4())


def respond(envelope: Envelope, status_code: int) -> Response:
    # the request id also travels in headers (spec §0)
    headers = {"x-gs-request-id": envelope.requestId, "x-request-id": envelope.requestId}
    return Response(msgspec.json.encode(envelope), status_code, headers, "application/json")
