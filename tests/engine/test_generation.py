"""Collection.generation(): changes with every change of a collection on the memory backend
(what lets dialects keep parsed schemas), None on MongoDB (other processes write there)."""

from __future__ import annotations

from pathlib import Path

from doppelgate.control.snapshot import export_snapshot, import_snapshot
from doppelgate.engine import Collection, Engine
from doppelgate.engine.memory import MemoryEngine


def changed(coll: Collection, before: int | None) -> bool:
    now = coll.generation()
    assert now is not None
    return now != before


async def test_every_kind_of_write_changes_the_generation(engine: Engine) -> None:
    coll = engine.collection("test", "tenant", "things")
    exact = engine.backend == "memory"  # MongoDB: other processes write too, so None (read)
    other = engine.collection("test", "tenant", "others")
    steps = [
        lambda: coll.insert({"_id": 1, "n": 1}),
        lambda: coll.insert_many([{"_id": 2, "n": 2}, {"_id": 3, "n": 3}]),
        lambda: coll.update({"_id": 1}, {"$set": {"n": 10}}),
        lambda: coll.update({}, {"$inc": {"n": 1}}, many=True),
        lambda: coll.update({"_id": 4}, {"$set": {"n": 4}}, upsert=True),
        lambda: coll.replace({"_id": 2}, {"n": 20}),
        lambda: coll.replace({"_id": 5}, {"n": 5}, upsert=True),
        lambda: coll.find_one_and_update({"_id": 3}, {"$set": {"n": 30}}),
        lambda: coll.find_one_and_update({"_id": 6}, {"$set": {"n": 6}}, upsert=True),
        lambda: coll.delete({"_id": 1}),
        lambda: coll.delete({}, many=True),
    ]
    for step in steps:
        before, others = coll.generation(), other.generation()
        await step()
        if not exact:
            assert coll.generation() is None and other.generation() is None
            continue
        assert changed(coll, before)
        assert other.generation() == others  # only the written collection's changes
        again = coll.generation()
        await coll.find({})
        await coll.count({"n": 1})
        assert coll.generation() == again  # reads change nothing


async def test_drop_reset_and_restore_change_the_generation() -> None:
    engine = MemoryEngine()
    coll = engine.collection("test", "tenant", "things")
    await coll.insert({"_id": 1})
    before = coll.generation()
    await coll.drop()
    assert changed(coll, before)

    await coll.insert({"_id": 1})
    snapshot = await export_snapshot(engine)
    held = engine.collection("test", "tenant", "things")  # obtained before the reset
    before = held.generation()
    assert await engine.reset("test") == 1
    assert changed(held, before)
    assert changed(engine.collection("test", "tenant", "things"), before)

    before = held.generation()
    await import_snapshot(engine, snapshot)
    assert changed(held, before)
    assert await held.find({}) == [{"_id": 1}]


async def test_loading_the_data_file_changes_the_generation(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    async with MemoryEngine(data_file=path) as first:
        await first.collection("d", "t", "c").insert({"_id": 1})
    second = MemoryEngine(data_file=path)
    held = second.collection("d", "t", "c")  # empty until open() loads the file
    before = held.generation()
    async with second:
        assert changed(held, before)
        assert await held.find({}) == [{"_id": 1}]


def test_derived_builds_a_value_once_per_content_and_stays_bounded() -> None:
    from doppelgate.engine import Derived

    derived: Derived[object] = Derived(max_entries=2)
    built: list[str] = []

    def build(text: str) -> object:
        built.append(text)
        return {"parsed": text}

    first = derived.built("a", lambda: build("a"))
    assert derived.built("a", lambda: build("a")) is first and built == ["a"]
    derived.built("b", lambda: build("b"))
    derived.built("c", lambda: build("c"))  # the oldest ("a") makes room
    assert derived.built("c", lambda: build("c")) == {"parsed": "c"}
    derived.built("a", lambda: build("a"))
    assert built == ["a", "b", "c", "a"]
    assert Derived().built("a", lambda: build("a")) is not first  # each context its own
