"""MongoDB benchmark: point reads and writes through doppelgate on the MongoDB backend, as ratios
to raw PyMongo calls on the same server and the same collection, measured in the same run.

Four targets, one MongoDB, one collection (a Gigya DS type of a fresh apiKey, seeded through
doppelgate), each case (read, write) run on every target for the same time at the same
concurrency, in slices that rotate between the targets so that noise falls on all alike:

- pymongo  (the baseline) AsyncMongoClient in a load process of its own: `find_one({"_id": k})`
           and `update_one({"_id": k}, {"$set": {"data.n": v}})`, w="majority", j=True as the
           engine writes;
- engine   doppelgate's MongoEngine in such a process: `find_one` and `update` with `$set`;
- http-1w  `doppelgate serve --backend mongodb --workers 1`: Gigya `ds.get` / `ds.store` of one
           object over HTTP (wrk, or a Python asyncio client with --client python);
- http-2w  the same with `--workers 2`.

A `ds.store` is more than one update: it reads the type's schema and the object, then writes it
with a compare-and-swap (the engine's replace: a read and a conditional write). The ratios
target/pymongo say what each layer costs in units of "one raw driver call on this server, now".

    python -m bench.mongo_bench [--quick] [--mongo-url URL]

Without --mongo-url (or DOPPELGATE_MONGO_URL) it starts the suite's MongoDB-wire server
(tools/mongo-wire-server, through the helpers of tests/conftest.py) on a free port for the run.
Its figures measure that server as much as doppelgate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import msgspec

from bench.common import (
    BENCH_DATABASE,
    ROOT,
    environment,
    fmt_ns,
    line_buffered_stdout,
    make_doc,
    median,
    percentile,
    ratio,
    stop_servers_on_sigterm,
    table,
    write_json,
)

TARGETS = ("pymongo", "engine", "http-1w", "http-2w")
WORKERS = {"http-1w": 1, "http-2w": 2}
OPS = ("read", "write")
TYPE = "bench"  # the Gigya DS type the benchmark's objects are stored under
MARK = "BENCH_JSON "
FORM = "application/x-www-form-urlencoded"
START_TIMEOUT_S = 60
TIMEOUT_MS = 60_000  # the servers' mongo_timeout_ms: a loaded test server can be slow

WRK_SCRIPT = """
local docs = @DOCS@
local mode = "@MODE@"
local key = "@KEY@"
local headers = { ["Content-Type"] = "@FORM@" }
local threads = {}
failed = 0

setup = function(thread)
  table.insert(threads, thread)
end

request = function()
  local body = "apiKey=" .. key .. "&secret=any&type=@TYPE@&oid=o" .. math.random(0, docs - 1)
  if mode == "write" then
    body = body .. "&data=%7B%22n%22%3A" .. math.random(1, 1000000000) .. "%7D"
    return wrk.format("POST", "/gigya/ds.store", headers, body)
  end
  return wrk.format("POST", "/gigya/ds.get", headers, body)
end

response = function(status, headers, body)
  if status ~= 200 or not string.find(body, '"errorCode":0', 1, true) then
    failed = failed + 1
  end
end

done = function(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("failed")
  end
  local e = summary.errors
  io.write(string.format(
    '@MARK@{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%.1f,"p99_us":%.1f}\\n',
    summary.requests, summary.duration,
    bad + e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def oid_of(i: int) -> str:
    return f"o{i}"


def data_of(i: int) -> dict[str, Any]:
    """The object's data: the benchmarks' profile document, without its `_id`."""
    doc = make_doc(i)
    del doc["_id"]
    return doc


def form_of(api_key: str, i: int, data: dict[str, Any] | None = None) -> dict[str, str]:
    form = {"apiKey": api_key, "secret": "any", "type": TYPE, "oid": oid_of(i)}
    if data is not None:
        form["data"] = msgspec.json.encode(data).decode()
    return form


def objects_collection(api_key: str) -> str:
    """The MongoDB collection doppelgate keeps the apiKey's Gigya objects in."""
    from doppelgate.engine.core import Address
    from doppelgate.engine.mongodb import collection_name

    return collection_name(Address("gigya", api_key, "objects"))


def object_key(i: int) -> str:
    from doppelgate.dialects.gigya.records import object_id

    return object_id(TYPE, oid_of(i), None)


# -- the load processes ------------------------------------------------------------------------


async def _drive(
    connections: int, duration: float, one: Callable[[random.Random], Awaitable[bool]]
) -> dict[str, Any]:
    """`connections` concurrent loops calling `one` until `duration` is over."""
    latencies: list[int] = []
    errors = 0
    perf_ns = time.perf_counter_ns

    async def loop(seed: int, deadline: float) -> None:
        nonlocal errors
        rng = random.Random(seed)
        while time.perf_counter() < deadline:
            start = perf_ns()
            try:
                ok = await one(rng)
            except Exception:
                ok = False
            latencies.append(perf_ns() - start)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(loop(c, started + duration) for c in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "duration_us": elapsed * 1e6,
        "errors": errors,
        "p50_us": percentile(latencies, 50) / 1e3,
        "p99_us": percentile(latencies, 99) / 1e3,
    }


async def _load(args: argparse.Namespace) -> dict[str, Any]:
    docs, write = args.docs, args.mode == "write"
    if args.target == "pymongo":
        from pymongo import AsyncMongoClient

        client: Any = AsyncMongoClient(
            args.mongo_url, w="majority", journal=True, timeoutMS=TIMEOUT_MS
        )
        coll = client[args.database][objects_collection(args.api_key)]
        keys = [object_key(i) for i in range(docs)]

        async def raw(rng: random.Random) -> bool:
            key = keys[rng.randrange(docs)]
            if write:
                done = await coll.update_one(
                    {"_id": key}, {"$set": {"data.n": rng.randrange(1, 10**9)}}
                )
                return bool(done.matched_count)
            return await coll.find_one({"_id": key}) is not None

        try:
            await raw(random.Random(0))  # connected before the clock starts
            return await _drive(args.connections, args.duration, raw)
        finally:
            await client.close()
    if args.target == "engine":
        from doppelgate.engine.mongodb import MongoEngine

        engine = MongoEngine(args.mongo_url, args.database, timeout_ms=TIMEOUT_MS)
        await engine.open()
        objects = engine.collection("gigya", args.api_key, "objects")
        keys = [object_key(i) for i in range(docs)]

        async def through_engine(rng: random.Random) -> bool:
            key = keys[rng.randrange(docs)]
            if write:
                done = await objects.update(
                    {"_id": key}, {"$set": {"data.n": rng.randrange(1, 10**9)}}
                )
                return done.matched == 1
            return await objects.find_one({"_id": key}) is not None

        try:
            await through_engine(random.Random(0))
            return await _drive(args.connections, args.duration, through_engine)
        finally:
            await engine.close()
    return await _http_load(args)


async def _http_load(args: argparse.Namespace) -> dict[str, Any]:
    """The Python HTTP client (--client python): keep-alive HTTP/1.1 form POSTs."""
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(args.connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", args.port))
    method = "ds.store" if args.mode == "write" else "ds.get"

    async def call(rng: random.Random) -> bool:
        i = rng.randrange(args.docs)
        data = {"n": rng.randrange(1, 10**9)} if args.mode == "write" else None
        body = urllib.parse.urlencode(form_of(args.api_key, i, data)).encode()
        head = (
            f"POST /gigya/{method} HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
            f"Content-Type: {FORM}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        reader, writer = await pool.get()
        try:
            writer.write(head + body)
            response = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in response.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            payload = await reader.readexactly(length)
        finally:
            pool.put_nowait((reader, writer))
        return response[9:12] == b"200" and b'"errorCode":0' in payload

    try:
        return await _drive(args.connections, args.duration, call)
    finally:
        while not pool.empty():
            pool.get_nowait()[1].close()


def load_main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mongo_bench load")
    parser.add_argument("--target", choices=("pymongo", "engine", "http"), required=True)
    parser.add_argument("--mode", choices=OPS, required=True)
    parser.add_argument("--mongo-url")
    parser.add_argument("--database", default=BENCH_DATABASE)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--port", type=int)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=1.0)
    args = parser.parse_args(argv)
    summary = asyncio.run(_load(args))
    sys.stdout.write(MARK + msgspec.json.encode(summary).decode() + "\n")


# -- the servers -------------------------------------------------------------------------------


@contextlib.contextmanager
def mongo_url_for(args: argparse.Namespace, work: Path) -> Iterator[str]:
    """--mongo-url, or the suite's MongoDB-wire server started for this run (and stopped)."""
    if args.mongo_url:
        yield args.mongo_url
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import pytest

    from tests.conftest import SERVER_JVM_OPTIONS, MongoWireServer, build_jar, free_port

    try:
        jar, port = build_jar(), free_port()
        server = MongoWireServer(jar, work / "data.mv", port, work, SERVER_JVM_OPTIONS)
        server.start()
    except pytest.fail.Exception as exc:  # the helpers report failures the pytest way
        raise SystemExit(f"cannot start the MongoDB-wire server: {exc}") from None
    print(f"  started the MongoDB-wire server at {server.url}", file=sys.stderr, flush=True)
    try:
        yield server.url
    finally:
        server.stop()


@dataclass
class Serve:
    """One `doppelgate serve --backend mongodb --workers N`, in its own process group."""

    workers: int
    proc: subprocess.Popen[str]
    log: IO[str]
    log_path: Path
    port: int = 0

    @classmethod
    def start(cls, workers: int, mongo_url: str, logs: Path, backend: str = "mongodb") -> Serve:
        """`backend` "memory" ignores `mongo_url` (and takes one worker)."""
        doppelgate = Path(sys.executable).parent / "doppelgate"
        runner = "import sys; from doppelgate.cli import main; sys.exit(main())"
        cli = [str(doppelgate)] if doppelgate.exists() else [sys.executable, "-c", runner]
        args = [*cli, "serve", "--backend", backend, "--port", "0"]
        if backend == "mongodb":
            args += ["--mongo-url", mongo_url]
        args += ["--workers", str(workers), "--log-level", "warning"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
        env |= {"DOPPELGATE_MONGO_DATABASE": BENCH_DATABASE}
        env |= {"DOPPELGATE_MONGO_TIMEOUT_MS": str(TIMEOUT_MS)}
        log_path = logs / f"serve-{backend}-{workers}w.log"
        log = log_path.open("w")
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: the workers stop with it
        )
        return cls(workers, proc, log, log_path)

    def wait_ready(self) -> None:
        """Read the announced health URL, then wait until it answers 200."""
        import httpx

        assert self.proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        url = ""
        for line in self.proc.stdout:  # ends when the process exits
            if line.startswith("health"):
                url = line.split()[1]
                self.port = int(urllib.parse.urlsplit(url).port or 0)
                break
        while self.port and time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.log.flush()
        tail = self.log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"doppelgate serve --workers {self.workers} did not start:\n{tail}")

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers the supervisor left behind
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


async def seed(port: int, api_key: str, docs: int, connections: int = 16) -> None:
    """Store every object through doppelgate (so it also learns the type's schema)."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        first = await http.post("/gigya/ds.store", data=form_of(api_key, 0, data_of(0)))
        if first.json()["errorCode"] != 0:
            raise RuntimeError(f"seeding failed: {first.text}")
        queue = iter(range(1, docs))

        async def worker() -> None:
            for i in queue:
                r = await http.post("/gigya/ds.store", data=form_of(api_key, i, data_of(i)))
                if r.json()["errorCode"] != 0:
                    raise RuntimeError(f"seeding failed: {r.text}")

        await asyncio.gather(*(worker() for _ in range(connections)))


async def cleanup(mongo_url: str, api_key: str) -> None:
    from doppelgate.engine.mongodb import MongoEngine

    engine = MongoEngine(mongo_url, BENCH_DATABASE, timeout_ms=TIMEOUT_MS)
    try:
        await engine.open()
        await engine.reset("gigya", api_key)
    finally:
        await engine.close()


# -- running and reporting ---------------------------------------------------------------------


def run_load(
    args: argparse.Namespace,
    target: str,
    op: str,
    duration: float,
    ctx: dict[str, Any],
) -> dict[str, Any]:
    """One load run of `duration` seconds from a process of its own."""
    if target in WORKERS and args.client == "wrk":
        script = ctx["logs"] / f"{op}.lua"
        text = WRK_SCRIPT
        for name, value in (
            ("DOCS", str(args.docs)), ("MODE", op), ("KEY", ctx["api_key"]), ("FORM", FORM),
            ("TYPE", TYPE), ("MARK", MARK),
        ):  # fmt: skip
            text = text.replace(f"@{name}@", value)
        script.write_text(text)
        cmd = [
            "wrk", "-t1", f"-c{args.connections}", f"-d{duration:g}s", "--timeout", "10s",
            "-s", str(script), f"http://127.0.0.1:{ctx['ports'][target]}",
        ]  # fmt: skip
    else:
        cmd = [
            sys.executable, "-m", "bench.mongo_bench", "load", "--mode", op,
            "--api-key", ctx["api_key"], "--docs", str(args.docs),
            "--connections", str(args.connections), "--duration", f"{duration:g}",
        ]  # fmt: skip
        if target in WORKERS:
            cmd += ["--target", "http", "--port", str(ctx["ports"][target])]
        else:
            cmd += ["--target", target, "--mongo-url", ctx["mongo_url"]]
    done = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=duration + 120, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            result: dict[str, Any] = msgspec.json.decode(line[len(MARK) :])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            return result
    raise RuntimeError(f"{op} on {target}: no result (exit {done.returncode}):\n{done.stderr}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        op: {t: [] for t in TARGETS} for op in OPS
    }
    api_key = f"3_bench{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="doppelgate-mongo-bench-") as tmp:
        logs = Path(tmp)
        with mongo_url_for(args, logs) as mongo_url:
            servers: dict[str, Serve] = {}
            try:
                for target, workers in WORKERS.items():
                    servers[target] = Serve.start(workers, mongo_url, logs)
                for server in servers.values():
                    server.wait_ready()
                ports = {t: s.port for t, s in servers.items()}
                print(
                    "  doppelgate: "
                    + ", ".join(f"{t} on 127.0.0.1:{p}" for t, p in ports.items())
                    + f"; seeding {args.docs} objects",
                    file=sys.stderr,
                    flush=True,
                )
                asyncio.run(seed(ports["http-1w"], api_key, args.docs))
                ctx = {"api_key": api_key, "mongo_url": mongo_url, "ports": ports, "logs": logs}
                for op in OPS:
                    for target in TARGETS:
                        run_load(args, target, op, args.warmup, ctx)
                    for n in range(args.slices):
                        shift = n % len(TARGETS)
                        for target in (*TARGETS[shift:], *TARGETS[:shift]):
                            results[op][target].append(run_load(args, target, op, args.slice, ctx))
                        print(
                            f"  {op:<5} slice {n + 1}/{args.slices}  "
                            + "  ".join(f"{t} {results[op][t][-1]['rps']:,.0f}/s" for t in TARGETS),
                            file=sys.stderr,
                            flush=True,
                        )
            finally:
                for server in servers.values():
                    server.stop()
                with contextlib.suppress(Exception):
                    asyncio.run(cleanup(mongo_url, api_key))
    return results


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    """Per op and target: req/s of the totals, p50/p99 medians over slices; ratios to pymongo
    (req/s: of the totals; latency: median of the per-slice ratios, with their range)."""
    summary: dict[str, Any] = {}
    for op in OPS:
        runs = results[op]
        entry: dict[str, Any] = {}
        for target in TARGETS:
            requests = sum(r["requests"] for r in runs[target])
            seconds = sum(r["duration_us"] for r in runs[target]) / 1e6
            entry[target] = {
                "rps": requests / seconds if seconds else float("nan"),
                "p50_us": median([r["p50_us"] for r in runs[target]]),
                "p99_us": median([r["p99_us"] for r in runs[target]]),
                "requests": requests,
                "errors": sum(r["errors"] for r in runs[target]),
            }
        for target in TARGETS[1:]:
            pairs = list(zip(runs[target], runs["pymongo"], strict=True))
            mine = entry[target]
            mine["ratio_rps"] = ratio(mine["rps"], entry["pymongo"]["rps"])
            mine["ratio_rps_range"] = _range([ratio(a["rps"], b["rps"]) for a, b in pairs])
            for key in ("p50_us", "p99_us"):
                per_slice = [ratio(a[key], b[key]) for a, b in pairs]
                mine[f"ratio_{key}"] = median(per_slice)
                mine[f"ratio_{key}_range"] = _range(per_slice)
        summary[op] = entry
    return summary


def _range(values: Sequence[float]) -> list[float]:
    return [min(values), max(values)] if values else [float("nan"), float("nan")]


def print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    print(
        f"\n== MongoDB backend vs raw PyMongo on the same server and collection: {args.docs} "
        f"objects, {args.connections} concurrent clients, {args.slices} x {args.slice:g} s "
        f"slices per case and target, rotated; HTTP load: {args.client} =="
    )
    what = {
        "read": ("find_one _id", "engine find_one", "ds.get"),
        "write": ("update_one $set", "engine update $set", "ds.store"),
    }
    rows = []
    for op in OPS:
        for target in TARGETS:
            s = summary[op][target]
            call = what[op][min(TARGETS.index(target), 2)]
            rows.append(
                [
                    op,
                    f"{target} ({call})",
                    f"{s['rps']:,.0f}",
                    fmt_ns(s["p50_us"] * 1e3),
                    fmt_ns(s["p99_us"] * 1e3),
                    f"{s['requests']:,}",
                    str(s["errors"]),
                ]
            )
    print(table(["case", "target", "ops/s", "p50", "p99", "ops", "errors"], rows))
    print("\nratios target / pymongo (ops/s: of the totals; latency: median of slice pairs):")

    def cell(entry: dict[str, Any], key: str) -> str:
        low, high = entry[f"ratio_{key}_range"]
        return f"{entry[f'ratio_{key}']:.2f} ({low:.2f}-{high:.2f})"

    print(
        table(
            ["case", "target", "ops/s (range)", "p50 (range)", "p99 (range)"],
            [
                [op, t, *(cell(summary[op][t], key) for key in ("rps", "p50_us", "p99_us"))]
                for op in OPS
                for t in TARGETS[1:]
            ],
        )
    )
    if any(summary[op][t]["errors"] for op in OPS for t in TARGETS):
        print("WARNING: some calls failed (errors column): the figures include them")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mongo_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="2 s per case and target")
    parser.add_argument(
        "--duration", type=float, help="seconds per case and target (default 8, quick 2)"
    )
    parser.add_argument("--slice", type=float, help="seconds per slice (default 2, quick 1)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per case and target")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--docs", type=int, help="objects seeded (default 1000, quick 200)")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="HTTP load generator: wrk if installed (auto), or a Python asyncio client",
    )
    parser.add_argument(
        "--mongo-url",
        default=os.environ.get("DOPPELGATE_MONGO_URL"),
        help="MongoDB to measure on (default: $DOPPELGATE_MONGO_URL, else the suite's "
        "MongoDB-wire server, started for the run)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 8.0)
    args.slice = args.slice or (1.0 if args.quick else 2.0)
    if args.slice <= 0 or args.duration < args.slice:
        parser.error("--slice must be positive and at most --duration")
    args.slices = max(1, round(args.duration / args.slice))
    args.docs = args.docs or (200 if args.quick else 1_000)
    if args.client == "auto":
        args.client = "wrk" if shutil.which("wrk") else "python"
    elif args.client == "wrk" and not shutil.which("wrk"):
        parser.error("--client wrk: wrk is not installed (apt-get install wrk)")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["load"]:
        load_main(argv[1:])
        return
    args = parse_args(argv)
    line_buffered_stdout()
    stop_servers_on_sigterm()
    started = time.perf_counter()
    summary = summarize(results := run(args))
    print_summary(args, summary)
    print(f"\nMongoDB bench took {time.perf_counter() - started:.0f} s")
    write_json(
        args.json,
        {
            "environment": environment(),
            "client": args.client,
            "connections": args.connections,
            "docs": args.docs,
            "slices": args.slices,
            "slice_s": args.slice,
            "summary": summary,
            "runs": results,
        },
    )


if __name__ == "__main__":
    main()
