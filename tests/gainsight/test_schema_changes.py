"""Data calls run against the object's fields as they are now (spec §0, §5): a field declared
through the control API, a control-plane reset or snapshot import is seen by the very next
call, although calls keep the object's schema while no object was (un)declared."""

from __future__ import annotations

from typing import Any

import pytest
from doppelgate.dialects.gainsight.catalog import Catalog

from .helpers import Gainsight

CONTROL = "http://testserver/_doppelgate"
WITH_SCORE = {"records": [{"Name": "a", "Score__gc": 2}]}


async def test_object_changes_are_seen_by_the_next_data_call(gs: Gainsight) -> None:
    await gs.declare("Plan__gc", {"Name": "STRING"})
    snapshot = (await gs.http.get(f"{CONTROL}/snapshot")).content  # Plan__gc without Score__gc
    await gs.error("POST", "/Plan__gc", WITH_SCORE, "GSOBJ_1002")
    await gs.error("POST", "/Plan__gc", WITH_SCORE, "GSOBJ_1002")  # kept: still refused

    await gs.declare("Plan__gc", {"Name": "STRING", "Score__gc": "NUMBER"})
    [row] = await gs.insert("Plan__gc", {"Name": "a", "Score__gc": 2})
    assert row["Score__gc"] == 2
    [found] = await gs.query("Plan__gc", select=["Score__gc"])
    assert found["Score__gc"] == 2

    # a snapshot import brings back the declaration it holds: no Score__gc there
    assert (await gs.http.put(f"{CONTROL}/snapshot", content=snapshot)).status_code == 200
    await gs.error("POST", "/Plan__gc", WITH_SCORE, "GSOBJ_1002")

    # a reset drops the declaration: Plan__gc is inferred again on its first insert
    assert (await gs.http.post(f"{CONTROL}/reset")).status_code == 200
    [row] = await gs.insert("Plan__gc", {"Name": "b", "Score__gc": 3, "Other__gc": "x"})
    assert (row["Score__gc"], row["Other__gc"]) == (3, "x")


async def test_a_declaration_is_built_once_by_a_server(
    gs: Gainsight, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both backends: MongoDB reads the declaration on every call (no generation), but the
    same stored declaration builds its schema once, and a changed one once more."""
    built: list[str] = []
    real = Catalog._build_stored

    def counting(self: Catalog, name: str, decl: Any) -> Any:
        built.append(name)
        return real(self, name, decl)

    monkeypatch.setattr(Catalog, "_build_stored", counting)
    await gs.declare("Plan__gc", {"Name": "STRING"})
    for n in range(3):
        await gs.insert("Plan__gc", {"Name": f"p{n}"})
    await gs.declare("Plan__gc", {"Name": "STRING", "Score__gc": "NUMBER"})
    for n in range(3):
        await gs.insert("Plan__gc", {"Name": f"q{n}", "Score__gc": n})
    assert built == ["Plan__gc", "Plan__gc"]
