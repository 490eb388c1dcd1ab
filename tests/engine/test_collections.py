"""Collections: addressing by (dialect, tenant, name), isolation, listing, drop and reset."""

from __future__ import annotations

import pytest

from doppelgate.engine import Address, Collection, Engine

from .util import ids


async def test_tenants_and_dialects_are_isolated(engine: Engine) -> None:
    a = engine.collection("gigya", "t1", "accounts")
    same_name_other_tenant = engine.collection("gigya", "t2", "accounts")
    same_name_other_dialect = engine.collection("spid", "t1", "accounts")
    await a.ensure_index(["email"], unique=True)
    await a.insert({"_id": 1, "email": "a@x"})
    for other in (same_name_other_tenant, same_name_other_dialect):
        assert await other.find() == []
        assert await other.count() == 0
        assert await other.find_one({"_id": 1}) is None
        assert await other.update({"_id": 1}, {"$set": {"x": 1}}) == (0, 0, None)
        assert await other.delete({}) == 0
        # neither the _id nor the unique index of the first collection applies here
        await other.insert({"_id": 1, "email": "a@x"})
    assert await a.find() == [{"_id": 1, "email": "a@x"}]


async def test_same_address_is_the_same_collection(engine: Engine) -> None:
    await engine.collection("d", "t", "c").insert({"_id": 1})
    assert await ids(engine.collection("d", "t", "c")) == [1]


async def test_collections_lists_written_collections(engine: Engine) -> None:
    assert await engine.collections() == []
    await engine.collection("d1", "t1", "b").insert({"_id": 1})
    await engine.collection("d1", "t1", "a").ensure_index(["k"])
    await engine.collection("d1", "t2", "a").update({"k": 1}, {"$set": {"v": 1}}, upsert=True)
    await engine.collection("d2", "t1", "a").insert_many([{"_id": 1}, {"_id": 2}])
    # reads and writes that write nothing do not create a collection
    await engine.collection("d3", "t1", "read").find()
    await engine.collection("d3", "t1", "read").count()
    await engine.collection("d3", "t1", "miss").update({"k": 1}, {"$set": {"v": 1}})
    await engine.collection("d3", "t1", "miss").delete({})

    everything = await engine.collections()
    assert sorted(everything, key=lambda a: (a.dialect, a.tenant, a.name)) == [
        Address("d1", "t1", "a"),
        Address("d1", "t1", "b"),
        Address("d1", "t2", "a"),
        Address("d2", "t1", "a"),
    ]
    assert sorted((a.tenant, a.name) for a in await engine.collections("d1")) == [
        ("t1", "a"),
        ("t1", "b"),
        ("t2", "a"),
    ]
    assert sorted(a.name for a in await engine.collections("d1", "t1")) == ["a", "b"]
    assert await engine.collections("d2", "t2") == []


async def test_emptied_collection_still_exists(engine: Engine) -> None:
    coll = engine.collection("d", "t", "c")
    await coll.insert({"_id": 1})
    await coll.delete({})
    assert await engine.collections() == [Address("d", "t", "c")]


async def test_drop(engine: Engine, coll: Collection) -> None:
    await coll.insert_many([{"_id": 1}, {"_id": 2}])
    other = engine.collection("test", "tenant", "other")
    await other.insert({"_id": 1})
    await coll.drop()
    # the handle held before the drop sees the empty collection
    assert await coll.find() == []
    assert await coll.count() == 0
    assert await engine.collection("test", "tenant", "things").find() == []
    assert await engine.collections() == [Address("test", "tenant", "other")]
    await coll.insert({"_id": 1})
    assert await ids(coll) == [1]
    assert await ids(other) == [1]


async def test_drop_missing_collection(engine: Engine, coll: Collection) -> None:
    await coll.drop()
    assert await engine.collections() == []


@pytest.fixture
async def populated(engine: Engine) -> Engine:
    for dialect in ("gigya", "spid"):
        for tenant in ("t1", "t2"):
            for name in ("a", "b"):
                await engine.collection(dialect, tenant, name).insert({"_id": 1})
    return engine


async def test_reset_one_tenant(populated: Engine) -> None:
    assert await populated.reset("gigya", "t1") == 2
    remaining = {(a.dialect, a.tenant) for a in await populated.collections()}
    assert remaining == {("gigya", "t2"), ("spid", "t1"), ("spid", "t2")}
    assert await populated.collection("gigya", "t1", "a").count() == 0
    assert await populated.collection("gigya", "t2", "a").count() == 1
    assert await populated.collection("spid", "t1", "a").count() == 1


async def test_reset_one_dialect(populated: Engine) -> None:
    handle = populated.collection("spid", "t2", "b")
    assert await populated.reset("spid") == 4
    assert {a.dialect for a in await populated.collections()} == {"gigya"}
    assert await handle.count() == 0


async def test_reset_everything(populated: Engine) -> None:
    assert await populated.reset() == 8
    assert await populated.collections() == []
    assert await populated.collection("gigya", "t1", "a").find() == []
    assert await populated.reset() == 0


async def test_reset_drops_indexes(engine: Engine) -> None:
    coll = engine.collection("d", "t", "c")
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": 1})
    await engine.reset("d", "t")
    await coll.insert({"_id": 1, "e": 1})
    await coll.insert({"_id": 2, "e": 1})
    assert await coll.count() == 2


async def test_ping(engine: Engine) -> None:
    await engine.ping()
