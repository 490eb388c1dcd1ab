"""Reliability costs (issue 13), as ratios to a baseline measured in the same run.

- fsync: writes to the memory backend with `--data-file`, `fsync = "always"` (fdatasync after
  every journal frame: power-loss durability) against `fsync = "never"` (the default: the frame
  reaches the OS before the write is acknowledged, which survives the process dying). Rounds of
  inserts then `$set` updates, alternating which setting goes first; ratio always/never.
- race: the issue's 50 clients x 20 `ds.store updateBehavior=arrayPush` on one oid through a
  real `doppelgate serve`, on the MongoDB backend against the memory backend; every push must
  apply (1,000), and the ratio mongodb/memory of the wall-clock time is the figure.

    python -m bench.reliability_bench [--quick] [--only fsync|race] [--mongo-url URL] [--dir D]

The data files go to --dir (default: a temporary directory under bench/results, on the disk
the repository is on: fsync on a tmpfs would cost nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common

FSYNC_MODES = ("never", "always")
RACE_BACKENDS = ("memory", "mongodb")


# -- fsync ---------------------------------------------------------------------------------------


async def _write_round(directory: Path, fsync: bool, writes: int, start: int) -> float:
    """Seconds per write for `writes` inserts then as many updates, on a fresh data file."""
    from doppelgate.engine.memory import MemoryEngine

    path = directory / f"data-{uuid.uuid4().hex[:8]}.dg"
    engine = MemoryEngine(data_file=path, fsync=fsync)
    await engine.open()
    coll = engine.collection("bench", "fsync", "docs")
    try:
        began = time.perf_counter()
        for i in range(start, start + writes):
            await coll.insert(common.make_doc(i))
        for i in range(start, start + writes):
            await coll.update({"_id": common.make_doc(i)["_id"]}, {"$set": {"n": -i}})
        elapsed = time.perf_counter() - began
    finally:
        await engine.close()
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
    return elapsed / (2 * writes)


async def fsync_cost(directory: Path, rounds: int, writes: int) -> dict[str, Any]:
    per_write: dict[str, list[float]] = {mode: [] for mode in FSYNC_MODES}
    for r in range(rounds):
        order = FSYNC_MODES if r % 2 == 0 else tuple(reversed(FSYNC_MODES))
        for mode in order:
            seconds = await _write_round(directory, mode == "always", writes, r * writes)
            per_write[mode].append(seconds)
    best = {mode: min(values) for mode, values in per_write.items()}
    ratios = [a / n for a, n in zip(per_write["always"], per_write["never"], strict=True)]
    return {
        "writes_per_round": 2 * writes,
        "rounds": rounds,
        "best_seconds_per_write": best,
        "ratio_best": common.ratio(best["always"], best["never"]),
        "ratio_median": common.median(ratios),
        "ratio_range": [min(ratios), max(ratios)],
    }


def print_fsync(result: dict[str, Any]) -> None:
    best = result["best_seconds_per_write"]
    rows = [[mode, common.fmt_ns(best[mode] * 1e9)] for mode in FSYNC_MODES]
    print(f"\nfsync: {result['writes_per_round']} writes per round, {result['rounds']} rounds")
    print(common.table(["fsync", "best per write"], rows))
    low, high = result["ratio_range"]
    print(
        f"ratio always/never: best {result['ratio_best']:.1f}x, "
        f"median {result['ratio_median']:.1f}x (range {low:.1f}-{high:.1f})"
    )


# -- race ----------------------------------------------------------------------------------------


async def _race(port: int, clients: int, calls: int) -> tuple[float, int, int]:
    """One race on a fresh apiKey: seconds, acknowledged stores, items in the object after."""
    import httpx

    api_key = f"3_race{uuid.uuid4().hex[:12]}"
    limits = httpx.Limits(max_connections=clients)
    base = f"http://127.0.0.1:{port}/gigya"
    async with httpx.AsyncClient(base_url=base, timeout=600, limits=limits) as http:

        async def store(items: list[str]) -> int:
            form = {"apiKey": api_key, "secret": "any", "type": "t", "oid": "race"}
            form |= {"data": json.dumps({"items": items}), "updateBehavior": "arrayPush"}
            code: int = (await http.post("/ds.store", data=form)).json()["errorCode"]
            return code

        async def client(c: int) -> int:
            return sum([await store([f"c{c}-{j}"]) == 0 for j in range(calls)])

        if await store([]) != 0:
            raise RuntimeError("the first store failed")
        began = time.perf_counter()
        acknowledged = sum(await asyncio.gather(*(client(c) for c in range(clients))))
        elapsed = time.perf_counter() - began
        form = {"apiKey": api_key, "secret": "any", "type": "t", "oid": "race"}
        items = (await http.post("/ds.get", data=form)).json()["data"]["items"]
    return elapsed, acknowledged, len(items)


def race_cost(args: argparse.Namespace, work: Path, rounds: int, clients: int, calls: int) -> Any:
    from bench.mongo_bench import Serve, mongo_url_for

    seconds: dict[str, list[float]] = {b: [] for b in RACE_BACKENDS}
    applied: dict[str, list[int]] = {b: [] for b in RACE_BACKENDS}
    with mongo_url_for(args, work) as mongo_url:
        servers = {b: Serve.start(1, mongo_url, work, backend=b) for b in RACE_BACKENDS}
        try:
            for server in servers.values():
                server.wait_ready()
            for r in range(rounds):
                order = RACE_BACKENDS if r % 2 == 0 else tuple(reversed(RACE_BACKENDS))
                for backend in order:
                    elapsed, acked, items = asyncio.run(
                        _race(servers[backend].port, clients, calls)
                    )
                    seconds[backend].append(elapsed)
                    applied[backend].append(min(acked, items))
        finally:
            for server in servers.values():
                server.stop()
    ratios = [m / n for m, n in zip(seconds["mongodb"], seconds["memory"], strict=True)]
    return {
        "clients": clients,
        "calls_per_client": calls,
        "rounds": rounds,
        "seconds": seconds,
        "applied": applied,
        "ratio_best": common.ratio(min(seconds["mongodb"]), min(seconds["memory"])),
        "ratio_median": common.median(ratios),
        "ratio_range": [min(ratios), max(ratios)],
    }


def print_race(result: dict[str, Any]) -> None:
    total = result["clients"] * result["calls_per_client"]
    print(
        f"\nrace: {result['clients']} clients x {result['calls_per_client']} ds.store arrayPush "
        f"on one oid, {result['rounds']} rounds"
    )
    rows = [
        [b, f"{min(result['seconds'][b]):.2f} s", f"{min(result['applied'][b])}/{total}"]
        for b in RACE_BACKENDS
    ]
    print(common.table(["backend", "best time", "fewest applied"], rows))
    low, high = result["ratio_range"]
    print(
        f"ratio mongodb/memory: best {result['ratio_best']:.2f}x, "
        f"median {result['ratio_median']:.2f}x (range {low:.2f}-{high:.2f})"
    )


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability_bench")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=("fsync", "race"))
    parser.add_argument("--mongo-url", default=os.environ.get("DOPPELGATE_MONGO_URL"))
    parser.add_argument("--dir", help="where the data files go (a real disk, not a tmpfs)")
    parser.add_argument("--json", help="also write the results as JSON here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    common.line_buffered_stdout()
    results: dict[str, Any] = {"environment": common.environment()}
    base = Path(args.dir) if args.dir else common.ROOT / "bench" / "results"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as work:
        if args.only in (None, "fsync"):
            rounds, writes = (3, 200) if args.quick else (7, 1000)
            results["fsync"] = asyncio.run(fsync_cost(Path(work), rounds, writes))
            print_fsync(results["fsync"])
        if args.only in (None, "race"):
            rounds, clients, calls = (1, 20, 10) if args.quick else (3, 50, 20)
            results["race"] = race_cost(args, Path(work), rounds, clients, calls)
            print_race(results["race"])
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
