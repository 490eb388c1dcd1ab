"""save (replace by identity, upsert, onlyIfCurrent) and delete (§5)."""

from __future__ import annotations

import pytest

from .helpers import EVERYTHING, Lightblue, country_metadata, eq


@pytest.fixture
async def seeded(country: Lightblue) -> Lightblue:
    await country.seed()
    return country


async def test_save_replaces_by_id(seeded: Lightblue) -> None:
    [japan] = await seeded.found("country", eq("name", "Japan"))
    reply = await seeded.save(
        "country", {"_id": japan["_id"], "name": "Nippon"}, projection=EVERYTHING
    )
    assert reply["status"] == "COMPLETE" and reply["modifiedCount"] == 1
    assert reply["matchCount"] == 0
    [doc] = reply["processed"]
    assert doc == {"_id": japan["_id"], "name": "Nippon", "objectType": "country"}
    assert await seeded.found("country", eq("_id", japan["_id"])) == [doc]


async def test_save_unknown_id_without_upsert(seeded: Lightblue) -> None:
    reply = await seeded.save("country", [{"_id": "nope", "name": "X"}, {"name": "Y"}])
    assert reply["status"] == "ERROR" and reply["modifiedCount"] == 0
    codes = [e["errors"][0]["errorCode"] for e in reply["dataErrors"]]
    assert codes == ["mongo-crud:SaveError:InsertionAttemptWithNoUpsert"] * 2
    assert reply["dataErrors"][0]["data"] == {"_id": "nope", "name": "X"}


async def test_save_upsert_inserts(seeded: Lightblue) -> None:
    reply = await seeded.save(
        "country",
        [{"_id": "new1", "name": "X"}, {"name": "Y"}],
        upsert=True,
        projection={"field": "_id"},
    )
    assert reply["status"] == "COMPLETE" and reply["modifiedCount"] == 2
    ids = [d["_id"] for d in reply["processed"]]
    assert ids[0] == "new1" and len(ids[1]) == 24
    assert await seeded.names("country", {"field": "name", "op": "$in", "values": ["X", "Y"]}) == [
        "X",
        "Y",
    ]


async def test_save_by_identity_fields(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["fields"]["iso2code"]["constraints"]["identity"] = True
    await lb.create_metadata(meta)
    await lb.insert("country", {"name": "Canada", "iso2code": "CA", "population": 1})
    reply = await lb.save("country", {"name": "Kanada", "iso2code": "CA"}, projection=EVERYTHING)
    assert reply["modifiedCount"] == 1
    [doc] = await lb.found("country")
    assert doc["name"] == "Kanada" and "population" not in doc  # replaced whole


async def test_save_validates(seeded: Lightblue) -> None:
    [japan] = await seeded.found("country", eq("name", "Japan"))
    reply = await seeded.save("country", {"_id": japan["_id"], "population": 1})
    assert reply["status"] == "ERROR"
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:Required"


async def test_save_only_if_current(seeded: Lightblue) -> None:
    found = await seeded.find("country", eq("name", "Japan"), projection={"field": "_id"})
    japan_id = found["processed"][0]["_id"]
    version = found["resultMetadata"][0]["documentVersion"]
    body = {"onlyIfCurrent": True, "documentVersions": [version]}
    first = await seeded.save("country", {"_id": japan_id, "name": "J1"}, **body)
    assert first["modifiedCount"] == 1
    second = await seeded.save("country", {"_id": japan_id, "name": "J2"}, **body)
    assert second["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:ConcurrentUpdate"
    assert await seeded.names("country", eq("_id", japan_id)) == ["J1"]


async def test_delete(seeded: Lightblue) -> None:
    reply = await seeded.delete("country", {"field": "population", "op": "<", "rvalue": 100})
    assert reply["status"] == "COMPLETE" and reply["modifiedCount"] == 2
    assert "processed" not in reply and reply["matchCount"] == 0
    assert await seeded.names("country") == ["Japan"]


async def test_delete_needs_a_query(seeded: Lightblue) -> None:
    reply = await seeded.call("POST", "/delete/country", {}, status=500)
    assert reply["errors"][0]["errorCode"] == "mongo-crud:NullQuery"
    assert len(await seeded.names("country")) == 3


async def test_entities_share_nothing(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    city = country_metadata()
    city["entityInfo"]["name"] = city["schema"]["name"] = "city"
    await lb.create_metadata(city)  # same datastore collection: objectType keeps them apart (§3)
    await lb.insert("country", {"name": "A"})
    await lb.insert("city", {"name": "B"})
    assert await lb.names("country") == ["A"]
    assert (await lb.delete("city", {"field": "name", "op": "!=", "rvalue": "x"}))[
        "modifiedCount"
    ] == 1
    assert await lb.names("country") == ["A"]


async def test_save_access(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["access"]["insert"] = ["noone"]
    await lb.create_metadata(meta)
    ok = await lb.save("country", {"_id": "x", "name": "X"})
    assert ok["dataErrors"][0]["errors"][0]["errorCode"].endswith("InsertionAttemptWithNoUpsert")
    body = {"data": {"name": "X"}, "upsert": True}
    reply = await lb.call("POST", "/save/country", body, status=403)
    assert reply["errors"][0]["errorCode"] == "crud:NoAccess"
    assert reply["errors"][0]["msg"] == "insert/update country"
