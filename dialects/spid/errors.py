"""SPiD's error catalogue (spec §3.1-§3.6, §5.3) as data, its exceptions, the fallback envelopes
for unknown paths and internal failures (spec §5.1), and the one handler (EXCEPTION_HANDLERS)
that turns every expected error into its envelope."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate.dialect import keep_call, kept_call, vendor_path

from .params import BadBody
from .wire import (
    JSON,
    ApiException,
    Container,
    Debug,
    OAuthError,
    RequestLimit,
    Route,
    jsonp,
    oauth_response,
    respond,
)

# (HTTP status, description) exactly as the vendor's endpoint listing words them
NO_SUCH_ENDPOINT = (404, "No such endpoint.")
NO_ADMIN_RIGHTS_USER = (401, "You don't have administration rights for this client.")
NO_ADMIN_RIGHTS_CLIENT = (401, "Your client doesn't have administration rights for this client.")
ENDPOINT_NOT_ALLOWED = (403, "Client is not authorized to access this API endpoint.")
IP_NOT_WHITELISTED = (403, "Requesting IP is not whitelisted")
TOKEN_REJECTED = (403, "Access token rejected")
UNKNOWN_CLIENT = (404, "Unknown client ID")
CLIENT_MISMATCH = (
    404,
    # the typo "is no the owner" is the vendor's (spec §3.6)
    "Client ID mismatch. The client making the request is no the owner of this resource, "
    "and does not have administrative privileges for it.",
)
RATE_LIMITED = (420, "Request Ratelimit exceeded")
IP_UNIDENTIFIABLE = (500, "Unable to identify the requesting IP")  # [inf]: text undocumented
NO_DATA_OBJECTS = (404, "No data objects found")
NO_DATA_OBJECT = (404, "No data object found for this key")
MISSING_ID = (400, "Missing ID parameter")
MISSING_ID_OR_KEY = (400, "Missing id and/or key parameters")
MISSING_REQUIRED = (400, "One or more required parameters are missing")
NO_OBJECT_FOR_KEY = (400, "Could not find any data object for the provided key")
USER_NOT_ALLOWED = (403, "Token is not authorized to access this user")
KEY_TOO_LONG = (400, "The key can not be longer than 255 bytes")  # [inf] spec §7.9
VALUE_TOO_LONG = (400, "The value can not be longer than 65535 bytes")  # [inf] spec §7.9
REQUEST_TOO_LARGE = (413, "Request Entity Too Large")  # [inf]: over doppelgate's body limit
INTERNAL_ERROR = (500, "Internal server error.")  # [inf]: the vendor's 500 text is undocumented

FALLBACK_404 = Route(name="Fallback - 404", url="/api/*", controller="Api/2/Utility.notFound")

# OAuth protected-resource error codes (spec §5.3); invalid_request: no token at all [inf §7.7]
INVALID_REQUEST = "invalid_request"
INVALID_TOKEN = "invalid_token"
EXPIRED_TOKEN = "expired_token"
INSUFFICIENT_SCOPE = "insufficient_scope"


class SpidError(Exception):
    """An ApiException in the container: `description` is text or field -> message (§5.1);
    `limit`: the request block to send instead of the call's (the rate limiter's, over it)."""

    def __init__(
        self,
        error: tuple[int, str],
        description: str | dict[str, str] | None = None,
        limit: RequestLimit | None = None,
    ) -> None:
        super().__init__(error[1])
        self.code = error[0]
        self.description = error[1] if description is None else description
        self.limit = limit

    def with_code(self, code: int) -> SpidError:
        self.code = code
        return self


class OAuthFailure(Exception):
    """A bare OAuth error body, always 401 (spec §5.3)."""

    def __init__(self, error: str, scope: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.scope = scope

    def body(self) -> OAuthError:
        reason = f'401 Unauthorized access! Reason: "{self.error}" '
        reason += f'(OAuth realm: "Service", Scope: "{self.scope}")'
        return OAuthError(self.error, 401, "OAuthException", reason)

    def headers(self) -> dict[str, str]:
        # [inf] spec §7.7: the RFC 6750 challenge, in the draft-OAuth wording of the realm
        return {"WWW-Authenticate": f'OAuth realm="Service", error="{self.error}"'}


class TokenError(Exception):
    """A /oauth/token failure: the bare OAuth error body with its own status (spec §5.3)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> Response:
        # [inf]: the shape of the API's bare OAuth errors (spec §5.3), the RFC 6749 codes
        body = {
            "error": self.error,
            "error_code": self.status,
            "type": "OAuthException",
            "error_description": self.description,
        }
        return Response(msgspec.json.encode(body), self.status, media_type=JSON)


@dataclass(slots=True)
class Reply:
    """How one /api/2 call answers, filled in as its checks pass (spec §5.3): the route and object
    family its container names, the client's rate-limit block, its signing secret, and JSONP
    (SODA's .jsonp, once the callback param is read). Kept in the request for the handler."""

    route: Route
    family: str
    limit: RequestLimit = field(default_factory=RequestLimit)
    signatureSecret: str = ""
    jsonp: bool = False
    callback: str | None = None

    def wrap(self, response: Response) -> Response:
        return jsonp(response, self.callback) if self.jsonp else response

    def error(self, exc: SpidError) -> Response:
        limit = self.limit if exc.limit is None else exc.limit
        container = error_container(exc.code, exc.description, self.route, self.family, limit)
        return self.wrap(respond(container))


def answering(request: Request, reply: Reply) -> Reply:
    """Keep the call's Reply in the request, for its errors' envelope."""
    keep_call(request, reply)
    return reply


def reply_of(request: Request) -> Reply | None:
    reply = kept_call(request)
    return reply if isinstance(reply, Reply) else None


async def vendor_error(request: Request, exc: Exception) -> Response:
    """The envelope for an error raised anywhere in a call (installed by the gateway; async:
    starlette runs a sync handler in its thread pool)."""
    reply = reply_of(request)  # None: not an /api/2 call, i.e. the token endpoint
    if isinstance(exc, TokenError):
        return exc.response()
    if isinstance(exc, BadBody):
        if reply is None:
            return TokenError(400, "invalid_request", str(exc)).response()
        exc = SpidError((400, f"Invalid request body: {exc}"))
    if reply is not None and isinstance(exc, OAuthFailure):
        return reply.wrap(oauth_response(exc.body(), exc.headers()))
    if reply is not None and isinstance(exc, SpidError):
        return reply.error(exc)
    raise exc  # an API error outside an API call: a bug, for the error boundary


EXCEPTION_HANDLERS = {
    SpidError: vendor_error,
    OAuthFailure: vendor_error,
    TokenError: vendor_error,
    BadBody: vendor_error,
}


def error_container(
    code: int,
    description: str | dict[str, str],
    route: Route,
    object_: str = "Utility",
    limit: RequestLimit | None = None,
) -> Container:
    return Container(
        object=object_,
        type="error",
        code=code,
        request=limit or RequestLimit(),
        debug=Debug(route=route),
        error=ApiException(code=code, description=description),
    )


def not_found(request: Request) -> Response:
    # the vendor's captured 404 body for an unknown path (spec §5.1); checked before auth (§5.3)
    return respond(error_container(*NO_SUCH_ENDPOINT, FALLBACK_404))


def internal_error(request: Request, request_id: str) -> Response:
    route = Route(name="", url=vendor_path(request), controller="")
    code, text = INTERNAL_ERROR
    return respond(error_container(code, f"{text} (request {request_id})", route))


def too_large(request: Request, limit: int) -> Response:
    route = Route(name="", url=vendor_path(request), controller="")
    code, text = REQUEST_TOO_LARGE
    return respond(
        error_container(code, f"{text}: the body can not be larger than {limit} bytes", route)
    )


def fault_response(request: Request, code: str) -> Response:
    """An injected fault (doppelgate's control plane): a catalogue entry by name ("RATE_LIMITED")
    or HTTP status ("420": the first entry with it), or an OAuth error code ("invalid_token")."""
    if code in (INVALID_REQUEST, INVALID_TOKEN, EXPIRED_TOKEN, INSUFFICIENT_SCOPE):
        failure = OAuthFailure(code)
        return oauth_response(failure.body(), failure.headers())
    catalogue = {
        name: value
        for name, value in globals().items()
        if name.isupper() and isinstance(value, tuple) and len(value) == 2
    }
    entry = catalogue.get(code.upper()) or next(
        (value for value in catalogue.values() if str(value[0]) == code), None
    )
    if entry is None:
        raise ValueError(f"not a SPiD error: {code!r} (names: {', '.join(catalogue)})")
    return respond(error_container(*entry, Route(name="", url=vendor_path(request), controller="")))
