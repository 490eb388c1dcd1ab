"""The built wheel ships the dialects as doppelgate.dialects.* and serves from a fresh venv."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200, url
        return bytes(response.read())


def _health(url: str, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_wheel_installs_into_a_fresh_venv_and_serves(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("doppelgate-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([venv / "bin" / "pip", "install", "-q", wheel], check=True)

    # run from outside the checkout so nothing can be imported from the source tree
    probe = subprocess.run(
        [venv / "bin" / "python", "-c", "import doppelgate.dialects.gigya as g; print(g.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(venv)

    # typed (PEP 561), runnable as a module, licensed
    names = zipfile.ZipFile(wheel).namelist()
    assert "doppelgate/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    version = subprocess.run(
        [venv / "bin" / "python", "-m", "doppelgate", "--version"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    assert version.stdout.startswith("doppelgate ")

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    server = subprocess.Popen(
        [venv / "bin" / "doppelgate", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = _health(f"http://127.0.0.1:{port}/_doppelgate/health", time.monotonic() + 20)
        console = {  # the web console's files are package data: served from the wheel
            name: _get(f"http://127.0.0.1:{port}/_doppelgate/console{name}")
            for name in ("", "/static/console.js", "/static/console.css")
        }
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert health["status"] == "ok"
    assert health["backend"] == "memory"
    assert set(health["dialects"]) == {"gigya", "spid", "gainsight", "lightblue"}
    assert f"http://127.0.0.1:{port}/gigya" in output
    assert f"http://127.0.0.1:{port}/_doppelgate/console" in output
    assert b"console.js" in console[""] and b"pollJournal" in console["/static/console.js"]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {
        f"doppelgate/console/static/{f}" for f in ("index.html", "console.js", "console.css")
    } <= names
