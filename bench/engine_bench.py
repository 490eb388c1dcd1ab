"""Engine benchmark: point reads and writes through the engine vs the same operation on a dict.

Part 1 (micro): ns/op and ops/s of find_one by `_id`, find_one by an indexed key, update one with
$set and insert, each against a plain-dict baseline timed in the same run, rounds interleaved;
the ratio engine/dict is the figure to track (absolute numbers move with the machine's noise).

Part 2 (scale): point-read latency (p50/p99) with 1k, 100k and 1M documents, each size built with
insert_many in a fresh child process, and the RSS per document after loading; the same look-ups
and the same documents held in a plain dict (decoded from their JSON) are the baseline. The 1M/1k
latency ratio shows whether look-ups stay flat as the data grows.

    python -m bench.engine_bench [--quick] [--backend mongodb --mongo-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import msgspec

from bench.common import (
    DIALECT,
    INDEXED_FIELD,
    ROOT,
    add_backend_args,
    bench_tenant,
    check_backend_args,
    doc_id,
    doc_json,
    email_of,
    environment,
    fmt_bytes,
    fmt_ns,
    insert_batch,
    line_buffered_stdout,
    make_doc,
    make_engine,
    median,
    percentile,
    ratio,
    rss_bytes,
    table,
    write_json,
)
from doppelgate.engine import Collection

perf_ns = time.perf_counter_ns

# -- part 1: micro benchmarks ------------------------------------------------------------------


class Baseline:
    """The plain-dict baseline: documents by `_id`, plus a dict standing in for the index."""

    def __init__(self, size: int) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.by_email: dict[str, str] = {}
        for i in range(size):
            self.docs[doc_id(i)] = make_doc(i)
            self.by_email[email_of(i)] = doc_id(i)


async def _engine_find_id(coll: Collection, ids: Sequence[str]) -> int:
    start = perf_ns()
    for key in ids:
        await coll.find_one({"_id": key})
    return perf_ns() - start


def _dict_find_id(base: Baseline, ids: Sequence[str]) -> int:
    docs = base.docs
    start = perf_ns()
    for key in ids:
        docs.get(key)
    return perf_ns() - start


async def _engine_find_email(coll: Collection, emails: Sequence[str]) -> int:
    start = perf_ns()
    for email in emails:
        await coll.find_one({INDEXED_FIELD: email})
    return perf_ns() - start


def _dict_find_email(base: Baseline, emails: Sequence[str]) -> int:
    docs, by_email = base.docs, base.by_email
    start = perf_ns()
    for email in emails:
        docs.get(by_email[email])
    return perf_ns() - start


async def _engine_set(coll: Collection, ids: Sequence[str], values: Sequence[int]) -> int:
    start = perf_ns()
    for key, value in zip(ids, values, strict=True):
        await coll.update({"_id": key}, {"$set": {"n": value}})
    return perf_ns() - start


def _dict_set(base: Baseline, ids: Sequence[str], values: Sequence[int]) -> int:
    docs = base.docs
    start = perf_ns()
    for key, value in zip(ids, values, strict=True):
        docs[key]["n"] = value
    return perf_ns() - start


async def _engine_insert(coll: Collection, new_docs: Sequence[dict[str, Any]]) -> int:
    start = perf_ns()
    for doc in new_docs:
        await coll.insert(doc)
    return perf_ns() - start


def _dict_insert(base: Baseline, new_docs: Sequence[dict[str, Any]]) -> int:
    docs, by_email = base.docs, base.by_email
    start = perf_ns()
    for doc in new_docs:
        docs[doc["_id"]] = doc
        by_email[doc["email"]] = doc["_id"]
    return perf_ns() - start


MICRO_OPS = (
    ("find_one by _id", "dict.get(id)"),
    ("find_one by indexed key", "dict.get(index[email])"),
    ("update one $set", "docs[id]['n'] = v"),
    ("insert", "docs[id] = doc; index[email] = id"),
)


async def _timed_pair(
    engine_pass: Callable[[], Awaitable[int]], dict_pass: Callable[[], int], engine_first: bool
) -> tuple[int, int]:
    """One engine pass and one dict pass, each after a full GC, in the given order."""
    engine_ns = dict_ns = 0
    for which in ("engine", "dict") if engine_first else ("dict", "engine"):
        gc.collect()
        if which == "engine":
            engine_ns = await engine_pass()
        else:
            dict_ns = dict_pass()
    return engine_ns, dict_ns


async def _build(coll: Collection, size: int, batch: int) -> float:
    """Insert documents 0..size-1 with insert_many in batches; returns the seconds taken."""
    start = time.perf_counter()
    for first in range(0, size, batch):
        await coll.insert_many([make_doc(i) for i in range(first, min(size, first + batch))])
    return time.perf_counter() - start


async def run_micro(args: argparse.Namespace) -> list[dict[str, Any]]:
    engine = make_engine(args.backend, args.mongo_url)
    await engine.open()
    tenant = bench_tenant()
    coll = engine.collection(DIALECT, tenant, "micro")
    try:
        await coll.ensure_index([INDEXED_FIELD], unique=True)
        await _build(coll, args.micro_docs, insert_batch(args.backend))
        base = Baseline(args.micro_docs)
        found = await coll.find_one({INDEXED_FIELD: email_of(7)})
        if found != make_doc(7):
            raise SystemExit(f"engine returned {found!r} for document 7")

        rng = random.Random(42)
        n, size = args.ops, args.micro_docs
        next_new = size  # inserts use fresh documents size, size+1, ...
        samples: dict[str, tuple[list[float], list[float]]] = {op: ([], []) for op, _ in MICRO_OPS}
        for rnd in range(args.rounds):
            picks = [rng.randrange(size) for _ in range(n)]
            values = [-(rnd * n + j) - 1 for j in range(n)]  # never a value a document holds
            fresh = range(next_new, next_new + n)
            next_new += n

            # every pass gets its own, new key strings and documents (as a request brings them):
            # no pass finds string hashes already cached by the pass before it
            passes: dict[str, tuple[Callable[[], Awaitable[int]], Callable[[], int]]] = {
                "find_one by _id": (
                    partial(_engine_find_id, coll, [doc_id(i) for i in picks]),
                    partial(_dict_find_id, base, [doc_id(i) for i in picks]),
                ),
                "find_one by indexed key": (
                    partial(_engine_find_email, coll, [email_of(i) for i in picks]),
                    partial(_dict_find_email, base, [email_of(i) for i in picks]),
                ),
                "update one $set": (
                    partial(_engine_set, coll, [doc_id(i) for i in picks], values),
                    partial(_dict_set, base, [doc_id(i) for i in picks], values),
                ),
                "insert": (
                    partial(_engine_insert, coll, [make_doc(i) for i in fresh]),
                    partial(_dict_insert, base, [make_doc(i) for i in fresh]),
                ),
            }
            for op, (engine_pass, dict_pass) in passes.items():
                engine_ns, dict_ns = await _timed_pair(engine_pass, dict_pass, rnd % 2 == 0)
                samples[op][0].append(engine_ns / n)
                samples[op][1].append(dict_ns / n)
            print(f"  round {rnd + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    finally:
        await coll.drop()
        await engine.close()

    results = []
    for op, base_label in MICRO_OPS:
        engine_runs, dict_runs = samples[op]
        engine_best, dict_best = min(engine_runs), min(dict_runs)
        per_round = [e / d for e, d in zip(engine_runs, dict_runs, strict=True) if d]
        results.append(
            {
                "op": op,
                "baseline": base_label,
                "engine_ns_per_op": engine_best,
                "engine_ops_per_s": 1e9 / engine_best,
                "dict_ns_per_op": dict_best,
                "dict_ops_per_s": 1e9 / dict_best,
                "ratio": ratio(engine_best, dict_best),
                "engine_ns_per_op_median": median(engine_runs),
                "dict_ns_per_op_median": median(dict_runs),
                "ratio_median": median(per_round),
                "ratio_min": min(per_round),
                "ratio_max": max(per_round),
            }
        )
    return results


def print_micro(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    print(
        f"\n== engine micro: {args.backend} backend, {args.micro_docs:,} docs + unique index on "
        f"{INDEXED_FIELD!r}, {args.ops:,} ops per pass, {args.rounds} interleaved rounds =="
    )
    rows = [
        [
            r["op"],
            f"{r['engine_ns_per_op']:,.0f}",
            f"{r['engine_ops_per_s']:,.0f}",
            f"{r['dict_ns_per_op']:,.1f}",
            f"{r['dict_ops_per_s']:,.0f}",
            f"{r['ratio']:,.1f}x",
            f"{r['engine_ns_per_op_median']:,.0f}",
            f"{r['ratio_median']:,.1f}x ({r['ratio_min']:,.1f}-{r['ratio_max']:,.1f})",
        ]
        for r in results
    ]
    print(
        table(
            [
                "operation",
                "engine ns/op",
                "engine ops/s",
                "dict ns/op",
                "dict ops/s",
                "engine/dict",
                "median ns/op",
                "median engine/dict (range)",
            ],
            rows,
        )
    )
    print(
        "ns/op and ops/s: best round (noise only ever adds time); engine/dict: best/best. "
        "median: over rounds, ratio paired per round."
    )
    print("dict baselines: " + "; ".join(f"{r['op']}: {r['baseline']}" for r in results))


# -- part 2: scale (one child process per kind; every size in it, measured interleaved) ---------

LOOKUP_BLOCK = 250  # look-ups per size before moving on to the next size


async def _scale_engine(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.backend, args.mongo_url)
    await engine.open()
    tenant = bench_tenant()
    colls = {size: engine.collection(DIALECT, tenant, f"scale{size}") for size in args.sizes}
    builds: list[dict[str, Any]] = []
    try:
        for size, coll in colls.items():  # smallest first: each build only adds to the heap
            gc.collect()
            rss_before = rss_bytes()
            await coll.ensure_index([INDEXED_FIELD], unique=True)
            build_s = await _build(coll, size, insert_batch(args.backend))
            gc.collect()
            builds.append(_build_summary(size, build_s, rss_before, rss_bytes()))
            print(f"  engine: {size:,} docs loaded in {build_s:.1f} s", file=sys.stderr, flush=True)

        async def by_id(size: int, key: str) -> None:
            await colls[size].find_one({"_id": key})

        async def by_email(size: int, email: str) -> None:
            await colls[size].find_one({INDEXED_FIELD: email})

        latencies = await _sample(args, by_id, by_email)
        for size, coll in colls.items():
            check = await coll.find_one({INDEXED_FIELD: email_of(size - 1)})
            if check is None or check["_id"] != doc_id(size - 1):
                raise SystemExit(f"engine look-up by {INDEXED_FIELD} returned {check!r}")
    finally:
        for coll in colls.values():
            await coll.drop()
        await engine.close()
    if args.backend != "memory":  # the data lives in the database server, not in this process
        for build in builds:
            build["rss_before"] = build["rss_after"] = build["rss_bytes_per_doc"] = None
    return _scale_summary(builds, latencies)


async def _scale_dict(args: argparse.Namespace) -> dict[str, Any]:
    decode = msgspec.json.Decoder().decode
    stores: dict[int, tuple[dict[str, dict[str, Any]], dict[str, str]]] = {}
    builds: list[dict[str, Any]] = []
    for size in args.sizes:
        gc.collect()
        rss_before = rss_bytes()
        start = time.perf_counter()
        docs: dict[str, dict[str, Any]] = {}
        by_email_index: dict[str, str] = {}
        for i in range(size):  # decoded from JSON, as a request body would hold them
            doc = decode(doc_json(i))
            docs[doc["_id"]] = doc
            by_email_index[doc["email"]] = doc["_id"]
        build_s = time.perf_counter() - start
        stores[size] = (docs, by_email_index)
        gc.collect()
        builds.append(_build_summary(size, build_s, rss_before, rss_bytes()))

    async def by_id(size: int, key: str) -> None:
        stores[size][0].get(key)

    async def by_email(size: int, email: str) -> None:
        docs, index = stores[size]
        docs.get(index[email])

    return _scale_summary(builds, await _sample(args, by_id, by_email))


LookUp = Callable[[int, str], Awaitable[None]]


async def _sample(args: argparse.Namespace, by_id: LookUp, by_email: LookUp) -> dict[int, Any]:
    """Time single look-ups: blocks of each size in turn, by _id and by email alternately."""
    keys: dict[int, list[tuple[str, str]]] = {}
    for size in args.sizes:
        rng = random.Random(size)
        picks = [rng.randrange(size) for _ in range(args.samples)]
        keys[size] = [(doc_id(i), email_of(i)) for i in picks]
    for size in args.sizes:  # warm-up, untimed
        for key, email in keys[size][:1000]:
            await by_id(size, key)
            await by_email(size, email)
    lat: dict[int, tuple[list[int], list[int]]] = {size: ([], []) for size in args.sizes}
    gc.collect()
    for block, first in enumerate(range(0, args.samples, LOOKUP_BLOCK)):
        order = args.sizes if block % 2 == 0 else args.sizes[::-1]
        for size in order:
            lat_id, lat_email = lat[size]
            for key, email in keys[size][first : first + LOOKUP_BLOCK]:
                start = perf_ns()
                await by_id(size, key)
                lat_id.append(perf_ns() - start)
                start = perf_ns()
                await by_email(size, email)
                lat_email.append(perf_ns() - start)
    return lat


def _build_summary(size: int, build_s: float, rss_before: int, rss_after: int) -> dict[str, Any]:
    return {
        "size": size,
        "build_s": build_s,
        "build_us_per_doc": build_s / size * 1e6,
        "rss_before": rss_before,
        "rss_after": rss_after,
        "rss_bytes_per_doc": (rss_after - rss_before) / size,
    }


def _scale_summary(builds: list[dict[str, Any]], lat: dict[int, Any]) -> dict[str, Any]:
    runs = []
    for build in builds:
        lat_id, lat_email = (sorted(values) for values in lat[build["size"]])
        runs.append(
            {
                **build,
                "id_p50_ns": percentile(lat_id, 50),
                "id_p99_ns": percentile(lat_id, 99),
                "id_mean_ns": sum(lat_id) / len(lat_id),
                "email_p50_ns": percentile(lat_email, 50),
                "email_p99_ns": percentile(lat_email, 99),
                "email_mean_ns": sum(lat_email) / len(lat_email),
            }
        )
    return {"runs": runs}


def _spawn_scale(args: argparse.Namespace, kind: str) -> list[dict[str, Any]]:
    cmd = [
        sys.executable, "-m", "bench.engine_bench", "--scale-child", kind,
        "--sizes", ",".join(map(str, args.sizes)), "--samples", str(args.samples),
        "--backend", args.backend,
    ]  # fmt: skip
    if args.mongo_url:
        cmd += ["--mongo-url", args.mongo_url]
    done = subprocess.run(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=1800, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"scale child ({kind}) failed with exit code {done.returncode}")
    return msgspec.json.decode(done.stdout.strip().splitlines()[-1])["runs"]


def run_scale(args: argparse.Namespace) -> dict[str, Any]:
    sizes = ", ".join(f"{s:,}" for s in args.sizes)
    print(f"  scale: engine child, {sizes} docs ...", file=sys.stderr, flush=True)
    engine_runs = _spawn_scale(args, "engine")
    print(f"  scale: dict child, {sizes} docs ...", file=sys.stderr, flush=True)
    dict_runs = _spawn_scale(args, "dict")
    return {"engine": engine_runs, "dict": dict_runs}


def print_scale(args: argparse.Namespace, scale: dict[str, Any]) -> None:
    engine_runs, dict_runs = scale["engine"], scale["dict"]
    print(
        f"\n== engine scale: point-read latency by size ({args.backend} backend, "
        f"{args.samples:,} random look-ups per size and key, interleaved; "
        "one timer pair per awaited look-up) =="
    )
    rows = []
    for e, d in zip(engine_runs, dict_runs, strict=True):
        rows.append(
            [
                f"{e['size']:,}",
                f"{e['build_us_per_doc']:.1f} us",
                fmt_ns(e["id_p50_ns"]),
                fmt_ns(e["id_p99_ns"]),
                fmt_ns(e["email_p50_ns"]),
                fmt_ns(e["email_p99_ns"]),
                f"{fmt_ns(d['id_p50_ns'])} / {fmt_ns(d['id_p99_ns'])}",
                f"{ratio(e['id_p50_ns'], d['id_p50_ns']):.0f}x",
            ]
        )
    print(
        table(
            [
                "docs",
                "insert_many/doc",
                "_id p50",
                "_id p99",
                "email p50",
                "email p99",
                "dict _id p50/p99",
                "_id p50 engine/dict",
            ],
            rows,
        )
    )
    first, last = engine_runs[0], engine_runs[-1]
    dfirst, dlast = dict_runs[0], dict_runs[-1]
    label = f"{last['size']:,}/{first['size']:,}"
    print(f"\nflatness, latency at {label} docs (1.0 = flat):")
    print(
        table(
            ["look-up", "p50 ratio", "p99 ratio", "dict p50 ratio", "dict p99 ratio"],
            [
                [
                    name,
                    f"{ratio(last[k + '_p50_ns'], first[k + '_p50_ns']):.2f}",
                    f"{ratio(last[k + '_p99_ns'], first[k + '_p99_ns']):.2f}",
                    f"{ratio(dlast[k + '_p50_ns'], dfirst[k + '_p50_ns']):.2f}",
                    f"{ratio(dlast[k + '_p99_ns'], dfirst[k + '_p99_ns']):.2f}",
                ]
                for name, k in (("by _id", "id"), (f"by {INDEXED_FIELD} (index)", "email"))
            ],
        )
    )
    if last["rss_bytes_per_doc"] is None:
        print("\nRSS per document: n/a (the data lives in the MongoDB server, not in this process)")
        return
    print(
        "\nmemory after loading (RSS growth while loading / docs; "
        "dict = the same docs decoded from their JSON):"
    )
    print(
        table(
            ["docs", "engine RSS", "engine B/doc", "dict RSS", "dict B/doc", "engine/dict"],
            [
                [
                    f"{e['size']:,}",
                    fmt_bytes(e["rss_after"]),
                    f"{e['rss_bytes_per_doc']:,.0f}",
                    fmt_bytes(d["rss_after"]),
                    f"{d['rss_bytes_per_doc']:,.0f}",
                    f"{ratio(e['rss_bytes_per_doc'], d['rss_bytes_per_doc']):.2f}x",
                ]
                for e, d in zip(engine_runs, dict_runs, strict=True)
            ],
        )
    )


# -- command line ------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.engine_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer ops, sizes 1k/10k/100k")
    parser.add_argument(
        "--rounds", type=int, help="micro: interleaved rounds (default 15, quick 5)"
    )
    parser.add_argument("--ops", type=int, help="micro: operations per round")
    parser.add_argument("--micro-docs", type=int, default=10_000, help="micro: documents preloaded")
    parser.add_argument("--sizes", help="scale: sizes, comma-separated (1000,100000,1000000)")
    parser.add_argument("--samples", type=int, help="scale: timed look-ups per size and key")
    parser.add_argument("--skip-micro", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    add_backend_args(parser)
    parser.add_argument("--scale-child", choices=("engine", "dict"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    mongo = args.backend == "mongodb"
    if args.rounds is None:
        args.rounds = 5 if args.quick else 15
    if args.ops is None:
        args.ops = (300 if args.quick else 1_000) if mongo else (3_000 if args.quick else 10_000)
    if args.samples is None:
        args.samples = (
            (1_000 if args.quick else 5_000) if mongo else (10_000 if args.quick else 30_000)
        )
    if args.sizes is None:
        args.sizes = "1000,10000,100000" if args.quick or mongo else "1000,100000,1000000"
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    line_buffered_stdout()
    if args.scale_child is not None:
        child = _scale_dict if args.scale_child == "dict" else _scale_engine
        summary = asyncio.run(child(args))
        sys.stdout.write(msgspec.json.encode(summary).decode() + "\n")
        return
    started = time.perf_counter()
    payload: dict[str, Any] = {"environment": environment(), "backend": args.backend}
    if not args.skip_micro:
        payload["micro"] = micro = asyncio.run(run_micro(args))
        print_micro(args, micro)
    if not args.skip_scale:
        payload["scale"] = scale = run_scale(args)
        print_scale(args, scale)
    print(f"\nengine bench took {time.perf_counter() - started:.0f} s")
    write_json(args.json, payload)


if __name__ == "__main__":
    main()
