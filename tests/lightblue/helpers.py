"""A tiny lightblue client for the tests, and the metadata they share."""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx

DATE = re.compile(r"^\d{8}T\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
ANYONE = {"find": ["anyone"], "insert": ["anyone"], "update": ["anyone"], "delete": ["anyone"]}

COUNTRY_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "constraints": {"required": True, "maxLength": 20}},
    "iso2code": {"type": "string", "constraints": {"minLength": 2, "maxLength": 2}},
    "iso3code": {"type": "string", "constraints": {"matches": "^[A-Z]{3}$"}},
    "population": {"type": "integer", "constraints": {"minimum": 0}},
    "area": {"type": "double"},
    "independent": {"type": "boolean"},
    "founded": {"type": "date"},
    "continent": {"type": "string", "constraints": {"enum": "continents"}},
    "tags": {"type": "array", "items": {"type": "string"}, "constraints": {"maxItems": 5}},
    "capital": {
        "type": "object",
        "fields": {"name": {"type": "string"}, "population": {"type": "integer"}},
    },
    "cities": {
        "type": "array",
        "items": {
            "type": "object",
            "fields": {
                "name": {"type": "string"},
                "population": {"type": "integer"},
                "districts": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


def country_metadata(version: str = "1.0.0", **info: Any) -> dict[str, Any]:
    return {
        "entityInfo": {
            "name": "country",
            "defaultVersion": version,
            "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "country"},
            "enums": [{"name": "continents", "values": ["Europe", "Asia", "America", "Africa"]}],
            **info,
        },
        "schema": {
            "name": "country",
            "version": {"value": version, "changelog": "test"},
            "status": {"value": "active"},
            "access": copy.deepcopy(ANYONE),
            "fields": copy.deepcopy(COUNTRY_FIELDS),
        },
    }


COUNTRIES: list[dict[str, Any]] = [
    {
        "name": "Canada",
        "iso2code": "CA",
        "iso3code": "CAN",
        "population": 38,
        "area": 9.98,
        "continent": "America",
        "founded": "18670701T00:00:00.000-0500",
        "tags": ["cold", "big"],
        "capital": {"name": "Ottawa", "population": 1},
        "cities": [
            {"name": "Toronto", "population": 3, "districts": ["York", "Etobicoke"]},
            {"name": "Montreal", "population": 2, "districts": ["Verdun"]},
        ],
    },
    {
        "name": "France",
        "iso2code": "FR",
        "iso3code": "FRA",
        "population": 67,
        "area": 0.64,
        "continent": "Europe",
        "founded": "18700904T00:00:00.000+0100",
        "tags": ["wine"],
        "capital": {"name": "Paris", "population": 2},
        "cities": [{"name": "Lyon", "population": 1}],
    },
    {
        "name": "Japan",
        "iso2code": "JP",
        "iso3code": "JPN",
        "population": 125,
        "area": 0.38,
        "continent": "Asia",
        "tags": ["islands", "big"],
        "capital": {"name": "Tokyo", "population": 14},
        "cities": [],
    },
]

EVERYTHING = {"field": "*", "recursive": True}


class Lightblue:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    # -- metadata ----------------------------------------------------------------------------

    async def meta(self, method: str, path: str, body: Any = None) -> Any:
        r = await self.http.request(method, f"/rest/metadata{path}", json=body)
        assert r.status_code == 200, r.text  # metadata always answers 200 (§1.2)
        return r.json() if r.content else None

    async def create_metadata(self, metadata: dict[str, Any]) -> dict[str, Any]:
        name = metadata["entityInfo"]["name"]
        version = metadata["schema"]["version"]["value"]
        body = await self.meta("PUT", f"/{name}/{version}", metadata)
        assert "errorCode" not in body, body
        return dict(body)

    # -- data --------------------------------------------------------------------------------

    async def call(
        self, method: str, path: str, body: Any = None, status: int = 200, **kwargs: Any
    ) -> dict[str, Any]:
        r = await self.http.request(method, f"/rest/data{path}", json=body, **kwargs)
        assert r.status_code == status, r.text
        out: dict[str, Any] = r.json()
        return out

    async def insert(self, entity: str, data: Any, **body: Any) -> dict[str, Any]:
        return await self.call("PUT", f"/insert/{entity}", {"data": data, **body})

    async def find(self, entity: str, query: Any = None, **body: Any) -> dict[str, Any]:
        body.setdefault("projection", EVERYTHING)
        return await self.call("POST", f"/find/{entity}", {"query": query, **body})

    async def found(self, entity: str, query: Any = None, **body: Any) -> list[dict[str, Any]]:
        reply = await self.find(entity, query, **body)
        assert reply["status"] == "COMPLETE", reply
        processed: list[dict[str, Any]] = reply["processed"]
        return processed

    async def names(self, entity: str, query: Any = None, **body: Any) -> list[str]:
        body.setdefault("projection", {"field": "name"})
        body.setdefault("sort", {"name": "$asc"})
        return [d.get("name", "?") for d in await self.found(entity, query, **body)]

    async def update(self, entity: str, query: Any, update: Any, **body: Any) -> dict[str, Any]:
        payload = {"query": query, "update": update, **body}
        return await self.call("POST", f"/update/{entity}", payload)

    async def save(self, entity: str, data: Any, **body: Any) -> dict[str, Any]:
        return await self.call("POST", f"/save/{entity}", {"data": data, **body})

    async def delete(self, entity: str, query: Any) -> dict[str, Any]:
        return await self.call("POST", f"/delete/{entity}", {"query": query})

    async def seed(self, docs: list[dict[str, Any]] | None = None) -> list[str]:
        reply = await self.insert("country", docs or COUNTRIES, projection={"field": "_id"})
        assert reply["status"] == "COMPLETE", reply
        return [d["_id"] for d in reply["processed"]]


def eq(field: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": "=", "rvalue": value}
