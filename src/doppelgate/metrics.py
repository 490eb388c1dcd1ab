"""`/_doppelgate/metrics` in the Prometheus text format, through prometheus_client: requests by
dialect, operation and status, their latency, faults fired, and documents per dialect.

One registry per app (no global state), so several emulators in one process never mix counts.
Operation labels are the dialect's known operations only ("other" for anything else), so a
client sending random paths cannot grow the label set without bound.
"""

from __future__ import annotations

import itertools
import time
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

from .engine import Engine

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Tallies(Collector):
    """Requests by dialect, operation and status, their latency by dialect, faults fired: plain
    counts per request (a prometheus_client child locks, and a histogram searches its buckets,
    on every observation: 8 us of each request), given to the registry as metric families."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = {}
        self.faults: dict[tuple[str, str], int] = {}
        # dialect -> [count per bucket (the last: over every bucket), sum of seconds]
        self.latency: dict[str, tuple[list[int], list[float]]] = {}
        self.created: dict[object, float] = {}  # each series' first observation (Unix time)

    def add(self, dialect: str, label: str, status: int, seconds: float, fault: bool) -> None:
        key = (dialect, label, status)
        count = self.requests.get(key)
        if count is None:
            self.created[key] = time.time()
            count = 0
        self.requests[key] = count + 1
        found = self.latency.get(dialect)
        if found is None:
            self.created[dialect] = time.time()
            found = self.latency[dialect] = ([0] * (len(LATENCY_BUCKETS) + 1), [0.0])
        found[0][bisect_left(LATENCY_BUCKETS, seconds)] += 1  # bucket `le`: seconds <= bound
        found[1][0] += seconds
        if fault:
            pair = (dialect, label)
            if pair not in self.faults:
                self.created[pair] = time.time()
            self.faults[pair] = self.faults.get(pair, 0) + 1

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "doppelgate_requests",
            "Vendor API requests served, by dialect, operation and HTTP status.",
            labels=["dialect", "operation", "status"],
        )
        for (dialect, label, status), count in self.requests.items():
            key = (dialect, label, status)
            requests.add_metric([dialect, label, str(status)], count, self.created[key])
        yield requests
        latency = HistogramMetricFamily(
            "doppelgate_request_duration_seconds",
            "Time to answer a vendor API request, by dialect.",
            labels=["dialect"],
        )
        for dialect, (counts, total) in self.latency.items():
            cumulative = list(itertools.accumulate(counts))
            bounds = [*map(floatToGoString, LATENCY_BUCKETS), "+Inf"]
            latency.add_metric([dialect], list(zip(bounds, cumulative, strict=True)), total[0])
            created = {"dialect": dialect}
            latency.add_sample(latency.name + "_created", created, self.created[dialect])
        yield latency
        faults = CounterMetricFamily(
            "doppelgate_faults_fired",
            "Injected faults that fired, by dialect and operation.",
            labels=["dialect", "operation"],
        )
        for (dialect, label), count in self.faults.items():
            faults.add_metric([dialect, label], count, self.created[dialect, label])
        yield faults


class Metrics:
    def __init__(self, operations: Mapping[str, Sequence[str]]) -> None:
        self.operations = operations  # per dialect; filled as the dialects are mounted
        # per request, no rebuilding: lower-cased name -> label per dialect (kept with the tuple
        # it came from, so a dialect mounted again is seen)
        self._known: dict[str, tuple[Sequence[str], dict[str, str]]] = {}
        self.tallies = Tallies()  # counted in plain dicts; the registry reads them when scraped
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(self.tallies)
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
        self.tallies.add(dialect, self._label(dialect, operation), status, seconds, fault)

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
