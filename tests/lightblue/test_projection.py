"""Projection, sort and range (§4)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import COUNTRIES, Lightblue, eq


@pytest.fixture
async def canada(country: Lightblue) -> Lightblue:
    await country.seed()
    return country


async def project(lb: Lightblue, projection: Any, name: str = "Canada") -> dict[str, Any]:
    [doc] = await lb.found("country", eq("name", name), projection=projection)
    return doc


@pytest.mark.parametrize(
    ("projection", "expected"),
    [
        ({"field": "name"}, {"name": "Canada"}),
        ({"field": "capital"}, {}),  # an object needs an included descendant (§4)
        ({"field": "capital.*"}, {"capital": {"name": "Ottawa", "population": 1}}),
        ({"field": "capital", "recursive": True}, {"capital": {"name": "Ottawa", "population": 1}}),
        ({"field": "capital.name"}, {"capital": {"name": "Ottawa"}}),
        ({"field": "tags.*"}, {"tags": ["cold", "big"]}),
        ({"field": "tags.0"}, {"tags": ["cold", "big"]}),  # indices act as `*`
        ({"field": "cities.*.name"}, {"cities": [{"name": "Toronto"}, {"name": "Montreal"}]}),
        (
            [
                {"field": "capital", "recursive": True},
                {"field": "capital.population", "include": False},
            ],
            {"capital": {"name": "Ottawa"}},
        ),
        (
            [
                {"field": "capital.population", "include": False},
                {"field": "capital", "recursive": True},
            ],
            {"capital": {"name": "Ottawa"}},  # an explicit decision beats an implicit one
        ),
        (
            [{"field": "name"}, {"field": "name", "include": False}],
            {},  # the last rule that decides wins
        ),
        (
            [
                {"field": "*", "recursive": True},
                {"field": "cities", "include": False, "recursive": True},
                {"field": "founded", "include": False},
                {"field": "_id", "include": False},
                {"field": "tags", "include": False, "recursive": True},
                {"field": "capital", "include": False, "recursive": True},
            ],
            {
                "name": "Canada",
                "iso2code": "CA",
                "iso3code": "CAN",
                "population": 38,
                "area": 9.98,
                "continent": "America",
                "objectType": "country",
                "tags#": 2,
                "cities#": 2,
            },
        ),
        (
            {"field": "cities", "range": [1, 1]},
            {
                "cities": [
                    {"name": "Montreal", "population": 2, "districts": ["Verdun"], "districts#": 1}
                ]
            },
        ),
        (
            {"field": "cities", "range": [0, None], "project": {"field": "name"}},
            {"cities": [{"name": "Toronto"}, {"name": "Montreal"}]},
        ),
        ({"field": "cities", "range": [1, 0]}, {}),
        ({"field": "cities", "range": [5, 9]}, {}),
        (
            {
                "field": "cities",
                "match": {"field": "population", "op": "<", "rvalue": 3},
                "projection": {"field": "name"},
            },
            {"cities": [{"name": "Montreal"}]},
        ),
        (
            {
                "field": "cities",
                "match": {"field": "population", "op": ">", "rvalue": 0},
                "project": {"field": "name"},
                "sort": {"name": "$asc"},
            },
            {"cities": [{"name": "Montreal"}, {"name": "Toronto"}]},
        ),
        ({"field": "tags", "range": [1, 1], "project": {"field": "$this"}}, {"tags": ["big"]}),
        (
            {"field": "tags", "match": {"field": "$this", "op": "=", "rvalue": "big"}},
            {"tags": ["big"]},
        ),
        ({"field": "tags", "range": [0, 0]}, {"tags": ["cold"]}),
        (
            {
                "field": "cities",
                "range": [0, 0],
                "project": {"field": "districts", "match": {"field": "$this", "regex": "^E"}},
            },
            {"cities": [{"districts": ["Etobicoke"]}]},
        ),
    ],
)
async def test_projections(canada: Lightblue, projection: Any, expected: dict[str, Any]) -> None:
    assert await project(canada, projection) == expected


async def test_included_empty_array(canada: Lightblue) -> None:
    assert await project(canada, {"field": "cities", "recursive": True}, "Japan") == {"cities": []}


async def test_invalid_projection(canada: Lightblue) -> None:
    for projection in (
        {"include": True},
        {"field": "name", "include": "yes"},
        {"field": "cities", "range": [1]},
    ):
        body = {"projection": projection}
        reply = await canada.call("POST", "/find/country", body, status=500)
        assert reply["errors"][0]["errorCode"] == "rest-crud:RestFindError"
    body = {"data": {"name": "x"}, "projection": {"field": "cities", "range": "all"}}
    reply = await canada.call("PUT", "/insert/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == "query-api:InvalidArrayRangeProjection"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({"name": "$asc"}, ["Canada", "France", "Japan"]),
        ({"name": "$desc"}, ["Japan", "France", "Canada"]),
        ({"population": "$desc"}, ["Japan", "France", "Canada"]),
        ([{"tags#": "$desc"}, {"name": "$desc"}], ["Japan", "Canada", "France"]),
        ({"capital.population": "$asc"}, ["Canada", "France", "Japan"]),
        ({"founded": "$desc"}, ["France", "Canada", "Japan"]),
    ],
)
async def test_sort(canada: Lightblue, sort: Any, expected: list[str]) -> None:
    assert await canada.names("country", sort=sort) == expected


async def test_invalid_sort(canada: Lightblue) -> None:
    for sort in ({"name": "up"}, {"name": "$asc", "population": "$asc"}, "name"):
        reply = await canada.call("POST", "/find/country", {"sort": sort}, status=500)
        assert reply["errors"][0]["errorCode"] == "rest-crud:RestFindError"


@pytest.mark.parametrize(
    ("range_fields", "expected"),
    [
        ({"range": [0, 1]}, ["Canada", "France"]),
        ({"range": [1, None]}, ["France", "Japan"]),
        ({"range": [2, 1]}, []),
        ({"range": [-3, 0]}, ["Canada"]),
        ({"from": 1, "to": 1}, ["France"]),
        ({"from": 1}, ["France", "Japan"]),
        ({"from": 0, "maxResults": 2}, ["Canada", "France"]),
        ({"from": 1, "to": 1, "maxResults": 5}, ["France"]),
        ({"range": [0, 0], "from": 2, "to": 2}, ["Canada"]),  # range wins
    ],
)
async def test_range(canada: Lightblue, range_fields: dict[str, Any], expected: list[str]) -> None:
    body = {"projection": {"field": "name"}, "sort": {"name": "$asc"}, **range_fields}
    reply = await canada.call("POST", "/find/country", body)
    assert [d["name"] for d in reply["processed"]] == expected
    assert reply["matchCount"] == 3  # all matches, whatever the page (§2.2)
    assert len(reply["resultMetadata"]) == len(expected)


async def test_find_without_projection_returns_empty_objects(canada: Lightblue) -> None:
    reply = await canada.call("POST", "/find/country", {"query": eq("name", "Japan")})
    assert reply["processed"] == [{}]


async def test_object_type_is_an_ordinary_field(canada: Lightblue) -> None:
    doc = await project(canada, {"field": "objectType"})
    assert doc == {"objectType": "country"}
    assert len(COUNTRIES) == 3


async def test_result_size_limit(lb_factory: Any) -> None:
    from .helpers import country_metadata

    lb = lb_factory({"maxResultSetSizeForReadsB": 200})
    await lb.create_metadata(country_metadata())
    await lb.seed()
    small = await lb.find("country", eq("name", "Japan"), projection={"field": "name"})
    assert small["status"] == "COMPLETE"
    reply = await lb.call(
        "POST", "/find/country", {"projection": {"field": "*", "recursive": True}}, status=500
    )
    assert reply["status"] == "ERROR"
    assert reply["errors"][0]["errorCode"] == "crud:ResultSizeTooLarge"
    assert "processed" not in reply


async def test_array_rules_need_an_array(canada: Lightblue) -> None:
    for rule, code in (
        ({"field": "name", "range": [0, 1]}, "rest-crud:RestFindError"),
        ({"field": "capital", "match": eq("name", "x")}, "mongo-translation:invalid-field"),
    ):
        reply = await canada.call("POST", "/find/country", {"projection": rule}, status=500)
        assert reply["errors"][0]["errorCode"] == code
    body = {"data": {"name": "x"}, "projection": {"field": "name", "range": [0, 1]}}
    reply = await canada.call("PUT", "/insert/country", body, status=500)
    assert reply["errors"][0]["errorCode"] == "query-api:InvalidProjection"
