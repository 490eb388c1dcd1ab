"""update (§5): every operator, counts, processed, dataErrors, onlyIfCurrent."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .helpers import EVERYTHING, Lightblue, eq


@pytest.fixture
async def seeded(country: Lightblue) -> Lightblue:
    await country.seed()
    return country


async def updated(lb: Lightblue, update: Any, name: str = "Canada") -> dict[str, Any]:
    reply = await lb.update("country", eq("name", name), update, projection=EVERYTHING)
    assert reply["status"] == "COMPLETE", reply
    [doc] = reply["processed"]
    [stored] = await lb.found("country", eq("_id", doc["_id"]))
    assert stored == doc
    return doc


async def test_set(seeded: Lightblue) -> None:
    doc = await updated(
        seeded,
        {
            "$set": {
                "population": "40",
                "capital.name": "Ottawa!",
                "independent": True,
                "founded": "20000101T00:00:00.000+0000",
                "cities.0.name": "T.O.",
            }
        },
    )
    assert doc["population"] == 40  # cast to the field type
    assert doc["capital"]["name"] == "Ottawa!" and doc["independent"] is True
    assert doc["founded"] == "20000101T00:00:00.000+0000"
    assert doc["cities"][0]["name"] == "T.O."


async def test_set_creates_objects_null_and_valueof(seeded: Lightblue) -> None:
    doc = await updated(seeded, {"$set": {"capital.population": "$null", "area": None}}, "Japan")
    assert doc["capital"]["population"] is None and doc["area"] is None
    doc = await updated(seeded, {"$set": {"iso2code": {"$valueof": "tags.1"}}}, "France")
    assert "iso2code" not in doc  # a missing $valueof source removes the target (§5)
    doc = await updated(seeded, {"$set": {"name": {"$valueof": "capital.name"}}}, "Canada")
    assert doc["name"] == "Ottawa"
    reply = await seeded.update(
        "country", eq("name", "Ottawa"), {"$set": {"iso2code": {"$valueof": "name"}}}
    )
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:TooLong"
    doc = await updated(
        seeded, [{"$unset": "capital"}, {"$set": {"capital.name": "New"}}], "Ottawa"
    )
    assert doc["capital"] == {"name": "New"}


async def test_set_whole_objects_and_arrays(seeded: Lightblue) -> None:
    doc = await updated(seeded, {"$set": {"capital": {"name": "X"}, "tags": ["a"]}})
    assert doc["capital"] == {"name": "X"} and doc["tags"] == ["a"] and doc["tags#"] == 1


async def test_unset_fields_and_elements(seeded: Lightblue) -> None:
    doc = await updated(seeded, {"$unset": ["area", "capital.population"]})
    assert "area" not in doc and doc["capital"] == {"name": "Ottawa"}
    doc = await updated(seeded, {"$unset": ["cities.0", "tags.0", "tags.0"]})
    assert [c["name"] for c in doc["cities"]] == ["Montreal"]
    assert doc["tags"] == [] and doc["tags#"] == 0 and doc["cities#"] == 1


async def test_add(seeded: Lightblue) -> None:
    doc = await updated(
        seeded,
        {"$add": {"population": 2, "area": -0.5, "capital.population": {"$valueof": "population"}}},
    )
    assert doc["population"] == 40 and doc["area"] == pytest.approx(9.48)
    assert doc["capital"]["population"] == 41
    doc = await updated(seeded, [{"$unset": "area"}, {"$add": {"area": 1}}])
    assert "area" not in doc  # no effect on an absent field (§5)


async def test_append_and_insert(seeded: Lightblue) -> None:
    doc = await updated(seeded, {"$append": {"tags": ["x", "y"]}})
    assert doc["tags"] == ["cold", "big", "x", "y"] and doc["tags#"] == 4
    doc = await updated(seeded, {"$append": {"cities": {}}}, "Japan")
    assert doc["cities"] == [{}] and doc["cities#"] == 1
    doc = await updated(seeded, [{"$unset": "tags"}, {"$append": {"tags": "new"}}], "France")
    assert doc["tags"] == ["new"]
    doc = await updated(seeded, {"$insert": {"tags.1": ["i", "j"]}}, "Japan")
    assert doc["tags"] == ["islands", "i", "j", "big"]
    reply = await seeded.update(
        "country", eq("name", "Canada"), {"$insert": {"tags.0": ["i", "j"]}}
    )
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:ArrayTooLarge"
    doc = await updated(seeded, {"$insert": {"tags.3": "z"}}, "France")
    assert doc["tags"] == ["new", None, None, "z"]  # padded with nulls (§5)


async def test_negative_indices(seeded: Lightblue) -> None:
    doc = await updated(
        seeded, [{"$append": {"cities": {}}}, {"$set": {"cities.-1.name": "Calgary"}}]
    )
    assert doc["cities"][-1] == {"name": "Calgary"}
    doc = await updated(seeded, {"$unset": "tags.-1"})
    assert doc["tags"] == ["cold"]


async def test_foreach(seeded: Lightblue) -> None:
    doc = await updated(
        seeded,
        {
            "$foreach": {
                "cities": {"field": "population", "op": ">", "rvalue": 2},
                "$update": {"$set": {"$this.name": "Big"}},
            }
        },
    )
    assert [c["name"] for c in doc["cities"]] == ["Big", "Montreal"]
    doc = await updated(
        seeded,
        {
            "$foreach": {
                "cities": "$all",
                "$update": [{"$add": {"population": 10}}, {"$append": {"districts": "New"}}],
            }
        },
    )
    assert [c["population"] for c in doc["cities"]] == [13, 12]
    assert (
        doc["cities"][1]["districts"] == ["Verdun", "New"] and doc["cities"][1]["districts#"] == 2
    )
    doc = await updated(
        seeded,
        {
            "$foreach": {
                "cities": {"field": "name", "op": "=", "rvalue": "Big"},
                "$update": "$remove",
            }
        },
    )
    assert [c["name"] for c in doc["cities"]] == ["Montreal"] and doc["cities#"] == 1
    doc = await updated(
        seeded, {"$foreach": {"cities": "$all", "$update": {"$set": {"$this": {"name": "R"}}}}}
    )
    assert doc["cities"] == [{"name": "R"}]
    big = {"field": "$this", "op": "=", "rvalue": "big"}
    doc = await updated(seeded, {"$foreach": {"tags": big, "$update": {"$set": {"$this": "BIG"}}}})
    assert doc["tags"] == ["cold", "BIG"]
    doc = await updated(
        seeded, {"$foreach": {"tags": {"field": "$this", "regex": "^B"}, "$update": "$remove"}}
    )
    assert doc["tags"] == ["cold"] and doc["tags#"] == 1
    doc = await updated(seeded, {"$foreach": {"cities": "$all", "$update": "$remove"}})
    assert doc["cities"] == [] and doc["cities#"] == 0


async def test_counts_and_unchanged_documents(seeded: Lightblue) -> None:
    query = {"field": "population", "op": ">", "rvalue": 0}
    reply = await seeded.update(
        "country", query, {"$set": {"continent": "Asia"}}, projection={"field": "name"}
    )
    assert (reply["matchCount"], reply["modifiedCount"]) == (3, 2)  # Japan did not change
    assert sorted(d["name"] for d in reply["processed"]) == ["Canada", "France", "Japan"]
    assert len(reply["resultMetadata"]) == 3


async def test_update_without_projection_returns_whole_documents(seeded: Lightblue) -> None:
    reply = await seeded.update("country", eq("name", "Japan"), {"$set": {"area": 1}})
    doc = reply["processed"][0]
    assert (
        doc["area"] == 1.0 and doc["capital"]["name"] == "Tokyo" and doc["objectType"] == "country"
    )


async def test_constraint_failure_is_a_data_error(seeded: Lightblue) -> None:
    query = {"field": "name", "op": "$in", "values": ["Canada", "Japan"]}
    reply = await seeded.update("country", query, {"$set": {"iso2code": "LONG"}})
    assert reply["status"] == "PARTIAL" or reply["status"] == "COMPLETE"
    assert reply["status"] == "PARTIAL" and reply["modifiedCount"] == 0
    assert reply["matchCount"] == 2 and "processed" not in reply  # only when some document made it
    assert len(reply["dataErrors"]) == 2
    entry = reply["dataErrors"][0]
    assert set(entry["data"]) == {"_id"}  # just `_id` without a projection (§5)
    assert entry["errors"][0]["errorCode"] == "crud:TooLong"
    names = await seeded.names(
        "country", {"field": "iso2code", "op": "$in", "values": ["CA", "JP"]}
    )
    assert names == ["Canada", "Japan"]


async def test_object_type_is_not_updatable(seeded: Lightblue) -> None:
    reply = await seeded.update("country", eq("name", "Japan"), {"$set": {"objectType": "country"}})
    assert reply["status"] == "COMPLETE"  # unchanged: nothing written
    reply = await seeded.update("country", eq("name", "Japan"), {"$set": {"objectType": "x"}})
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:update:NoFieldAccess"


@pytest.mark.parametrize(
    ("update", "code"),
    [
        ({"$set": {"nothing": 1}}, "metadata:InvalidFieldReference"),
        ({"$set": "x"}, "query-api:InvalidSetExpression"),
        ({"$unset": 1}, "query-api:InvalidUnsetExpression"),
        ({"$append": {"name": "x"}}, "query-api:InvalidArrayUpdateExpression"),
        ({"$insert": {"tags": "x"}}, "query-api:InvalidArrayUpdateExpression"),
        ({"$foreach": {"cities": "$all"}}, "query-api:InvalidArrayUpdateExpression"),
        ({"$rename": {"a": "b"}}, "query-api:InvalidUpdateExpression"),
        ({"$set": {"a": 1}, "$unset": "b"}, "query-api:InvalidUpdateExpression"),
        ([], "query-api:InvalidUpdateExpression"),
    ],
)
async def test_update_expression_errors(seeded: Lightblue, update: Any, code: str) -> None:
    body = {"query": eq("name", "Canada"), "update": update}
    reply = await seeded.call("POST", "/update/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == code
    assert reply["status"] == "ERROR"


async def test_update_needs_a_query(seeded: Lightblue) -> None:
    body = {"update": {"$set": {"area": 1}}}
    reply = await seeded.call("POST", "/update/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == "mongo-crud:NullQuery"


async def test_only_if_current(seeded: Lightblue) -> None:
    found = await seeded.find("country", eq("name", "Canada"), projection={"field": "_id"})
    version = found["resultMetadata"][0]["documentVersion"]
    current = {"onlyIfCurrent": True, "documentVersions": [version]}
    first = await seeded.update("country", eq("name", "Canada"), {"$set": {"area": 1}}, **current)
    assert first["status"] == "COMPLETE" and first["modifiedCount"] == 1
    assert first["resultMetadata"][0]["documentVersion"] != version  # every write changes it
    stale = await seeded.update("country", eq("name", "Canada"), {"$set": {"area": 2}}, **current)
    assert stale["status"] == "PARTIAL" and stale["modifiedCount"] == 0
    assert stale["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:ConcurrentUpdate"


async def test_concurrent_updates_lose_nothing(country: Lightblue) -> None:
    meta_free = {"$append": {"cities": {"name": "x"}}}
    await country.insert("country", {"_id": "one", "name": "One"})
    replies = await asyncio.gather(
        *(country.update("country", eq("_id", "one"), meta_free) for _ in range(20))
    )
    assert all(r["status"] == "COMPLETE" and r["modifiedCount"] == 1 for r in replies)
    [doc] = await country.found("country", eq("_id", "one"))
    assert len(doc["cities"]) == 20 and doc["cities#"] == 20


async def test_concurrent_inserts_of_one_id_leave_one(country: Lightblue) -> None:
    replies = await asyncio.gather(
        *(country.insert("country", {"_id": "same", "name": f"n{i}"}) for i in range(10))
    )
    assert sorted(r["modifiedCount"] for r in replies) == [0] * 9 + [1]
    assert len(await country.found("country")) == 1
