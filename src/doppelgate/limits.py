"""The request-body limit: enforced while the body streams in, before any layer buffers it."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# (request, the limit in bytes) -> the "too large" answer in the right envelope
TooLarge = Callable[[Request, int], Response]


class BodyTooLarge(Exception):
    """Raised by the counting `receive` once the body passes the limit."""


def declared_length(scope: Scope) -> int | None:
    """The Content-Length header as a number (None when absent or not a number)."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyCounter:
    """One request body's bytes, counted as they stream in: past `limit`, the read that crossed
    it and every later one raise BodyTooLarge (the app may catch the first)."""

    __slots__ = ("exceeded", "limit", "size")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.exceeded = False

    def refuse_if_over(self) -> None:
        """Before a read: the body already passed the limit."""
        if self.exceeded:
            raise BodyTooLarge(f"request body over {self.limit} bytes")

    def count(self, message: Message) -> None:
        """After a read: add its chunk; raise once the body passes the limit."""
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self.limit:
                self.exceeded = True
                raise BodyTooLarge(f"request body over {self.limit} bytes")


class BodyLimit:
    """ASGI middleware: a declared Content-Length over `limit` is answered at once, unread; a
    streamed body is counted chunk by chunk and cut off as soon as it passes `limit`. Either way
    the answer is `too_large`'s, whatever the app inside did with the error (it may catch it)."""

    def __init__(self, app: ASGIApp, limit: int, too_large: TooLarge) -> None:
        self.app = app
        self.limit = limit
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.limit:
            await self.too_large(Request(scope), self.limit)(scope, receive, send)
            return
        counter = BodyCounter(self.limit)
        started = False

        async def counting_receive() -> Message:
            counter.refuse_if_over()
            message = await receive()
            counter.count(message)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if counter.exceeded and not started:
                return  # the app's own answer to the cut-off body: ours goes out instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except ClientDisconnect:
            return  # the client left (or its stalled body was cut off): no one to answer
        except Exception:
            if not counter.exceeded:  # a real failure: the error boundary outside answers it
                raise
        if counter.exceeded and not started:
            await self.too_large(Request(scope), self.limit)(scope, receive, send)


ECHO_CHARS = 256  # the most of one bad value an error message repeats back
ECHO_ITEMS = 100  # the most elements of one array or object an error repeats back


def clip(value: object) -> object:
    """A client's value as an error may echo it: long strings cut to a prefix, long arrays and
    objects to their first items, so a 20 MB field never comes back in the error about it."""
    if isinstance(value, str):
        return value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "..."
    if isinstance(value, list):
        return [clip(item) for item in value[:ECHO_ITEMS]]
    if isinstance(value, dict):
        return {key: clip(item) for key, item in list(value.items())[:ECHO_ITEMS]}
    return value
