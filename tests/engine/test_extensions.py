"""Engine extensions grown for lightblue: `$expr` in filters, `$position`/`$slice` on `$push`.

Both follow MongoDB's semantics and run on every backend through the shared fixtures.
"""

from __future__ import annotations

from typing import Any

import pytest

from doppelgate.engine import Collection, InvalidFilter, InvalidUpdate

from .util import ids

DOCS: list[dict[str, Any]] = [
    {"_id": 1, "a": 1, "b": 2, "n": {"x": 5}},
    {"_id": 2, "a": 3, "b": 3, "n": {"x": 1}},
    {"_id": 3, "a": 5, "b": 4, "list": [{"v": 1}, {"v": 2}], "other": [1, 2]},
    {"_id": 4, "a": "text", "b": None},
    {"_id": 5, "b": 0},
]


@pytest.fixture
async def docs(coll: Collection) -> Collection:
    for doc in DOCS:
        await coll.insert(doc)
    return coll


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ({"$eq": ["$a", "$b"]}, [2]),
        ({"$ne": ["$a", "$b"]}, [1, 3, 4, 5]),
        ({"$gt": ["$a", "$b"]}, [3, 4]),  # strings above numbers
        ({"$gte": ["$a", "$b"]}, [2, 3, 4]),
        ({"$lt": ["$a", "$b"]}, [1, 5]),  # a missing field sorts below everything
        ({"$lte": ["$a", "$b"]}, [1, 2, 5]),
        ({"$gt": ["$n.x", "$a"]}, [1]),
        ({"$eq": ["$a", 3]}, [2]),
        ({"$eq": ["$b", None]}, [4]),  # a missing field is not null in aggregation
        ({"$lt": ["$a", None]}, [5]),  # ...it sorts below null
        ({"$eq": ["$list.v", [1, 2]]}, [3]),  # a path through an array of documents
        ({"$eq": ["$list", "$other"]}, [1, 2, 4, 5]),  # missing equals missing
        ({"$and": [{"$gt": ["$a", 1]}, {"$lt": ["$a", 5]}]}, [2]),
        ({"$or": [{"$eq": ["$a", 1]}, {"$eq": ["$a", 5]}]}, [1, 3]),
        ({"$not": [{"$eq": ["$a", "$b"]}]}, [1, 3, 4, 5]),
        ({"$in": [2, "$other"]}, [3]),
        ({"$in": ["$a", [1, 3]]}, [1, 2]),
        ({"$in": ["$a", "$nothing"]}, []),  # not an array: no match (MongoDB raises)
        ({"$eq": [{"$ifNull": ["$a", None]}, None]}, [5]),  # missing replaced by null
        ({"$eq": [{"$ifNull": ["$b", "$a"]}, "text"]}, [4]),  # null replaced too
        ({"$gt": ["$a", {"$max": "$other"}]}, [1, 2, 3, 4]),  # no array: null, below all
        ({"$eq": [{"$max": "$other"}, 2]}, [3]),  # the largest element of one array
        ({"$eq": [{"$min": "$other"}, 1]}, [3]),
        ({"$eq": [{"$max": [1, "$a", None]}, 5]}, [3]),  # of several operands, nulls ignored
        ({"$eq": [{"$max": "$nothing"}, None]}, [1, 2, 3, 4, 5]),  # nothing left: null
        ({"$eq": [{"$min": [3, "$a"]}, "$a"]}, [1, 2]),  # numbers sort below strings
        ({"$eq": [{"$arrayElemAt": ["$other", -1]}, 2]}, [3]),  # from the end
        ({"$eq": [{"$arrayElemAt": ["$other", 0]}, 1]}, [3]),
        ({"$eq": [{"$arrayElemAt": ["$list.v", 1]}, 2]}, [3]),
        ({"$eq": [{"$arrayElemAt": ["$other", 5]}, "$nothing"]}, [3]),  # out of range: missing
        ({"$eq": [{"$arrayElemAt": ["$nothing", 0]}, None]}, [1, 2, 3, 4, 5]),  # no array: null
        ({"$eq": [{"$size": "$other"}, 2]}, [3]),
        ({"$isArray": "$other"}, [3]),
        ({"$allElementsTrue": [[1, "$a"]]}, [1, 2, 3, 4]),  # missing a is false
        (
            {
                "$eq": [
                    {"$map": {"input": "$other", "as": "x", "in": {"$gt": ["$$x", 1]}}},
                    [False, True],
                ]
            },
            [3],
        ),
        ({"$eq": [{"$map": {"input": "$list", "in": "$$this.v"}}, [1, 2]]}, [3]),  # default `this`
        ({"$eq": [{"$zip": {"inputs": ["$other", [5, 6, 7]]}}, [[1, 5], [2, 6]]]}, [3]),
        (
            {
                "$allElementsTrue": [
                    {
                        "$map": {
                            "input": {"$zip": {"inputs": ["$other", [0, 2]]}},
                            "as": "pair",
                            "in": {
                                "$gte": [
                                    {"$arrayElemAt": ["$$pair", 0]},
                                    {"$arrayElemAt": ["$$pair", 1]},
                                ]
                            },
                        }
                    }
                ]
            },
            [3],
        ),
        ("$b", [1, 2, 3]),  # truthiness: 0, null and missing are false
        ({"$literal": "$a"}, [1, 2, 3, 4, 5]),
    ],
)
async def test_expr(docs: Collection, expr: Any, expected: list[int]) -> None:
    assert await ids(docs, {"$expr": expr}) == expected
    assert await docs.count({"$expr": expr}) == len(expected)


async def test_expr_combines_with_other_terms(docs: Collection) -> None:
    spec = {"$and": [{"_id": {"$in": [1, 2, 3]}}, {"$expr": {"$gte": ["$a", "$b"]}}]}
    assert await ids(docs, spec) == [2, 3]
    assert await ids(docs, {"$or": [{"_id": 1}, {"$expr": {"$eq": ["$a", "$b"]}}]}) == [1, 2]
    assert await docs.delete({"$expr": {"$eq": ["$a", "$b"]}}) == 1
    result = await docs.update({"$expr": {"$lt": ["$a", "$b"]}}, {"$set": {"hit": True}}, many=True)
    assert (result.matched, result.modified) == (2, 2)  # _id 1 and 5 (missing a)


@pytest.mark.parametrize(
    "expr",
    [
        {"$eq": ["$a"]},
        {"$regexMatch": {"input": "$a"}},
        {"$eq": ["$a", 1], "$ne": [1, 2]},
        {"$eq": ["$", 1]},
        {"$map": {"input": "$a"}},
        {"$zip": ["$a"]},
        {"$size": ["$a", "$b"]},
        {"$eq": ["$$", 1]},
    ],
)
async def test_expr_errors(docs: Collection, expr: Any) -> None:
    with pytest.raises(InvalidFilter):
        await docs.find({"$expr": expr})


async def pushed(coll: Collection, start: list[Any], push: Any) -> list[Any]:
    await coll.insert({"_id": 1, "arr": start})
    await coll.update({"_id": 1}, {"$push": {"arr": push}})
    found = await coll.find_one({"_id": 1})
    assert found is not None
    return list(found["arr"])


@pytest.mark.parametrize(
    ("push", "expected"),
    [
        ({"$each": ["x", "y"], "$position": 0}, ["x", "y", 1, 2, 3]),
        ({"$each": ["x"], "$position": 1}, [1, "x", 2, 3]),
        ({"$each": ["x"], "$position": 9}, [1, 2, 3, "x"]),
        ({"$each": ["x"], "$position": -1}, [1, 2, "x", 3]),
        ({"$each": ["x"], "$position": -9}, ["x", 1, 2, 3]),
        ({"$each": ["x"], "$slice": 2}, [1, 2]),
        ({"$each": ["x"], "$slice": -2}, [3, "x"]),
        ({"$each": [], "$slice": 0}, []),
        ({"$each": ["x"], "$position": 0, "$slice": 3}, ["x", 1, 2]),
    ],
)
async def test_push_modifiers(coll: Collection, push: Any, expected: list[Any]) -> None:
    assert await pushed(coll, [1, 2, 3], push) == expected


async def test_push_position_on_missing_array(coll: Collection) -> None:
    await coll.insert({"_id": 1})
    await coll.update({"_id": 1}, {"$push": {"arr": {"$each": [1, 2], "$position": 5}}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "arr": [1, 2]}


@pytest.mark.parametrize(
    "push",
    [
        {"$position": 0},  # modifiers need $each
        {"$each": [1], "$position": "0"},
        {"$each": [1], "$slice": 1.5},
        {"$each": [1], "$sort": 1},
    ],
)
async def test_push_modifier_errors(coll: Collection, push: Any) -> None:
    await coll.insert({"_id": 1, "arr": []})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$push": {"arr": push}})


async def test_add_to_set_takes_only_each(coll: Collection) -> None:
    await coll.insert({"_id": 1, "arr": []})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$addToSet": {"arr": {"$each": [1], "$position": 0}}})
