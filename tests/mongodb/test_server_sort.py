"""The server's sorted, limited reads: the order of its own full sort, whatever the limit.

On the suite's wire server a sorted find resolves each sort value once and, on scalar values,
keeps only the top skip+limit documents (its TopKH2Collection); its aggregation `$sort` stage is
the library's own, untouched, full sort. The two must agree on every document shape, arrays and
mixed types included, as they do on MongoDB.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection


def _value(rng: random.Random) -> Any:
    return rng.choice(
        [
            rng.randint(0, 9),
            rng.randint(0, 9) + 0.5,
            None,
            f"s{rng.randint(0, 9)}",
            [rng.randint(0, 9), rng.randint(0, 9)],
            [],
            {"x": rng.randint(0, 3)},
            True,
        ]
    )


@pytest.fixture
def sorted_docs(mongo_url: str, database: str) -> Iterator[Collection[dict[str, Any]]]:
    rng = random.Random(16)
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_url)
    coll = client[database]["sorted"]
    docs = []
    for i in range(300):
        doc: dict[str, Any] = {"_id": i, "g": rng.choice(["a", "b"])}
        if rng.random() < 0.9:
            doc["n"] = _value(rng)
        if rng.random() < 0.9:  # scalars of mixed types only: the top-k heap's case
            doc["s"] = rng.choice([rng.randint(0, 9), rng.randint(0, 9) + 0.5, None, "t", False])
        if rng.random() < 0.8:
            doc["d"] = rng.choice([{"m": _value(rng)}, [{"m": rng.randint(0, 9)}], 5])
        docs.append(doc)
    coll.insert_many(docs)
    try:
        yield coll
    finally:
        client.close()


@pytest.mark.parametrize(
    "sort",
    [
        {"n": 1, "_id": 1},  # `_id` last: one order on every server, ties included
        {"d.m": 1, "_id": 1},
        {"g": 1, "s": 1, "_id": -1},
        {"s": 1, "_id": 1},
        {"s": -1, "g": 1, "_id": -1},  # arrays in one ascending key only: the library's own
        {"g": -1, "s": -1, "_id": 1},  # sort fails on others ("violates its general contract")
    ],
)
def test_a_limited_sort_keeps_the_full_sorts_order(
    sorted_docs: Collection[dict[str, Any]], sort: dict[str, int]
) -> None:
    for query in ({}, {"g": "a"}):
        full = [d["_id"] for d in sorted_docs.aggregate([{"$match": query}, {"$sort": sort}])]
        assert len(full) > 100
        assert [d["_id"] for d in sorted_docs.find(query, sort=list(sort.items()))] == full
        for skip, limit in ((0, 1), (0, 10), (7, 25), (100, 500)):
            page = sorted_docs.find(query, sort=list(sort.items()), skip=skip, limit=limit)
            assert [d["_id"] for d in page] == full[skip : skip + limit], (query, skip, limit)
