"""A filter naming one `_id` by equality: the memory backend answers it by one look-up, without
planning (issue 16.5), and must answer exactly as the planner's IDHACK plan does."""

from __future__ import annotations

import random

import pytest

from doppelgate.engine import Engine, InvalidFilter
from doppelgate.engine.memory import MemoryCollection, MemoryEngine
from doppelgate.engine.planner import execute

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


def _differential_filter(rng: random.Random) -> dict:
    """Equalities that pin, mixed with what must leave the choice to the planner."""
    value = lambda: rng.choice([0, 1, 1.0, 2, True, "x", "y", float("nan"), None, [1], {"n": 1}])  # noqa: E731
    terms: list[dict] = []
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(["_id", "u", "b", "k", "tags", "d.e"])
        form = rng.random()
        if form < 0.6:
            terms.append({path: rng.choice([rng.randrange(8), value()])})
        elif form < 0.75:
            terms.append({path: {"$eq": rng.randrange(8)}})
        elif form < 0.85:
            terms.append({path: {"$in": [rng.randrange(8), rng.randrange(8)]}})
        else:
            terms.append({"$or": [{path: rng.randrange(8)}, {"b": "x"}]})
    spec: dict = {}
    for term in terms:
        if rng.random() < 0.3:
            spec.setdefault("$and", []).append(term)
        else:
            spec.update(term)
    return spec


@pytest.mark.parametrize("seed", range(6))
async def test_look_ups_answer_and_explain_as_the_planner_does(seed: int) -> None:
    """Every filter: the same documents, total and explain (plan, index, examined) as the
    planner's own execution, whichever indexes are declared and in which order."""
    rng = random.Random(seed)
    coll = MemoryEngine().collection("test", "point", f"diff{seed}")
    await coll.ensure_index(["b"])  # a non-unique index declared before the unique ones
    await coll.ensure_index(["u"], unique=True)
    await coll.ensure_index(["k", "b"], unique=True)
    await coll.ensure_index(["tags"], unique=True)
    docs = []
    for i in range(40):
        doc: dict = {"_id": i if i % 5 else float(i), "u": i, "k": i % 4, "b": i // 4}
        doc |= {"tags": [f"t{i}", i + 100], "d": {"e": i % 3}}
        if i % 7 == 0:
            doc["n"] = float("nan")
        docs.append(doc)
    await coll.insert_many(docs)
    for _ in range(300):
        spec = _differential_filter(rng)
        try:
            planned = execute(coll, spec, None, 0, 0, True)
        except (InvalidFilter, TypeError) as exc:
            with pytest.raises(type(exc)):
                await coll.find_with_count(spec)
            continue
        found, total = await coll.find_with_count(spec)
        assert ([d["_id"] for d in found], total) == (
            [d["_id"] for d in planned.docs],
            planned.total,
        )
        assert coll.last_plan == planned.explain(), spec


async def test_what_the_planner_refuses_or_pages_oddly_is_unchanged() -> None:
    coll = MemoryEngine().collection("test", "point", "odd")
    await coll.ensure_index(["u"], unique=True)
    await coll.insert_many([{"_id": 1, "u": "x", "b": 1, "n": float("nan")}])
    for sort in ([("b", 2)], {"": 1}):
        with pytest.raises(InvalidFilter):
            await coll.find({"_id": 1}, sort=sort)
        with pytest.raises(InvalidFilter):
            await coll.find({"u": "x"}, sort=sort)
    assert [d["_id"] for d in await coll.find({"_id": 1, "n": float("nan")})] == [1]
    with pytest.raises(InvalidFilter):
        await coll.find({"_id": 99, "b": {1, 2}})
    assert await coll.find({"_id": 1}, limit=-1) == []  # the planner's slice [0:-1]
    # a stored NaN is left to the filter's rules (values.compare), as the planner leaves it
    for spec in ({"_id": 1, "n": 5}, {"u": "x", "n": 5}):
        assert [d["_id"] for d in await coll.find(spec)] == _planned(coll, spec) == [1]


def _planned(coll: MemoryCollection, spec: dict) -> list[object]:
    return [d["_id"] for d in execute(coll, spec, None, 0, 0, False).docs]
