"""Proxy benchmark: what one call costs through doppelgate as an HTTP(S) proxy, against a direct
call to the same server in the same run (issue: proxy and TLS interception).

A `doppelgate serve` process (its own CA in a temporary directory), and one httpx.Client per path
making the same Gigya `ds.get` (an existing object) one call at a time, in rounds that alternate
their order:

- **direct**:      `http://127.0.0.1:PORT/gigya/ds.get` (the base-URL way), keep-alive;
- **http-proxy**:  `http://ds.us1.gigya.com/ds.get` through the proxy (absolute-form), keep-alive;
- **https-proxy**: `https://ds.us1.gigya.com/ds.get` through the proxy: one CONNECT and TLS
                   handshake, then the tunnel is kept alive (what an SDK with a pool pays);
- **https-new**:   the same with a new connection per call: CONNECT + handshake every time.

Printed: us/call (best round) and each path's ratio to direct.

    python -m bench.proxy_bench [--calls 500] [--rounds 5] [--json PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.common import environment, line_buffered_stdout, median, ratio, table, write_json

PARAMS = {"apiKey": "3_bench", "secret": "c2VjcmV0", "type": "bench", "oid": "o1"}
BIN = Path(sys.executable).parent / "doppelgate"


@contextlib.contextmanager
def served(ca_dir: Path) -> Iterator[str]:
    command = [str(BIN), "serve", "--port", "0", "--ca-dir", str(ca_dir), "--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            found = re.match(r"^proxy\s+(http://\S+)", line)
            if found:
                yield found.group(1)
                return
        raise RuntimeError(f"doppelgate serve exited ({proc.wait()}) before it was ready")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def timed(call: Callable[[], None], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) / calls


def measure(calls: int, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, served(Path(tmp) / "ca") as origin:
        ca = str(Path(tmp) / "ca" / "ca.pem")
        direct = httpx.Client(base_url=f"{origin}/gigya", trust_env=False)
        direct.post("/ds.store", data={**PARAMS, "data": '{"title_s": "x", "n_i": 1}'})
        http_proxy = httpx.Client(proxy=origin, trust_env=False)
        https_proxy = httpx.Client(proxy=origin, verify=ca, trust_env=False)

        def call(client: httpx.Client, url: str) -> Callable[[], None]:
            def run() -> None:
                r = client.get(url, params=PARAMS)
                assert r.status_code == 200 and b'"errorCode":0' in r.content, r.text

            return run

        def new_connection() -> None:
            with httpx.Client(proxy=origin, verify=ca, trust_env=False) as client:
                call(client, "https://ds.us1.gigya.com/ds.get")()

        cases: dict[str, tuple[Callable[[], None], int]] = {
            "direct": (call(direct, "/ds.get"), calls),
            "http-proxy": (call(http_proxy, "http://ds.us1.gigya.com/ds.get"), calls),
            "https-proxy": (call(https_proxy, "https://ds.us1.gigya.com/ds.get"), calls),
            "https-new": (new_connection, max(20, calls // 10)),
        }
        for run, n in cases.values():  # warm up
            timed(run, max(10, n // 10))
        per_round: dict[str, list[float]] = {name: [] for name in cases}
        for i in range(rounds):
            for name in list(cases) if i % 2 == 0 else list(reversed(cases)):
                run, n = cases[name]
                per_round[name].append(timed(run, n))
        for client in (direct, http_proxy, https_proxy):
            client.close()
    best = {name: min(values) * 1e6 for name, values in per_round.items()}
    return {
        "us_per_call": best,
        "ratio_to_direct_best": {n: ratio(best[n], best["direct"]) for n in best},
        "ratio_to_direct_median": {
            n: median([v / d for v, d in zip(vs, per_round["direct"], strict=True)])
            for n, vs in per_round.items()
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy_bench", description=__doc__)
    parser.add_argument("--calls", type=int, default=500, help="calls per case per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="200 calls, 3 rounds")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.rounds = 200, 3
    line_buffered_stdout()
    result = measure(args.calls, args.rounds)
    print(f"Gigya ds.get over HTTP, httpx.Client, one call at a time, {args.rounds} rounds (best)")
    rows = [
        [
            name,
            f"{us:.0f}",
            f"{result['ratio_to_direct_best'][name]:.2f}x",
            f"{result['ratio_to_direct_median'][name]:.2f}x",
        ]
        for name, us in result["us_per_call"].items()
    ]
    print(table(["path", "us/call", "/direct (best)", "/direct (median)"], rows))
    write_json(args.json, {"environment": environment(), **result})


if __name__ == "__main__":
    main()
