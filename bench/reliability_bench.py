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
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common

FSYNC_MODES = ("never", "always")


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
    common.write_json(args.json, results)


if __name__ == "__main__":
    main()
