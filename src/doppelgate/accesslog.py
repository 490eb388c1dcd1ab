"""One log line per request, with the request id, dialect, operation, tenant, status, duration and
fault, and never a secret: credentials in query strings and headers are redacted.

The request id is the client's `X-Request-Id` when it sends a usable one (so its logs and ours
correlate), otherwise a fresh one; every response carries it back in `X-Request-Id`.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import ids
from .state import RequestState, request_state

logger = logging.getLogger("doppelgate.access")

# query parameters and headers whose values are credentials in some dialect's vendor API
SECRET_NAMES = frozenset(
    {
        "secret",
        "sig",
        "signature",
        "usersecret",
        "oauth_token",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "token",
        "accesskey",
        "code",
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-doppelgate-token",
    }
)
REDACTED = "***"
USABLE_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


def redact_query(query: str) -> str:
    """The query string with every credential's value replaced by ***."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [(k, REDACTED if k.lower() in SECRET_NAMES else v) for k, v in pairs], safe="*/:,"
    )


def redact_headers(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    return {
        k.decode("latin-1"): REDACTED
        if k.decode("latin-1").lower() in SECRET_NAMES
        else v.decode("latin-1")
        for k, v in headers
    }


def incoming_id(scope: Scope) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text = value.decode("latin-1").strip()
            return text if USABLE_ID.match(text) else None
    return None


class AccessLog:
    """Outermost ASGI middleware: names the request id, sends it back, logs the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = incoming_id(scope)
        rid = given or ids.uuid_hex()
        state = request_state(scope)
        state.request_id = rid
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                has_id = any(k.lower() == b"x-request-id" for k, _ in headers)
                if given is not None:  # the client's own id comes back as sent
                    headers = [(k, v) for k, v in headers if k.lower() != b"x-request-id"]
                if given is not None or not has_id:
                    headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._log(scope, state, rid, status, time.perf_counter() - started)

    def _log(self, scope: Scope, state: RequestState, rid: str, status: int, took: float) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        query = redact_query(scope.get("query_string", b"").decode("latin-1"))
        target = scope.get("path", "") + (f"?{query}" if query else "")
        client = scope.get("client") or ("-", 0)
        fields = [f"rid={rid}"]
        for name, value in (
            ("dialect", state.dialect),
            ("op", state.operation),
            ("tenant", state.tenant),
            ("fault", state.fault),
        ):
            if value:
                fields.append(f"{name}={value}")
        logger.info(
            '%s:%s "%s %s" %d %.1f ms %s',
            client[0],
            client[1],
            scope.get("method", "-"),
            target,
            status,
            took * 1000,
            " ".join(fields),
        )
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("request %s headers %s", rid, redact_headers(scope.get("headers", [])))
