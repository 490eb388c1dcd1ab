"""The control plane's gate (/_doppelgate/..., README "Limits and the control plane's security"):
its token, its Host check against DNS rebinding, its refusal of cross-site state changes, and the
body limit.

/_doppelgate/health stays open: it shows no data, and container health checks call it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import sys
from collections.abc import Callable

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .config import Settings
from .limits import BodyLimit

TOKEN_HEADER = b"x-doppelgate-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# what a cross-site <form> or no-cors fetch can send without a CORS preflight (Fetch standard)
SIMPLE_TYPES = ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
# names that only ever reach this machine, and the in-process test clients' conventional host
LOCAL_NAMES = frozenset({"localhost", "testserver"})


def problem(message: str, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """The control plane's error envelope: {"error": ...}."""
    body = msgspec.json.encode({"error": message})
    return Response(body, status_code, headers, media_type="application/json")


def control_too_large(request: Request, limit: int) -> Response:
    return problem(f"request body over {limit} bytes (setting max_body_bytes)", 413)


def is_loopback(host: str) -> bool:
    """A listen address or Host name that only this machine can reach."""
    host = host.strip("[]").lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure_control_plane(settings: Settings) -> Settings:
    """At start-up: warn on a non-loopback bind and, unless a token is set or the control plane
    is explicitly left open (insecure_control_plane), require a fresh random token."""
    if is_loopback(settings.host):
        return settings
    warn(f"listening on {settings.host}: every dialect is reachable from other machines")
    if settings.control_token:
        return settings
    if settings.insecure_control_plane:
        warn("insecure_control_plane: anyone who reaches the port can read and wipe all data")
        return settings
    token = secrets.token_urlsafe(24)
    warn(
        f"the control plane (/_doppelgate/) needs this token (set DOPPELGATE_CONTROL_TOKEN to "
        f"choose one): {token}"
    )
    return msgspec.structs.replace(settings, control_token=token)


def warn(message: str) -> None:
    print(f"doppelgate: warning: {message}", file=sys.stderr, flush=True)


class ControlPlaneGuard:
    """ASGI middleware around the whole gateway that acts on control-plane paths only.

    `host_of(scope)` is the request's Host name (no port); `vendor_host(name)` says whether the
    gateway serves a dialect on it: vendor names are not ones a rebinding attacker controls.
    """

    def __init__(
        self,
        app: ASGIApp,
        prefix: str,
        settings: Settings,
        host_of: Callable[[Scope], str],
        vendor_host: Callable[[str], bool],
    ) -> None:
        self.app = app
        self.prefix = prefix + "/"
        self.health = prefix + "/health"
        # the web console's page and static files hold no data; its API calls carry the token
        self.console_files = (prefix + "/console", prefix + "/console/static/")
        self.limited = BodyLimit(app, settings.max_body_bytes, control_too_large)
        self.token = (settings.control_token or "").encode()
        # no token on a non-loopback bind is refused unless explicitly allowed (start-up makes one)
        self.closed = not self.token and not (
            is_loopback(settings.host) or settings.insecure_control_plane
        )
        bound = settings.host.lower().strip("[]")
        self.hosts = {bound, *(h.lower().rstrip(".") for h in settings.control_hosts)}
        self.host_of = host_of
        self.vendor_host = vendor_host

    def applies(self, scope: Scope) -> bool:
        path: str = scope["path"]
        page, files = self.console_files
        public = path in (self.health, page) or path.startswith(files)
        return path.startswith(self.prefix) and not public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.limited(scope, receive, send)

    def refusal(self, scope: Scope) -> Response | None:
        headers = _headers(scope)
        if self.closed:
            return problem("the control plane needs control_token on a non-loopback bind", 403)
        if self.token:
            if not self._has_token(headers):
                challenge = {"WWW-Authenticate": 'Bearer realm="doppelgate"'}
                return problem("control token missing or wrong", 401, challenge)
        elif not self._local_host(self.host_of(scope).strip("[]")):
            return problem("Host not allowed for the control plane (setting control_hosts)", 403)
        if scope["method"] not in SAFE_METHODS:
            return _cross_site(headers)
        return None

    def _has_token(self, headers: dict[bytes, bytes]) -> bool:
        given = headers.get(TOKEN_HEADER)
        if given is None:
            scheme, _, value = headers.get(b"authorization", b"").partition(b" ")
            given = value.strip() if scheme.lower() == b"bearer" else b""
        return hmac.compare_digest(given, self.token)

    def _local_host(self, host: str) -> bool:
        return bool(host) and (is_loopback(host) or host in self.hosts or self.vendor_host(host))


def _cross_site(headers: dict[bytes, bytes]) -> Response | None:
    """A state change a browser made for another site's page, or could make without preflight."""
    site = headers.get(b"sec-fetch-site")
    if site is not None and site not in (b"same-origin", b"none"):
        return problem("cross-site requests may not change the control plane", 403)
    origin = headers.get(b"origin")
    if origin is not None:
        origin_host = origin.partition(b"://")[2].lower()
        if origin_host != headers.get(b"host", b"").lower():
            return problem("cross-origin requests may not change the control plane", 403)
    kind = headers.get(b"content-type", b"").decode("latin-1").partition(";")[0].strip().lower()
    if kind in SIMPLE_TYPES:
        return problem(f"send JSON or YAML, not {kind}", 415)
    return None


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {key: value for key, value in scope.get("headers", ())}
