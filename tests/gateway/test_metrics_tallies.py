"""The metrics' plain tallies expose what prometheus_client's own Counter and Histogram would."""

from __future__ import annotations

import re

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from doppelgate.metrics import LATENCY_BUCKETS, Metrics

OBSERVED = [  # (operation, status, seconds, fault): bucket bounds, between them, past the last
    ("ds.get", 200, 0.0005, False),
    ("ds.get", 200, 0.0001, False),
    ("ds.get", 200, 0.003, False),
    ("ds.get", 404, 10.0, False),
    ("ds.store", 500, 25.0, True),
    ("ds.random", 200, 0.01, True),
]


def _without_created(text: str) -> list[str]:
    return [line for line in text.splitlines() if not re.search(r"_created\b", line)]


def test_tallies_expose_what_prometheus_client_counts() -> None:
    metrics = Metrics({"gigya": ("ds.get", "ds.store")})
    registry = CollectorRegistry()
    requests = Counter(
        "doppelgate_requests",
        "Vendor API requests served, by dialect, operation and HTTP status.",
        ["dialect", "operation", "status"],
        registry=registry,
    )
    latency = Histogram(
        "doppelgate_request_duration_seconds",
        "Time to answer a vendor API request, by dialect.",
        ["dialect"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    faults = Counter(
        "doppelgate_faults_fired",
        "Injected faults that fired, by dialect and operation.",
        ["dialect", "operation"],
        registry=registry,
    )
    for operation, status, seconds, fault in OBSERVED:
        metrics.observe("gigya", operation, status, seconds, fault)
        label = operation if operation in ("ds.get", "ds.store") else "other"
        requests.labels("gigya", label, str(status)).inc()
        latency.labels("gigya").observe(seconds)
        if fault:
            faults.labels("gigya", label).inc()
    ours = _without_created(generate_latest(metrics.registry).decode())
    theirs = _without_created(generate_latest(registry).decode())
    assert ours[: len(theirs)] == theirs  # then the documents gauge
    created = generate_latest(metrics.registry).decode()
    assert 'doppelgate_request_duration_seconds_created{dialect="gigya"}' in created
