"""`doppelgate --version`, `doppelgate serve` in a real process, refusals in one clear line."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from doppelgate import __version__
from doppelgate.cli import main
from doppelgate.config import SETTINGS_JSON_ENV, ConfigError, load_settings, settings_to_json
from doppelgate.gateway import app_from_env
from tests.processes import clean_env, command

from .helpers import make_settings

Server = tuple[subprocess.Popen[str], "queue.Queue[str]"]


@contextlib.contextmanager
def running(args: list[str], stderr: Any = subprocess.DEVNULL, **popen: Any) -> Iterator[Server]:
    """A server process (and its workers) with its stdout lines in a queue; always killed."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=stderr,
        **popen,
        text=True,
        env=clean_env(),
        start_new_session=True,  # its own process group, so uvicorn's workers go with it
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        yield proc, lines
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def announced(server: Server) -> dict[str, str]:
    """The name -> URL lines the server printed, up to its health URL (10 s at most); log lines
    (when stderr is captured too) are passed over."""
    proc, lines = server
    deadline = time.monotonic() + 10
    printed: list[str] = []
    while not any(line.startswith("health") for line in printed):
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            pytest.fail(f"no health line within 10 s (exit code {proc.poll()}): {printed}")
        if BANNER_LINE.match(line):
            printed.append(line)
    assert printed[0].startswith("gigya      http://"), printed
    return dict(line.split() for line in printed if line.strip())


BANNER_LINE = re.compile(r"^[a-z]+ {2,}\S")


def get(url: str) -> httpx.Response:
    """GET, retrying connection errors for up to 15 s (worker processes start slowly on a
    loaded machine)."""
    deadline = time.monotonic() + 15
    while True:
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"doppelgate {__version__}"


def test_version_entry_point() -> None:
    done = subprocess.run(command("--version"), capture_output=True, text=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout.strip() == f"doppelgate {__version__}"


def test_serve_prints_dialect_urls_and_answers_health() -> None:
    with running(command("serve", "--port", "0")) as server:
        urls = announced(server)
        found = re.fullmatch(r"(http://127\.0\.0\.1:\d+)/gigya", urls["gigya"])
        assert found, urls
        base = found.group(1)
        assert urls == {
            "gigya": f"{base}/gigya",
            "spid": f"{base}/spid",
            "gainsight": f"{base}/gainsight",
            "lightblue": f"{base}/lightblue",
            "console": f"{base}/_doppelgate/console",
            "health": f"{base}/_doppelgate/health",
        }
        r = get(urls["health"])
        assert r.status_code == 200
        assert r.json()["status"] == "ok"
        assert r.json()["backend"] == "memory"
        r = get(f"{base}/spid/api/2/nothing")
        assert (r.status_code, r.json()["name"]) == (404, "SPP Container")


def test_several_workers_get_the_settings_through_the_environment() -> None:
    """The --workers plumbing (uvicorn factory + settings JSON), run here on the memory backend
    that `doppelgate serve` itself refuses to split."""
    runner = (
        "from doppelgate.serving import serve; from doppelgate.config import Settings; "
        "lightblue = {'lightblue': {'hosts': ['lb.workers']}}; "
        "serve(Settings(port=0, workers=2, dialects=lightblue), None)"
    )
    with running([sys.executable, "-c", runner]) as server:
        urls = announced(server)
        assert not urls["health"].startswith("http://127.0.0.1:0/")
        assert get(urls["health"]).json()["status"] == "ok"
        base = urls["health"].removesuffix("/_doppelgate/health")
        r = get(f"{base}/rest/data/find/x")
        assert r.status_code == 404 and "no dialect" in r.text
        # the workers know the configured lightblue host: it reaches the lightblue mount
        r = httpx.get(f"{base}/rest/data/find/x", headers={"Host": "lb.workers"}, timeout=1)
        assert r.json()["errors"][0]["errorCode"] == "crud:UnknownEntity"  # lightblue answered


@pytest.mark.parametrize(
    ("args", "env"),
    [(["serve", "--workers", "2"], {}), (["serve"], {"DOPPELGATE_WORKERS": "2"})],
)
def test_workers_on_the_memory_backend_refuse_to_start(
    args: list[str], env: dict[str, str]
) -> None:
    done = subprocess.run(
        command(*args), capture_output=True, text=True, timeout=30, env=clean_env(**env)
    )
    assert done.returncode != 0
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert "--workers 2" in line and "memory backend" in line and "mongodb" in line


def test_bad_setting_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--backend", "memory", "--port", "0", "--workers", "0"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("doppelgate: error: invalid setting workers = 0")


def test_bad_env_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOPPELGATE_PORT", "http")
    assert main(["serve"]) == 2
    assert "DOPPELGATE_PORT" in capsys.readouterr().err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().err


def test_app_from_env_reads_the_settings_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logging.getLogger("doppelgate"), "handlers", [])  # setup_logging adds one
    settings = make_settings(port=9999, dialects={"lightblue": {"hosts": ["lb.env"]}})
    monkeypatch.setenv(SETTINGS_JSON_ENV, settings_to_json(settings))
    assert app_from_env().state.settings == settings
    monkeypatch.delenv(SETTINGS_JSON_ENV)
    with pytest.raises(ConfigError, match=SETTINGS_JSON_ENV):
        app_from_env()


def test_cli_start_up_does_not_import_pymongo() -> None:
    probe = (
        "import sys; from doppelgate.cli import build_parser; from doppelgate.gateway import "
        "create_app; from doppelgate.config import Settings; create_app(Settings()); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pymongo'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_id_seed_with_several_workers_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """Workers seeded alike would hand two clients one generated id."""
    args = ["serve", "--backend", "mongodb", "--workers", "2", "--id-seed", "7"]
    assert main(args) == 2
    assert "--id-seed" in capsys.readouterr().err


def test_the_id_seed_comes_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOPPELGATE_ID_SEED", "7")
    assert load_settings({}).id_seed == 7
