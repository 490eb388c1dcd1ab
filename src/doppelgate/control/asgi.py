"""One HTTP exchange straight through an ASGI app, in memory (no socket, no client library):
how seed files and the console call the vendor APIs, and how values become form text."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

import msgspec
from starlette.types import ASGIApp, Message, Scope

Headers = list[tuple[bytes, bytes]]


async def run_asgi(app: ASGIApp, scope: Scope, body: bytes) -> tuple[int, Headers, bytes]:
    """One whole HTTP exchange with an ASGI app, in memory: (status, headers, body).
    The app's exceptions propagate (as with httpx.ASGITransport's default)."""
    status = 0
    headers: Headers = []
    chunks: list[bytes] = []
    received = False

    async def receive() -> Message:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


def http_scope(
    method: str,
    scheme: str,
    host: str,
    port: int | None,
    raw_path: bytes,
    query: bytes,
    headers: Headers,
    state: dict[str, object] | None = None,
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": scheme,
        "path": unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape"),
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": headers,
        "client": ("127.0.0.1", 123),
        "server": (host, port or (443 if scheme == "https" else 80)),
        "state": dict(state or {}),
    }


def form_value(value: Any) -> str:
    """A form or query value as text: objects/arrays as JSON text, booleans true/false."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return msgspec.json.encode(value).decode()
