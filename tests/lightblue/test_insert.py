"""insert (§5): server-added fields, typing, validation report, duplicates, statuses (§2.2)."""

from __future__ import annotations

from .helpers import COUNTRIES, DATE, EVERYTHING, OBJECT_ID, Lightblue, country_metadata, eq


async def test_insert_adds_id_object_type_and_counts(country: Lightblue) -> None:
    reply = await country.insert("country", COUNTRIES[0], projection=EVERYTHING)
    assert reply["status"] == "COMPLETE"
    assert (reply["modifiedCount"], reply["matchCount"]) == (1, 0)
    assert reply["entity"] == "country" and reply["entityVersion"] == "1.0.0"
    assert reply["hostname"]
    doc = reply["processed"][0]
    assert OBJECT_ID.match(doc["_id"])
    assert doc["objectType"] == "country"
    assert doc["tags#"] == 2 and doc["cities#"] == 2
    assert doc["cities"][0]["districts#"] == 2
    version = reply["resultMetadata"][0]["documentVersion"]
    assert version.startswith(doc["_id"] + ":")
    assert "dataErrors" not in reply and "errors" not in reply


async def test_insert_without_projection_returns_empty_objects(country: Lightblue) -> None:
    reply = await country.insert("country", COUNTRIES)
    assert reply["processed"] == [{}, {}, {}]
    assert reply["modifiedCount"] == 3


async def test_dates_round_trip_in_lightblue_format(country: Lightblue) -> None:
    await country.insert("country", COUNTRIES[0])
    [doc] = await country.found("country", eq("name", "Canada"))
    assert DATE.match(doc["founded"])
    assert doc["founded"] == "18670701T05:00:00.000+0000"  # the same instant, in UTC (§7)


async def test_given_id_kept_and_duplicate_fails_that_document(country: Lightblue) -> None:
    first = await country.insert("country", {"_id": "c1", "name": "A"}, projection={"field": "_id"})
    assert first["processed"] == [{"_id": "c1"}]
    reply = await country.insert(
        "country", [{"_id": "c1", "name": "B"}, {"_id": "c2", "name": "C"}], projection=EVERYTHING
    )
    assert reply["status"] == "PARTIAL" and reply["modifiedCount"] == 1
    [bad] = reply["dataErrors"]
    assert bad["data"] == {"_id": "c1", "name": "B"}
    assert bad["errors"][0]["errorCode"] == "mongo-crud:Duplicate"


async def test_validation_report(country: Lightblue) -> None:
    bad = {
        "iso2code": "CAN",
        "iso3code": "ca",
        "population": -1,
        "continent": "Atlantis",
        "tags": ["a", "b", "c", "d", "e", "f"],
    }
    reply = await country.insert("country", [bad, {"name": "ok"}])
    assert reply["status"] == "PARTIAL"
    assert reply["processed"] == [{}]
    [entry] = reply["dataErrors"]
    assert entry["data"] == bad
    codes = {(e["errorCode"], e.get("msg")) for e in entry["errors"]}
    assert codes == {
        ("crud:Required", "name"),
        ("crud:TooLong", "CAN"),
        ("crud:InvalidEntity", "ca"),
        ("crud:ValueTooSmall", "-1"),
        ("crud:InvalidEnum", "Atlantis"),
        ("crud:ArrayTooLarge", '["a","b","c","d","e","f"]'),
    }
    required = next(e for e in entry["errors"] if e["errorCode"] == "crud:Required")
    assert required["objectType"] == "error"
    assert required["context"].endswith("/validateDoc/name/required")


async def test_all_documents_failing_is_error_with_http_200(country: Lightblue) -> None:
    reply = await country.insert("country", [{"population": 1}])
    assert reply["status"] == "ERROR"
    assert reply["modifiedCount"] == 0 and "errors" not in reply  # dataErrors: HTTP 200 (§1.4)


async def test_unknown_field_fails_the_request(country: Lightblue) -> None:
    reply = await country.call(
        "PUT", "/insert/country", {"data": [{"name": "x", "bogus": 1}]}, status=500
    )
    assert reply["status"] == "ERROR"
    assert reply["errors"][0]["errorCode"] == "metadata:InvalidFieldReference"
    assert await country.found("country") == []


async def test_other_object_type_is_invalid_entity(country: Lightblue) -> None:
    body = {"data": {"name": "x", "objectType": "city"}}
    reply = await country.call("PUT", "/insert/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == "crud:InvalidEntity"


async def test_values_cast_to_field_types(country: Lightblue) -> None:
    doc = {"name": 12, "population": "42", "area": 3, "independent": "true"}
    reply = await country.insert("country", doc, projection=EVERYTHING)
    stored = reply["processed"][0]
    assert stored["name"] == "12" and stored["population"] == 42
    assert stored["area"] == 3.0 and stored["independent"] is True


async def test_bad_date_is_incompatible_value(country: Lightblue) -> None:
    reply = await country.insert("country", {"name": "x", "founded": "2016-01-01"})
    assert reply["status"] == "ERROR"
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "metadata:IncompatibleValue"


async def test_deprecated_put_alias_and_version_in_path(country: Lightblue) -> None:
    reply = await country.call("PUT", "/country", {"data": {"name": "A"}})
    assert reply["modifiedCount"] == 1
    reply = await country.call("PUT", "/insert/country/1.0.0", {"data": {"name": "B"}})
    assert reply["entityVersion"] == "1.0.0"
    assert await country.names("country") == ["A", "B"]


async def test_unique_index_from_entity_info(lb: Lightblue) -> None:
    index = {"name": "iso", "unique": True, "fields": [{"field": "iso2code", "dir": "$asc"}]}
    await lb.create_metadata(country_metadata(indexes=[index]))
    await lb.insert("country", {"name": "A", "iso2code": "AA"})
    reply = await lb.insert("country", [{"name": "B", "iso2code": "AA"}])
    assert reply["status"] == "ERROR"
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"


async def test_a_reset_does_not_lose_the_unique_index(lb: Lightblue) -> None:
    """A reset drops the entity's collection with its indexes: the same metadata created again
    must bring its unique index back (no cache of "already ensured" may outlive the drop)."""
    index = {"name": "iso", "unique": True, "fields": [{"field": "iso2code", "dir": "$asc"}]}
    await lb.create_metadata(country_metadata(indexes=[index]))
    await lb.insert("country", {"name": "A", "iso2code": "AA"})
    reset = await lb.http.post("http://testserver/_doppelgate/reset", json={"dialect": "lightblue"})
    assert reset.status_code == 200, reset.text
    await lb.create_metadata(country_metadata(indexes=[index]))
    await lb.insert("country", {"name": "A", "iso2code": "AA"})
    reply = await lb.insert("country", [{"name": "B", "iso2code": "AA"}])
    assert reply["status"] == "ERROR", reply
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"


async def test_value_generators(lb: Lightblue) -> None:
    meta = country_metadata()
    fields = meta["schema"]["fields"]
    fields["code"] = {
        "type": "string",
        "valueGenerator": {
            "type": "IntSequence",
            "configuration": {"name": "codes", "initialValue": 50000000},
        },
    }
    fields["created"] = {"type": "date", "valueGenerator": {"type": "CurrentTime"}}
    fields["ref"] = {"type": "uid"}
    await lb.create_metadata(meta)
    reply = await lb.insert("country", [{"name": "A"}, {"name": "B", "code": "x"}])
    assert reply["status"] == "COMPLETE"
    docs = await lb.found("country", sort={"name": "$asc"})
    assert docs[0]["code"] == "50000000" and docs[1]["code"] == "x"
    assert DATE.match(docs[0]["created"])
    assert len(docs[0]["ref"]) == 36
    generated = await lb.call("GET", "/generate/country/code?n=2")
    assert generated["processed"] == ["50000001", "50000002"]
    none = await lb.call("GET", "/generate/country/1.0.0/name")
    assert "processed" not in none


async def test_entity_access_denied(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["access"]["insert"] = ["noone"]
    meta["schema"]["access"]["delete"] = []
    await lb.create_metadata(meta)
    reply = await lb.call("PUT", "/insert/country", {"data": {"name": "x"}}, status=403)
    assert reply["errors"][0] == {
        "objectType": "error",
        "context": "rest/InsertCommand/country/insert(country:1.0.0)",
        "errorCode": "crud:NoAccess",
        "msg": "insert country",
    }
    reply = await lb.call("POST", "/delete/country", {"query": eq("name", "x")}, status=403)
    assert reply["errors"][0]["errorCode"] == "crud:NoAccess"


async def test_field_access(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["fields"]["secret"] = {"type": "string", "access": {"find": ["noone"]}}
    meta["schema"]["fields"]["fixed"] = {"type": "string", "access": {"insert": ["noone"]}}
    await lb.create_metadata(meta)
    await lb.insert("country", {"name": "A", "secret": "s"})
    [doc] = await lb.found("country")
    assert "secret" not in doc and doc["name"] == "A"
    reply = await lb.insert("country", {"name": "B", "fixed": "f"})
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:insert:NoFieldAccess"


async def test_big_numbers_keep_full_precision(lb: Lightblue) -> None:
    meta = country_metadata()
    fields = meta["schema"]["fields"]
    fields["debt"] = {"type": "bigdecimal"}
    fields["atoms"] = {"type": "biginteger"}
    fields["small"] = {"type": "biginteger"}
    fields["extra"] = {"type": "any"}
    await lb.create_metadata(meta)
    body = (
        b'{"data": {"name": "A", "debt": 12345678901234567890.123456789012345, "area": 1.1,'
        b' "atoms": 123456789012345678901234567890, "small": 7, "extra": {"x": [1.5, "y"]}},'
        b' "projection": {"field": "*", "recursive": true}}'
    )
    r = await lb.http.put("/rest/data/insert/country", content=body)
    text = r.text
    assert '"debt":12345678901234567890.123456789012345' in text
    assert '"atoms":123456789012345678901234567890' in text and '"small":7' in text
    assert '"area":1.1' in text and '"extra":{"x":[1.5,"y"]}' in text
    query = (
        b'{"query": {"field": "debt", "op": "=", "rvalue": 12345678901234567890.123456789012345}}'
    )
    found = await lb.http.post("/rest/data/find/country", content=query)
    assert found.json()["matchCount"] == 1
    bad = {"query": {"field": "atoms", "op": ">", "rvalue": 1}}
    reply = await lb.call("POST", "/find/country", bad, status=500)
    assert reply["errors"][0]["errorCode"] == "mongo-translation:invalid-comparison"


async def test_case_insensitive_unique_index(lb: Lightblue) -> None:
    index = {
        "unique": True,
        "fields": [{"field": "iso3code", "dir": "$asc", "caseInsensitive": True}],
    }
    meta = country_metadata(indexes=[index])
    meta["schema"]["fields"]["iso3code"]["constraints"] = {}
    await lb.create_metadata(meta)
    assert (await lb.insert("country", {"name": "A", "iso3code": "Abc"}))["modifiedCount"] == 1
    reply = await lb.insert("country", {"name": "B", "iso3code": "aBC"})
    assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
    await lb.insert("country", {"_id": "x", "name": "C", "iso3code": "xyz"})
    saved = await lb.save("country", {"_id": "x", "name": "C", "iso3code": "ABC"})
    assert saved["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
    updated = await lb.update("country", eq("_id", "x"), {"$set": {"iso3code": "abc"}})
    assert updated["dataErrors"][0]["errors"][0]["errorCode"] == "mongo-crud:Duplicate"
    [doc] = await lb.found("country", eq("_id", "x"))
    assert doc["iso3code"] == "xyz" and "@mongoHidden" not in doc


async def test_range_limits_processed_of_writes(country: Lightblue) -> None:
    docs = [{"name": n} for n in ("A", "B", "C")]
    reply = await country.insert("country", docs, projection={"field": "name"}, range=[1, 1])
    assert reply["modifiedCount"] == 3 and reply["processed"] == [{"name": "B"}]
    assert len(reply["resultMetadata"]) == 1
    query = {"field": "name", "op": "$in", "values": ["A", "B", "C"]}
    updated = await country.call(
        "POST",
        "/update/country",
        {
            "query": query,
            "update": {"$set": {"area": 1}},
            "projection": {"field": "name"},
            "from": 2,
        },
    )
    assert updated["modifiedCount"] == 3 and len(updated["processed"]) == 1
    bad = {"data": {"name": "D"}, "range": "all"}
    reply = await country.call("PUT", "/insert/country", bad, status=500)
    assert reply["errors"][0]["errorCode"] == "rest-crud:RestInsertError"
    assert await country.names("country", eq("name", "D")) == []  # checked before writing


async def test_marker_fields_filled_on_read_never_stored(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["fields"]["version"] = {"type": "string", "documentVersion": True}
    meta["schema"]["fields"]["meta"] = {
        "type": "object",
        "resultMetadata": True,
        "fields": {"documentVersion": {"type": "string"}},
    }
    await lb.create_metadata(meta)
    reply = await lb.insert("country", {"name": "A", "version": "mine"}, projection=EVERYTHING)
    doc = reply["processed"][0]
    version = reply["resultMetadata"][0]["documentVersion"]
    assert doc["version"] == version and doc["meta"] == {"documentVersion": version}
    r = await lb.http.post(
        "/rest/data/find/country", json={"query": {"field": "version", "op": "=", "rvalue": "mine"}}
    )
    assert r.json()["matchCount"] == 0  # the sent value was not stored


async def test_query_on_a_hidden_field_is_no_access(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["fields"]["secret"] = {"type": "string", "access": {"find": ["noone"]}}
    await lb.create_metadata(meta)
    await lb.insert("country", {"name": "A", "secret": "s"})
    reply = await lb.call("POST", "/find/country", {"query": eq("secret", "s")}, status=403)
    assert reply["errors"][0]["errorCode"] == "crud:NoAccess"
    assert reply["errors"][0]["msg"] == "secret"


async def test_no_document_is_an_error_status(country: Lightblue) -> None:
    reply = await country.insert("country", [])
    assert reply["status"] == "ERROR" and reply["modifiedCount"] == 0
    assert "errors" not in reply and "processed" not in reply
