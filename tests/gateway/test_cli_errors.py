"""Every way `doppelgate serve` can fail to start is one line on stderr and a documented exit
status (README "Serving": 1 cannot start, 2 bad configuration, 130 interrupted)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.serving import summary
from tests.processes import clean_env, command

from .test_cli import announced, running


def serve(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command("serve", "--port", "0", *args),
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_env(),
        cwd=cwd,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], status: int) -> str:
    assert done.returncode == status, done.stderr
    assert done.stdout == "", done.stdout
    (line,) = done.stderr.splitlines()
    assert line.startswith("doppelgate: error: ") and "Traceback" not in line
    return line


def test_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            command("serve", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=30,
            env=clean_env(),
        )
    line = one_line(done, 1)
    assert line == f"doppelgate: error: cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[dialects.gigya]\nstrict = "yes"\n',
            "invalid [dialects.gigya] settings: Expected `bool`",
        ),
        ("[dialects.spid]\nnosuchoption = 1\n", "invalid [dialects.spid] settings"),
        ("[dialects.gigia]\nstrict = true\n", "unknown dialect table [dialects.gigia]"),
        ("journal_size = 'x'\n", "invalid setting journal_size = 'x'"),
        (
            '[dialects.lightblue]\nhosts = "lb.internal"\n',
            "invalid setting [dialects.lightblue] hosts = 'lb.internal'",
        ),
        ("gigya_hosts = [1]\n", "invalid setting [dialects.gigya] hosts = [1] (gigya_hosts in"),
        (
            '[dialects.gigya]\nhosts = ["cdc.example.com"]\nstrictt = true\n',
            "invalid [dialects.gigya] settings: Object contains unknown field `strictt`",
        ),
        ("nosuch = 1\n", "unknown setting 'nosuch'"),
    ],
)
def test_a_bad_config_file(tmp_path: Path, toml: str, expected: str) -> None:
    config = tmp_path / "doppelgate.toml"
    config.write_text(toml)
    line = one_line(serve("--config", str(config)), 2)
    assert expected in line and str(config) in line, line


def test_a_data_file_that_is_a_directory(tmp_path: Path) -> None:
    line = one_line(serve("--data-file", str(tmp_path)), 1)
    assert line == f"doppelgate: error: data file {tmp_path} is a directory: " + (
        "name a file (it is created if missing)"
    )


def test_a_data_file_that_is_garbage(tmp_path: Path) -> None:
    garbage = tmp_path / "data.bin"
    garbage.write_bytes(os.urandom(4096))
    line = one_line(serve("--data-file", str(garbage)), 1)
    assert line == f"doppelgate: error: {garbage} is not a doppelgate data file " + (
        "(use another path, or remove it)"
    )
    assert one_line(serve("--data-file", str(tmp_path / "no" / "x.db")), 1).endswith(
        "does not exist"
    )


def test_ctrl_c_is_one_line_and_exit_130(tmp_path: Path) -> None:
    log = tmp_path / "err.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            command("serve", "--port", "0"),
            stdout=subprocess.PIPE,
            stderr=err,
            env=clean_env(),
            text=True,
        )
        assert proc.stdout is not None
        while "health" not in proc.stdout.readline():
            pass
        time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(15) == 130
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.rstrip().splitlines()[-1] == "doppelgate: stopped (interrupted)"


def test_doppelgate_toml_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / "doppelgate.toml").write_text('[dialects.lightblue]\nhosts = ["lb.cwd.test"]\n')
    with running(command("serve", "--port", "0"), cwd=tmp_path) as server:
        _, lines = server
        urls = announced(server)
        rest = []
        deadline = time.monotonic() + 10
        while not any(line.startswith("serving") for line in rest) and time.monotonic() < deadline:
            rest.append(lines.get(timeout=10))
        serving = next(line for line in rest if line.startswith("serving"))
        assert "config doppelgate.toml" in serving and "memory backend, not kept" in serving
        base = urls["health"].removesuffix("/_doppelgate/health")
        r = httpx.get(f"{base}/rest/data/find/x", headers={"Host": "lb.cwd.test"}, timeout=5)
        assert r.json()["errors"][0]["errorCode"] == "crud:UnknownEntity"


def test_the_banner_says_what_is_served() -> None:
    line = summary(Settings(host="0.0.0.0", data_file="/tmp/x.db", config_file="d.toml"))
    assert "memory backend, kept in /tmp/x.db" in line and "config d.toml" in line
    assert "listening on all interfaces (0.0.0.0)" in line
    assert "no config file" in summary(Settings())


def test_dialect_tables_from_the_environment(tmp_path: Path) -> None:
    from doppelgate.config import ConfigError, load_settings

    config = tmp_path / "d.toml"
    config.write_text("[dialects.gigya]\ntimestampWindow = 30\nstrict = false\n")
    env = {"DOPPELGATE_DIALECTS": '{"gigya": {"strict": true}, "spid": {"strict": true}}'}
    settings = load_settings({}, env=env, config_path=config)
    assert settings.dialects == {
        "gigya": {"timestampWindow": 30, "strict": True},  # merged key by key over the file
        "spid": {"strict": True},
    }
    with pytest.raises(ConfigError, match="DOPPELGATE_DIALECTS is not JSON"):
        load_settings({}, env={"DOPPELGATE_DIALECTS": "gigya.strict=1"})
    with pytest.raises(ConfigError, match=r"unknown dialect table \[dialects.gigia\]"):
        load_settings({}, env={"DOPPELGATE_DIALECTS": '{"gigia": {}}'})
