"""lightblue's fallback errors, for the data service and the metadata service (spec §1, §2.4)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import vendor_path

from .wire import Error, FailedCall, respond

REST_ERROR = "rest-crud:RestError"
METADATA_REST_ERROR = "rest-metadata:RestError"


def is_metadata(request: Request) -> bool:
    # clients use base URLs .../rest/metadata; the docs write /metadata/... (spec §1)
    return vendor_path(request).startswith(("/metadata", "/rest/metadata"))


def internal_error(request: Request, request_id: str) -> Response:
    msg = f"Internal error (request {request_id})"
    if is_metadata(request):
        # metadata endpoints always answer 200 with a bare error object (spec §1.2)
        return respond(Error(errorCode=METADATA_REST_ERROR, msg=msg), 200)
    return respond(FailedCall([Error(errorCode=REST_ERROR, msg=msg)]), 500)  # §1.4: other -> 500


def not_found(request: Request) -> Response:
    # JAX-RS answers an unmatched path with 404; the body shape is our choice [inf]
    msg = f"Could not find resource for {request.method} {vendor_path(request)}"
    if is_metadata(request):
        return respond(Error(errorCode=METADATA_REST_ERROR, msg=msg), 404)
    return respond(FailedCall([Error(errorCode=REST_ERROR, msg=msg)]), 404)
