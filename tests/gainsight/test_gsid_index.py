"""Reads and updates by Gsid use the rows' Gsid index, not a scan (issue 15.8)."""

from __future__ import annotations

from typing import Any

from doppelgate.engine import Engine
from doppelgate.engine.memory import MemoryCollection
from tests.engine.util import index_names

from .helpers import Gainsight, where

ROWS = 200


async def test_gsid_read_and_update_examine_one_row(gs: Gainsight, engine: Engine) -> None:
    gsids: list[str] = []
    for batch in range(ROWS // 50):
        records = [{"Name": f"n{batch * 50 + i}", "N__gc": i} for i in range(50)]
        gsids += [r["Gsid"] for r in await gs.insert("Thing__gc", *records)]
    rows = engine.collection("gainsight", gs.key, "rows:thing__gc")
    memory = isinstance(rows, MemoryCollection)  # MongoDB: the same answers, via its own index
    target = gsids[123]

    def examined() -> int:
        return rows.examined if isinstance(rows, MemoryCollection) else 1

    body: dict[str, Any] = {"select": ["Gsid", "Name"], "where": where(("Gsid", "EQ", [target]))}
    found = await gs.ok("POST", "/query/Thing__gc", body)
    assert found["records"] == [{"Gsid": target, "Name": "n123"}]
    assert examined() == 1
    updated = await gs.update("Thing__gc", "Gsid", {"Gsid": target, "N__gc": 99})
    assert [(r["Gsid"], r["N__gc"]) for r in updated["records"]] == [(target, 99)]
    assert examined() == 1  # the re-read of the updated row, by its key
    both = {"Gsid": target, "Name": "n123"}
    updated = await gs.update("Thing__gc", "Gsid,Name", {**both, "N__gc": 7})
    assert updated["count"] == 1 and examined() == 1
    found = await gs.ok("POST", "/query/Thing__gc", {**body, "select": ["N__gc"]})
    assert found["records"] == [{"N__gc": 7}]
    if memory:  # a condition the index cannot answer still scans: the index is what helps
        await gs.ok("POST", "/query/Thing__gc", {**body, "where": where(("N__gc", "EQ", [3]))})
        assert rows.examined == ROWS


async def test_gsid_index_survives_a_reset(gs: Gainsight, engine: Engine) -> None:
    await gs.insert("Thing__gc", {"Name": "a"})
    await engine.reset("gainsight")
    others = [{"Name": f"x{i}"} for i in range(9)]
    row = (await gs.insert("Thing__gc", {"Name": "b"}, *others))[0]
    rows = engine.collection("gainsight", gs.key, "rows:thing__gc")
    body = {"select": ["Name"], "where": where(("Gsid", "EQ", [row["Gsid"]]))}
    assert (await gs.ok("POST", "/query/Thing__gc", body))["records"] == [{"Name": "b"}]
    if isinstance(rows, MemoryCollection):
        assert rows.examined == 1


async def test_declared_indexes_survive_a_reset(gs: Gainsight, engine: Engine) -> None:
    """Insertion order and the GSID-valued fields (CreatedBy, ...) are indexed again after a
    drop of the rows (what a reset does to each collection)."""
    fields = {"Name": "a"}
    await gs.insert("Thing__gc", fields)
    rows = engine.collection("gainsight", gs.key, "rows:thing__gc")
    declared = await index_names(engine, rows)
    assert {"Gsid_1", "_n_1"} <= declared
    await engine.collection("gainsight", gs.key, "rows:thing__gc").drop()
    assert await index_names(engine, rows) == set()
    await gs.insert("Thing__gc", {**fields, "Name": "b"})
    assert await index_names(engine, rows) == declared
