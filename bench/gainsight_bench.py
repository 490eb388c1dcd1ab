"""Gainsight key look-ups as rows grow (issue 15.8): Gsid reads and updates stay flat.

One in-process app (httpx.ASGITransport, the memory backend by default) holds two tenants of the
same custom object: a small one (5,000 rows) and a large one (50,000 rows), loaded through the
Insert API. Per round, each operation runs `--calls` times on both tenants, the order of the two
alternating between rounds:

- **read Gsid EQ**:    `POST /v1/data/objects/query/Thing__gc`, where Gsid EQ <a random row>
- **update by Gsid**:  `PUT /v1/data/objects/Thing__gc?keys=Gsid`, one record
- **get by Gsid**:     `GET /v1/data/objects/Thing__gc/<gsid>`
- **read N EQ (scan)**: the baseline: a read on a field without an index, which must scan

Printed per operation: the best round's ms/call at each size and the ratio large/small. A key
look-up is flat when that ratio stays near 1 (10x the rows); the scan baseline shows what a
ratio near 10 looks like on this machine, in the same run.

    python -m bench.gainsight_bench [--small 5000] [--large 50000] [--calls 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.common import (
    add_backend_args,
    check_backend_args,
    environment,
    line_buffered_stdout,
    make_engine,
    ratio,
    table,
    write_json,
)
from doppelgate.config import Settings
from doppelgate.gateway import create_app

BASE = "/gainsight/v1/data/objects"
OBJECT = "Thing__gc"
BATCH = 50  # the Insert API's limit per call (docs/gainsight.md §1.2)

Op = Callable[[httpx.AsyncClient, dict[str, str], list[str], random.Random], Awaitable[None]]


async def load(http: httpx.AsyncClient, headers: dict[str, str], rows: int) -> list[str]:
    gsids: list[str] = []
    for start in range(0, rows, BATCH):
        records = [{"Name": f"n{i}", "N__gc": i} for i in range(start, min(rows, start + BATCH))]
        r = await http.post(f"{BASE}/{OBJECT}", json={"records": records}, headers=headers)
        assert r.status_code == 200, r.text
        gsids += [rec["Gsid"] for rec in r.json()["data"]["records"]]
    return gsids


async def read_gsid(http: Any, headers: dict[str, str], gsids: list[str], rng: Any) -> None:
    cond = {"name": "Gsid", "alias": "A", "operator": "EQ", "value": [rng.choice(gsids)]}
    body = {"select": ["Gsid", "Name"], "where": {"conditions": [cond]}}
    r = await http.post(f"{BASE}/query/{OBJECT}", json=body, headers=headers)
    assert r.status_code == 200 and len(r.json()["data"]["records"]) == 1, r.text


async def update_gsid(http: Any, headers: dict[str, str], gsids: list[str], rng: Any) -> None:
    body = {"records": [{"Gsid": rng.choice(gsids), "N__gc": rng.randrange(10**6)}]}
    r = await http.put(f"{BASE}/{OBJECT}?keys=Gsid", json=body, headers=headers)
    assert r.status_code == 200 and r.json()["data"]["count"] == 1, r.text


async def get_gsid(http: Any, headers: dict[str, str], gsids: list[str], rng: Any) -> None:
    r = await http.get(f"{BASE}/{OBJECT}/{rng.choice(gsids)}", headers=headers)
    assert r.status_code == 200, r.text


async def read_scan(http: Any, headers: dict[str, str], gsids: list[str], rng: Any) -> None:
    cond = {"name": "Name", "alias": "A", "operator": "EQ", "value": [f"n{rng.randrange(1000)}"]}
    body = {"select": ["Gsid"], "where": {"conditions": [cond]}}
    r = await http.post(f"{BASE}/query/{OBJECT}", json=body, headers=headers)
    assert r.status_code == 200, r.text


OPS: dict[str, Op] = {
    "read Gsid EQ": read_gsid,
    "update by Gsid": update_gsid,
    "get by Gsid": get_gsid,
    "read Name EQ (scan)": read_scan,
}
SCAN_SHARE = 10  # the scan baseline runs a tenth of the calls: each costs as much as hundreds


async def timed(op: Op, http: Any, headers: dict[str, str], gsids: list[str], calls: int) -> float:
    rng = random.Random(7)
    start = time.perf_counter()
    for _ in range(calls):
        await op(http, headers, gsids, rng)
    return (time.perf_counter() - start) / calls


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.backend, args.mongo_url)
    await engine.open()
    app = create_app(Settings(), engine)
    transport = httpx.ASGITransport(app)
    sizes = {"small": args.small, "large": args.large}
    best: dict[str, dict[str, float]] = {op: {} for op in OPS}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        tenants: dict[str, tuple[dict[str, str], list[str]]] = {}
        for name, rows in sizes.items():
            headers = {"Accesskey": f"bench-{name}-{random.getrandbits(40):x}"}
            started = time.perf_counter()
            tenants[name] = (headers, await load(http, headers, rows))
            print(f"loaded {rows} rows in {time.perf_counter() - started:.1f} s", flush=True)
        for op_name, op in OPS.items():
            for headers, gsids in tenants.values():  # warm up
                await timed(op, http, headers, gsids, 5)
            per_size: dict[str, list[float]] = {name: [] for name in sizes}
            calls = max(5, args.calls // SCAN_SHARE) if op is read_scan else args.calls
            for i in range(args.rounds):
                order = list(sizes) if i % 2 == 0 else list(reversed(sizes))
                for name in order:
                    headers, gsids = tenants[name]
                    per_size[name].append(await timed(op, http, headers, gsids, calls))
            best[op_name] = {name: min(values) * 1000 for name, values in per_size.items()}
        await engine.reset("gainsight")
    await engine.close()
    return {
        "sizes": sizes,
        "ms_per_call": best,
        "large/small": {op: ratio(v["large"], v["small"]) for op, v in best.items()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gainsight_bench", description=__doc__)
    parser.add_argument("--small", type=int, default=5_000, help="rows of the small tenant")
    parser.add_argument("--large", type=int, default=50_000, help="rows of the large tenant")
    parser.add_argument("--calls", type=int, default=200, help="calls per operation per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 vs 10,000 rows, 50 calls")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    if args.quick:
        args.small, args.large, args.calls, args.rounds = 1_000, 10_000, 50, 3
    line_buffered_stdout()
    result = asyncio.run(measure(args))
    small, large = args.small, args.large
    print(f"\nGainsight by Gsid, {args.backend}, {args.rounds} rounds x {args.calls} calls (best)")
    rows = [
        [op, f"{v['small']:.2f}", f"{v['large']:.2f}", f"{result['large/small'][op]:.2f}x"]
        for op, v in result["ms_per_call"].items()
    ]
    print(table(["operation", f"ms @{small}", f"ms @{large}", "large/small"], rows))
    write_json(args.json, {"environment": environment(), "backend": args.backend, **result})


if __name__ == "__main__":
    main()
