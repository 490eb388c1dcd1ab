"""Updates the server applies itself (engine/serverside.py): concurrent writers in two
"processes" (two engines, two connection pools) never lose or refuse an update, and the
engine's checks and results stay the same as on the compare-and-swap path."""

from __future__ import annotations

import asyncio

import pytest

from doppelgate.engine import DocumentTooLarge, InvalidUpdate, UpdateResult
from doppelgate.engine.mongodb import MongoEngine
from doppelgate.engine.serverside import server_update

WRITERS, EACH = 25, 8


async def test_concurrent_pushes_and_incs_from_two_engines_all_apply(
    engines: list[MongoEngine],
) -> None:
    colls = [e.collection("test", "t", "race") for e in engines]
    await colls[0].insert({"_id": "one", "log": [], "n": 0, "tags": []})

    async def writer(w: int) -> list[UpdateResult]:
        coll = colls[w % 2]
        results = []
        for i in range(EACH):
            update = {
                "$push": {"log": f"{w}-{i}"},
                "$inc": {"n": 1},
                "$addToSet": {"tags": f"w{w % 3}"},
                "$set": {"last.by": w},
            }
            results.append(await coll.update({"_id": "one"}, update))
        return results

    outcomes = await asyncio.gather(*(writer(w) for w in range(WRITERS)))
    assert all(r == UpdateResult(1, 1) for per in outcomes for r in per)
    doc = await colls[1].find_one({"_id": "one"})
    assert doc is not None
    assert sorted(doc["log"]) == sorted(f"{w}-{i}" for w in range(WRITERS) for i in range(EACH))
    assert doc["n"] == WRITERS * EACH
    assert sorted(doc["tags"]) == ["w0", "w1", "w2"]


async def test_server_side_updates_keep_the_engine_rules(engines: list[MongoEngine]) -> None:
    coll = engines[0].collection("test", "t", "rules")
    await coll.insert({"_id": 1, "a": [1, 2, 2], "s": "text", "n": 1})
    assert await coll.update({"_id": 1}, {"$set": {"n": 1}}) == UpdateResult(1, 0)  # unchanged
    assert await coll.update({"_id": 2}, {"$set": {"n": 1}}) == UpdateResult(0, 0)
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$inc": {"s": 1}})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$push": {"s": 1}})
    with pytest.raises(DocumentTooLarge):
        await coll.update({"_id": 1}, {"$set": {"big": "x" * (17 * 1024 * 1024)}})
    result = await coll.update({"_id": 1}, {"$pull": {"a": 2}, "$unset": {"s": ""}})
    assert result == UpdateResult(1, 1)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "a": [1], "n": 1}
    upserted = await coll.update({"_id": 3}, {"$push": {"a": 1}}, upsert=True)
    assert upserted.upserted_id == 3
    assert await coll.find_one({"_id": 3}) == {"_id": 3, "a": [1]}


def test_only_what_every_server_applies_alike_goes_to_the_server() -> None:
    assert server_update({"$push": {"a": {"$each": [1, {"x": 1}]}}}, "_h") is not None
    assert server_update({"$addToSet": {"a": {"$each": ["x", 2, True]}}}, "_h") is not None
    for update in (
        {"$push": {"a": {"$each": [1], "$slice": 2}}},  # modifiers: computed in Python
        {"$addToSet": {"a": {"x": 1}}},  # documents compared by value
        {"$addToSet": {"a": 1.5}},  # 1 vs 1.0 across servers
        {"$pull": {"a": {"$gt": 1}}},  # conditions
        {"$set": {"a.0": 1}},  # array positions
        {"$set": {"_id": 1}},
        {"$set": {"_h.rev": 1}},
        {"$setOnInsert": {"a": 1}},
    ):
        assert server_update(update, "_h") is None, update
