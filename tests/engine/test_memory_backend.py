"""The embedded backend itself: index use, the --data-file, its own document-size limit."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from doppelgate.engine import DocumentTooLarge, DuplicateKey, persist
from doppelgate.engine.memory import MemoryEngine

UTC = dt.UTC


@pytest.fixture
async def mem() -> AsyncIterator[MemoryEngine]:
    engine = MemoryEngine()
    await engine.open()
    yield engine
    await engine.close()


# -- index use -------------------------------------------------------------------------------


async def test_point_lookups_by_indexed_key_do_not_scan(mem: MemoryEngine) -> None:
    coll = mem.collection("d", "t", "users")
    await coll.ensure_index(["email"], unique=True)
    await coll.ensure_index(["tenant", "login"])
    await coll.insert_many(
        [{"_id": i, "email": f"u{i}@x", "tenant": i % 4, "login": f"l{i}"} for i in range(2000)]
    )

    assert await coll.find({"email": "u1234@x"}) == [
        {"_id": 1234, "email": "u1234@x", "tenant": 2, "login": "l1234"}
    ]
    assert coll.examined == 1
    assert await coll.find_one({"_id": 77}) is not None
    assert coll.examined == 1
    assert await coll.count({"tenant": 3, "login": "l7"}) == 1
    assert coll.examined == 1
    assert await coll.count({"email": {"$eq": "u5@x"}, "login": "other"}) == 0
    assert coll.examined == 1
    assert await coll.count({"$and": [{"email": "u6@x"}, {"tenant": 2}]}) == 1
    assert coll.examined == 1
    assert await coll.count({"email": "nobody@x"}) == 0
    assert coll.examined == 0

    await coll.update({"email": "u9@x"}, {"$set": {"seen": True}})
    assert coll.examined == 1
    await coll.delete({"_id": 10})
    assert coll.examined == 1

    # what no index covers is a scan
    assert await coll.count({"login": "l7"}) == 1
    assert coll.examined == 1999
    assert await coll.count({"login": {"$in": ["l1", "l2"]}}) == 2
    assert coll.examined == 1999
    # $in on an indexed path, and on _id, reads only the pinned documents
    assert await coll.count({"email": {"$in": ["u1@x", "u2@x"]}}) == 2
    assert coll.examined == 2
    assert len(await coll.find({"_id": {"$in": [3, 4, 4, 99999]}})) == 2
    assert coll.examined == 2


async def test_index_lookup_finds_numbers_of_either_kind_and_array_elements(
    mem: MemoryEngine,
) -> None:
    coll = mem.collection("d", "t", "c")
    await coll.ensure_index(["k"])
    await coll.insert_many([{"_id": 1, "k": 5}, {"_id": 2, "k": 5.0}, {"_id": 3, "k": [4, 5]}])
    await coll.insert_many([{"_id": i, "k": -i} for i in range(10, 20)])
    assert sorted(d["_id"] for d in await coll.find({"k": 5})) == [1, 2, 3]
    assert coll.examined == 3


# -- the data file ---------------------------------------------------------------------------


def journal(path: Path) -> Path:
    return path.with_name(path.name + ".journal")


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def crash_image(path: Path, into: Path) -> Path:
    """Copy the data file and journal as they are now: what a killed process leaves behind."""
    into.mkdir()
    for source in (path, journal(path)):
        if source.exists():
            shutil.copy(source, into / source.name)
    return into / path.name


async def opened(path: Path) -> MemoryEngine:
    engine = MemoryEngine(data_file=path)
    await engine.open()
    return engine


async def contents(engine: MemoryEngine) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    out = {}
    for a in await engine.collections():
        docs = await engine.collection(a.dialect, a.tenant, a.name).find(sort=[("_id", 1)])
        out[(a.dialect, a.tenant, a.name)] = docs
    return out


DOCS: list[dict[str, Any]] = [
    {
        "_id": 1,
        "email": "a@x",
        "at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "blob": b"\x00\x01",
        "nested": {"list": [1, 2.5, None, True, {"k": "v"}]},
    },
    {"_id": "two", "email": "b@x"},
]


async def write_sample(engine: MemoryEngine) -> None:
    users = engine.collection("gigya", "t1", "users")
    await users.ensure_index(["email"], unique=True)
    await users.ensure_index([("a", 1), ("b", -1)])
    await users.insert_many(DOCS)
    await users.insert({"_id": 3, "email": "gone@x"})
    await users.update({"_id": "two"}, {"$set": {"n": 1}})
    await users.delete({"_id": 3})
    await engine.collection("spid", "t2", "objects").insert({"_id": 1})


async def check_sample(engine: MemoryEngine) -> None:
    users = engine.collection("gigya", "t1", "users")
    assert await users.find(sort=[("email", 1)]) == [DOCS[0], {**DOCS[1], "n": 1}]
    assert await engine.collection("spid", "t2", "objects").find() == [{"_id": 1}]
    assert sorted(users.indexes) == ["a_1_b_-1", "email_1"]
    assert users.indexes["email_1"].spec.unique
    with pytest.raises(DuplicateKey):
        await users.insert({"email": "a@x"})
    await users.find({"email": "b@x"})
    assert users.examined == 1


async def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    await engine.close()

    reopened = await opened(path)
    await check_sample(reopened)
    await reopened.close()


async def test_acknowledged_writes_survive_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    image = crash_image(path, tmp_path / "crash")
    await engine.close()

    recovered = await opened(image)
    await check_sample(recovered)
    await recovered.close()


async def test_crash_after_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    await engine.close()
    engine = await opened(path)
    await engine.collection("spid", "t2", "objects").insert({"_id": 2})
    await engine.collection("gigya", "t1", "users").delete({"_id": 1})
    image = crash_image(path, tmp_path / "crash")
    await engine.close()

    recovered = await opened(image)
    assert await contents(recovered) == {
        ("gigya", "t1", "users"): [{**DOCS[1], "n": 1}],
        ("spid", "t2", "objects"): [{"_id": 1}, {"_id": 2}],
    }
    await recovered.close()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data + b"\x93\x01garbage", id="garbage appended"),
        pytest.param(lambda data: data + b"\x10\x00", id="half a length prefix"),
        pytest.param(lambda data: data + b"\x05\x00\x00\x00\xc1\xc1\xc1\xc1\xc1", id="bad record"),
        pytest.param(lambda data: data[:-3], id="last record cut"),
    ],
)
async def test_torn_journal_tail_is_dropped(tmp_path: Path, damage: Any) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    coll = engine.collection("d", "t", "c")
    await coll.insert({"_id": 1, "v": "first"})
    await coll.insert({"_id": 2, "v": "second"})
    await coll.insert({"_id": 3, "v": "last"})
    image = crash_image(path, tmp_path / "crash")
    await engine.close()
    torn = journal(image)
    torn.write_bytes(damage(torn.read_bytes()))

    recovered = await opened(image)
    coll = recovered.collection("d", "t", "c")
    found = [d["v"] for d in await coll.find(sort=[("_id", 1)])]
    assert found[:2] == ["first", "second"]
    assert found in (["first", "second"], ["first", "second", "last"])
    # the tail was cut off, so what is written next is readable after the next crash
    await coll.insert({"_id": 4, "v": "after"})
    again = crash_image(image, tmp_path / "crash2")
    await recovered.close()
    final = await opened(again)
    assert [d["v"] for d in await final.collection("d", "t", "c").find(sort=[("_id", 1)])][-1] == (
        "after"
    )
    await final.close()


async def test_snapshot_is_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    assert journal(path).stat().st_size > 0
    await engine.close()
    assert path.exists()
    assert not journal(path).exists() or journal(path).stat().st_size == 0
    assert [name for name in files_in(tmp_path) if name.endswith(".tmp")] == []


async def test_leftover_temp_file_from_a_crashed_snapshot_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    await engine.close()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(b"half a snapsh")

    reopened = await opened(path)
    await check_sample(reopened)
    await reopened.close()
    assert not tmp.exists()
    final = await opened(path)
    await check_sample(final)
    await final.close()


async def test_closing_an_engine_that_never_opened_keeps_the_data(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await write_sample(engine)
    await engine.close()

    never_opened = MemoryEngine(data_file=path)  # e.g. start-up failed before open()
    await never_opened.close()
    reopened = await opened(path)
    await check_sample(reopened)
    await reopened.close()


async def test_a_refused_data_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    foreign = persist.msgspec.msgpack.encode({"format": "something else", "keep": "me"})
    path.write_bytes(foreign)
    engine = MemoryEngine(data_file=path)
    with pytest.raises(ValueError, match="not a doppelgate data file"):
        await engine.open()
    await engine.close()
    assert path.read_bytes() == foreign


async def test_drop_and_reset_are_persisted(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    for dialect, tenant, name in [
        ("a", "t1", "x"),
        ("a", "t1", "y"),
        ("a", "t2", "x"),
        ("b", "t1", "x"),
    ]:
        await engine.collection(dialect, tenant, name).insert({"_id": 1, "e": 1})
    await engine.collection("a", "t1", "x").ensure_index(["e"], unique=True)
    await engine.close()

    engine = await opened(path)
    await engine.collection("a", "t1", "x").drop()
    await engine.reset("a", "t2")
    image = crash_image(path, tmp_path / "crash")
    await engine.close()

    for reopened in (await opened(path), await opened(image)):
        assert await contents(reopened) == {
            ("a", "t1", "y"): [{"_id": 1, "e": 1}],
            ("b", "t1", "x"): [{"_id": 1, "e": 1}],
        }
        # the dropped collection's unique index went with it
        dropped = reopened.collection("a", "t1", "x")
        await dropped.insert({"_id": 1, "e": 1})
        await dropped.insert({"_id": 2, "e": 1})
        await reopened.close()


async def test_recreated_after_drop_is_persisted(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    coll = engine.collection("d", "t", "c")
    await coll.insert({"_id": 1, "old": True})
    await coll.drop()
    await coll.insert({"_id": 2, "new": True})
    image = crash_image(path, tmp_path / "crash")
    await engine.close()
    for reopened in (await opened(path), await opened(image)):
        assert await contents(reopened) == {("d", "t", "c"): [{"_id": 2, "new": True}]}
        await reopened.close()


async def test_empty_and_index_only_collections_are_persisted(tmp_path: Path) -> None:
    path = tmp_path / "data.db"
    engine = await opened(path)
    await engine.collection("d", "t", "indexed").ensure_index(["k"], unique=True)
    emptied = engine.collection("d", "t", "emptied")
    await emptied.insert({"_id": 1})
    await emptied.delete({})
    image = crash_image(path, tmp_path / "crash")
    await engine.close()
    for reopened in (await opened(path), await opened(image)):
        assert await contents(reopened) == {("d", "t", "emptied"): [], ("d", "t", "indexed"): []}
        indexed = reopened.collection("d", "t", "indexed")
        await indexed.insert({"_id": 1, "k": 1})
        with pytest.raises(DuplicateKey):
            await indexed.insert({"_id": 2, "k": 1})
        await reopened.close()


async def test_journal_compaction_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(persist, "_MIN_COMPACT_BYTES", 4096)
    path = tmp_path / "data.db"
    engine = await opened(path)
    coll = engine.collection("d", "t", "c")
    for i in range(300):
        await coll.insert({"_id": i, "payload": "x" * 100})
        if i % 3 == 0:
            await coll.update({"_id": i}, {"$set": {"third": True}})
    await coll.delete({"_id": {"$lt": 10}})
    assert path.exists()  # compacted into a snapshot while running
    assert journal(path).stat().st_size < path.stat().st_size
    image = crash_image(path, tmp_path / "crash")
    await engine.close()
    for reopened in (await opened(path), await opened(image)):
        docs = await reopened.collection("d", "t", "c").find(sort=[("_id", 1)])
        assert [d["_id"] for d in docs] == list(range(10, 300))
        assert [d["_id"] for d in docs if d.get("third")] == [
            i for i in range(10, 300) if i % 3 == 0
        ]
        await reopened.close()


async def test_without_data_file_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    engine = MemoryEngine()
    await engine.open()
    await engine.collection("d", "t", "c").insert({"_id": 1})
    await engine.close()
    assert files_in(tmp_path) == []


# -- document size limit ---------------------------------------------------------------------


async def test_configured_document_limit() -> None:
    engine = MemoryEngine(max_document_bytes=1024)
    await engine.open()
    coll = engine.collection("d", "t", "c")
    await coll.insert({"_id": 1, "s": "x" * 900})
    with pytest.raises(DocumentTooLarge) as caught:
        await coll.insert({"_id": 2, "s": "x" * 1100})
    assert caught.value.limit == 1024
    assert caught.value.size > 1024
    with pytest.raises(DocumentTooLarge):
        await coll.update({"_id": 1}, {"$set": {"t": "y" * 200}})
    with pytest.raises(DocumentTooLarge):
        await coll.replace({"_id": 1}, {"s": "z" * 1100})
    with pytest.raises(DocumentTooLarge):
        await coll.update({"_id": 3}, {"$set": {"s": "x" * 1100}}, upsert=True)
    assert await coll.find() == [{"_id": 1, "s": "x" * 900}]
    await engine.close()
