"""A respx router that sends httpx requests for the vendors' real hosts into the emulator.

The hosts are the dialects' own (Dialect.hosts plus each `[dialects.<name>] hosts` setting: the
table the gateway routes by), so a client keeps `https://ds.us1.gigya.com/ds.store` and the
gateway serves it as /gigya/ds.store. `base_urls` maps a dialect to a URL whose path prefix is
stripped (a lightblue service at https://apps.example.com/lightblue, say). Works for
httpx.AsyncClient (the app runs on the caller's loop) and httpx.Client (on the emulator's helper
loop). Requests for other hosts go to the routes you add, as on any respx router; with none
matching they pass through to their own transport (the network, an ASGI app, `testserver`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx
import respx
from respx.models import AllMockedAssertionError, PassThrough

from ..config import Settings
from ..control.plane import Control
from ..gateway import host_table


class Emulator(Protocol):
    """What the router answers from: the in-process emulator (emulator.py, which imports this
    module: a Protocol here keeps the import one-way)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def control(self) -> Control: ...
    @property
    def transport(self) -> httpx.AsyncBaseTransport: ...
    @property
    def sync_transport(self) -> httpx.BaseTransport: ...


@dataclass(frozen=True, slots=True)
class BaseUrl:
    """Requests under scheme://host[:port]/root go to the dialect's mount + the rest."""

    scheme: str
    host: str
    port: int | None
    root: bytes
    prefix: bytes

    def rewrite(self, request: httpx.Request) -> httpx.Request | None:
        url = request.url
        if (url.scheme, url.host, url.port) != (self.scheme, self.host, self.port):
            return None
        path, sep, query = url.raw_path.partition(b"?")
        if self.root and path != self.root and not path.startswith(self.root + b"/"):
            return None  # a sibling path (/lightbluex): not under this base URL
        raw_path = self.prefix + (path[len(self.root) :] or b"/") + sep + query
        # Host "testserver": a base URL whose host is also a vendor host is not prefixed twice
        request.url = url.copy_with(scheme="http", host="testserver", port=None, raw_path=raw_path)
        request.headers["host"] = "testserver"
        return request


class VendorRouter(respx.MockRouter):
    """respx.MockRouter that answers the vendor hosts from the emulator; add your own routes
    for other hosts as on any respx router (`router.get("https://api.x.com/...").respond(...)`).
    A request no route takes passes through (`pass_through=False`: respx's "not mocked" error)."""

    def __init__(
        self,
        emulator: Emulator,
        *,
        base_urls: Mapping[str, str] | None = None,
        assert_all_called: bool = False,
        assert_all_mocked: bool = True,
        pass_through: bool = True,
    ) -> None:
        super().__init__(
            assert_all_called=assert_all_called,
            assert_all_mocked=assert_all_mocked,
            using="httpx",
        )
        self.emulator = emulator
        self.pass_through = pass_through
        self.base_urls: list[BaseUrl] = []
        for dialect, url in (base_urls or {}).items():
            self.add_base_url(dialect, url)
        self.hosts = host_table(list(emulator.control.dialects.values()), emulator.settings)

    def add_base_url(self, dialect: str, url: str) -> None:
        """Requests under `url` go to `dialect`, at the path after it."""
        prefix = self.emulator.control.dialects[dialect].prefix
        base = httpx.URL(url)
        root = base.raw_path.split(b"?")[0].rstrip(b"/")
        self.base_urls.append(BaseUrl(base.scheme, base.host, base.port, root, prefix.encode()))

    def target(self, request: httpx.Request) -> httpx.Request | None:
        """The request as the emulator takes it, or None when it is not the emulator's."""
        for base in self.base_urls:
            found = base.rewrite(request)
            if found is not None:
                return found
        return request if self.hosts.is_vendor(request.url.host) else None

    def handler(self, request: httpx.Request) -> httpx.Response:
        target = self.target(request)
        if target is None:
            with self._passing_through(request):
                return super().handler(request)
        response = self.emulator.sync_transport.handle_request(target)
        self.record(request, response=response)
        return response

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        target = self.target(request)
        if target is None:
            with self._passing_through(request):
                return await super().async_handler(request)
        response = await self.emulator.transport.handle_async_request(target)
        self.record(request, response=response)
        return response

    @contextlib.contextmanager
    def _passing_through(self, request: httpx.Request) -> Iterator[None]:
        """respx's "not mocked" becomes a pass-through to the client's own transport."""
        try:
            yield
        except AllMockedAssertionError:
            if not self.pass_through:
                raise
            raise PassThrough(
                f"not a vendor host: {request!r}",
                request=request,
                origin=None,  # type: ignore[arg-type]
            ) from None
