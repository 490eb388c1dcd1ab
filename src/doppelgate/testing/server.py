"""What an HTTP server adds to each response that the app itself does not: `doppelgate serve`
runs uvicorn, which sends a Date header (SDKs correct their clocks by it). In-process
transports have no server, so the emulator adds it here."""

from __future__ import annotations

from email.utils import formatdate

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", formatdate(usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)


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
    from urllib.parse import unquote_to_bytes

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
