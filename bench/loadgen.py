"""A small keep-alive HTTP/1.1 load generator, used by the HTTP benchmark when wrk is missing.

Runs in its own process: CONNECTIONS asyncio connections, each sending one request at a time
(GET {prefix}/read/<random i> or POST {prefix}/write/<random i> with {"n": <random>}) until the
duration is over; then prints one JSON line with the same fields as the wrk script's summary.
Loopback only: the host is always 127.0.0.1.

    python -m bench.loadgen --port P --mode read --docs 10000 --connections 16 --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Sequence

import msgspec

from bench.common import percentile

HOST = "127.0.0.1"


class Counters:
    def __init__(self) -> None:
        self.status = 0
        self.connect = 0
        self.read = 0
        self.bytes = 0


def _request(mode: str, prefix: str, port: int, rng: random.Random, docs: int) -> bytes:
    i = rng.randrange(docs)
    if mode == "read":
        return f"GET {prefix}/read/{i} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    body = f'{{"n":{rng.randrange(1, 10**9)}}}'
    return (
        f"POST {prefix}/write/{i} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    raise ValueError("response without Content-Length")


async def _connection(
    args: argparse.Namespace,
    seed: int,
    deadline: float,
    latencies: list[int],
    counters: Counters,
) -> None:
    rng = random.Random(seed)
    try:
        reader, writer = await asyncio.open_connection(HOST, args.port)
    except OSError:
        counters.connect += 1
        return
    perf_ns = time.perf_counter_ns
    try:
        while time.perf_counter() < deadline:
            request = _request(args.mode, args.prefix, args.port, rng, args.docs)
            start = perf_ns()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            body = await reader.readexactly(_content_length(head))
            latencies.append(perf_ns() - start)
            counters.bytes += len(head) + len(body)
            if head[9:12] != b"200":
                counters.status += 1
    except (OSError, asyncio.IncompleteReadError, ValueError):
        counters.read += 1
    finally:
        writer.close()


async def run(args: argparse.Namespace) -> dict[str, float]:
    if args.warmup > 0:
        warm = time.perf_counter() + args.warmup
        await asyncio.gather(
            *(_connection(args, -c - 1, warm, [], Counters()) for c in range(args.connections))
        )
    latencies: list[int] = []
    counters = Counters()
    started = time.perf_counter()
    deadline = started + args.duration
    await asyncio.gather(
        *(_connection(args, c, deadline, latencies, counters) for c in range(args.connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "duration_us": elapsed * 1e6,
        "bytes": counters.bytes,
        "errors_connect": counters.connect,
        "errors_read": counters.read,
        "errors_write": 0,
        "errors_status": counters.status,
        "errors_timeout": 0,
        "p50_us": percentile(latencies, 50) / 1e3,
        "p99_us": percentile(latencies, 99) / 1e3,
        "mean_us": sum(latencies) / len(latencies) / 1e3 if latencies else float("nan"),
        "max_us": latencies[-1] / 1e3 if latencies else float("nan"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=("read", "write"), required=True)
    parser.add_argument("--prefix", default="/_bench")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=0.0)
    args = parser.parse_args(argv)
    summary = asyncio.run(run(args))
    sys.stdout.write("BENCH_JSON " + msgspec.json.encode(summary).decode() + "\n")


if __name__ == "__main__":
    main()
