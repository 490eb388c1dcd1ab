"""Every dialects/*/contract/*.yaml scenario, replayed in-process on every engine backend.

One test per (scenario, backend): a fresh engine, the gateway (create_app, serving just the
scenario's dialect so another dialect's state cannot break it) over httpx.ASGITransport, base URL
http://testserver/<dialect prefix> (a file's `emulator:` block may set other settings and base
URL), and no variables: each file defaults its credentials (a
fresh tenant per replay through ${run}). A scenario that fails prints the replayer's report:
each step, and for a failing one the differences and the response.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import msgspec
import pytest

from doppelgate.config import Settings
from doppelgate.contract import Scenario, ScenarioError, load_file, replay, scenario_files
from doppelgate.dialect import load_dialects
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from doppelgate.testing.server import ServerHeaders  # adds uvicorn's Date header

if TYPE_CHECKING:
    pass

ROOT = Path(__file__).resolve().parents[2]
DIALECTS_DIR = ROOT / "dialects"


def collect() -> list[object]:
    """One param per scenario; a file that does not load becomes one failing param."""
    params: list[object] = []
    for dialect, path in scenario_files(DIALECTS_DIR):
        rel = path.relative_to(DIALECTS_DIR)
        try:
            scenarios = load_file(path)
        except ScenarioError as exc:
            params.append(pytest.param(dialect, exc, id=f"{rel}:load"))
            continue
        for s in scenarios:
            params.append(pytest.param(dialect, s, id=f"{dialect}/{s.id}"))
    return params


SCENARIOS = collect()


def test_scenarios_exist() -> None:
    assert SCENARIOS, f"no scenarios under {DIALECTS_DIR}/*/contract/"


@pytest.mark.parametrize(("dialect", "scenario"), SCENARIOS)
async def test_scenario(dialect: str, scenario: Scenario | ScenarioError, engine: Engine) -> None:
    if isinstance(scenario, ScenarioError):
        pytest.fail(str(scenario), pytrace=False)
    dialects = load_dialects([dialect])
    settings = msgspec.convert(scenario.emulator.get("settings", {}), Settings)
    app = create_app(settings, engine, dialects=dialects)
    base_url = scenario.emulator.get("base_url") or f"http://testserver{dialects[0].prefix}"
    transport = httpx.ASGITransport(ServerHeaders(app))
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        result = await replay(scenario, client)  # the files default their credentials
    if scenario.known_failure is not None:
        if result.passed:
            pytest.fail(f"known_failure {scenario.known_failure!r} now passes: drop the mark")
        pytest.xfail(f"{scenario.known_failure}\n{result.report()}")
    if not result.passed:
        pytest.fail(result.report(), pytrace=False)
