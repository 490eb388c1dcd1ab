"""Documents in and out: `_id` generation, value round trips, copies, the 16 MiB limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from doppelgate.engine import Collection, DocumentTooLarge

from .util import only

UTC = dt.UTC
MIB = 1024 * 1024


async def test_insert_returns_given_id(coll: Collection) -> None:
    assert await coll.insert({"_id": "mine", "a": 1}) == "mine"
    assert await coll.find() == [{"_id": "mine", "a": 1}]


async def test_insert_generates_distinct_ids(coll: Collection) -> None:
    first = await coll.insert({"a": 1})
    second = await coll.insert({"a": 1})
    assert first is not None
    assert second is not None
    assert first != second
    assert await coll.find_one({"_id": first}) == {"_id": first, "a": 1}
    assert await coll.insert_many([{"a": 2}, {"_id": 7, "a": 3}]) == [
        (await only(coll, {"a": 2}))["_id"],
        7,
    ]


async def test_fields_keep_their_order(coll: Collection) -> None:
    await coll.insert({"z": 1, "_id": 1, "a": 2, "m": {"y": 1, "b": 2}})
    doc = await only(coll)
    assert list(doc) == ["_id", "z", "a", "m"]
    assert list(doc["m"]) == ["y", "b"]


async def test_values_round_trip(coll: Collection) -> None:
    value: dict[str, Any] = {
        "_id": 1,
        "str": "snø ☃",
        "int": 2**40,
        "neg": -5,
        "float": 0.25,
        "true": True,
        "false": False,
        "null": None,
        "bytes": b"\x00\xffbinary",
        "date": dt.datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=UTC),
        "list": [1, "a", None, [2, [3]], {"k": "v"}],
        "doc": {"nested": {"deeper": [{"x": 1}]}},
        "empty_doc": {},
        "empty_list": [],
    }
    await coll.insert(value)
    found = await only(coll)
    assert found == value
    assert type(found["int"]) is int
    assert type(found["float"]) is float
    assert type(found["true"]) is bool
    assert isinstance(found["bytes"], bytes)
    assert found["date"].utcoffset() == dt.timedelta(0)


async def test_datetime_in_other_zone_is_the_same_instant(coll: Collection) -> None:
    oslo = dt.timezone(dt.timedelta(hours=1))
    local = dt.datetime(2024, 1, 1, 13, 0, tzinfo=oslo)
    await coll.insert({"_id": 1, "at": local})
    found = (await only(coll))["at"]
    assert found == local
    assert found == dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert found.utcoffset() == dt.timedelta(0)


async def test_found_documents_are_copies(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": [1, 2], "d": {"k": "v"}})
    found = await only(coll)
    found["a"].append(3)
    found["d"]["k"] = "changed"
    found["new"] = True
    one = await coll.find_one({"_id": 1})
    assert one is not None
    one["a"].clear()
    assert await coll.find() == [{"_id": 1, "a": [1, 2], "d": {"k": "v"}}]


async def test_inserted_dict_is_not_shared(coll: Collection) -> None:
    doc: dict[str, Any] = {"_id": 1, "a": [1], "d": {"k": "v"}}
    await coll.insert(doc)
    doc["a"].append(2)
    doc["d"]["k"] = "changed"
    doc["x"] = 1
    assert await coll.find() == [{"_id": 1, "a": [1], "d": {"k": "v"}}]


async def test_update_arguments_are_not_shared(coll: Collection) -> None:
    await coll.insert({"_id": 1})
    value: dict[str, Any] = {"list": [1]}
    await coll.update({"_id": 1}, {"$set": {"v": value}})
    value["list"].append(2)
    replacement: dict[str, Any] = {"r": [1]}
    await coll.insert({"_id": 2})
    await coll.replace({"_id": 2}, replacement)
    replacement["r"].append(2)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "v": {"list": [1]}}
    assert await coll.find_one({"_id": 2}) == {"_id": 2, "r": [1]}


async def test_find_one_and_update_result_is_a_copy(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": [1]})
    new = await coll.find_one_and_update({"_id": 1}, {"$push": {"a": 2}})
    old = await coll.find_one_and_update({"_id": 1}, {"$push": {"a": 3}}, return_new=False)
    assert new is not None
    assert old is not None
    new["a"].append(99)
    old["a"].append(99)
    assert await coll.find() == [{"_id": 1, "a": [1, 2, 3]}]


async def test_document_too_large_on_insert(coll: Collection) -> None:
    with pytest.raises(DocumentTooLarge):
        await coll.insert({"_id": 1, "blob": "x" * (17 * MIB)})
    assert await coll.count() == 0


async def test_document_too_large_on_update(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": "x" * (9 * MIB)})
    with pytest.raises(DocumentTooLarge):
        await coll.update({"_id": 1}, {"$set": {"b": "y" * (9 * MIB)}})
    doc = await only(coll)
    assert set(doc) == {"_id", "a"}


async def test_large_document_under_the_limit(coll: Collection) -> None:
    await coll.insert({"_id": 1, "blob": "x" * (15 * MIB)})
    assert len((await only(coll))["blob"]) == 15 * MIB
