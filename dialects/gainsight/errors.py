"""Gainsight's gateway and generic errors (spec §6)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import request_id

from .wire import Envelope, request_uuid, respond

NOT_FOUND = ("GS_APIG_1000", "Not Found", 404)  # unknown route
UNEXPECTED = ("GU_1101", "Oops, something went wrong.", 500)  # unexpected server error


def error_response(error: tuple[str, str, int], request_id: str) -> Response:
    code, desc, status = error
    envelope = Envelope(
        result=False,
        errorCode=code,
        errorDesc=desc,
        requestId=request_uuid(request_id),
        message=desc,  # the gateway errors repeat errorDesc here (spec §6)
    )
    return respond(envelope, status)


def not_found(request: Request) -> Response:
    return error_response(NOT_FOUND, request_id(request))


def internal_error(request: Request, request_id: str) -> Response:
    return error_response(UNEXPECTED, request_id)
