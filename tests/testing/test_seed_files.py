"""Seed files: a str path works like a Path, JSON seeds parse with msgspec, and `serve --seed`
loads them at start-up (bad ones are one line and an exit status, before or at start)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from doppelgate.control.seed import SeedError, parse_seed
from doppelgate.testing import Emulator
from tests.gateway.test_cli import announced, get, running
from tests.processes import clean_env, command

SEED = {
    "calls": [
        {
            "dialect": "gigya",
            "path": "ds.store",
            "form": {
                "apiKey": "3_seeded",
                "secret": "c2VjcmV0",
                "type": "t",
                "oid": "o1",
                "data": {"n_i": 7},
            },
            "expect": {"body": {"errorCode": 0}},
        }
    ],
    "documents": [
        {"dialect": "lightblue", "tenant": "alice", "collection": "raw", "documents": [{"_id": 1}]}
    ],
}


async def test_a_str_path_is_a_file_not_seed_text(tmp_path: Path) -> None:
    (tmp_path / "fixtures.yaml").write_text("documents: []\ncalls: []\n")
    (tmp_path / "seed.json").write_text(json.dumps(SEED))
    async with Emulator() as emu:
        assert (await emu.seed(str(tmp_path / "fixtures.yaml"))).calls == 0
        report = await emu.seed(str(tmp_path / "seed.json"))
        assert (report.calls, report.documents) == (1, 1)
        with pytest.raises(SeedError, match="No such file"):
            await emu.seed(str(tmp_path / "missing.yaml"))


def test_json_text_parses_with_msgspec_and_yaml_still_works() -> None:
    assert parse_seed(json.dumps(SEED)).calls[0].form == SEED["calls"][0]["form"]
    flow = "{calls: [], documents: []}  # YAML flow style, not JSON"
    assert parse_seed(flow).calls == []


def test_serve_seed_loads_the_files_at_start(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    with running(command("serve", "--port", "0", "--seed", str(seed))) as server:
        urls = announced(server)
        get(urls["health"])
        params = {"apiKey": "3_seeded", "secret": "c2VjcmV0", "type": "t", "oid": "o1"}
        got = httpx.get(f"{urls['gigya']}/ds.get", params=params, timeout=5).json()
        assert got["data"] == {"n_i": 7}


REFUSED = {"expect": {"body": {"errorCode": 0}}}  # ds.get without apiKey: the dialect refuses


@pytest.mark.parametrize(
    ("content", "status", "expected"),
    [
        ("calls: [", 2, "invalid seed"),  # does not parse: refused before anything starts
        (
            json.dumps({"calls": [{"dialect": "gigya", "path": "ds.get", **REFUSED}]}),
            1,
            "seed",
        ),
    ],
)
def test_a_bad_seed_is_one_line(tmp_path: Path, content: str, status: int, expected: str) -> None:
    seed = tmp_path / "bad.yaml"
    seed.write_text(content)
    done = subprocess.run(
        command("serve", "--port", "0", "--seed", str(seed)),
        capture_output=True,
        text=True,
        timeout=30,
        env=clean_env(),
    )
    assert done.returncode == status, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("doppelgate: error:")]
    assert len(errors) == 1 and expected in errors[0] and str(seed) in errors[0], done.stderr
    assert "Traceback" not in done.stderr
