"""dialects/spid/contract/strict/*.yaml: scenarios that need [dialects.spid] settings (each
file's `x-settings`), replayed here on both backends until the shared replayer passes settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.contract import Scenario, load_file, replay
from doppelgate.contract.loader import load_yaml
from doppelgate.dialect import load_dialects
from doppelgate.engine import Engine
from doppelgate.gateway import create_app

STRICT_DIR = Path(__file__).resolve().parents[2] / "dialects" / "spid" / "contract" / "strict"


def collect() -> list[Any]:
    params = []
    for path in sorted(STRICT_DIR.glob("*.yaml")):
        settings = load_yaml(path.read_text(encoding="utf-8")).get("x-settings", {})
        for scenario in load_file(path):
            params.append(pytest.param(scenario, settings, id=scenario.id))
    return params


def test_strict_scenarios_exist() -> None:
    assert collect()


@pytest.mark.parametrize(("scenario", "options"), collect())
async def test_strict_scenario(scenario: Scenario, options: dict[str, Any], engine: Engine) -> None:
    app = create_app(Settings(dialects={"spid": options}), engine, dialects=load_dialects(["spid"]))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver/spid") as client:
        result = await replay(scenario, client)
    assert result.passed, result.report()
