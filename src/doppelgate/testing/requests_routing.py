"""`requests` clients calling the vendors' real hosts, answered in-process by the emulator.

Mounted with the `responses` library (built to intercept `requests` at its transport adapter):
a request whose host the gateway would route to a dialect (the same host table and base URLs as
the respx router) is answered by the emulator and never leaves the process; every other request
passes through to the network untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx
import responses

if TYPE_CHECKING:
    from requests import PreparedRequest

    from .routing import VendorRouter

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
ANY_URL = re.compile(r".*")
HOP_BY_HOP = {"content-encoding", "transfer-encoding", "connection"}


class RequestsRouter:
    """A context manager: while entered, `requests` reaches the emulator for the vendor hosts."""

    def __init__(self, router: VendorRouter) -> None:
        self.router = router
        self.mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in METHODS:
            self.mock.add_callback(
                method, ANY_URL, callback=self._answer, content_type=None, match=[self._is_ours]
            )
        self.mock.add_passthru(ANY_URL)  # checked only for requests no callback took
        self.calls: list[httpx.Request] = []

    def __enter__(self) -> RequestsRouter:
        self.mock.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.mock.stop()
        self.mock.reset()

    def _is_ours(self, request: PreparedRequest) -> tuple[bool, str]:
        target = self.router.target(_as_httpx(request))
        request.doppelgate_target = target  # type: ignore[attr-defined]  # read by _answer
        return (True, "") if target is not None else (False, "not a vendor host")

    def _answer(self, request: PreparedRequest) -> tuple[int, list[tuple[str, str]], bytes]:
        target: httpx.Request = request.doppelgate_target  # type: ignore[attr-defined]
        self.calls.append(target)
        response = self.router.emulator.sync_transport.handle_request(target)
        headers = [(k, v) for k, v in response.headers.multi_items() if k not in HOP_BY_HOP]
        return response.status_code, headers, response.read()


def _as_httpx(request: PreparedRequest) -> httpx.Request:
    body: Any = request.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif body is not None and not isinstance(body, bytes):
        body = b"".join(_chunks(body))  # a generator or file: read whole
    return httpx.Request(
        request.method or "GET", request.url or "/", headers=dict(request.headers), content=body
    )


def _chunks(body: Iterable[Any] | Any) -> Iterable[bytes]:
    if hasattr(body, "read"):
        data = body.read()
        yield data.encode() if isinstance(data, str) else data
        return
    for chunk in body:
        yield chunk.encode() if isinstance(chunk, str) else chunk
