"""Test-harness benchmark: what one call costs through doppelgate.testing's respx router.

Three ways to make the same Gigya `ds.get` (an existing object, ~300 bytes of JSON) with an
httpx.AsyncClient, all in this process, measured side by side in rounds that alternate their order:

- **router**:    `https://ds.us1.gigya.com/ds.get` with the emulator's respx router active (what a
                 test with the `doppelgate_respx` fixture pays): host match, then the app;
- **asgi**:      the same app through `httpx.ASGITransport` directly (`http://testserver/gigya`),
                 httpx's standard in-process transport (the emulator's own is leaner);
- **canned**:    a bare respx route on the same URL returning the same bytes (no emulator): the
                 cost of respx itself, what a hand-written mock pays.

Printed: us/call (best round of each), ratios router/asgi and router/canned, and the router's
overhead over the direct transport (router - asgi) and over a canned mock (router - canned):
what a test pays per call for a real emulator instead of a hand-written respx response, the figure
with the 250 us goal (the app's own work for ds.get is most of it). Also: a sync httpx.Client
through the router (the app on the emulator's helper loop).

    python -m bench.testing_bench [--calls 2000] [--rounds 7] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import respx

from bench.common import environment, line_buffered_stdout, median, ratio, table, write_json
from doppelgate.testing import Emulator

HOST = "https://ds.us1.gigya.com"
PARAMS = {"apiKey": "3_bench", "secret": "c2VjcmV0", "type": "bench", "oid": "o1"}
GOAL_US = 250.0


async def timed(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    """Seconds per call over `calls` calls."""
    start = time.perf_counter()
    for _ in range(calls):
        await call()
    return (time.perf_counter() - start) / calls


async def measure(calls: int, rounds: int) -> dict[str, Any]:
    async with Emulator() as emu:
        async with emu.client("gigya") as setup:
            await setup.post("ds.store", data={**PARAMS, "data": '{"title_s": "x", "n_i": 1}'})
            body = (await setup.get("ds.get", params=PARAMS)).content
        direct = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=emu.app), base_url="http://testserver/gigya"
        )
        routed = httpx.AsyncClient(base_url=HOST)
        router = emu.router()
        canned = respx.mock(assert_all_called=False, using="httpx")
        canned.get(url__startswith=f"{HOST}/ds.get").respond(
            200, content=body, headers={"content-type": "application/json"}
        )

        plain = _plain(routed)

        async def via_asgi() -> None:
            r = await direct.get("/ds.get", params=PARAMS)
            assert r.status_code == 200

        # the mocks are entered once per round, as the fixture does once per test
        cases: dict[str, tuple[Any, Callable[[], Awaitable[None]]]] = {
            "router": (router, plain),
            "asgi": (contextlib.nullcontext(), via_asgi),
            "canned": (canned, plain),
        }
        for mock, call in cases.values():  # warm up
            with mock:
                await timed(call, 200)
        per_round: dict[str, list[float]] = {name: [] for name in cases}
        for i in range(rounds):
            for name in list(cases) if i % 2 == 0 else list(reversed(cases)):
                mock, call = cases[name]
                with mock:
                    per_round[name].append(await timed(call, calls))
        sync_us = await asyncio.to_thread(sync_router_call, emu, calls // 4)
        await direct.aclose()
        await routed.aclose()
    best = {name: min(values) * 1e6 for name, values in per_round.items()}
    ratios = {
        "router/asgi": [r / a for r, a in zip(per_round["router"], per_round["asgi"], strict=True)],
        "router/canned": [
            r / c for r, c in zip(per_round["router"], per_round["canned"], strict=True)
        ],
    }
    return {
        "us_per_call": best,
        "router_minus_asgi_us": best["router"] - best["asgi"],
        "router_minus_canned_us": best["router"] - best["canned"],
        "ratios_best": {
            "router/asgi": ratio(best["router"], best["asgi"]),
            "router/canned": ratio(best["router"], best["canned"]),
        },
        "ratios_median": {k: median(v) for k, v in ratios.items()},
        "sync_router_us": sync_us,
        "goal_us": GOAL_US,
    }


def _plain(client: httpx.AsyncClient) -> Callable[[], Awaitable[None]]:
    async def call() -> None:
        r = await client.get("/ds.get", params=PARAMS)
        assert r.status_code == 200 and b'"errorCode":0' in r.content

    return call


def sync_router_call(emu: Emulator, calls: int) -> float:
    """us/call of a sync httpx.Client through the router (the app on the helper loop)."""
    with emu.router(), httpx.Client(base_url=HOST) as client:
        for _ in range(50):
            client.get("/ds.get", params=PARAMS)
        start = time.perf_counter()
        for _ in range(calls):
            client.get("/ds.get", params=PARAMS)
        return (time.perf_counter() - start) / calls * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.testing_bench", description=__doc__)
    parser.add_argument("--calls", type=int, default=2000, help="calls per case per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="500 calls, 3 rounds")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.rounds = 500, 3
    line_buffered_stdout()
    result = asyncio.run(measure(args.calls, args.rounds))
    us = result["us_per_call"]
    print(f"Gigya ds.get, httpx.AsyncClient, {args.rounds} rounds x {args.calls} calls (best)")
    rows = [[name, f"{value:.1f}"] for name, value in us.items()]
    rows.append(["sync Client via router", f"{result['sync_router_us']:.1f}"])
    print(table(["path", "us/call"], rows))
    for key in ("router/asgi", "router/canned"):
        print(
            f"{key:<14} best {result['ratios_best'][key]:.2f}x   "
            f"median of rounds {result['ratios_median'][key]:.2f}x"
        )
    print(f"router overhead over ASGITransport: {result['router_minus_asgi_us']:.1f} us/call")
    print(f"router cost over a canned respx mock: {result['router_minus_canned_us']:.1f} us/call")
    overhead = result["router_minus_canned_us"]
    verdict = "within" if overhead < GOAL_US else "ABOVE"
    print(
        f"emulator per call over a canned mock {overhead:.1f} us: "
        f"{verdict} the {GOAL_US:.0f} us goal"
    )
    write_json(args.json, {"environment": environment(), **result})


if __name__ == "__main__":
    main()
