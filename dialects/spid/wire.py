"""The "SPP Container" every /api/2 JSON response travels in (spec §5.1), the data object
(spec §2) and the bare OAuth error body (spec §5.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

import msgspec
from starlette.responses import Response

JSON = "application/json; charset=utf-8"
_CALLBACK = re.compile(
    r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$"
)  # [inf]: the vendor's Content-Type is undocumented


class RequestLimit(msgspec.Struct):
    reset: int = 3600
    limit: int = 0  # a client without rate limiting (spec §5.1 sample)
    remaining: int = 0


class Route(msgspec.Struct):
    name: str
    url: str
    controller: str


class DebugParams(msgspec.Struct):
    options: list[Any] = msgspec.field(default_factory=list)
    where: list[Any] | dict[str, Any] = msgspec.field(default_factory=list)  # PHP: {} as [] (§5.1)


class Debug(msgspec.Struct):
    route: Route
    params: DebugParams = msgspec.field(default_factory=DebugParams)


class ApiException(msgspec.Struct, kw_only=True):
    code: int
    type: str = "ApiException"
    description: str | dict[str, str]  # or field -> message for validation errors (§5.1)


class Meta(msgspec.Struct):
    count: int
    offset: int


class Container(msgspec.Struct, kw_only=True):
    name: str = "SPP Container"  # SDKs test this exact string (spec §5.1)
    version: str = "0.2"
    api: int = 2
    object: str
    type: str  # "element" | "collection" | "error"
    code: int  # the HTTP status
    request: RequestLimit = msgspec.field(default_factory=RequestLimit)
    debug: Debug
    meta: Meta | None = None
    error: ApiException | None = None
    data: Any = None
    sig: str | msgspec.UnsetType = msgspec.UNSET  # only for clients with signing on (§5.1)
    algorithm: str | msgspec.UnsetType = msgspec.UNSET


class DataObject(msgspec.Struct):
    """All eight fields always present and non-empty; integer ids as strings (spec §2)."""

    dataObjectId: str
    clientId: str
    merchantId: str
    userId: str
    key: str
    value: str
    updated: str  # `YYYY-MM-DD HH:MM:SS` (spec §1)
    created: str


class Success(msgspec.Struct):
    success: bool  # the "success indicator" of DELETE (spec §3.5)


class OAuthError(msgspec.Struct):
    """Protected-resource errors come bare, without the container (spec §5.3)."""

    error: str
    error_code: int
    type: str
    error_description: str


def encode(value: Any) -> bytes:
    # PHP's json_encode escapes slashes: "\/api\/2\/dataobjects" (spec §5.1); JSON allows `/`
    # only inside strings, so the replacement never touches the structure
    return msgspec.json.encode(value).replace(b"/", b"\\/")


def base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signed(container: Container, secret: str) -> Container:
    """`data` = base64url(JSON), `sig` = base64url(HMAC-SHA256(that text, the client's
    signature secret)), `algorithm` = "HMAC-SHA256" (spec §5.1; sdk-php verifies exactly so)."""
    payload = base64url(encode(container.data))
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return msgspec.structs.replace(
        container, data=payload, sig=base64url(digest), algorithm="HMAC-SHA256"
    )


def respond(container: Container) -> Response:
    return Response(encode(container), container.code, media_type=JSON)


def oauth_response(body: OAuthError, headers: dict[str, str]) -> Response:
    return Response(encode(body), body.error_code, headers=headers, media_type=JSON)


def jsonp(response: Response, callback: str | None) -> Response:
    """`callback(<the whole container>);` [inf spec §5.2: the live wrapping is unverified];
    a name that is not a plain JS identifier path falls back to `callback`."""
    name = callback if callback and _CALLBACK.match(callback) else "callback"
    body = name.encode() + b"(" + bytes(response.body) + b");"
    kept = {k: v for k, v in response.headers.items() if k == "www-authenticate"}
    return Response(body, response.status_code, kept, media_type="application/javascript")
