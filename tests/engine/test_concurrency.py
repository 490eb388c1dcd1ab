"""Every single-document write is atomic, however many tasks write at once."""

from __future__ import annotations

import asyncio

from doppelgate.engine import Collection, DuplicateKey

TASKS = 50
PUSHES_PER_TASK = 20


async def test_concurrent_pushes_to_one_document_lose_nothing(coll: Collection) -> None:
    await coll.insert({"_id": "doc", "items": []})

    async def pusher(task: int) -> None:
        for i in range(PUSHES_PER_TASK):
            result = await coll.update({"_id": "doc"}, {"$push": {"items": f"{task}-{i}"}})
            assert result == (1, 1, None)

    await asyncio.gather(*(pusher(t) for t in range(TASKS)))
    doc = await coll.find_one({"_id": "doc"})
    assert doc is not None
    assert len(doc["items"]) == TASKS * PUSHES_PER_TASK == 1000
    assert set(doc["items"]) == {f"{t}-{i}" for t in range(TASKS) for i in range(PUSHES_PER_TASK)}
    # each task's own pushes stay in the order it made them
    for t in range(TASKS):
        mine = [item for item in doc["items"] if item.startswith(f"{t}-")]
        assert mine == [f"{t}-{i}" for i in range(PUSHES_PER_TASK)]


async def test_concurrent_increments_add_up(coll: Collection) -> None:
    await coll.insert({"_id": "counter", "n": 0})

    async def incrementer() -> None:
        for _ in range(PUSHES_PER_TASK):
            await coll.find_one_and_update({"_id": "counter"}, {"$inc": {"n": 1}})

    await asyncio.gather(*(incrementer() for _ in range(TASKS)))
    assert await coll.find_one({"_id": "counter"}) == {"_id": "counter", "n": 1000}


async def test_concurrent_inserts_of_one_unique_value_leave_exactly_one(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)

    async def register(i: int) -> bool:
        try:
            await coll.insert({"_id": i, "email": "same@example.com"})
        except DuplicateKey:
            return False
        return True

    outcomes = await asyncio.gather(*(register(i) for i in range(100)))
    assert outcomes.count(True) == 1
    assert outcomes.count(False) == 99
    docs = await coll.find({"email": "same@example.com"})
    assert len(docs) == 1
    assert docs[0]["_id"] == outcomes.index(True)
    assert await coll.count() == 1


async def test_concurrent_inserts_of_one_id_leave_exactly_one(coll: Collection) -> None:
    async def insert(i: int) -> bool:
        try:
            await coll.insert({"_id": "same", "writer": i})
        except DuplicateKey:
            return False
        return True

    outcomes = await asyncio.gather(*(insert(i) for i in range(100)))
    assert outcomes.count(True) == 1
    assert await coll.find() == [{"_id": "same", "writer": outcomes.index(True)}]


async def test_concurrent_add_to_set_keeps_one_of_each(coll: Collection) -> None:
    await coll.insert({"_id": "set", "members": []})

    async def adder(task: int) -> None:
        for i in range(10):
            await coll.update({"_id": "set"}, {"$addToSet": {"members": (task + i) % 25}})

    await asyncio.gather(*(adder(t) for t in range(TASKS)))
    doc = await coll.find_one({"_id": "set"})
    assert doc is not None
    assert sorted(doc["members"]) == list(range(25))
