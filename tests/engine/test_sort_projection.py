"""Sort (MongoDB's cross-type order, arrays by min/max element), skip/limit, projections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from doppelgate.engine import Collection, InvalidFilter

UTC = dt.UTC


async def order(coll: Collection, sort: list[tuple[str, int]], **kwargs: Any) -> list[Any]:
    return [doc["_id"] for doc in await coll.find(sort=sort, **kwargs)]


@pytest.fixture
async def numbered(coll: Collection) -> Collection:
    await coll.insert_many(
        [
            {"_id": 1, "g": "b", "n": 3, "sub": {"k": 30}},
            {"_id": 2, "g": "a", "n": 1, "sub": {"k": 20}},
            {"_id": 3, "g": "b", "n": 2.5, "sub": {"k": 10}},
            {"_id": 4, "g": "a", "n": 4, "sub": {"k": 40}},
            {"_id": 5, "g": "c", "n": -1, "sub": {"k": 50}},
        ]
    )
    return coll


async def test_sort_ascending_and_descending(numbered: Collection) -> None:
    assert await order(numbered, [("n", 1)]) == [5, 2, 3, 1, 4]
    assert await order(numbered, [("n", -1)]) == [4, 1, 3, 2, 5]


async def test_sort_by_dotted_path(numbered: Collection) -> None:
    assert await order(numbered, [("sub.k", -1)]) == [5, 4, 1, 2, 3]


async def test_multi_key_sort(numbered: Collection) -> None:
    assert await order(numbered, [("g", 1), ("n", -1)]) == [4, 2, 1, 3, 5]
    assert await order(numbered, [("g", -1), ("n", 1)]) == [5, 3, 1, 2, 4]


async def test_sort_with_filter(numbered: Collection) -> None:
    found = await numbered.find({"g": "b"}, sort=[("n", 1)])
    assert [d["_id"] for d in found] == [3, 1]


async def test_skip_and_limit(numbered: Collection) -> None:
    assert await order(numbered, [("n", 1)], limit=2) == [5, 2]
    assert await order(numbered, [("n", 1)], skip=2) == [3, 1, 4]
    assert await order(numbered, [("n", 1)], skip=1, limit=3) == [2, 3, 1]
    assert await order(numbered, [("n", 1)], skip=4, limit=3) == [4]
    assert await order(numbered, [("n", 1)], skip=10) == []
    assert await order(numbered, [("n", 1)], limit=0) == [5, 2, 3, 1, 4]


async def test_limit_without_sort(numbered: Collection) -> None:
    found = await numbered.find(limit=3)
    assert len(found) == 3
    assert len({d["_id"] for d in found}) == 3


async def test_find_one_with_sort(numbered: Collection) -> None:
    assert await numbered.find_one({"g": "a"}, sort=[("n", -1)]) == {
        "_id": 4,
        "g": "a",
        "n": 4,
        "sub": {"k": 40},
    }
    assert await numbered.find_one({"g": "zzz"}) is None


async def test_sort_by_id(numbered: Collection) -> None:
    assert await order(numbered, [("_id", -1)]) == [5, 4, 3, 2, 1]


async def test_cross_type_sort_order(coll: Collection) -> None:
    # null/missing < numbers < strings < objects < arrays < binary < bool < date
    values: list[tuple[str, Any]] = [
        ("date", dt.datetime(2020, 1, 1, tzinfo=UTC)),
        ("true", True),
        ("false", False),
        ("binary", b"\x00\x01"),
        ("array", [[1]]),  # an array sorts by its smallest element: here the array [1]
        ("object", {"x": 1}),
        ("string", "abc"),
        ("string-upper", "Z"),
        ("float", 2.5),
        ("int", 10),
        ("negative", -3),
        ("null", None),
    ]
    await coll.insert_many([{"_id": name, "v": value} for name, value in values])
    await coll.insert({"_id": "missing"})
    ascending = [
        {"missing", "null"},
        "negative",
        "float",
        "int",
        "string-upper",
        "string",
        "object",
        "array",
        "binary",
        "false",
        "true",
        "date",
    ]
    got = await order(coll, [("v", 1)])
    assert {got[0], got[1]} == ascending[0]
    assert got[2:] == ascending[1:]
    got = await order(coll, [("v", -1)])
    assert got[:-2] == list(reversed(ascending[1:]))
    assert set(got[-2:]) == ascending[0]


async def test_sort_dates(coll: Collection) -> None:
    base = dt.datetime(2024, 1, 1, tzinfo=UTC)
    await coll.insert_many(
        [{"_id": i, "at": base + dt.timedelta(hours=h)} for i, h in [(1, 5), (2, -2), (3, 1)]]
    )
    assert await order(coll, [("at", 1)]) == [2, 3, 1]


async def test_sort_objects_field_by_field(coll: Collection) -> None:
    await coll.insert_many(
        [
            {"_id": 1, "o": {"a": 2}},
            {"_id": 2, "o": {"a": 1, "b": 5}},
            {"_id": 3, "o": {"a": 1}},
            {"_id": 4, "o": {"b": 0}},
            {"_id": 5, "o": {}},
        ]
    )
    assert await order(coll, [("o", 1)]) == [5, 3, 2, 1, 4]


async def test_sort_arrays_by_min_ascending_and_max_descending(coll: Collection) -> None:
    await coll.insert_many(
        [
            {"_id": "a", "v": [1, 10]},
            {"_id": "b", "v": [5]},
            {"_id": "c", "v": [3, 4]},
            {"_id": "d", "v": 2},
        ]
    )
    assert await order(coll, [("v", 1)]) == ["a", "d", "c", "b"]
    assert await order(coll, [("v", -1)]) == ["a", "b", "c", "d"]


async def test_sort_through_array_of_documents(coll: Collection) -> None:
    await coll.insert_many(
        [
            {"_id": "a", "items": [{"p": 4}, {"p": 9}]},
            {"_id": "b", "items": [{"p": 6}]},
            {"_id": "c", "items": [{"p": 1}, {"p": 7}]},
        ]
    )
    assert await order(coll, [("items.p", 1)]) == ["c", "a", "b"]
    assert await order(coll, [("items.p", -1)]) == ["a", "c", "b"]


async def test_empty_array_sorts_before_null(coll: Collection) -> None:
    await coll.insert_many(
        [{"_id": "one", "v": 1}, {"_id": "null", "v": None}, {"_id": "empty", "v": []}]
    )
    assert await order(coll, [("v", 1)]) == ["empty", "null", "one"]
    assert await order(coll, [("v", -1)]) == ["one", "null", "empty"]


async def test_invalid_sort(numbered: Collection) -> None:
    with pytest.raises(InvalidFilter):
        await numbered.find(sort=[("n", 2)])


# -- projection ------------------------------------------------------------------------------

DOC: dict[str, Any] = {
    "_id": 1,
    "name": "ann",
    "age": 30,
    "address": {"city": "Oslo", "zip": "0150"},
    "items": [{"sku": "x", "qty": 2}, {"sku": "y"}, 7],
}


@pytest.fixture
async def one(coll: Collection) -> Collection:
    await coll.insert(DOC)
    return coll


PROJECTIONS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("inclusion keeps _id", {"name": 1}, {"_id": 1, "name": "ann"}),
    ("inclusion with true", {"name": True, "age": True}, {"_id": 1, "name": "ann", "age": 30}),
    ("inclusion without _id", {"name": 1, "_id": 0}, {"name": "ann"}),
    ("inclusion of a missing field", {"name": 1, "nope": 1}, {"_id": 1, "name": "ann"}),
    ("only _id", {"_id": 1}, {"_id": 1}),
    (
        "exclusion",
        {"items": 0, "address": 0},
        {"_id": 1, "name": "ann", "age": 30},
    ),
    (
        "exclusion of _id only",
        {"_id": 0},
        {k: v for k, v in DOC.items() if k != "_id"},
    ),
    ("exclusion with _id", {"_id": 0, "items": 0, "address": 0}, {"name": "ann", "age": 30}),
    ("dotted inclusion", {"address.city": 1}, {"_id": 1, "address": {"city": "Oslo"}}),
    (
        "dotted exclusion",
        {"address.zip": 0, "items": 0},
        {"_id": 1, "name": "ann", "age": 30, "address": {"city": "Oslo"}},
    ),
    (
        "dotted inclusion through an array",
        {"items.sku": 1, "_id": 0},
        {"items": [{"sku": "x"}, {"sku": "y"}]},
    ),
    (
        "dotted exclusion through an array",
        {"items.qty": 0, "address": 0, "_id": 0},
        {"name": "ann", "age": 30, "items": [{"sku": "x"}, {"sku": "y"}, 7]},
    ),
]


@pytest.mark.parametrize(
    ("projection", "expected"), [p[1:] for p in PROJECTIONS], ids=[p[0] for p in PROJECTIONS]
)
async def test_projection(
    one: Collection, projection: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert await one.find({}, projection=projection) == [expected]
    assert await one.find_one({"_id": 1}, projection=projection) == expected


async def test_projection_does_not_affect_filter_or_sort(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "a": 2, "b": "x"}, {"_id": 2, "a": 1, "b": "y"}])
    found = await coll.find({"a": {"$gte": 1}}, sort=[("a", 1)], projection={"b": 1, "_id": 0})
    assert found == [{"b": "y"}, {"b": "x"}]


async def test_mixed_projection_is_invalid(one: Collection) -> None:
    with pytest.raises(InvalidFilter):
        await one.find({}, projection={"name": 1, "age": 0})
