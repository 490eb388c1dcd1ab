"""A filter naming one `_id` by equality: the memory backend answers it by one look-up, without
planning (issue 16.5), and must answer exactly as the planner's IDHACK plan does."""

from __future__ import annotations

import pytest

from doppelgate.engine import Engine, InvalidFilter
from doppelgate.engine.memory import MemoryEngine


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
    [{"_id": 1, "n": {"$nope": 1}}, {"_id": 1, "$where": "1"}, {"_id": 1, "n": {"$gt": 1, "m": 2}}],
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
