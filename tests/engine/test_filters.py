"""Filters: every operator of the subset, with MongoDB's matching rules for types and arrays."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from doppelgate.engine import Collection, InvalidFilter

from .util import ids

UTC = dt.UTC

DOCS: list[dict[str, Any]] = [
    {
        "_id": 1,
        "name": "ann",
        "age": 30,
        "score": 7.5,
        "tags": ["red", "blue"],
        "nums": [1, 8],
        "address": {"city": "Oslo", "zip": "0150"},
        "items": [{"sku": "x", "qty": 2}, {"sku": "y", "qty": 5}],
    },
    {
        "_id": 2,
        "name": "Bob",
        "age": 25,
        "score": 7,
        "tags": ["blue"],
        "nums": [5],
        "address": {"city": "Bergen"},
        "items": [{"sku": "x", "qty": 7}],
    },
    {"_id": 3, "name": "cid", "age": None, "tags": [], "nums": [[5]], "items": []},
    {"_id": 4, "name": "dan\nsmith", "age": "40", "score": 30.0, "tags": ["green", "red", "blue"]},
    {"_id": 5, "age": True, "flag": False},
]


@pytest.fixture
async def people(coll: Collection) -> Collection:
    await coll.insert_many(DOCS)
    return coll


CASES: list[tuple[str, dict[str, Any], list[int]]] = [
    # implicit equality and $eq
    ("implicit eq", {"name": "ann"}, [1]),
    ("$eq", {"name": {"$eq": "ann"}}, [1]),
    ("two fields are anded", {"name": "ann", "age": 25}, []),
    ("case sensitive", {"name": "bob"}, []),
    # numbers: int and float are one type; bool is not a number
    ("int query, int value", {"age": 30}, [1]),
    ("float query, int value", {"age": 30.0}, [1]),
    ("int query, float value", {"score": 30}, [4]),
    ("float query, float value", {"score": 7.5}, [1]),
    ("1 is not true", {"age": 1}, []),
    ("true is not 1", {"age": True}, [5]),
    ("0 is not false", {"flag": 0}, []),
    ("false", {"flag": False}, [5]),
    ("number is not its string", {"age": 40}, []),
    ("string is not its number", {"age": "40"}, [4]),
    # $ne / null / missing
    ("$ne matches missing", {"name": {"$ne": "ann"}}, [2, 3, 4, 5]),
    ("null matches null and missing", {"score": None}, [3, 5]),
    ("null matches null", {"age": None}, [3]),
    ("null matches missing", {"name": None}, [5]),
    ("$eq null", {"score": {"$eq": None}}, [3, 5]),
    ("$ne null", {"score": {"$ne": None}}, [1, 2, 4]),
    ("$gte null", {"score": {"$gte": None}}, [3, 5]),
    ("$lte null", {"score": {"$lte": None}}, [3, 5]),
    ("$gt null", {"score": {"$gt": None}}, []),
    ("null through a missing parent", {"address.city": None}, [3, 4, 5]),
    # ordering operators and type bracketing
    ("$gt number skips strings and bools", {"age": {"$gt": 5}}, [1, 2]),
    ("$gte", {"age": {"$gte": 25}}, [1, 2]),
    ("$lt", {"age": {"$lt": 30}}, [2]),
    ("$lte", {"age": {"$lte": 30}}, [1, 2]),
    ("$lt 100 skips null", {"age": {"$lt": 100}}, [1, 2]),
    ("range", {"age": {"$gt": 26, "$lt": 31}}, [1]),
    ("float range", {"score": {"$gt": 7, "$lte": 30}}, [1, 4]),
    ("$gt string matches strings only", {"age": {"$gt": ""}}, [4]),
    ("string order is binary", {"name": {"$lt": "b"}}, [1, 2]),
    ("$gte false matches bools only", {"age": {"$gte": False}}, [5]),
    # $in / $nin
    ("$in", {"name": {"$in": ["ann", "cid", "zed"]}}, [1, 3]),
    ("$in mixed types", {"age": {"$in": [25, "40"]}}, [2, 4]),
    ("$in null matches null", {"age": {"$in": [None]}}, [3]),
    ("$in null matches missing", {"name": {"$in": [None, "ann"]}}, [1, 5]),
    ("$in regex", {"name": {"$in": [re.compile("^c"), "Bob"]}}, [2, 3]),
    ("$in on array field", {"tags": {"$in": ["green"]}}, [4]),
    ("$in empty", {"name": {"$in": []}}, []),
    ("$nin", {"name": {"$nin": ["ann", "Bob"]}}, [3, 4, 5]),
    ("$nin on array field", {"tags": {"$nin": ["blue"]}}, [3, 5]),
    # $exists
    ("$exists true", {"score": {"$exists": True}}, [1, 2, 4]),
    ("$exists false", {"score": {"$exists": False}}, [3, 5]),
    ("$exists true on null", {"age": {"$exists": True}}, [1, 2, 3, 4, 5]),
    ("$exists dotted", {"address.zip": {"$exists": True}}, [1]),
    ("$exists through array of documents", {"items.qty": {"$exists": True}}, [1, 2]),
    ("$exists false through array of documents", {"items.qty": {"$exists": False}}, [3, 4, 5]),
    # $regex and $options
    ("$regex", {"name": {"$regex": "^b"}}, []),
    ("$regex i", {"name": {"$regex": "^b", "$options": "i"}}, [2]),
    ("$regex unanchored", {"name": {"$regex": "i"}}, [3, 4]),
    ("$regex without m", {"name": {"$regex": "^smith"}}, []),
    ("$regex m", {"name": {"$regex": "^smith", "$options": "m"}}, [4]),
    ("$regex without s", {"name": {"$regex": "dan.smith"}}, []),
    ("$regex s", {"name": {"$regex": "dan.smith", "$options": "s"}}, [4]),
    ("$regex x", {"name": {"$regex": "^a n n  # comment", "$options": "x"}}, [1]),
    ("$regex im", {"name": {"$regex": "^SMITH$", "$options": "im"}}, [4]),
    ("$regex skips non-strings", {"age": {"$regex": "4"}}, [4]),
    ("$regex on array elements", {"tags": {"$regex": "^gr"}}, [4]),
    ("$regex with another operator", {"name": {"$regex": "^[a-c]", "$ne": "ann"}}, [3]),
    ("compiled pattern", {"name": re.compile("^B")}, [2]),
    ("compiled pattern flags", {"name": re.compile("^b", re.IGNORECASE)}, [2]),
    # $not
    ("$not matches missing and other types", {"age": {"$not": {"$gt": 26}}}, [2, 3, 4, 5]),
    ("$not pattern", {"name": {"$not": re.compile("^a")}}, [2, 3, 4, 5]),
    ("$not $regex", {"name": {"$not": {"$regex": "^A", "$options": "i"}}}, [2, 3, 4, 5]),
    ("$not $in", {"tags": {"$not": {"$in": ["red"]}}}, [2, 3, 5]),
    # logical
    ("$and", {"$and": [{"tags": "blue"}, {"tags": "red"}]}, [1, 4]),
    ("$and on one field", {"$and": [{"age": {"$gt": 20}}, {"age": {"$lt": 26}}]}, [2]),
    ("$or", {"$or": [{"name": "ann"}, {"age": {"$lt": 26}}]}, [1, 2]),
    ("$nor", {"$nor": [{"name": "ann"}, {"tags": "blue"}]}, [3, 5]),
    ("$or beside a field", {"tags": "blue", "$or": [{"age": 25}, {"age": "40"}]}, [2, 4]),
    (
        "nested logical",
        {"$or": [{"$and": [{"age": 30}, {"tags": "red"}]}, {"flag": False}]},
        [1, 5],
    ),
    # arrays
    ("any element", {"tags": "red"}, [1, 4]),
    ("whole array", {"tags": ["red", "blue"]}, [1]),
    ("whole array order matters", {"tags": ["blue", "red"]}, []),
    ("empty array", {"tags": []}, [3]),
    ("nested array element equals array", {"nums": [5]}, [2, 3]),
    ("ordering on any element", {"nums": {"$gt": 6}}, [1]),
    ("range over different elements", {"nums": {"$gt": 4, "$lt": 6}}, [1, 2]),
    ("no descent into nested arrays", {"nums": 5}, [2]),
    # $all
    ("$all", {"tags": {"$all": ["blue", "red"]}}, [1, 4]),
    ("$all one", {"tags": {"$all": ["blue"]}}, [1, 2, 4]),
    ("$all on a scalar", {"name": {"$all": ["ann"]}}, [1]),
    ("$all empty", {"tags": {"$all": []}}, []),
    (
        "$all $elemMatch",
        {"items": {"$all": [{"$elemMatch": {"sku": "x"}}, {"$elemMatch": {"qty": 5}}]}},
        [1],
    ),
    # $size
    ("$size", {"tags": {"$size": 2}}, [1]),
    ("$size 0", {"tags": {"$size": 0}}, [3]),
    ("$size 3", {"tags": {"$size": 3}}, [4]),
    ("$size on a scalar", {"name": {"$size": 1}}, []),
    ("$not $size", {"tags": {"$not": {"$size": 1}}}, [1, 3, 4, 5]),
    # $elemMatch
    (
        "$elemMatch query: one element satisfies all",
        {"items": {"$elemMatch": {"sku": "x", "qty": {"$gt": 3}}}},
        [2],
    ),
    (
        "without $elemMatch: different elements may satisfy each",
        {"items.sku": "x", "items.qty": {"$gt": 3}},
        [1, 2],
    ),
    ("$elemMatch query, one field", {"items": {"$elemMatch": {"qty": 5}}}, [1]),
    ("$elemMatch operators", {"nums": {"$elemMatch": {"$gt": 4, "$lt": 6}}}, [2]),
    ("$elemMatch on strings", {"tags": {"$elemMatch": {"$gte": "r", "$lt": "s"}}}, [1, 4]),
    ("$elemMatch $in", {"tags": {"$elemMatch": {"$in": ["green"]}}}, [4]),
    ("$elemMatch $or", {"items": {"$elemMatch": {"$or": [{"qty": 2}, {"qty": 7}]}}}, [1, 2]),
    (
        "$elemMatch field beside $or",
        {"items": {"$elemMatch": {"sku": "y", "$or": [{"qty": 5}, {"qty": 9}]}}},
        [1],
    ),
    ("$elemMatch on a non-array", {"address": {"$elemMatch": {"city": "Oslo"}}}, []),
    ("$elemMatch in $elemMatch", {"nums": {"$elemMatch": {"$elemMatch": {"$eq": 5}}}}, [3]),
    # dotted paths
    ("dotted", {"address.city": "Oslo"}, [1]),
    ("dotted through array of documents", {"items.sku": "y"}, [1]),
    ("dotted ordering through array", {"items.qty": {"$gte": 7}}, [2]),
    ("dotted $in through array", {"items.qty": {"$in": [2, 7]}}, [1, 2]),
    ("dotted missing", {"address.country": {"$exists": True}}, []),
    ("numeric path component", {"tags.0": "green"}, [4]),
    ("numeric path component into document", {"items.1.qty": 5}, [1]),
    ("numeric path $exists", {"tags.1": {"$exists": True}}, [1, 4]),
    ("numeric path past the end", {"tags.5": {"$exists": True}}, []),
    # embedded documents compare whole, in field order
    ("embedded document", {"address": {"city": "Bergen"}}, [2]),
    ("embedded document must be exact", {"address": {"city": "Oslo"}}, []),
    ("embedded document field order", {"address": {"zip": "0150", "city": "Oslo"}}, []),
    ("embedded document in order", {"address": {"city": "Oslo", "zip": "0150"}}, [1]),
    ("array element document", {"items": {"sku": "x", "qty": 7}}, [2]),
    # empty filter
    ("empty filter", {}, [1, 2, 3, 4, 5]),
]


@pytest.mark.parametrize(("filter", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_filter(people: Collection, filter: dict[str, Any], expected: list[int]) -> None:
    assert await ids(people, filter) == expected
    assert await people.count(filter) == len(expected)


async def test_find_without_filter_returns_everything(people: Collection) -> None:
    assert await ids(people) == [1, 2, 3, 4, 5]
    assert await people.count() == 5


async def test_filter_by_id(people: Collection) -> None:
    assert await ids(people, {"_id": 3}) == [3]
    assert await ids(people, {"_id": 3.0}) == [3]
    assert await ids(people, {"_id": {"$in": [1, 4, 9]}}) == [1, 4]
    assert await ids(people, {"_id": {"$gt": 3}}) == [4, 5]
    assert await ids(people, {"_id": 9}) == []


async def test_string_ids_and_regex_on_id(coll: Collection) -> None:
    await coll.insert_many([{"_id": "apple"}, {"_id": "avocado"}, {"_id": "banana"}])
    assert await ids(coll, {"_id": re.compile("^a")}) == ["apple", "avocado"]
    assert await ids(coll, {"_id": {"$regex": "an"}}) == ["banana"]


async def test_dates_compare_by_instant_and_only_with_dates(coll: Collection) -> None:
    base = dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    await coll.insert_many(
        [
            {"_id": 1, "at": base},
            {"_id": 2, "at": base + dt.timedelta(days=1)},
            {"_id": 3, "at": "2024-05-03"},
            {"_id": 4, "at": 1714564800000},
        ]
    )
    assert await ids(coll, {"at": {"$gt": base}}) == [2]
    assert await ids(coll, {"at": {"$gte": base, "$lt": base + dt.timedelta(days=2)}}) == [1, 2]
    oslo = dt.timezone(dt.timedelta(hours=2))
    assert await ids(coll, {"at": dt.datetime(2024, 5, 1, 14, 0, tzinfo=oslo)}) == [1]
    assert await ids(coll, {"at": {"$gt": 0}}) == [4]


async def test_bytes_compare_with_bytes(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "b": b"\x01\x02"}, {"_id": 2, "b": b"\x01"}, {"_id": 3}])
    assert await ids(coll, {"b": b"\x01\x02"}) == [1]
    assert await ids(coll, {"b": {"$exists": True}}) == [1, 2]
    assert await ids(coll, {"b": {"$in": [b"\x01", "x"]}}) == [2]


async def test_elem_match_value_form_does_not_descend_into_nested_arrays(coll: Collection) -> None:
    # MongoDB's own jstests/core/query/elemmatch/elemmatch_value.js
    docs: list[Any] = [
        5,
        [5],
        [3, 7],
        [[5]],
        [[3, 7]],
        {"b": 5},
        {"b": [5]},
        {"b": [3, 7]},
        [{"b": 5}],
        [{"b": 3}, {"b": 7}],
        [{"b": [5]}],
        [{"b": [3, 7]}],
    ]
    await coll.insert_many([{"_id": i, "a": a} for i, a in enumerate(docs)])
    assert await ids(coll, {"a": {"$elemMatch": {"$lt": 6, "$gt": 4}}}) == [1]
    assert await ids(coll, {"a.b": {"$elemMatch": {"$lt": 6, "$gt": 4}}}) == [6, 10]
    assert await ids(coll, {"a": {"$elemMatch": {"$elemMatch": {"$lt": 6, "$gt": 4}}}}) == [3]
    assert await ids(coll, {"a": {"$elemMatch": {"b": {"$lt": 6, "$gt": 4}}}}) == [8, 10, 11]
    assert await ids(coll, {"a": {"$elemMatch": {"b": {"$elemMatch": {"$lt": 6, "$gt": 4}}}}}) == [
        10
    ]


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("unknown field operator", {"a": {"$frobnicate": 1}}),
    ("unknown top-level operator", {"$frobnicate": [{"a": 1}]}),
    ("unknown operator beside a known one", {"a": {"$gt": 1, "$frobnicate": 2}}),
    ("$in needs an array", {"a": {"$in": 5}}),
    ("$nin needs an array", {"a": {"$nin": "x"}}),
    ("$and needs an array", {"$and": {"a": 1}}),
    ("$or needs a non-empty array", {"$or": []}),
    ("$all needs an array", {"a": {"$all": 1}}),
    ("$size needs a number", {"a": {"$size": "2"}}),
    ("$size needs a whole number", {"a": {"$size": 1.5}}),
    ("$elemMatch needs a document", {"a": {"$elemMatch": 1}}),
    ("$not needs an operator document", {"a": {"$not": 5}}),
    ("$regex must compile", {"a": {"$regex": "("}}),
    ("$options needs $regex", {"a": {"$options": "i"}}),
    ("unknown operator in $elemMatch", {"a": {"$elemMatch": {"$frobnicate": 1}}}),
    ("unknown operator in $or", {"$or": [{"a": {"$frobnicate": 1}}]}),
]


@pytest.mark.parametrize(("filter",), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
async def test_invalid_filter(people: Collection, filter: dict[str, Any]) -> None:
    with pytest.raises(InvalidFilter):
        await people.find(filter)
    with pytest.raises(InvalidFilter):
        await people.count(filter)


async def test_invalid_filter_in_writes(people: Collection) -> None:
    bad = {"name": {"$frobnicate": 1}}
    with pytest.raises(InvalidFilter):
        await people.update(bad, {"$set": {"x": 1}})
    with pytest.raises(InvalidFilter):
        await people.delete(bad)
    with pytest.raises(InvalidFilter):
        await people.find_one_and_update(bad, {"$set": {"x": 1}})
    assert await people.count() == len(DOCS)
    assert await people.count({"x": {"$exists": True}}) == 0
