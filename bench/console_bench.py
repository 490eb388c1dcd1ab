"""Console benchmark: the web console's data-browser and journal API at 100,000 documents, as
ratios to a bare listing of the same data measured in the same run.

The data: 100,000 SPiD data objects of one client (the dialect's stored shape, loaded straight
into the engine), and a full request journal (its ring filled by real vendor calls, bodies
captured). Every request goes through the app in process (httpx.ASGITransport), rounds
alternate the order of the cases, and the best round of each is reported:

- **console page 1 / deep page**: `console/api/documents` (50 documents in _id order; the deep
  one at offset 50,000), what the data browser fetches per page;
- **console views**: `console/api/views` (the collection list with its count);
- **journal poll (200)** / **journal poll (new)**: `/_doppelgate/journal?limit=200` (the first
  load) and `?after=<newest seq>` (the steady once-a-second poll);
- baselines: **vendor list** `GET /spid/api/2/dataobjects?limit=50` (the same data through
  SPiD's own list endpoint) and **engine find** (`find(limit=50)` on the collection, no HTTP).

    python -m bench.console_bench [--docs 100000] [--calls 20] [--rounds 5] [--quick]
                                  [--backend mongodb --mongo-url URL] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.common import (
    add_backend_args,
    check_backend_args,
    environment,
    insert_batch,
    line_buffered_stdout,
    make_settings,
    ratio,
    table,
    write_json,
)
from doppelgate.gateway import create_app

CLIENT = "bench-console"
PAGE = 50
API = "/_doppelgate/console/api"


def data_object(i: int) -> dict[str, Any]:
    """A SPiD data object as the dialect stores it (dialects/spid/service.py)."""
    return {
        "_id": f"{i:024x}",
        "dataObjectId": i + 1,
        "clientId": CLIENT,
        "merchantId": "100",
        "userId": str(10_000 + i % 5000),
        "key": f"key-{i}",
        "value": f"value number {i}",
        "updated": 1_700_000_000 + i,
        "created": 1_700_000_000 + i,
    }


async def load(app: Any, docs: int, backend: str) -> None:
    coll = app.state.engine.collection("spid", CLIENT, "dataobjects")
    await coll.drop()
    await coll.ensure_index(["userId", "key"], unique=True)
    batch = insert_batch(backend)
    for start in range(0, docs, batch):
        await coll.insert_many([data_object(i) for i in range(start, min(start + batch, docs))])


async def timed(call: Callable[[], Awaitable[None]], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls


def getter(http: httpx.AsyncClient, url: str, **params: Any) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        r = await http.get(url, params=params)
        assert r.status_code == 200, r.text[:300]

    return call


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    settings = make_settings(args.backend, args.mongo_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://127.0.0.1")
        clock = time.perf_counter()
        await load(app, args.docs, args.backend)
        loaded_s = time.perf_counter() - clock
        print(f"loaded {args.docs:,} documents in {loaded_s:.1f} s", flush=True)
        auth = {"Authorization": f"Bearer {CLIENT}"}
        # fill the journal's ring with real exchanges, on a small client of their own (the
        # measured data's size must not make the filling slow on a MongoDB-wire test server)
        other = {"Authorization": "Bearer bench-journal"}
        for i in range(settings.journal_size):
            path = f"/spid/api/2/user/{i % 50}/dataobject/key-{i % 50}"
            r = await http.post(path, data={"value": f"v{i}"}, headers=other)
            assert r.status_code == 201, r.text[:300]
        journal = (await http.get("/_doppelgate/journal", params={"limit": 1})).json()
        newest = journal["entries"][-1]["seq"]
        where = {
            "dialect": "spid",
            "tenant": CLIENT,
            "collection": "dataobjects",
            "target": "dataobjects",
        }
        coll = app.state.engine.collection("spid", CLIENT, "dataobjects")

        async def engine_find() -> None:
            assert len(await coll.find(limit=PAGE)) == PAGE

        async def vendor_list() -> None:
            r = await http.get("/spid/api/2/dataobjects", params={"limit": PAGE}, headers=auth)
            assert r.status_code == 200, r.text[:300]

        cases: dict[str, Callable[[], Awaitable[None]]] = {
            "console page 1": getter(http, f"{API}/documents", **where, limit=PAGE),
            "console deep page": getter(
                http, f"{API}/documents", **where, limit=PAGE, offset=args.docs // 2
            ),
            "console views": getter(http, f"{API}/views", dialect="spid", tenant=CLIENT),
            "journal poll (200)": getter(http, "/_doppelgate/journal", limit=200),
            "journal poll (new)": getter(http, "/_doppelgate/journal", after=newest),
            "journal entry": getter(http, f"/_doppelgate/journal/{newest}"),
            "vendor list": vendor_list,
            "engine find": engine_find,
        }
        for call in cases.values():  # warm up
            await timed(call, 2)
        rounds: dict[str, list[float]] = {name: [] for name in cases}
        for i in range(args.rounds):
            for name in list(cases) if i % 2 == 0 else list(reversed(cases)):
                rounds[name].append(await timed(cases[name], args.calls))
        await http.aclose()
        await coll.drop()
        await app.state.engine.reset("spid", "bench-journal")
    best_ms = {name: min(values) * 1000 for name, values in rounds.items()}
    return {
        "backend": args.backend,
        "documents": args.docs,
        "journal_entries": settings.journal_size,
        "load_s": loaded_s,
        "ms_per_call": best_ms,
        "ratio_to_vendor_list": {n: ratio(v, best_ms["vendor list"]) for n, v in best_ms.items()},
        "ratio_to_engine_find": {n: ratio(v, best_ms["engine find"]) for n, v in best_ms.items()},
        "environment": environment(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.console_bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=20, help="calls per case per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5 calls, 3 rounds")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    if args.quick:
        args.calls, args.rounds = 5, 3
    line_buffered_stdout()
    print(
        f"\n== console: data browser and journal API at {args.docs:,} documents ({args.backend}) =="
    )
    result = asyncio.run(measure(args))
    ms = result["ms_per_call"]
    rows = [
        [
            name,
            f"{value:.2f}",
            f"{result['ratio_to_vendor_list'][name]:.2f}",
            f"{result['ratio_to_engine_find'][name]:.2f}",
        ]
        for name, value in ms.items()
    ]
    print(table(["case", "ms/call", "x vendor list", "x engine find"], rows))
    print(f"(loaded in {result['load_s']:.1f} s; journal of {result['journal_entries']} entries)")
    write_json(args.json, result)


if __name__ == "__main__":
    main()
