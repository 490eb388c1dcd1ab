"""The hook each vendor dialect fills in: where it lives, its routes and its two fallback errors."""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Scope

from . import dialects
from .limits import TooLarge
from .state import request_state

if TYPE_CHECKING:
    from .config import Settings
    from .console_adapter import ConsoleAdapter
    from .engine import Engine


@dataclass(frozen=True, slots=True)
class DialectContext:
    """What a dialect's routes get to work with: no global state."""

    engine: Engine
    settings: Settings


# (request, vendor error code as text) -> that error in the vendor's envelope; ValueError when the
# code is not in the dialect's catalogue. Used by the control plane's fault injection.
FaultResponse = Callable[[Request, str], Response]
# (request, exception) -> that exception in the vendor's envelope, as starlette's exception handlers
ExceptionHandler = Callable[[Request, Exception], Response | Awaitable[Response]]
# (HTTP method, vendor path) -> operation name for the journal and faults, e.g. "ds.store"
OperationOf = Callable[[str, str], str | None]


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    prefix: str  # path prefix on the shared port, e.g. "/gigya"
    # vendor Host patterns: "login.schibsted.com", "*.gigya.com" (more: [dialects.<name>] hosts)
    hosts: tuple[str, ...]
    routes: Callable[[DialectContext], list[BaseRoute]]
    internal_error: Callable[[Request, str], Response]  # (request, request id)
    not_found: Callable[[Request], Response]
    # optional: without them, faults answer with the internal-error envelope, and the operation
    # is "<METHOD> <route template>" (control/operations.py)
    fault_response: FaultResponse | None = None
    operation_of: OperationOf | None = None  # the one source of the journal's operation names
    # (request, body limit) -> the vendor's "request too large" error (too_large_hook)
    too_large: TooLarge | None = None
    # the operation names faults may target, when the routes cannot tell (one catch-all route);
    # otherwise they are "<METHOD> <route template>" (control/operations.py)
    operations: tuple[str, ...] = ()
    # exception class -> its vendor envelope: the one place the dialect's errors become responses,
    # installed by the gateway around the dialect's routes (most specific class wins, by MRO)
    exception_handlers: Mapping[type[Exception], ExceptionHandler] = field(default_factory=dict)
    # where listings (health, index, console, metrics) put it: the lower the earlier, then by name
    position: int = 0
    # optional: how the console browses and edits its documents through its API (console/)
    console: ConsoleAdapter | None = None


def load_dialects(names: Sequence[str] | None = None) -> tuple[Dialect, ...]:
    """Each `doppelgate.dialects.<name>` package's module-level DIALECT: the named ones in that
    order, or every package found there in the order the dialects declare (Dialect.position)."""
    if names is not None:
        return tuple(_load(name) for name in names)
    return tuple(sorted(map(_load, dialects.names()), key=lambda d: (d.position, d.name)))


def _load(name: str) -> Dialect:
    dialect: Dialect = importlib.import_module(f"doppelgate.dialects.{name}").DIALECT
    return dialect


def request_id(request: Request) -> str:
    """The id the gateway gave this request (the access log's, else the error boundary's)."""
    return request_state(request.scope).request_id


def vendor_path(request: Request | Scope) -> str:
    """The request path as the vendor sees it: without the dialect's mount prefix (a Request or
    its ASGI scope)."""
    path: str = request["path"]
    root: str = request.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def note(request: Request, *, tenant: str | None = None) -> None:
    """Tell the control plane's journal which tenant this request is (the operation's name comes
    from Dialect.operation_of, or the route, before the routes run)."""
    if tenant:
        request_state(request.scope).tenant = tenant


def keep_call(request: Request, call: object) -> None:
    """Keep what the dialect decoded of this request, for the envelope of a later error."""
    request_state(request.scope).call = call


def kept_call(request: Request) -> object:
    """What keep_call kept for this request (None before the dialect decoded it)."""
    return request_state(request.scope).call


def too_large_hook(dialect: Dialect) -> TooLarge:
    """The dialect's "too large" builder, else its internal-error envelope with status 413."""
    if dialect.too_large is not None:
        return dialect.too_large

    def internal(request: Request, limit: int) -> Response:
        response = dialect.internal_error(request, request_id(request))
        response.status_code = 413
        return response

    return internal


def fault_hook(dialect: Dialect) -> FaultResponse:
    """The dialect's fault builder, else one that answers every code with its internal error."""
    if dialect.fault_response is not None:
        return dialect.fault_response

    def internal(request: Request, code: str) -> Response:
        return dialect.internal_error(request, request_id(request))

    return internal
