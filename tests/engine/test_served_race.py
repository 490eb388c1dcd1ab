"""Concurrent writers of one document all apply (issue 13.3), on a real `doppelgate serve`.

50 clients x 20 Gigya `ds.store updateBehavior=arrayPush` on one oid, and 50 x 20 lightblue
`$append` to one document: every call answers success and the array ends with all 1,000
values, on both backends (the MongoDB backend used to refuse 97% of them).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backends import drop_database
from tests.mongodb.helpers import Served, database_name, serving_with

from .test_served_budget import entity_metadata

CLIENTS, CALLS = 50, 20
API_KEY = "3_race"


@pytest.fixture(params=["memory", "mongodb"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    args, env = ["--backend", request.param], {}
    name = ""
    if request.param == "mongodb":
        url: str = request.getfixturevalue("mongo_url")
        name = database_name()
        args += ["--mongo-url", url]
        env["DOPPELGATE_MONGO_DATABASE"] = name
    with serving_with(args, tmp_path, env) as server:
        yield server
    if name:
        drop_database(url, name)


async def race(call: Any) -> list[Any]:
    """CLIENTS tasks, each making CALLS sequential calls; every answer, in no order."""

    async def client(c: int) -> list[Any]:
        return [await call(c, j) for j in range(CALLS)]

    answers = await asyncio.gather(*(client(c) for c in range(CLIENTS)))
    return [a for per_client in answers for a in per_client]


def expected_values() -> set[str]:
    return {f"c{c}-{j}" for c in range(CLIENTS) for j in range(CALLS)}


async def gigya_race(base: str) -> list[str]:
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=f"{base}/gigya", timeout=120, limits=limits) as http:

        async def store(items: list[str]) -> dict[str, Any]:
            form = {"apiKey": API_KEY, "secret": "any", "type": "t", "oid": "race"}
            form |= {"data": json.dumps({"items": items}), "updateBehavior": "arrayPush"}
            body: dict[str, Any] = (await http.post("/ds.store", data=form)).json()
            return body

        assert (await store([]))["errorCode"] == 0
        answers = await race(lambda c, j: store([f"c{c}-{j}"]))
        assert [a["errorCode"] for a in answers] == [0] * (CLIENTS * CALLS), [
            a for a in answers if a["errorCode"]
        ][:3]
        form = {"apiKey": API_KEY, "secret": "any", "type": "t", "oid": "race"}
        got = (await http.post("/ds.get", data=form)).json()
        items: list[str] = got["data"]["items"]
        return items


async def lightblue_race(base: str) -> list[str]:
    limits = httpx.Limits(max_connections=CLIENTS)
    base_url = f"{base}/lightblue/rest"
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as http:
        fields = {"name": {"type": "string"}, "log": {"type": "array", "items": {"type": "string"}}}
        r = await http.put("/metadata/race/1.0.0", json=entity_metadata("race", fields))
        assert "errorCode" not in r.json(), r.text
        inserted = await http.put("/data/insert/race", json={"data": [{"name": "r", "log": []}]})
        assert inserted.json()["status"] == "COMPLETE", inserted.text
        query = {"field": "name", "op": "=", "rvalue": "r"}

        async def append(c: int, j: int) -> dict[str, Any]:
            body = {"query": query, "update": {"$append": {"log": f"c{c}-{j}"}}}
            answer: dict[str, Any] = (await http.post("/data/update/race", json=body)).json()
            return answer

        answers = await race(append)
        refused = [a for a in answers if a["status"] != "COMPLETE" or a["modifiedCount"] != 1]
        assert not refused, refused[:3]
        body = {"query": query, "projection": {"field": "log", "recursive": True}}
        found = (await http.post("/data/find/race", json=body)).json()
        log: list[str] = found["processed"][0]["log"]
        return log


def test_50_clients_x_20_array_pushes_on_one_gigya_object_all_apply(served: Served) -> None:
    items = asyncio.run(gigya_race(served.base))
    assert len(items) == CLIENTS * CALLS and set(items) == expected_values()


def test_50_clients_x_20_lightblue_appends_to_one_document_all_apply(served: Served) -> None:
    log = asyncio.run(lightblue_race(served.base))
    assert len(log) == CLIENTS * CALLS and set(log) == expected_values()
