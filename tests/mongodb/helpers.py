"""Real `doppelgate serve --backend mongodb` processes and a small synchronous Gigya client.

Every server runs in its own process group (uvicorn's workers included) and is always killed
with that group; its stderr goes to a log file whose tail is shown when something goes wrong.
Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec

from tests.processes import clean_env, command

START_TIMEOUT_S = 60  # the announcement, then a healthy answer (a busy machine is slow)
STOP_TIMEOUT_S = 10
INTERNAL_ERROR = 500001  # Gigya's "General Server error": the gigya dialect's internal error

T = TypeVar("T")


def database_name() -> str:
    return f"dgtest_{uuid.uuid4().hex[:16]}"


@dataclass
class Served:
    """One running `doppelgate serve`: its process (group leader), base URL and stderr log."""

    proc: subprocess.Popen[str]
    base: str
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def workers(self) -> list[int]:
        """The pids of uvicorn's worker processes: the children multiprocessing spawned (not
        its resource tracker)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        children = [int(pid) for pid in path.read_text().split()] if path.exists() else []
        return [pid for pid in children if b"spawn_main" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


@contextlib.contextmanager
def serving(
    mongo_url: str,
    database: str,
    log_dir: Path,
    *,
    workers: int = 1,
    timeout_ms: int = 10_000,
) -> Iterator[Served]:
    """`doppelgate serve --backend mongodb` on a free port, healthy before it is yielded; the
    whole process group is killed afterwards, whatever happened."""
    args = ["--backend", "mongodb", "--mongo-url", mongo_url, "--workers", str(workers)]
    env = {"DOPPELGATE_MONGO_DATABASE": database, "DOPPELGATE_MONGO_TIMEOUT_MS": str(timeout_ms)}
    with serving_with(args, log_dir, env) as served:
        yield served


@contextlib.contextmanager
def serving_with(
    args: list[str],
    log_dir: Path,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[Served]:
    """`doppelgate serve --port 0 <args>` in its own process group (`preexec_fn` runs in the
    child before exec: e.g. a resource limit), healthy before it is yielded, killed after."""
    log = log_dir / f"serve-{uuid.uuid4().hex[:8]}.log"
    argv = command("serve", "--port", "0", "--log-level", "warning", *args)
    with log.open("w") as err:
        proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=err,
            stdin=subprocess.DEVNULL,
            text=True,
            env=clean_env(**(env or {})),
            start_new_session=True,  # its own process group: the workers go with it
            preexec_fn=preexec_fn,
        )
    try:
        served = Served(proc, _announced_base(proc, log), log)
        wait_until(
            lambda: _healthy(served.base),
            START_TIMEOUT_S,
            lambda: f"{served.base} never became healthy:\n{served.log_tail()}",
        )
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)
        if proc.stdout is not None:
            proc.stdout.close()


def _announced_base(proc: subprocess.Popen[str], log: Path) -> str:
    """The base URL from the `health  http://.../_doppelgate/health` line the server prints."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line.startswith("health"):
            return line.split()[1].removesuffix("/_doppelgate/health")
    raise AssertionError(
        f"doppelgate serve did not announce its URLs (exit code {proc.poll()}):\n"
        + log.read_text(errors="replace")[-4000:]
    )


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/_doppelgate/health", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def wait_until(
    condition: Callable[[], T], timeout_s: float, explain: Callable[[], str] | str = ""
) -> T:
    """Poll `condition` until it returns something true; fail after `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            message = explain() if callable(explain) else explain
            raise AssertionError(f"not within {timeout_s} s: {message}")
        time.sleep(0.1)


class GigyaClient:
    """Form POSTs to /gigya/<method> as the SDKs send them (apiKey + secret: permissive mode).

    `fresh_connections=True` opens a new connection per call, so that uvicorn's workers, which
    share one listening socket, each get their share of the calls.
    """

    def __init__(
        self,
        base: str,
        api_key: str | None = None,
        *,
        timeout_s: float = 10,
        fresh_connections: bool = False,
    ) -> None:
        self.base = base
        self.api_key = api_key or f"3_{uuid.uuid4().hex}"
        self.timeout_s = timeout_s
        self.fresh_connections = fresh_connections
        self._http = httpx.Client(base_url=base, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GigyaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """The response body of one call (any errorCode); raises on transport errors/timeouts."""
        form = {"apiKey": self.api_key, "secret": "any"}
        for key, value in params.items():
            form[key] = value if isinstance(value, str) else msgspec.json.encode(value).decode()
        if self.fresh_connections:
            with httpx.Client(base_url=self.base, timeout=self.timeout_s) as http:
                r = http.post(f"/gigya/{method}", data=form)
        else:
            r = self._http.post(f"/gigya/{method}", data=form)
        body: dict[str, Any] = r.json()
        return body

    def ok(self, method: str, **params: Any) -> dict[str, Any]:
        body = self.call(method, **params)
        assert body["errorCode"] == 0, body
        return body

    def store(self, type_: str, oid: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.ok("ds.store", type=type_, oid=oid, data=data)

    def get(self, type_: str, oid: str) -> dict[str, Any]:
        data: dict[str, Any] = self.ok("ds.get", type=type_, oid=oid)["data"]
        return data
