"""Requests sent to doppelgate as to a forward proxy: absolute-form targets (RFC 9112 §3.2.2).

`curl -x http://127.0.0.1:8080 http://ds.us1.gigya.com/ds.store` sends
`POST http://ds.us1.gigya.com/ds.store HTTP/1.1`. The target's authority then names the host,
whatever the Host header says (RFC 9112 §3.2.2), so it picks the dialect exactly as a vendor
Host does. doppelgate forwards nothing: a target on any other host is refused with 403, unless
it addresses doppelgate itself (a loopback name or the listening address, on its port).
"""

from __future__ import annotations

import msgspec
from starlette.types import ASGIApp, Receive, Scope, Send

from .hosts import LOOPBACK_NAMES, HostTable, split_authority

SCHEMES = (b"http://", b"https://")


class NotVendorHost(msgspec.Struct):
    error: str
    host: str
    message: str
    vendor_hosts: list[str]


def refusal(host: str, table: HostTable) -> tuple[int, bytes]:
    """403 and a body saying why: the one answer for a proxied request to a non-vendor host."""
    body = NotVendorHost(
        error="not a vendor host",
        host=host,
        message=f"doppelgate serves the vendors' hosts itself and forwards nothing: {host} is "
        "not one of them",
        vendor_hosts=list(table.patterns),
    )
    return 403, msgspec.json.encode(body)


class AbsoluteFormTargets:
    """ASGI middleware: an absolute-form target becomes origin-form plus that Host header."""

    def __init__(self, app: ASGIApp, table: HostTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw: bytes = scope.get("raw_path") or scope.get("path", "").encode()
        if scope["type"] != "http" or not raw[:8].lower().startswith(SCHEMES):
            await self.app(scope, receive, send)
            return
        authority, target = _split_target(raw)
        host, port = split_authority(authority.decode("latin-1"))
        if not self.table.is_vendor(host) and not _is_self(scope, host, port):
            status, body = refusal(host, self.table)
            headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(_origin_form(scope, authority, target), receive, send)


def _split_target(raw: bytes) -> tuple[bytes, bytes]:
    """(authority, path) of b"http://host:port/path": the path is "/" when the target has none."""
    rest = raw.split(b"://", 1)[1]
    slash = rest.find(b"/")
    if slash < 0:
        return rest, b"/"
    return rest[:slash], rest[slash:]


def _origin_form(scope: Scope, authority: bytes, target: bytes) -> Scope:
    from urllib.parse import unquote

    headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"host"]
    headers.insert(0, (b"host", authority))
    path = unquote(target.decode("latin-1"))
    return {**scope, "path": path, "raw_path": target, "headers": headers}


def _is_self(scope: Scope, host: str, port: int | None) -> bool:
    """Whether the target addresses this server: a loopback name or its own address, its port."""
    server = scope.get("server") or ("", None)
    own_port = server[1]
    if port is None:
        port = 443 if scope.get("scheme") == "https" else 80
    if own_port is not None and port != own_port:
        return False
    return host in LOOPBACK_NAMES or host == str(server[0]).lower()
