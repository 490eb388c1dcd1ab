"""The control plane's Python face (Control, on app.state.control): reset, seed, snapshot
export/import, the request journal, fault injection, the clock and the id source.

Each dialect's request path (gateway.dialect_app) runs the journal and faults (layers.py)
with this object's journal, faults and metrics; the HTTP routes (routes.py) call its methods.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from ..config import Settings
from ..dialect import Dialect, fault_hook
from ..engine import Engine
from ..ids import IdSource
from ..metrics import Metrics
from ..state import STATE_KEY, RequestState
from .clockstore import clock_for
from .faults import Fault, Faults, FaultSpec
from .journal import Journal
from .operations import route_operations
from .seed import SeedReport, parse_seed, run_seed
from .snapshot import Snapshot, export_snapshot, import_snapshot, parse_snapshot

logger = logging.getLogger("doppelgate")


def _scope_name(dialect: str | None, tenant: str | None) -> str:
    return "all dialects" if dialect is None else dialect + (f" tenant {tenant}" if tenant else "")


class Control:
    """The emulator's own operations, shared by the HTTP control plane and Python callers."""

    def __init__(self, engine: Engine, dialects: Sequence[Dialect], settings: Settings) -> None:
        self.engine = engine
        self.dialects = {d.name: d for d in dialects}
        self.journal = Journal(settings.journal_size)
        self.faults = Faults()
        self.operations: dict[str, tuple[str, ...]] = {}  # per dialect: what faults may target
        self.metrics = Metrics(self.operations)
        self.clock = clock_for(engine)  # what every dialect's time reads (clock.py)
        self.ids = IdSource(settings.id_seed)  # what generated ids come from (ids.py)

    def add_routes(self, dialect: Dialect, routes: Sequence[BaseRoute]) -> None:
        """What faults may target in the dialect: its declared operations and its routes'."""
        self.operations[dialect.name] = (*dialect.operations, *route_operations(routes))

    async def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        """Drop the data of every dialect, one dialect, or one dialect's tenant."""
        if tenant is not None and dialect is None:
            raise ValueError("a tenant belongs to a dialect: give the dialect too")
        self._check_dialect(dialect)
        dropped = await self.engine.reset(dialect, tenant)
        logger.info("reset %s: %d collections dropped", _scope_name(dialect, tenant), dropped)
        return dropped

    async def seed(self, source: Any, app: ASGIApp) -> SeedReport:
        """Apply a seed file; its calls go through `app` (the gateway serving this plane)."""
        prefixes = {name: d.prefix for name, d in self.dialects.items()}
        report = await run_seed(parse_seed(source), app, self.engine, prefixes)
        logger.info("seed: %d calls, %d documents", report.calls, report.documents)
        return report

    async def snapshot(self) -> Snapshot:
        snapshot = await export_snapshot(self.engine)
        logger.info("snapshot exported: %d collections", len(snapshot.collections))
        return snapshot

    async def restore(self, snapshot: Any) -> tuple[int, int]:
        """Replace all data with a snapshot's: (collections, documents)."""
        collections, documents = await import_snapshot(self.engine, parse_snapshot(snapshot))
        logger.info("snapshot imported: %d collections, %d documents", collections, documents)
        return collections, documents

    def add_fault(self, spec: FaultSpec | dict[str, Any]) -> Fault:
        spec = spec if isinstance(spec, FaultSpec) else msgspec.convert(spec, FaultSpec)
        self._check_dialect(spec.dialect)
        if spec.error is not None:  # reject a code the vendor's catalogue lacks, now
            dialect = self.dialects[spec.dialect]
            try:
                fault_hook(dialect)(_probe_request(dialect), spec.error)
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{spec.dialect} has no error {spec.error!r}: {exc}") from None
        self._check_operation(spec.dialect, spec.operation)
        fault = self.faults.add(spec)
        logger.info("fault %s added: %s", fault.id, msgspec.json.encode(spec).decode())
        return fault

    def _check_operation(self, dialect: str, operation: str | None) -> None:
        """A fault for an operation the dialect does not have could never fire: refused."""
        known = self.operations.get(dialect, ())
        if operation in (None, "*") or not known:
            return
        if operation.lower() not in {k.lower() for k in known}:
            listed = ", ".join(known)
            raise ValueError(f"{dialect} has no operation {operation!r} (known: {listed}, or *)")

    def _check_dialect(self, name: str | None) -> None:
        if name is not None and name not in self.dialects:
            raise ValueError(f"unknown dialect {name!r} (known: {', '.join(self.dialects)})")


def _probe_request(dialect: Dialect) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "path": dialect.prefix + "/",
            "root_path": dialect.prefix,
            "query_string": b"",
            "headers": [],
            "state": {STATE_KEY: RequestState(request_id="0" * 32)},
        }
    )
