"""One page of a large sorted result (the console's pages): the same documents, in the same
order, as sorting everything and slicing, for strings, mixed types, arrays, ties and both
directions; on every backend."""

from __future__ import annotations

import random
from typing import Any

import pytest

from doppelgate.engine import Collection

MIXED: list[Any] = ["b", "a", 3, 2.5, None, [4, 1], {"x": 1}, True, "", "Z", -7, ["c"]]


@pytest.fixture
async def many(coll: Collection) -> Collection:
    rng = random.Random(19)
    docs = [
        {
            "_id": f"{rng.randrange(10**9):09d}-{i}",
            "s": f"k{rng.randrange(40):02d}",  # strings with many ties
            "m": MIXED[i % len(MIXED)],  # mixed types: MongoDB's cross-type order
            "n": i,
        }
        for i in range(600)
    ]
    await coll.insert_many(docs)
    return coll


@pytest.mark.parametrize("field", ["_id", "s", "m"])
@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize(("skip", "limit"), [(0, 10), (30, 20), (0, 1)])
async def test_a_page_equals_the_slice_of_the_full_sort(
    many: Collection, field: str, direction: int, skip: int, limit: int
) -> None:
    # a second key breaks ties the same way on every backend, so the whole order is defined
    everything = await many.find(sort=[(field, direction), ("n", 1)])
    full = [d["_id"] for d in everything]
    assert len(full) == 600
    # one key: ties keep insertion order in the memory backend; compare the sort values then
    page = await many.find(sort=[(field, direction)], skip=skip, limit=limit)
    assert [d[field] for d in page] == [d[field] for d in everything[skip : skip + limit]]
    page = await many.find(sort=[(field, direction), ("n", 1)], skip=skip, limit=limit)
    assert [d["_id"] for d in page] == full[skip : skip + limit]
