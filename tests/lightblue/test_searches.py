"""Saved searches (§1.1 /search): `savedSearch` documents run as finds with parameters."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .helpers import ANYONE, Lightblue

SAVED_SEARCH: dict[str, Any] = {
    "entityInfo": {
        "name": "savedSearch",
        "defaultVersion": "1.0.0",
        "datastore": {"backend": "mongo"},
    },
    "schema": {
        "name": "savedSearch",
        "version": {"value": "1.0.0", "changelog": "saved searches"},
        "status": {"value": "active"},
        "access": copy.deepcopy(ANYONE),
        "fields": {
            "name": {"type": "string"},
            "entity": {"type": "string"},
            "versions": {"type": "array", "items": {"type": "string"}},
            "parameters": {
                "type": "array",
                "items": {
                    "type": "object",
                    "fields": {
                        "name": {"type": "string"},
                        "type": {"type": "string"},
                        "optional": {"type": "boolean"},
                        "defaultValue": {"type": "string"},
                    },
                },
            },
            "query": {"type": "string"},
            "projection": {"type": "string"},
            "sort": {"type": "string"},
        },
    },
}


@pytest.fixture
async def searches(country: Lightblue) -> Lightblue:
    await country.create_metadata(SAVED_SEARCH)
    await country.seed()
    reply = await country.insert(
        "savedSearch",
        [
            {
                "name": "byContinent",
                "entity": "country",
                "versions": ["1.0"],
                "parameters": [
                    {"name": "continent"},
                    {"name": "min", "type": "integer", "optional": True, "defaultValue": "0"},
                ],
                "query": '{"$and": [{"field": "continent", "op": "=", "rvalue": "${continent}"},'
                ' {"field": "population", "op": ">=", "rvalue": ${min}}]}',
                "projection": '{"field": "name"}',
            },
            {
                "name": "byContinent",
                "entity": "country",
                "versions": [],
                "query": '{"field": "name", "op": "=", "rvalue": "never"}',
            },
            {
                "name": "big",
                "entity": "country",
                "query": '{"field": "tags.*", "op": "=", "rvalue": "big"}',
                "projection": '{"field": "name"}',
                "sort": '{"name": "$desc"}',
            },
        ],
    )
    assert reply["status"] == "COMPLETE", reply
    return country


async def test_run_with_parameters(searches: Lightblue) -> None:
    reply = await searches.call("GET", "/search/country/byContinent?continent=Asia")
    assert reply["status"] == "COMPLETE" and reply["entity"] == "country"
    assert reply["processed"] == [{"name": "Japan"}]
    reply = await searches.call("GET", "/search/country/1.0.0/byContinent?continent=Asia&min=200")
    assert reply["processed"] == []
    post = await searches.call(
        "POST", "/search/country/byContinent", {"continent": "Europe", "min": 1}
    )
    assert post["processed"] == [{"name": "France"}]


async def test_overrides_and_sort(searches: Lightblue) -> None:
    reply = await searches.call("GET", "/search/country/big")
    assert [d["name"] for d in reply["processed"]] == ["Japan", "Canada"]
    reply = await searches.call("GET", "/search/country/big?S=name:a&P=iso2code:1&from=0&to=0")
    assert reply["processed"] == [{"name": "Canada", "iso2code": "CA"}]
    assert reply["matchCount"] == 2


async def test_errors(searches: Lightblue) -> None:
    missing = await searches.call("GET", "/search/country/byContinent", status=500)
    assert missing == {
        "errors": [
            {
                "objectType": "error",
                "context": "rest/RunSavedSearchCommand/country",
                "errorCode": "crud:saved-search:missing",
                "msg": "continent",
            }
        ],
        "status": "ERROR",
    }
    unknown = await searches.call("GET", "/search/country/nothing", status=500)
    assert unknown["errors"][0]["errorCode"] == "rest-crud:SavedSearchError"
    entity = await searches.call("GET", "/search/nation/big", status=404)
    assert entity["errors"][0]["errorCode"] == "crud:UnknownEntity"


async def test_list(searches: Lightblue) -> None:
    reply = await searches.call("GET", "/search/country?P=name:1")
    assert reply["entity"] == "savedSearch"
    assert reply["processed"] == [{"name": "big"}, {"name": "byContinent"}, {"name": "byContinent"}]
