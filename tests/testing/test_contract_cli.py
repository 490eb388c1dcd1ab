"""`doppelgate contract run`: replay a dialect's scenarios against a target, print a parity
report per operation, exit non-zero on a mismatch."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from doppelgate.cli import main

PASSING = """
variables: {apiKey: "3_${run}", secret: c2VjcmV0}
defaults:
  request: {method: POST, form: {apiKey: "${apiKey}", secret: "${secret}"}}
  expect: {status: 200, body: {errorCode: 0}}
scenarios:
  - name: store-then-get
    description: ds.store then ds.get returns the data
    steps:
      - request: {path: ds.store, form: {type: todo, oid: o1, data: {n_i: 1}}}
      - request: {path: ds.get, form: {type: todo, oid: o1}}
        expect: {body: {data: {n_i: 1}}}
"""

FAILING = """
variables: {secret: c2VjcmV0}
defaults:
  request: {method: POST, form: {apiKey: "${apiKey}", secret: "${secret}"}}
scenarios:
  - name: get-wrong
    description: expects data that is not there (a deliberate mismatch)
    steps:
      - request: {path: ds.store, form: {type: todo, oid: o1, data: {n_i: 1}}}
        expect: {body: {errorCode: 0}}
      - request: {path: ds.get, form: {type: todo, oid: o1}}
        expect: {body: {data: {n_i: 2}}}
  - name: known-gap
    description: a documented divergence
    known_failure: the emulator answers 0 here
    steps:
      - request: {path: ds.getTypes}
        expect: {body: {errorCode: 1}}
"""


def dialect_dir(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "dialects" / "gigya" / "contract"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder.parent


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["contract", "run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_passing_scenarios_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(dialect_dir(tmp_path, ok=PASSING)))
    assert code == 0
    rows = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("ds.")
    }
    assert rows == {"ds.store": ["1", "0", "0"], "ds.get": ["1", "0", "0"]}
    assert "parity: 1/1 scenarios passed" in out


def test_a_mismatch_exits_1_and_shows_the_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = dialect_dir(tmp_path, bad=FAILING)
    code, out, _ = run(capsys, str(source), "--var", "apiKey=3_cli")
    assert code == 1
    assert "scenario bad/get-wrong" in out and "body.data.n_i: expected 2, got 1" in out
    assert "scenario bad/known-gap" not in out  # known failures: reported in the table only
    rows = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("ds.")
    }
    assert rows == {
        "ds.store": ["1", "0", "0"],
        "ds.get": ["0", "1", "0"],
        "ds.getTypes": ["0", "0", "1"],
    }
    assert "MISMATCH: 1/2 scenarios passed" in out
    code, out, _ = run(capsys, str(source), "--var", "apiKey=3_cli", "--strict")
    assert code == 1 and "MISMATCH: 0/2" in out


def test_variables_come_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = dialect_dir(tmp_path, bad=FAILING)
    code, out, _ = run(capsys, str(source), "--scenario", "*/get-wrong")
    assert code == 1 and "undefined" in out.lower() and "apiKey" in out
    code, out, _ = run(capsys, str(source / "contract" / "bad.yaml"), "--scenario", "nothing")
    assert code == 2


def test_unusable_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, str(tmp_path / "nope"))[0] == 2
    source = dialect_dir(tmp_path, ok=PASSING)
    code, _, err = run(capsys, str(source), "--var", "novalue")
    assert code == 2 and "KEY=VALUE" in err
    (source / "contract" / "broken.yaml").write_text("scenarios: [{name: x, steps: 3}]")
    code, _, err = run(capsys, str(source))
    assert code == 2 and "broken.yaml" in err


def test_a_bare_dialect_name_finds_the_shipped_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "gigya", "--scenario", "store/*")
    assert code == 0 and "ds.store" in out


def test_against_a_served_emulator(tmp_path: Path) -> None:
    """A real `doppelgate serve` on a free port, replayed by a `doppelgate contract` process."""
    source = dialect_dir(tmp_path, ok=PASSING, bad=FAILING)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    server = subprocess.Popen(
        doppelgate("serve", "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 20
        gigya_url = ""
        while time.monotonic() < deadline and not gigya_url:
            line = server.stdout.readline()
            if line.startswith("gigya"):
                gigya_url = line.split()[1]
        assert gigya_url, "the server printed no gigya URL"
        ok = subprocess.run(
            doppelgate(
                "contract", "run", str(source), "--base-url", gigya_url, "--scenario", "ok/*"
            ),
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "parity: 1/1" in ok.stdout
        bad = subprocess.run(
            doppelgate(
                "contract", "run", str(source), "--base-url", gigya_url, "--var", "apiKey=3_served"
            ),
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert bad.returncode == 1, bad.stdout + bad.stderr
        assert f"{gigya_url}/ds.get" in bad.stdout and "MISMATCH: 2/3" in bad.stdout
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def doppelgate(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "doppelgate"
    if script.exists():
        return [str(script), *args]
    return [
        sys.executable,
        "-c",
        "import sys; from doppelgate.cli import main; sys.exit(main())",
        *args,
    ]


def test_scenarios_needing_emulator_settings_are_skipped_against_a_server() -> None:
    """gigya's own scenarios against a default `doppelgate serve`: the strict-mode ones cannot
    be configured there, so they are skipped with the reason, and the rest are at parity."""
    from tests.gateway.test_cli import announced, running

    with running(doppelgate("serve", "--port", "0")) as server:
        gigya_url = announced(server)["gigya"]
        done = subprocess.run(
            doppelgate("contract", "run", "gigya", "--base-url", gigya_url),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines() if line.startswith("skipped ")]
    assert skipped and all("needs emulator settings ([dialects.gigya])" in s for s in skipped)
    assert f", {len(skipped)} skipped (they need an in-process emulator)" in done.stdout
    assert re.search(r"^parity: (\d+)/\1 scenarios passed", done.stdout, re.M), done.stdout
