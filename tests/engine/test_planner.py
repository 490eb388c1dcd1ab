"""Query planning: every indexed plan returns what a plain scan returns, on random data.

The reference is the unindexed algorithm written out here: every document tested against
compile_filter, then a stable sort per key (MongoDB's cross-type order via values.compare), then
skip/limit. Each backend is run with no index, single and compound ordered indexes, multikey data.
"""

from __future__ import annotations

import random
from functools import cmp_to_key
from typing import Any

import pytest

from doppelgate.engine import Engine
from doppelgate.engine.filters import compile_filter
from doppelgate.engine.memory import MemoryCollection, MemoryEngine
from doppelgate.engine.values import compare, sort_value, split_path

INDEXES: list[list[Any]] = [[], [["a"]], [["b", "a"]], [["c"], ["b"]], [[("a", -1), "c"]]]


def _value(rng: random.Random, arrays: bool) -> Any:
    kind = rng.random()
    if kind < 0.55:
        return rng.randint(0, 20)
    if kind < 0.65:
        return rng.randint(0, 20) + 0.5
    if kind < 0.75:
        return rng.choice(["x", "y", "z", "é", ""])
    if kind < 0.8:
        return None
    if kind < 0.85:
        return rng.choice([True, False])
    if arrays and kind < 0.95:
        return [rng.randint(0, 20) for _ in range(rng.randint(0, 3))]
    return {"n": rng.randint(0, 3)}


def make_docs(rng: random.Random, n: int, arrays: bool) -> list[dict[str, Any]]:
    docs = []
    for i in range(n):
        doc: dict[str, Any] = {"_id": rng.choice([i, f"k{i:04d}"])}
        for field in ("a", "c"):
            if rng.random() > 0.1:
                doc[field] = _value(rng, arrays)
        doc["b"] = rng.choice(["p", "q", "r", 1])
        docs.append(doc)
    return docs


def make_filter(rng: random.Random, ids: list[Any]) -> dict[str, Any]:
    terms: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 3)):
        field = rng.choice(["a", "b", "c", "_id"])
        pick = rng.random()
        if field == "_id" and pick < 0.5:
            terms.append({"_id": {"$in": [*rng.sample(ids, 3), "nope"]}})
        elif field == "_id":  # one _id by equality: the memory backend's look-up without a plan
            one = rng.choice([*ids, "nope"])
            terms.append({"_id": float(one) if isinstance(one, int) and pick < 0.7 else one})
        elif field == "b":
            pinned = rng.choice(["p", "q", 1]) if pick < 0.6 else {"$in": ["p", 1]}
            terms.append({"b": pinned})
        elif pick < 0.3:
            terms.append({field: rng.randint(0, 20)})
        elif pick < 0.45:
            terms.append({field: {"$in": [rng.randint(0, 20), rng.randint(0, 20), "x"]}})
        elif pick < 0.55:
            terms.append({field: {"$gt": rng.choice(["x", "y"])}})
        else:
            low, high = sorted(rng.sample(range(-1, 22), 2))
            ops = rng.choice([("$gt", "$lt"), ("$gte", "$lte"), ("$gte", None), (None, "$lt")])
            cond = {op: v for op, v in zip(ops, (low, high), strict=True) if op}
            terms.append({field: cond})
    if rng.random() < 0.2 and terms:
        return {"$and": terms}
    merged: dict[str, Any] = {}
    for t in terms:
        merged.update(t)
    return merged


def make_sort(rng: random.Random) -> list[tuple[str, int]]:
    return rng.choice(
        [[], [("a", 1)], [("a", -1)], [("c", 1), ("_id", 1)], [("a", -1), ("b", 1)], [("b", 1)]]
    )


def reference(
    docs: list[dict[str, Any]],
    spec: dict[str, Any],
    sort: list[tuple[str, int]],
    skip: int,
    limit: int,
) -> tuple[list[Any], int]:
    predicate = compile_filter(spec)
    found = [d for d in docs if predicate(d)]
    for path, direction in reversed(sort):
        parts, descending = split_path(path), direction < 0
        found.sort(
            key=lambda d: cmp_to_key(compare)(sort_value(d, parts, descending)),
            reverse=descending,
        )
    return [d["_id"] for d in found[skip : skip + limit if limit else None]], len(found)


@pytest.mark.parametrize("arrays", [False, True], ids=["scalars", "multikey"])
@pytest.mark.parametrize("indexes", INDEXES, ids=lambda i: "+".join(map(str, i)) or "none")
async def test_every_plan_returns_what_a_scan_returns(
    engine: Engine, indexes: list[Any], arrays: bool
) -> None:
    rng = random.Random(f"{indexes}{arrays}")
    coll = engine.collection("test", "planner", "things")
    docs = make_docs(rng, 150, arrays)
    for keys in indexes:
        await coll.ensure_index(keys)
    await coll.insert_many(docs[:100])
    for keys in indexes[1:]:  # an index built over existing documents, one kept up to date
        await coll.ensure_index(keys)
    await coll.insert_many(docs[100:])
    await coll.delete({"_id": {"$in": [d["_id"] for d in docs[::7]]}})
    await coll.update({"b": "p"}, {"$set": {"c": 3}}, many=True)
    await coll.update({"b": "q"}, {"$set": {"a": [1, 9] if arrays else 9}})
    stored = await coll.find()
    ids = [d["_id"] for d in stored]
    for _ in range(60):
        spec, sort = make_filter(rng, ids), make_sort(rng)
        skip, limit = rng.choice([0, 0, 3]), rng.choice([0, 1, 5, 10])
        want, total = reference(stored, spec, sort, skip, limit)
        found = await coll.find(spec, sort=sort, skip=skip, limit=limit)
        assert [d["_id"] for d in found] == want, (spec, sort, skip, limit)
        assert await coll.count(spec) == total, spec
        page, counted = await coll.find_with_count(spec, sort=sort, skip=skip, limit=limit)
        assert ([d["_id"] for d in page], counted) == (want, total), (spec, sort)


async def _filled(coll: MemoryCollection, n: int) -> None:
    await coll.insert_many(
        [{"_id": i, "kind": "t", "n": (i * 7919) % n, "s": f"s{i % 50:02d}"} for i in range(n)]
    )


async def test_range_sort_page_walks_the_index_to_the_page() -> None:
    coll = MemoryEngine().collection("test", "planner", "walk")
    await coll.ensure_index(["kind", "n"])
    await _filled(coll, 5000)
    spec = {"kind": "t", "n": {"$gte": 100}}
    page, total = await coll.find_with_count(spec, sort=[("n", -1), ("_id", 1)], limit=10)
    assert [d["n"] for d in page] == list(range(4999, 4989, -1))
    assert total == 4900
    plan = await coll.explain(spec, sort=[("n", -1), ("_id", 1)], limit=10)
    assert plan["plan"] == "IXSCAN" and plan["index"] == "kind_1_n_1"
    assert plan["examined"] <= 11  # ten matches and the start of the next run
    assert plan["countFromIndex"] is True
    selective = {"kind": "t", "n": {"$gt": 20, "$lt": 30}, "s": {"$ne": "zz"}}
    assert await coll.count(selective) == 9
    assert coll.examined == 9


async def test_unindexed_range_sorts_keep_a_bounded_heap_then_get_an_index() -> None:
    coll = MemoryEngine().collection("test", "planner", "auto")
    await _filled(coll, 3000)
    for _ in range(3):
        found = await coll.find({"n": {"$lt": 50}}, sort=[("n", 1)], limit=5)
        assert [d["n"] for d in found] == [0, 1, 2, 3, 4]
        assert coll.last_plan["plan"] == "COLLSCAN"
    # the third scan of the shape built the planner's own ordered index on n
    found = await coll.find({"n": {"$lt": 50}}, sort=[("n", 1)], limit=5)
    assert [d["n"] for d in found] == [0, 1, 2, 3, 4]
    assert coll.last_plan == {
        "plan": "IXSCAN",
        "index": "auto:n_1",
        "examined": 5,
        "returned": 5,
        "countFromIndex": False,
    }


async def test_limit_without_sort_stops_the_scan() -> None:
    coll = MemoryEngine().collection("test", "planner", "early")
    await _filled(coll, 2000)
    found = await coll.find({"s": "s07"}, limit=2)
    assert [d["_id"] for d in found] == [7, 57]
    assert coll.examined == 58


async def test_repeated_key_lookups_get_a_hash_index_of_their_own() -> None:
    coll = MemoryEngine().collection("test", "planner", "keys")
    await _filled(coll, 2000)
    for _ in range(3):
        found = await coll.find({"s": "s07"}, sort=[("n", 1)], limit=1)
        assert coll.last_plan["plan"] == "COLLSCAN"
    found = await coll.find({"s": "s07"}, sort=[("n", 1)], limit=1)
    assert coll.last_plan["plan"] == "HASH" and coll.last_plan["index"] == "auto:s_1"
    assert coll.examined == 40
    assert found == (await coll.find({"s": "s07", "kind": "t"}, sort=[("n", 1)]))[:1]


async def test_sorted_pages_on_one_typed_field_match_the_scan(engine: Engine) -> None:
    """Numbers (int and float), null or missing in the sorted field: the MongoDB backend
    sorts and limits on the server here; other values make it fall back."""
    rng = random.Random(7)
    if engine.backend == "mongodb":  # the wire server has no explain: prove the path anyway
        engine.server_sort = "always"  # type: ignore[attr-defined]
    coll = engine.collection("test", "planner", "typed")
    docs = []
    for i in range(200):
        doc: dict[str, Any] = {"_id": f"d{i:03d}", "b": rng.choice(["p", "q"]), "t": "x"}
        pick = rng.random()
        if pick < 0.8:
            doc["n"] = rng.randint(0, 30) + rng.choice([0, 0.5])
        elif pick < 0.9:
            doc["n"] = None
        docs.append(doc)
    await coll.insert_many(docs)
    await coll.ensure_index(["n"])
    for _ in range(40):
        low = rng.randint(-1, 30)
        spec = rng.choice(
            [
                {"t": "x"},
                {"n": {"$gt": low}},
                {"$and": [{"t": "x"}, {"n": {"$gte": low}}]},
                {"b": "p", "n": {"$lt": low}},
                {},
            ]
        )
        sort = rng.choice([[("n", 1)], [("n", -1), ("b", 1)], [("n", 1), ("_id", -1)]])
        skip, limit = rng.choice([0, 2]), rng.choice([1, 10])
        want, total = reference(docs, spec, sort, skip, limit)
        page, counted = await coll.find_with_count(spec, sort=sort, skip=skip, limit=limit)
        assert ([d["_id"] for d in page], counted) == (want, total), (spec, sort, skip, limit)
    if engine.backend == "mongodb":  # a page read off the server's sort, not the whole set
        await coll.find({"t": "x"}, sort=[("n", -1)], limit=5)
        assert 5 <= coll.server_reads <= 20  # type: ignore[attr-defined]
        plan = await coll.explain({"t": "x"}, sort=[("n", -1)], limit=5)
        assert plan["plan"] == "SERVER-SORT" and plan["returned"] == 5
        await coll.insert({"_id": "odd", "t": "x", "n": "text"})  # a string: Python sorts
        found = await coll.find({"t": "x"}, sort=[("n", -1)], limit=1)
        assert found[0]["_id"] == "odd"


async def test_a_page_past_the_servers_cap_reads_on(engine: Engine) -> None:
    """The MongoDB backend reads a server-sorted page with a limit (serverplan.reading_cap):
    a run of equal first keys longer than that, or a filter Python mostly rejects, reads on."""
    if engine.backend == "mongodb":
        engine.server_sort = "always"  # type: ignore[attr-defined]
    coll = engine.collection("test", "planner", "capped")
    docs = [  # ids against insertion order: ties must come in insertion order, not by id
        {
            "_id": f"d{199 - i:03d}",
            "n": 1 if i < 150 else 2,
            "b": i % 7,
            "t": "y" if i % 40 else "z",
        }
        for i in range(200)
    ]
    await coll.insert_many(docs)
    await coll.ensure_index(["n"])
    cases = [
        ({}, [("n", 1), ("b", -1), ("_id", 1)]),  # 150 ties on n
        ({}, [("n", 1)]),
        ({"n": {"$gte": 0}}, [("n", -1), ("b", 1)]),
        ({"t": {"$regex": "^z"}}, [("n", -1), ("_id", 1)]),  # 5 of 200 match
    ]
    for spec, sort in cases:
        for skip, limit in ((0, 3), (4, 2)):
            want, total = reference(docs, spec, sort, skip, limit)
            page, counted = await coll.find_with_count(spec, sort=sort, skip=skip, limit=limit)
            assert ([d["_id"] for d in page], counted) == (want, total), (spec, sort, skip)
    if engine.backend == "mongodb":  # the whole run of ties, not the whole collection
        await coll.find({}, sort=[("n", -1), ("b", 1)], limit=3)
        assert coll.server_reads == 51  # type: ignore[attr-defined]


async def test_a_wide_in_product_on_a_compound_hash_index_misses_nothing() -> None:
    coll = MemoryEngine().collection("test", "planner", "wide")
    await coll.ensure_index(["x", "y"])
    await coll.insert_many([{"_id": i, "x": i % 40, "y": i // 40} for i in range(1600)])
    spec = {"x": {"$in": list(range(40))}, "y": {"$in": list(range(40))}}
    assert await coll.count(spec) == 1600
    spec = {"x": {"$in": [1, 2]}, "y": {"$in": [0, 39]}}
    assert sorted(d["_id"] for d in await coll.find(spec)) == [1, 2, 1561, 1562]
    assert coll.last_plan["plan"] == "HASH" and coll.examined == 4


async def test_without_an_index_walk_the_server_does_not_sort(engine: Engine) -> None:
    """40 matches, fewer than serverplan.PROBE: the MongoDB backend reads them all in one
    request and sorts in Python (no guard, no server sort), with the same answer."""
    coll = engine.collection("test", "planner", "unproved")
    await coll.insert_many([{"_id": i, "n": (i * 7) % 50} for i in range(50)])
    await coll.ensure_index(["n"])
    found = await coll.find({"n": {"$gte": 10}}, sort=[("n", -1)], limit=3)
    assert [d["n"] for d in found] == [49, 48, 47]
    if engine.backend == "mongodb":
        plan = await coll.explain({"n": {"$gte": 10}}, sort=[("n", -1)], limit=3)
        assert plan["plan"] == "SERVER-FILTER" and plan["examined"] == 40
