"""Helpers shared by the benchmarks: documents, engines per backend, RSS, percentiles, tables."""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from doppelgate.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("memory", "mongodb")
DIALECT = "bench"  # the collections the benchmarks create live under their own dialect name
BENCH_DATABASE = "doppelgate_bench"  # --backend mongodb: the database the benchmarks write to
INDEXED_FIELD = "email"  # the secondary (unique) index every benchmark collection carries


def insert_batch(backend: str) -> int:
    """insert_many batch size when loading: smaller for a database server's request limits."""
    return 10_000 if backend == "memory" else 1_000


# -- documents ---------------------------------------------------------------------------------


def doc_id(i: int) -> str:
    """The `_id` of document number i: 24 hex digits, the shape of the engine's own ids."""
    return f"{i:024x}"


def email_of(i: int) -> str:
    return f"user{i}@example.com"


def make_doc(i: int) -> dict[str, Any]:
    """A small profile-like document (about 230 bytes of JSON), the same in every benchmark."""
    return {
        "_id": doc_id(i),
        "email": email_of(i),
        "n": i,
        "name": f"User {i}",
        "active": i % 3 != 0,
        "profile": {"age": 18 + i % 70, "country": "NO", "city": "Oslo", "zip": f"{i % 10000:04d}"},
        "tags": ["alpha", "beta"] if i % 2 else ["gamma"],
        "created": "2024-01-01T00:00:00Z",
    }


def doc_json(i: int) -> bytes:
    return msgspec.json.encode(make_doc(i))


# -- backends ----------------------------------------------------------------------------------


def add_backend_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        default="memory",
        help="engine backend to measure (default: memory, the embedded one)",
    )
    parser.add_argument(
        "--mongo-url",
        default=os.environ.get("DOPPELGATE_MONGO_URL"),
        help="MongoDB URL for --backend mongodb (default: $DOPPELGATE_MONGO_URL)",
    )


def check_backend_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.backend == "mongodb" and not args.mongo_url:
        parser.error("--backend mongodb needs --mongo-url URL (or DOPPELGATE_MONGO_URL)")


def make_settings(backend: str, mongo_url: str | None) -> Any:
    """doppelgate's Settings for the backend (MongoDB: the benchmarks' own database)."""
    from doppelgate.config import Settings

    fields: dict[str, Any] = {"backend": backend, "log_level": "warning"}
    if mongo_url:
        fields["mongo_url"] = mongo_url
        fields["mongo_database"] = BENCH_DATABASE
        fields["mongo_timeout_ms"] = 60_000  # loading batches into a small test server is slow
    return Settings(**fields)


def make_engine(backend: str, mongo_url: str | None) -> Engine:
    """A new, unopened engine: `MemoryEngine()` or the configured MongoDB backend."""
    if backend == "memory":
        from doppelgate.engine.memory import MemoryEngine

        return MemoryEngine()
    try:
        import doppelgate.engine.mongodb  # noqa: F401
    except ImportError as exc:
        raise SystemExit(
            f"--backend mongodb: the MongoDB backend is not available ({exc}); "
            "src/doppelgate/engine/mongodb/ has not landed yet"
        ) from exc
    from doppelgate.engine import create_engine

    return create_engine(make_settings(backend, mongo_url))


def bench_tenant() -> str:
    """A fresh tenant per run: runs never see each other's data, even on a shared MongoDB."""
    return f"bench-{uuid.uuid4().hex[:12]}"


# -- measurement -------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int:
    """Resident set size now (/proc/self/status), else the peak from getrusage."""
    kb = _status_kb("VmRSS")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def peak_rss_bytes() -> int:
    kb = _status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return float(sorted_values[rank - 1])


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def fmt_ns(ns: float) -> str:
    if ns != ns:  # nan
        return "n/a"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def fmt_bytes(n: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "executable": sys.executable,
    }


def write_json(path: str | None, payload: Any) -> None:
    if not path:
        return
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(msgspec.json.format(msgspec.json.encode(payload), indent=2) + b"\n")
    print(f"\nresults written to {target}")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the bench's finally: its servers are stopped


def stop_servers_on_sigterm() -> None:
    """A terminated bench (CI timeout, kill) stops the servers it started, as Ctrl-C does."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


def line_buffered_stdout() -> None:
    """Results and progress (stderr) stay in order when both go to one pipe or file."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(line_buffering=True)
