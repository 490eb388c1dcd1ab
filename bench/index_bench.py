"""ensure_index on an index that already exists: its per-call cost, as ratios to baselines in
the same run, on the memory backend and on the MongoDB backend.

Dialects call `ensure_index` on their request paths (Gigya before an ORDER BY search, Gainsight
before every insert, SPiD before every create), so its cost when the index is already there is
a per-request cost. Per backend, one collection of 100 documents with the index built, then in
rounds that alternate the order, N calls each of:

- noop     `await` of an async function that returns at once: the floor of any engine call;
- find_one `await coll.find_one({"_id": k})`: one point read (MongoDB: one round trip);
- ensure   `await coll.ensure_index(["email"], unique=True)` on the existing index.

Printed: ns/call of the best round of each, and ensure/noop, ensure/find_one of those.

    python -m bench.index_bench [--calls N] [--rounds R] [--mongo-url URL]

Without --mongo-url (or DOPPELGATE_MONGO_URL) it starts the suite's MongoDB-wire server for the
run (bench/mongo_bench.py's `mongo_url_for`); --memory-only skips MongoDB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.common import (
    DIALECT,
    INDEXED_FIELD,
    bench_tenant,
    doc_id,
    fmt_ns,
    line_buffered_stdout,
    make_doc,
    make_engine,
    ratio,
    table,
)
from doppelgate.engine import Engine

DOCS = 100
CASES = ("noop", "find_one", "ensure")


async def _noop() -> None:
    return None


async def _per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.perf_counter_ns()
    for _ in range(calls):
        await call()
    return (time.perf_counter_ns() - started) / calls


async def measure(engine: Engine, calls: int, rounds: int) -> dict[str, float]:
    """The best round's ns/call of each case."""
    coll = engine.collection(DIALECT, bench_tenant(), "indexed")
    await coll.insert_many([make_doc(i) for i in range(DOCS)])
    await coll.ensure_index([INDEXED_FIELD], unique=True)
    key = doc_id(DOCS // 2)
    cases: dict[str, Callable[[], Awaitable[object]]] = {
        "noop": _noop,
        "find_one": lambda: coll.find_one({"_id": key}),
        "ensure": lambda: coll.ensure_index([INDEXED_FIELD], unique=True),
    }
    best = dict.fromkeys(CASES, float("inf"))
    try:
        for r in range(rounds):
            for name in CASES if r % 2 == 0 else reversed(CASES):
                best[name] = min(best[name], await _per_call(cases[name], calls))
    finally:
        await coll.drop()
    return best


async def run_backend(backend: str, url: str | None, calls: int, rounds: int) -> list[str]:
    engine = make_engine(backend, url)
    await engine.open()
    try:
        best = await measure(engine, calls, rounds)
    finally:
        await engine.close()
    return [
        backend,
        *(fmt_ns(best[name]) for name in CASES),
        f"{ratio(best['ensure'], best['noop']):.1f}",
        f"{ratio(best['ensure'], best['find_one']):.3f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per case and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--mongo-url", default=os.environ.get("DOPPELGATE_MONGO_URL"))
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()
    line_buffered_stdout()
    rows = [asyncio.run(run_backend("memory", None, args.calls, args.rounds))]
    if not args.memory_only:
        from bench.mongo_bench import mongo_url_for

        with tempfile.TemporaryDirectory() as work, mongo_url_for(args, Path(work)) as url:
            rows.append(asyncio.run(run_backend("mongodb", url, args.calls // 4, args.rounds)))
    headers = ["backend", *CASES, "ensure/noop", "ensure/find_one"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
