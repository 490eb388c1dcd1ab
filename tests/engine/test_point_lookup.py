"""A filter naming one `_id` by equality: the memory backend answers it by one look-up, without
planning (issue 16.5), and must answer exactly as the planner's IDHACK plan does."""

from __future__ import annotations

import random

import pytest

from doppelgate.engine import Engine, InvalidFilter
from doppelgate.engine.memory import MemoryEngine

from .test_planner import make_docs, make_filter, reference


async def test_one_id_by_equality_is_one_lookup_with_the_planners_explain() -> None:
    coll = MemoryEngine().collection("test", "point", "things")
    await coll.insert_many([{"_id": i, "n": i % 3} for i in range(50)])
    assert await coll.find({"_id": 7.0}) == [{"_id": 7, "n": 1}]  # 7 and 7.0 are equal
    assert coll.last_plan == {
        "plan": "IDHACK",
        "index": "_id_",
        "examined": 1,
        "returned": 1,
        "countFromIndex": False,
    }
    assert await coll.find({"_id": "7"}) == [] and coll.examined == 0  # a string is not 7
    assert await coll.find({"_id": 7, "n": 2}) == [] and coll.last_plan["examined"] == 1
    assert await coll.find({"_id": 7, "n": {"$lt": 2}}, skip=1) == []
    assert await coll.find_with_count({"_id": 8, "n": 2}) == ([{"_id": 8, "n": 2}], 1)
    assert await coll.count({"_id": 9}) == 1


async def test_writes_by_one_id_change_that_document_only(engine: Engine) -> None:
    coll = engine.collection("test", "point", "writes")
    await coll.insert_many([{"_id": i, "n": i, "rev": 1} for i in range(5)])
    assert (await coll.replace({"_id": 2, "rev": 2}, {"n": 20, "rev": 2})).matched == 0
    assert (await coll.replace({"_id": 2, "rev": 1}, {"n": 20, "rev": 2})).modified == 1
    updated = await coll.find_one_and_update({"_id": 3.0}, {"$inc": {"n": 1}})
    assert updated == {"_id": 3, "n": 4, "rev": 1}
    assert await coll.delete({"_id": 4, "n": {"$gt": 4}}) == 0
    assert await coll.delete({"_id": 4}) == 1
    assert [d["n"] for d in await coll.find(sort=[("_id", 1)])] == [0, 1, 20, 4]


@pytest.mark.parametrize(
    "bad",
    [
        {"_id": 1, "n": {"$nope": 1}},
        {"_id": 1, "$where": "1"},
        {"_id": 1, "n": {"$gt": 1, "m": 2}},
        {"_id": 1, "$and": []},
        {"_id": 1, "$and": [{"n": 1}, 2]},
        {"$and": [{"_id": 1}, {"$and": []}]},
    ],
)
async def test_a_bad_filter_is_refused_whether_or_not_the_id_exists(
    engine: Engine, bad: dict
) -> None:
    coll = engine.collection("test", "point", "bad")
    await coll.insert({"_id": 1, "n": 1})
    with pytest.raises(InvalidFilter):
        await coll.find(bad)
    with pytest.raises(InvalidFilter):
        await coll.find({**bad, "_id": 2})


async def test_a_unique_key_or_an_and_of_equalities_is_looked_up_too() -> None:
    coll = MemoryEngine().collection("test", "point", "keys")
    await coll.ensure_index(["user", "key"], unique=True)
    await coll.ensure_index(["tags"], unique=True)
    await coll.insert_many(
        [{"_id": i, "user": i % 3, "key": f"k{i}", "tags": [f"t{i}", f"s{i}"]} for i in range(30)]
    )
    assert [d["_id"] for d in await coll.find({"user": 1, "key": "k4"})] == [4]
    assert coll.last_plan["plan"] == "HASH" and coll.last_plan["index"] == "user_1_key_1"
    assert coll.last_plan["examined"] == 1
    assert await coll.find({"user": 2, "key": "k4"}) == [] and coll.examined == 0
    assert [d["_id"] for d in await coll.find({"tags": "s7"})] == [7]  # multikey, unique
    assert [d["_id"] for d in await coll.find({"user": 1, "key": "k4", "tags": "t4"})] == [4]
    assert await coll.find({"user": 1, "key": "k4", "tags": "t5"}) == []
    assert [d["_id"] for d in await coll.find({"user": 1, "key": "k4", "_id": 4.0})] == [4]
    assert await coll.find({"tags": "s7", "user": 2}) == [] and coll.examined == 1
    assert [d["_id"] for d in await coll.find({"$and": [{"user": 0}, {"_id": 3.0}]})] == [3]
    assert coll.last_plan["plan"] == "IDHACK"
    assert await coll.find({"$and": [{"_id": 3}, {"_id": 4}]}) == []  # one path, two values
    assert await coll.find({"$and": [{"key": "k4"}], "user": 2, "key": "k5"}) == []
    assert await coll.find({"key": "k4", "user": 1, "$and": [{"key": "k5"}]}) == []  # k4: user 1
    assert await coll.find({"_id": 3, "$or": [{"user": 1}, {"key": "k3"}]}) != []


@pytest.mark.parametrize("seed", range(4))
async def test_pinned_reads_return_what_a_scan_returns(seed: int) -> None:
    rng = random.Random(seed)
    coll = MemoryEngine().collection("test", "point", f"random{seed}")
    await coll.ensure_index(["u"], unique=True)
    docs = [d | {"u": n} for n, d in enumerate(make_docs(rng, 120, arrays=True))]
    await coll.insert_many(docs)
    stored = await coll.find()
    ids = [d["_id"] for d in stored]
    for _ in range(150):
        spec, pick = make_filter(rng, ids), rng.random()
        one, other = rng.randrange(130), rng.randrange(130)
        if pick < 0.4:
            spec = {"$and": [spec, {"u": one}]}
        elif pick < 0.6:  # the unique path named twice, with one value or two
            spec = {"$and": [{"u": one}], "u": rng.choice([one, other])}
        want, total = reference(stored, spec, [], 0, 0)
        found, count = await coll.find_with_count(spec)
        assert ([d["_id"] for d in found], count) == (want, total), spec
