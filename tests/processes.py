"""Running the installed `doppelgate` command in tests: command line, clean environment, serving."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backends import drop_database

BIN = Path(sys.executable).parent / "doppelgate"


def command(*args: str) -> list[str]:
    """The installed `doppelgate` entry point (or the CLI module when no script is installed)."""
    if BIN.exists():
        return [str(BIN), *args]
    runner = "import sys; from doppelgate.cli import main; sys.exit(main())"
    return [sys.executable, "-c", runner, *args]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any DOPPELGATE_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    return {**env, **extra}


START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10


@contextlib.contextmanager
def serving(args: list[str], env: dict[str, str], log: Path, dialect: str) -> Iterator[str]:
    """`doppelgate serve` on a free loopback port; yields its origin (from the `dialect` line of
    its banner) once healthy. Always killed, with its process group."""
    proc_command = command("serve", "--host", "127.0.0.1", "--port", "0", *args)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            proc_command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    try:
        yield _wait_for_server(proc, log, dialect)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(STOP_TIMEOUT_S)


def _wait_for_server(proc: subprocess.Popen[bytes], log: Path, dialect: str) -> str:
    banner = re.compile(rf"^{dialect}\s+(http://[^/\s]+)/{dialect}$", re.M)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        found = banner.search(log.read_text(errors="replace"))
        if found:
            origin = found.group(1)
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{origin}/_doppelgate/health", timeout=2).status_code == 200:
                    return origin
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    pytest.fail(
        f"doppelgate serve did not come up within {START_TIMEOUT_S} s (exit code {proc.poll()}):"
        f"\n{log.read_text(errors='replace')[-4000:]}"
    )


def run_captured(
    args: list[str], timeout: float, **kwargs: Any
) -> subprocess.CompletedProcess[str] | None:
    """`args` run to completion with its output captured as text; None if it timed out."""
    try:
        return subprocess.run(
            args, capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )
    except subprocess.TimeoutExpired:
        return None


def serve_backend(
    backend: str, request: pytest.FixtureRequest, tag: str
) -> tuple[list[str], dict[str, str]]:
    """`doppelgate serve` arguments and a clean environment for `backend`: the mongodb one on
    the test MongoDB (restarted if a test left it down), in a database of its own that is
    dropped after the test."""
    env = clean_env()
    args = ["--backend", backend]
    if backend == "mongodb":
        mongo_url: str = request.getfixturevalue("mongo_url")
        if not os.environ.get("DOPPELGATE_TEST_MONGO_URL"):
            request.getfixturevalue("mongo_server").start()
        database = f"dgtest_{tag}_{uuid.uuid4().hex[:12]}"
        request.addfinalizer(lambda: drop_database(mongo_url, database))
        args += ["--mongo-url", mongo_url]
        env["DOPPELGATE_MONGO_DATABASE"] = database
    return args, env
