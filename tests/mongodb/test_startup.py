"""Start-up on the mongodb backend: an unreachable database is one clear line and exit 1."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import free_port
from tests.processes import clean_env, command

TIMEOUT_MS = 1000


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ([], "mongodb://127.0.0.1:{port}"),
        (["--workers", "2"], "mongodb://127.0.0.1:{port}"),
        (["--mongo-url", "mongodb://admin:s3cret@127.0.0.1:{port}/"], "mongodb://***@127.0.0.1:"),
    ],
    ids=["one-worker", "two-workers", "credentials"],
)
def test_unreachable_mongo_url_is_one_line_and_exit_1(extra: list[str], shown: str) -> None:
    port = free_port()  # nothing listens there
    args = ["serve", "--backend", "mongodb", "--mongo-url", f"mongodb://127.0.0.1:{port}"]
    args += ["--port", "0", *(a.format(port=port) for a in extra)]
    done = subprocess.run(
        command(*args),
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_env(DOPPELGATE_MONGO_TIMEOUT_MS=str(TIMEOUT_MS)),
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""  # not even the dialect URLs: nothing was served
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    (line,) = lines
    assert line.startswith(f"doppelgate: error: cannot reach MongoDB at {shown.format(port=port)}")
    assert f"(gave up after {TIMEOUT_MS} ms)" in line
    assert "s3cret" not in line
    assert "Traceback" not in done.stderr


def test_unusable_mongo_url_is_one_line_and_exit_1() -> None:
    done = subprocess.run(
        command(
            "serve", "--backend", "mongodb", "--mongo-url", "http://127.0.0.1:1", "--port", "0"
        ),
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_env(),
    )
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("doppelgate: error: cannot use the MongoDB URL http://127.0.0.1:1: ")


def test_memory_start_up_path_does_not_import_pymongo() -> None:
    """`main(["serve"])` on the memory backend, up to the point where uvicorn would run: neither
    pymongo nor cryptography (Gigya's encrypted fields, the HTTPS proxy's CA) is loaded."""
    probe = (
        "import sys, doppelgate.cli as cli, doppelgate.serving as serving\n"
        "serving.serve = lambda settings, app: 0  # stop where uvicorn would start serving\n"
        "assert cli.main(['serve', '--port', '0']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pymongo', 'cryptography')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, env=clean_env()
    )
    assert done.stdout.strip() == "[]", done.stderr
