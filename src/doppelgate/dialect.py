"""The hook each vendor dialect fills in: where it lives, its routes and its two fallback errors."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from .config import Settings
    from .engine import Engine

DIALECT_NAMES: tuple[str, ...] = ("gigya", "spid", "gainsight", "lightblue")


@dataclass(frozen=True, slots=True)
class DialectContext:
    """What a dialect's routes get to work with: no global state."""

    engine: Engine
    settings: Settings


def _no_hosts(settings: Settings) -> Sequence[str]:
    return ()


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    prefix: str  # path prefix on the shared port, e.g. "/gigya"
    hosts: tuple[str, ...]  # vendor Host patterns: "login.schibsted.com", "*.gigya.com"
    routes: Callable[[DialectContext], list[BaseRoute]]
    internal_error: Callable[[Request, str], Response]  # (request, request id)
    not_found: Callable[[Request], Response]
    configured_hosts: Callable[[Settings], Sequence[str]] = field(default=_no_hosts)


def load_dialects(names: Sequence[str] = DIALECT_NAMES) -> tuple[Dialect, ...]:
    """Each `doppelgate.dialects.<name>` package's module-level DIALECT."""
    return tuple(importlib.import_module(f"doppelgate.dialects.{n}").DIALECT for n in names)


def request_id(request: Request) -> str:
    """The id the gateway's error boundary gave this request (uuid4 hex)."""
    return str(request.scope.get("state", {}).get("request_id", ""))


def vendor_path(request: Request) -> str:
    """The request path as the vendor sees it: without the dialect's mount prefix."""
    path: str = request.scope["path"]
    root = request.scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path
