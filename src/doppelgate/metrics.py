"""`/_doppelgate/metrics` in the Prometheus text format, through prometheus_client: requests by
dialect, operation and status, their latency, faults fired, and documents per dialect.

One registry per app (no global state), so several emulators in one process never mix counts.
Operation labels are the dialect's known operations only ("other" for anything else), so a
client sending random paths cannot grow the label set without bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .engine import Engine

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    def __init__(self, operations: Mapping[str, Sequence[str]]) -> None:
        self.operations = operations  # per dialect; filled as the dialects are mounted
        # per request, no rebuilding: lower-cased name -> label per dialect (kept with the tuple
        # it came from, so a dialect mounted again is seen), and the labelled children
        self._known: dict[str, tuple[Sequence[str], dict[str, str]]] = {}
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "doppelgate_requests",
            "Vendor API requests served, by dialect, operation and HTTP status.",
            ["dialect", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "doppelgate_request_duration_seconds",
            "Time to answer a vendor API request, by dialect.",
            ["dialect"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.faults = Counter(
            "doppelgate_faults_fired",
            "Injected faults that fired, by dialect and operation.",
            ["dialect", "operation"],
            registry=self.registry,
        )
        self.documents = Gauge(
            "doppelgate_documents",
            "Documents stored, by dialect: every collection, schemas and bookkeeping included "
            "(counted when scraped).",
            ["dialect"],
            registry=self.registry,
        )

    def observe(
        self, dialect: str, operation: str, status: int, seconds: float, fault: bool
    ) -> None:
        label = self._label(dialect, operation)
        children = self._children.get((dialect, label, status))
        if children is None:
            children = self._children[dialect, label, status] = (
                self.requests.labels(dialect, label, str(status)),
                self.latency.labels(dialect),
            )
        children[0].inc()
        children[1].observe(seconds)
        if fault:
            self.faults.labels(dialect, label).inc()

    def _label(self, dialect: str, operation: str) -> str:
        operations = self.operations.get(dialect, ())
        cached = self._known.get(dialect)
        if cached is None or cached[0] is not operations:
            cached = self._known[dialect] = (operations, {op.lower(): op for op in operations})
        return cached[1].get(operation.lower(), "other")

    async def exposition(self, engine: Engine, dialects: Sequence[str]) -> bytes:
        for dialect in dialects:
            total = 0
            for address in await engine.collections(dialect):
                collection = engine.collection(address.dialect, address.tenant, address.name)
                total += await collection.count({})
            self.documents.labels(dialect).set(total)
        return bytes(generate_latest(self.registry))
