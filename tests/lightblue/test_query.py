"""The query language (§3) on stored countries: every form, cast values, errors."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Lightblue, eq


@pytest.fixture
async def seeded(country: Lightblue) -> Lightblue:
    await country.seed()
    return country


def rel(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "rvalue": value}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (rel("name", "=", "Canada"), ["Canada"]),
        (rel("name", "$eq", "Canada"), ["Canada"]),
        (rel("name", "!=", "Canada"), ["France", "Japan"]),
        (rel("name", "$neq", "Canada"), ["France", "Japan"]),
        (rel("population", ">", 40), ["France", "Japan"]),
        (rel("population", "$gt", "40"), ["France", "Japan"]),  # cast to integer
        (rel("population", ">=", 67), ["France", "Japan"]),
        (rel("population", "<", 67), ["Canada"]),
        (rel("population", "$lte", 67), ["Canada", "France"]),
        (rel("area", "<", 1), ["France", "Japan"]),
        (rel("capital.name", "=", "Paris"), ["France"]),
        (rel("cities.*.name", "=", "Lyon"), ["France"]),
        (rel("cities.0.name", "=", "Montreal"), []),
        (rel("cities.1.name", "=", "Montreal"), ["Canada"]),
        (rel("cities.*.population", ">", 2), ["Canada"]),
        (rel("tags.*", "=", "big"), ["Canada", "Japan"]),
        (rel("tags.-1", "=", "big"), ["Canada", "Japan"]),  # negative: from the end (§3)
        (rel("cities.-1.name", "=", "Montreal"), ["Canada"]),
        (rel("cities.-1.population", ">", 1), ["Canada"]),
        (rel("cities.-1.name", "=", None), ["Japan"]),
        (rel("cities.-2.name", "!=", None), ["Canada"]),
        ({"field": "tags.-1", "op": "$in", "values": ["wine", "x"]}, ["France"]),
        ({"field": "tags.-1", "op": "$nin", "values": ["wine"]}, ["Canada", "Japan"]),
        (
            {"field": "cities.-1.population", "op": "<", "rfield": "capital.population"},
            ["France", "Japan"],
        ),
        (rel("tags.*", "!=", "big"), ["Canada", "France", "Japan"]),  # some element differs
        (rel("tags#", ">", 1), ["Canada", "Japan"]),
        (rel("founded", "<", "18680101T00:00:00.000+0000"), ["Canada"]),
        (rel("founded", "=", None), ["Japan"]),  # null matches missing (§3)
        (rel("founded", "!=", None), ["Canada", "France"]),
        (rel("_id", "!=", "nothing"), ["Canada", "France", "Japan"]),
        ({"field": "name", "op": "$in", "values": ["Japan", "Peru"]}, ["Japan"]),
        ({"field": "name", "op": "$nin", "values": ["Japan"]}, ["Canada", "France"]),
        ({"field": "name", "op": "$not_in", "values": ["Japan"]}, ["Canada", "France"]),
        ({"field": "founded", "op": "$in", "values": [None]}, ["Japan"]),
        ({"field": "tags.*", "op": "$in", "values": ["wine"]}, ["France"]),
        ({"field": "name", "regex": "an"}, ["Canada", "France", "Japan"]),
        ({"field": "name", "regex": "^ca"}, []),
        ({"field": "name", "regex": "^ca", "caseInsensitive": True}, ["Canada"]),
        ({"field": "name", "regex": "a n c # spaced", "extended": True}, ["France"]),
        ({"field": "cities.*.name", "regex": "^Mon"}, ["Canada"]),
        (
            {"array": "tags", "contains": "$any", "values": ["big", "wine"]},
            ["Canada", "France", "Japan"],
        ),
        ({"array": "tags", "contains": "$all", "values": ["big", "cold"]}, ["Canada"]),
        ({"array": "tags", "contains": "$none", "values": ["big"]}, ["France"]),
        (
            {
                "array": "cities",
                "elemMatch": {"$and": [rel("name", "=", "Toronto"), rel("population", ">", 2)]},
            },
            ["Canada"],
        ),
        ({"array": "cities", "elemMatch": rel("population", "=", 3)}, ["Canada"]),
        ({"array": "cities", "elemMatch": rel("$this.name", "=", "Lyon")}, ["France"]),
        (
            {
                "array": "cities",
                "elemMatch": {"array": "districts", "contains": "$any", "values": ["Verdun"]},
            },
            ["Canada"],
        ),
        ({"array": "tags", "elemMatch": rel("$this", "=", "big")}, ["Canada", "Japan"]),
        (
            {
                "array": "tags",
                "elemMatch": {"$and": [rel("$this", ">", "a"), rel("$this", "<", "c")]},
            },
            ["Canada", "Japan"],
        ),
        (
            {"array": "tags", "elemMatch": {"$not": rel("$this", "=", "big")}},
            ["Canada", "France", "Japan"],
        ),
        ({"array": "tags", "elemMatch": {"field": "$this", "regex": "^is"}}, ["Japan"]),
        ({"$not": eq("name", "Canada")}, ["France", "Japan"]),
        ({"$and": [rel("population", ">", 40), eq("continent", "Asia")]}, ["Japan"]),
        ({"$all": [rel("population", ">", 40), eq("continent", "Asia")]}, ["Japan"]),
        ({"$or": [eq("name", "Canada"), eq("name", "Japan")]}, ["Canada", "Japan"]),
        ({"$any": [eq("name", "Canada"), eq("name", "Japan")]}, ["Canada", "Japan"]),
        (
            {"field": "population", "op": ">", "rfield": "capital.population"},
            ["Canada", "France", "Japan"],
        ),
        ({"field": "tags#", "op": "=", "rfield": "cities#"}, ["Canada", "France"]),
        ({"field": "tags#", "op": "<=", "rfield": "cities#"}, ["Canada", "France"]),
        ({"field": "tags#", "op": "!=", "rfield": "cities#"}, ["Japan"]),
        # scalar vs array: the relation holds against every element (§3)
        (
            {"field": "capital.population", "op": ">", "rfield": "cities.*.population"},
            ["France", "Japan"],
        ),
        (
            {"field": "cities.*.population", "op": ">=", "rfield": "capital.population"},
            ["Canada"],
        ),
        (
            {"field": "capital.population", "op": "!=", "rfield": "cities.*.population"},
            ["Canada", "France", "Japan"],
        ),
        ({"field": "tags", "op": "=", "rfield": "tags"}, ["Canada", "France", "Japan"]),
        # array vs array: same length, pairwise (§3)
        ({"field": "tags", "op": ">=", "rfield": "tags"}, ["Canada", "France", "Japan"]),
        ({"field": "tags", "op": ">", "rfield": "tags"}, []),
        (
            {"field": "cities.*.population", "op": "<", "rfield": "cities.*.population"},
            ["Japan"],  # two empty arrays: vacuously true
        ),
        (
            {"field": "cities.*.population", "op": "<=", "rfield": "cities.*.population"},
            ["Canada", "France", "Japan"],
        ),
        ({"field": "tags", "op": ">", "rfield": "cities.*.name"}, ["Canada", "France"]),
        ({"field": "founded", "op": "=", "rfield": "independent"}, ["Japan"]),  # both null
        ({"field": "name", "op": "$in", "rfield": "tags"}, []),
        ({"field": "name", "op": "$nin", "rfield": "tags"}, ["Canada", "France", "Japan"]),
    ],
)
async def test_query_forms(seeded: Lightblue, query: dict[str, Any], expected: list[str]) -> None:
    assert await seeded.names("country", query) == expected


async def test_null_query_returns_all(seeded: Lightblue) -> None:
    assert await seeded.names("country", None) == ["Canada", "France", "Japan"]
    reply = await seeded.call("POST", "/find/country", {"projection": {"field": "name"}})
    assert reply["matchCount"] == 3


@pytest.mark.parametrize(
    "query",
    [
        {"field": "name", "op": "$ne", "rvalue": "x"},  # $ne is not a lightblue operator (§3)
        {"field": "name", "op": "=", "rvalue": "x", "extra": 1},
        {"field": "name", "op": "="},
        {"$and": []},
        {"$and": eq("name", "x")},
        {"$not": [eq("name", "x")]},
        {"array": "tags", "contains": "$some", "values": ["x"]},
        {"array": "tags", "contains": "$any"},
        {"field": "name", "regex": 1},
        {"nothing": 1},
        [],
    ],
)
async def test_parse_errors_are_masked_by_find(seeded: Lightblue, query: Any) -> None:
    reply = await seeded.call("POST", "/find/country", {"query": query}, status=500)
    assert reply == {
        "errors": [
            {
                "objectType": "error",
                "context": "rest/FindCommand/country/find(country:1.0.0)",
                "errorCode": "rest-crud:RestFindError",
                "msg": "Error during the parse of the request",
            }
        ],
        "status": "ERROR",
    }


async def test_parse_errors_returned_as_is_by_delete(seeded: Lightblue) -> None:
    body = {"query": {"field": "name", "op": "$ne", "rvalue": "x"}}
    reply = await seeded.call("POST", "/delete/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == "query-api:InvalidComparisonExpression"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (rel("nothing", "=", 1), "metadata:InvalidFieldReference"),
        (rel("capital.nothing", "=", 1), "metadata:InvalidFieldReference"),
        (rel("cities.name", "=", "x"), "metadata:InvalidArrayReference"),
        (rel("population", "=", "many"), "metadata:IncompatibleValue"),
        (rel("founded", ">", "yesterday"), "metadata:IncompatibleValue"),
        (rel("capital", "=", "x"), "mongo-translation:invalid-field"),
        ({"array": "name", "contains": "$any", "values": ["x"]}, "mongo-translation:invalid-field"),
    ],
)
async def test_field_errors(seeded: Lightblue, query: dict[str, Any], code: str) -> None:
    reply = await seeded.call("POST", "/find/country", {"query": query}, status=500)
    assert reply["status"] == "ERROR"
    assert reply["errors"][0]["errorCode"] == code
    assert reply["entity"] == "country" and reply["matchCount"] == 0


async def test_ordering_on_unordered_type(lb: Lightblue) -> None:
    from .helpers import country_metadata

    meta = country_metadata()
    meta["schema"]["fields"]["big"] = {"type": "bigdecimal"}
    await lb.create_metadata(meta)
    reply = await lb.call("POST", "/find/country", {"query": rel("big", ">", 1)}, status=500)
    assert reply["errors"][0]["errorCode"] == "mongo-translation:invalid-comparison"


async def test_simple_find_query_string(seeded: Lightblue) -> None:
    reply = await seeded.call("GET", "/find/country?Q=continent:Asia,Europe&P=name:1&S=name:d")
    assert [d["name"] for d in reply["processed"]] == ["Japan", "France"]
    reply = await seeded.call("GET", "/find/country?Q=population:67;name:France&P=name:1")
    assert reply["processed"] == [{"name": "France"}]
    everything = await seeded.call("GET", "/find/country?Q=name:Japan")
    assert everything["processed"][0]["capital"] == {"name": "Tokyo", "population": 14}
    page = await seeded.call("GET", "/find/country?P=name:1&S=name:a&from=1&maxResults=1")
    assert page["processed"] == [{"name": "France"}] and page["matchCount"] == 3


async def test_simple_find_parse_errors(seeded: Lightblue) -> None:
    for path in ("/find/country?Q=name", "/find/country?from=x", "/find/country?Q=nothing:1"):
        reply = await seeded.call("GET", path, status=500)
        assert reply["errors"][0]["errorCode"] in (
            "rest-crud:RestFindError",
            "metadata:InvalidFieldReference",
        ), path
