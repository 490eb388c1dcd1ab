"""Query benchmark: dialect-shaped reads and updates as the collection grows (issue 16).

Each size (1k, 100k, 1M documents by default) is one collection of the same documents, with the
indexes the dialects declare (lightblue's metadata index on `n`, Gainsight's `_n`); the engine's
own ordered indexes (planner.py policy) are built by three warm-up calls before timing. The
operations are the engine calls the dialects make for one request:

- gainsight key read: `Name EQ`, limit 1 (query.py: sort by `_n`, `_id`);
- gainsight key update: `?keys=Name` (service.py: find the ids by key, update `_id $in`, re-read);
- gigya / lightblue / gainsight range + sort + 10-row page (with the total match count where the
  dialect returns one), selective (50 documents match) and unselective (all match).

Rounds rotate over the sizes so noise falls on each alike; printed: the median per operation and
size, and the ratio of the largest size to 1k (the goal: key read/update <= 1.2, indexed range
page <= 2, unselective <= 3).

`--mongo` (on --mongo-url, else on the suite's MongoDB-wire server started for it): the Gigya
pages again on the MongoDB backend at `--mongo-size` documents (100k), against the memory
backend at the same size in the same run, with the documents each page read from the server.

    python -m bench.query_bench [--quick] [--sizes 1000,100000,1000000] [--mongo] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import bson
from pymongo import monitoring

from bench.common import (
    bench_tenant,
    fmt_ns,
    line_buffered_stdout,
    make_engine,
    median,
    ratio,
    table,
    write_json,
)
from doppelgate.engine import Collection
from doppelgate.engine.memory import MemoryCollection, MemoryEngine

Op = Callable[[Any, int, random.Random], Awaitable[Any]]
PAGE = 10
SELECTIVE = 50  # documents a selective range matches


def make_doc(i: int, size: int) -> dict[str, Any]:
    n = (i * 7919) % size  # a permutation: values unrelated to insertion order
    return {
        "_id": f"1P0{i:020x}",
        "_n": i,
        "type": "bench",
        "Name": f"name{i}",
        "n": n,
        "data": {"n_i": n, "s_s": f"text {i % 97}"},
    }


async def build(size: int) -> MemoryCollection:
    coll = MemoryEngine().collection("bench", "query", f"c{size}")
    await coll.ensure_index(["_n"])  # Gainsight: rows kept in insertion order
    await coll.ensure_index(["n"])  # lightblue: a metadata index
    batch = 10_000
    for start in range(0, size, batch):
        await coll.insert_many([make_doc(i, size) for i in range(start, min(size, start + batch))])
    return coll


async def gainsight_key_read(coll: MemoryCollection, size: int, rng: random.Random) -> Any:
    key = f"name{rng.randrange(size)}"
    return await coll.find({"Name": key}, sort=[("_n", 1), ("_id", 1)], limit=1)


async def gainsight_key_update(coll: MemoryCollection, size: int, rng: random.Random) -> Any:
    key = f"name{rng.randrange(size)}"
    ids = [d["_id"] for d in await coll.find({"Name": key}, sort=[("_n", 1)])]
    await coll.update({"_id": {"$in": ids}}, {"$set": {"v": rng.random()}}, many=True)
    return await coll.find({"_id": {"$in": ids}})


def _low(size: int, selective: bool) -> int:
    return size - SELECTIVE - 1 if selective else -1


def gigya_page(selective: bool) -> Op:
    async def op(coll: MemoryCollection, size: int, rng: random.Random) -> Any:
        spec = {"$and": [{"type": "bench"}, {"data.n_i": {"$gt": _low(size, selective)}}]}
        sort = [("data.n_i", 1), ("_id", 1)]
        return await coll.find_with_count(spec, sort=sort, limit=PAGE)

    return op


def lightblue_page(selective: bool) -> Op:
    async def op(coll: MemoryCollection, size: int, rng: random.Random) -> Any:
        spec = {"n": {"$gt": _low(size, selective)}}
        return await coll.find_with_count(spec, sort=[("n", -1)], limit=PAGE)

    return op


def gainsight_page(selective: bool) -> Op:
    async def op(coll: MemoryCollection, size: int, rng: random.Random) -> Any:
        low = size - SELECTIVE - 1 if selective else -1
        spec = {"_n": {"$gt": low}}
        return await coll.find(spec, sort=[("_n", 1), ("_id", 1)], limit=PAGE)

    return op


OPERATIONS: dict[str, Op] = {
    "gainsight key read": gainsight_key_read,
    "gainsight key update": gainsight_key_update,
    "gigya range page (50 match)": gigya_page(True),
    "gigya range page (all match)": gigya_page(False),
    "lightblue range page (50 match)": lightblue_page(True),
    "lightblue range page (all match)": lightblue_page(False),
    "gainsight range page (50 match)": gainsight_page(True),
    "gainsight range page (all match)": gainsight_page(False),
}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = [int(s) for s in args.sizes.split(",")]
    colls: dict[int, MemoryCollection] = {}
    for size in sizes:
        started = time.perf_counter()
        colls[size] = await build(size)
        print(f"loaded {size:,} documents in {time.perf_counter() - started:.1f} s", flush=True)
    rng = random.Random(16)
    plans: dict[str, dict[int, dict[str, Any]]] = {}
    for name, op in OPERATIONS.items():  # warm-up: the planner's own indexes get built
        for size, coll in colls.items():
            for _ in range(4):
                await op(coll, size, rng)
            plans.setdefault(name, {})[size] = dict(coll.last_plan)
    times: dict[str, dict[int, list[float]]] = {n: {s: [] for s in sizes} for n in OPERATIONS}
    gc.collect()
    for _ in range(args.rounds):
        for name, op in OPERATIONS.items():
            for size, coll in colls.items():
                for _ in range(args.calls):
                    start = time.perf_counter_ns()
                    await op(coll, size, rng)
                    times[name][size].append(time.perf_counter_ns() - start)
    return {
        "sizes": sizes,
        "median_ns": {n: {s: median(v) for s, v in by.items()} for n, by in times.items()},
        "plans": plans,
    }


GIGYA = {n: op for n, op in OPERATIONS.items() if n.startswith("gigya")}


async def _fill(coll: Collection, size: int) -> None:
    await coll.ensure_index(["type", "data.n_i"])  # what Gigya declares for ORDER BY data.n_i
    for start in range(0, size, 1000):
        await coll.insert_many([make_doc(i, size) for i in range(start, min(size, start + 1000))])


# the MongoDB backend's ways to a sorted page (MongoEngine.server_sort): "indexed" sorts on the
# server only where `explain` shows an index walk (the suite's wire server has no explain: there
# every match is shipped and sorted in Python); "always" sorts and limits on the server once a
# guard query proves its order equal (serverplan.py); "auto", the default, does the latter only
# when more than serverplan.PROBE documents match (a count that stops there), else the former
MONGO_TARGETS = {"mongodb python": "indexed", "mongodb server": "always", "mongodb auto": "auto"}


class ServerTraffic(monitoring.CommandListener):
    """Round trips, reply bytes and documents a call received from the server, while on."""

    def __init__(self) -> None:
        self.on = False
        self.trips = self.bytes = self.docs = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if self.on:
            self.trips += 1
            self.bytes += len(bson.encode(event.reply))
            cursor = event.reply.get("cursor") or {}
            self.docs += len(cursor.get("firstBatch") or cursor.get("nextBatch") or [])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def _traffic(traffic: ServerTraffic, op: Op, coll: Any, size: int) -> dict[str, int]:
    traffic.on, traffic.trips, traffic.bytes, traffic.docs = True, 0, 0, 0
    try:
        await op(coll, size, random.Random(16))
    finally:
        traffic.on = False
    return {"round_trips": traffic.trips, "bytes": traffic.bytes, "docs": traffic.docs}


async def run_mongo(args: argparse.Namespace, url: str) -> dict[str, Any]:
    size = args.mongo_size
    traffic = ServerTraffic()
    monitoring.register(traffic)  # before the engine makes its client
    memory = MemoryEngine().collection("bench", "query", "mongo-baseline")
    engine = make_engine("mongodb", url)
    await engine.open()
    try:
        mongo = engine.collection("bench", bench_tenant(), "objects")
        started = time.perf_counter()
        await _fill(mongo, size)
        print(f"loaded {size:,} documents into MongoDB in {time.perf_counter() - started:.1f} s")
        await _fill(memory, size)
        rng = random.Random(16)
        labels = ["memory", *MONGO_TARGETS]
        times: dict[str, dict[str, list[float]]] = {n: {k: [] for k in labels} for n in GIGYA}
        served: dict[str, dict[str, dict[str, int]]] = {n: {} for n in GIGYA}
        for name, op in GIGYA.items():  # warm-up; what each way reads from the server
            for label, policy in MONGO_TARGETS.items():
                engine.server_sort = policy  # type: ignore[attr-defined]
                await op(mongo, size, rng)
                served[name][label] = await _traffic(traffic, op, mongo, size)
            await op(memory, size, rng)
        for _ in range(args.rounds):
            for name, op in GIGYA.items():
                for label in labels:
                    coll, calls = (memory, max(1, args.calls // 4))
                    if label != "memory":
                        engine.server_sort = MONGO_TARGETS[label]  # type: ignore[attr-defined]
                        coll, calls = mongo, args.mongo_calls
                    for _ in range(calls):
                        start = time.perf_counter_ns()
                        await op(coll, size, rng)
                        times[name][label].append(time.perf_counter_ns() - start)
        trips = []  # the floor: one round trip to the server through the engine
        for i in range(200):
            start = time.perf_counter_ns()
            await mongo.find_one({"_id": make_doc(i, size)["_id"]})
            trips.append(time.perf_counter_ns() - start)
        await mongo.drop()
    finally:
        await engine.close()
    return {
        "size": size,
        "median_ns": {n: {k: median(v) for k, v in by.items()} for n, by in times.items()},
        "served": served,
        "round_trip_ns": median(trips),
    }


def report_mongo(result: dict[str, Any]) -> None:
    rows = []
    for name, by in result["median_ns"].items():
        for label in MONGO_TARGETS:
            got = result["served"][name][label]
            rows.append(
                [
                    name,
                    label,
                    fmt_ns(by[label]),
                    fmt_ns(by["memory"]),
                    f"{ratio(by[label], by['memory']):.1f}",
                    str(got["round_trips"]),
                    str(got["docs"]),
                    f"{got['bytes'] / 1024:,.1f}",
                ]
            )
    print(f"\nMongoDB backend at {result['size']:,} documents (the server: see bench/README.md)")
    headers = ["operation", "way", "mongodb", "memory", "x memory", "trips", "docs", "KiB"]
    print(table(headers, rows))
    print(f"one round trip (engine find_one by _id): {fmt_ns(result['round_trip_ns'])}")


def report(result: dict[str, Any]) -> None:
    sizes = result["sizes"]
    first, last = sizes[0], sizes[-1]
    rows = []
    for name, by in result["median_ns"].items():
        plan = result["plans"][name][last]
        rows.append(
            [
                name,
                *(fmt_ns(by[s]) for s in sizes),
                f"{ratio(by[last], by[first]):.2f}",
                f"{plan['plan']} {plan['index'] or ''} ex={plan['examined']}",
            ]
        )
    headers = ["operation", *(f"{s:,} docs" for s in sizes), f"{last:,}/{first:,}", "plan"]
    print()
    print(table(headers, rows))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.query_bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="sizes 1k/10k/100k, fewer rounds")
    parser.add_argument("--sizes", help="comma-separated collection sizes")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=40, help="calls per operation, size, round")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--mongo", action="store_true", help="also the MongoDB backend")
    parser.add_argument("--mongo-only", action="store_true", help="only the MongoDB backend")
    parser.add_argument("--mongo-url", help="a MongoDB to use (default: the suite's wire server)")
    parser.add_argument("--mongo-size", type=int, default=100_000)
    parser.add_argument("--mongo-calls", type=int, default=2, help="per way, operation, round")
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = "1000,10000,100000" if args.quick else "1000,100000,1000000"
    if args.quick:
        args.rounds, args.calls = 3, 20
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    line_buffered_stdout()
    result: dict[str, Any] = {}
    if not args.mongo_only:
        result = asyncio.run(run(args))
        report(result)
    if args.mongo or args.mongo_only:
        import tempfile
        from pathlib import Path

        from bench.mongo_bench import mongo_url_for

        with tempfile.TemporaryDirectory() as work, mongo_url_for(args, Path(work)) as url:
            result["mongodb"] = asyncio.run(run_mongo(args, url))
        report_mongo(result["mongodb"])
    write_json(args.json, result)


if __name__ == "__main__":
    main()
