"""HTTP benchmark: the doppelgate app on one uvicorn worker vs a bare Starlette app on another.

Both servers run at once, each in its own process on a free 127.0.0.1 port (bench/http_server.py);
load comes from a third process on loopback, wrk (with a Lua script) when installed, else
bench/loadgen.py. Each case (read, write) runs on both servers for the same time at the same
concurrency, cut into 1 s slices that alternate between the servers, so that the machine's noise
falls on both alike; the figures to track are the ratios doppelgate/bare of requests/s, p50 and
p99 latency, measured side by side in this one run.

    python -m bench.http_bench [--quick] [--backend mongodb --mongo-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import msgspec

from bench.common import (
    ROOT,
    add_backend_args,
    check_backend_args,
    environment,
    fmt_ns,
    line_buffered_stdout,
    median,
    ratio,
    stop_servers_on_sigterm,
    table,
    write_json,
)
from bench.http_server import PREFIX

SERVERS = ("bare", "doppelgate")
OPS = ("read", "write")
MARK = "BENCH_JSON "

WRK_SCRIPT = """
local docs = %(docs)d
local prefix = "%(prefix)s"
local mode = "%(mode)s"
local json_headers = { ["Content-Type"] = "application/json" }

request = function()
  local path = prefix .. "/" .. mode .. "/" .. math.random(0, docs - 1)
  if mode == "write" then
    return wrk.format("POST", path, json_headers,
                      string.format('{"n":%%d}', math.random(1, 1000000000)))
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"errors_connect":%%d,' ..
    '"errors_read":%%d,"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d,' ..
    '"p50_us":%%.1f,"p99_us":%%.1f,"mean_us":%%.1f,"max_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


class Server:
    """A benchmark server process; `stop()` always ends it (SIGTERM, then SIGKILL)."""

    def __init__(
        self,
        kind: str,
        args: argparse.Namespace,
        logs: Path,
        extra: Sequence[str] = (),
        checkout: Path | None = None,
    ) -> None:
        """`checkout`: serve that source tree's doppelgate (a baseline commit) instead."""
        self.kind = kind
        self.port = 0
        label = kind if checkout is None else f"{kind}-{checkout.name}"
        self.log_path = logs / f"{label}.log"
        self._log: IO[str] = self.log_path.open("w")
        cmd = [sys.executable, "-m", "bench.http_server", "--kind", kind, "--docs", str(args.docs)]
        cmd += ["--backend", args.backend]
        if args.mongo_url:
            cmd += ["--mongo-url", args.mongo_url]
        cmd += extra
        env = None
        if checkout is not None:
            env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
        self.proc = subprocess.Popen(
            cmd, cwd=checkout or ROOT, stdout=subprocess.PIPE, stderr=self._log, text=True, env=env
        )

    def wait_ready(self, timeout: float) -> None:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                line = self.proc.stdout.readline()
                if line.startswith("READY "):
                    self.port = int(line.split()[1])
                    return
                if not line:
                    break
        raise RuntimeError(f"the {self.kind} server did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def check(self) -> None:
        """One read and one write must answer 200 before any load is sent."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            for method, path, body in (
                ("GET", f"{PREFIX}/read/1", None),
                ("POST", f"{PREFIX}/write/1", b'{"n":-1}'),
            ):
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                if response.status != 200:
                    raise RuntimeError(
                        f"{self.kind}: {method} {path} -> {response.status} {payload[:200]!r}"
                    )
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._log.close()


def _parse(output: str, what: str) -> dict[str, Any]:
    for line in output.splitlines():
        if line.startswith(MARK):
            return msgspec.json.decode(line[len(MARK) :])
    raise RuntimeError(f"no summary from the load generator for {what}:\n{output[-2000:]}")


def run_wrk(
    args: argparse.Namespace, port: int, script: Path, duration: int, what: str
) -> dict[str, Any]:
    """One wrk run with a Lua script that prints the MARK summary line."""
    cmd = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s",
        "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    return _load(cmd, duration, what)


def _load(cmd: list[str], duration: int, what: str) -> dict[str, Any]:
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed for {what}: {done.stderr[-2000:]}")
    result = _parse(done.stdout, what)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
    return result


def run_load(
    args: argparse.Namespace, server: Server, op: str, duration: int, logs: Path
) -> dict[str, Any]:
    """One load run from a separate process: wrk + Lua, or bench/loadgen.py."""
    what = f"{op} on {server.kind}"
    if args.client == "wrk":
        script = logs / f"{op}.lua"
        script.write_text(
            WRK_SCRIPT % {"docs": args.docs, "prefix": PREFIX, "mode": op, "mark": MARK}
        )
        return run_wrk(args, server.port, script, duration, what)
    cmd = [
        sys.executable, "-m", "bench.loadgen", "--port", str(server.port), "--mode", op,
        "--prefix", PREFIX, "--docs", str(args.docs), "--connections", str(args.connections),
        "--duration", str(duration),
    ]  # fmt: skip
    return _load(cmd, duration, what)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Per op: warm-up, then `slices` pairs of equal slices, bare and doppelgate alternating
    (the first one swaps every slice) so both meet the machine's noise alike."""
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        op: {kind: [] for kind in SERVERS} for op in OPS
    }
    with tempfile.TemporaryDirectory(prefix="doppelgate-bench-") as tmp:
        logs = Path(tmp)
        servers: dict[str, Server] = {}
        try:
            for kind in SERVERS:
                servers[kind] = Server(kind, args, logs)
            for server in servers.values():
                server.wait_ready(args.startup_timeout)
                server.check()
            print(
                "  servers: "
                + ", ".join(f"{s.kind} on 127.0.0.1:{s.port}" for s in servers.values()),
                file=sys.stderr,
                flush=True,
            )
            for op in OPS:
                if args.warmup > 0:
                    for server in servers.values():
                        run_load(args, server, op, args.warmup, logs)
                for n in range(args.slices):
                    order = SERVERS if n % 2 == 0 else SERVERS[::-1]
                    for kind in order:
                        results[op][kind].append(
                            run_load(args, servers[kind], op, args.slice, logs)
                        )
                    print(
                        f"  {op:<5} slice {n + 1:>2}/{args.slices}  "
                        + "  |  ".join(
                            f"{kind} {r['rps']:>6,.0f} req/s p50 {fmt_ns(r['p50_us'] * 1e3)} "
                            f"p99 {fmt_ns(r['p99_us'] * 1e3)}"
                            + (f" errors {r['errors']}" if r["errors"] else "")
                            for kind in SERVERS
                            for r in (results[op][kind][-1],)
                        ),
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            for server in servers.values():
                server.stop()
    return results


def slice_totals(slices: list[dict[str, Any]]) -> dict[str, Any]:
    """One server's wrk slices together: req/s of all requests over all seconds, the median
    p50 and p99 over the slices, and the failed requests."""
    requests = sum(r["requests"] for r in slices)
    seconds = sum(r["duration_us"] for r in slices) / 1e6
    return {
        "rps": requests / seconds,
        "p50_us": median([r["p50_us"] for r in slices]),
        "p99_us": median([r["p99_us"] for r in slices]),
        "requests": requests,
        "seconds": seconds,
        "errors": sum(r["errors"] for r in slices),
    }


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """req/s = all requests / all seconds; p50, p99 = median over the slices; each ratio
    doppelgate/bare = the median over slice pairs (req/s: the ratio of the totals)."""
    summary: dict[str, Any] = {}
    for op in OPS:
        runs = results[op]
        entry: dict[str, Any] = {}
        for kind in SERVERS:
            entry[kind] = slice_totals(runs[kind])
        pairs = list(zip(runs["doppelgate"], runs["bare"], strict=True))
        entry["ratio_rps"] = ratio(entry["doppelgate"]["rps"], entry["bare"]["rps"])
        for key in ("rps", "p50_us", "p99_us"):
            per_slice = [ratio(d[key], b[key]) for d, b in pairs]
            if key != "rps":
                entry[f"ratio_{key}"] = median(per_slice)
            entry[f"ratio_{key}_range"] = [min(per_slice), max(per_slice)]
        summary[op] = entry
    return summary


def print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    print(
        f"\n== HTTP: one uvicorn worker each ({args.backend} backend for doppelgate); "
        f"{args.client} in a separate process, {args.connections} connections; per case and server "
        f"{args.slices} x {args.slice} s slices, interleaved =="
    )
    rows = []
    for op in OPS:
        for kind in SERVERS:
            s = summary[op][kind]
            rows.append(
                [
                    f"{op} ({'GET' if op == 'read' else 'POST $set'})",
                    kind,
                    f"{s['rps']:,.0f}",
                    fmt_ns(s["p50_us"] * 1e3),
                    fmt_ns(s["p99_us"] * 1e3),
                    f"{s['requests']:,}",
                    str(s["errors"]),
                ]
            )
    print(table(["case", "server", "req/s", "p50", "p99", "requests", "errors"], rows))
    print("\nratios doppelgate / bare (req/s: of the totals; latency: median of slice pairs):")

    def cell(entry: dict[str, Any], key: str) -> str:
        low, high = entry[f"ratio_{key}_range"]
        return f"{entry[f'ratio_{key}']:.2f} ({low:.2f}-{high:.2f})"

    print(
        table(
            ["case", "req/s (slice range)", "p50 latency (range)", "p99 latency (range)"],
            [
                [
                    op,
                    cell(summary[op], "rps"),
                    cell(summary[op], "p50_us"),
                    cell(summary[op], "p99_us"),
                ]
                for op in OPS
            ],
        )
    )
    if any(summary[op][kind]["errors"] for op in OPS for kind in SERVERS):
        print("WARNING: some requests failed (non-2xx, timeouts or socket errors): see above")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.http_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="3 s per case and server")
    parser.add_argument(
        "--duration", type=int, help="seconds of load per case and server (default 10, quick 3)"
    )
    parser.add_argument("--slice", type=int, default=1, help="seconds per interleaved slice")
    parser.add_argument("--warmup", type=int, help="seconds of warm-up per case (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--docs", type=int, help="documents seeded (default 10000, quick 1000)")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: wrk if installed (auto), or bench/loadgen.py",
    )
    parser.add_argument("--startup-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    if args.duration is None:
        args.duration = 3 if args.quick else 10
    if args.slice < 1 or args.duration < 1:
        parser.error("--duration and --slice are whole seconds, at least 1")
    args.slices = max(1, args.duration // args.slice)
    if args.warmup is None:
        args.warmup = 1
    if args.docs is None:
        args.docs = 1_000 if args.quick else 10_000
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    line_buffered_stdout()
    stop_servers_on_sigterm()
    started = time.perf_counter()
    results = run(args)
    summary = summarize(results)
    print_summary(args, summary)
    print(f"\nHTTP bench took {time.perf_counter() - started:.0f} s")
    write_json(
        args.json,
        {
            "environment": environment(),
            "backend": args.backend,
            "client": args.client,
            "connections": args.connections,
            "slices": args.slices,
            "slice_s": args.slice,
            "summary": summary,
            "runs": results,
        },
    )


if __name__ == "__main__":
    main()
