"""ASGI middleware binding the server's clock and id source to each request it serves."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .clock import Clock
from .ids import IdSource


class Deterministic:
    """Outermost: `clock.now()` and the id helpers called while a request is served read this
    server's clock and ids (two emulators in one process never share them)."""

    def __init__(self, app: ASGIApp, clock: Clock, ids: IdSource, control_prefix: str) -> None:
        self.app = app
        self.clock = clock
        self.ids = ids
        self.control_prefix = control_prefix + "/"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.clock.refresh()  # a shared clock: a store read at most once per TTL
        clock_token = self.clock.bind()
        # control-plane calls (health polls, journal reads) draw no seeded id: how often a test
        # polls must not change the ids its vendor calls get
        id_tokens = self.ids.bind(not scope["path"].startswith(self.control_prefix))
        try:
            await self.app(scope, receive, send)
        finally:
            IdSource.unbind(id_tokens)
            Clock.unbind(clock_token)
