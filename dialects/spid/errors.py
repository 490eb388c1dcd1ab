"""SPiD's fallback errors: the container's ApiException for unknown paths and failures (§5.1)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import vendor_path

from .wire import ApiException, Container, Debug, Route, respond

NO_SUCH_ENDPOINT = "No such endpoint."
INTERNAL_ERROR = "Internal server error."  # [inf]: the vendor's 500 text is undocumented
FALLBACK_404 = Route(name="Fallback - 404", url="/api/*", controller="Api/2/Utility.notFound")


def error_container(code: int, description: str, route: Route) -> Container:
    return Container(
        object="Utility",
        type="error",
        code=code,
        debug=Debug(route=route),
        error=ApiException(code=code, description=description),
    )


def not_found(request: Request) -> Response:
    # the vendor's captured 404 body for an unknown path (spec §5.1); checked before auth (§5.3)
    return respond(error_container(404, NO_SUCH_ENDPOINT, FALLBACK_404))


def internal_error(request: Request, request_id: str) -> Response:
    route = Route(name="", url=vendor_path(request), controller="")
    return respond(error_container(500, f"{INTERNAL_ERROR} (request {request_id})", route))
