"""Bad input gets lightblue's own errors: never the internal-error envelope, never a crash."""

from __future__ import annotations

import json
import random
from typing import Any

from .helpers import Lightblue

ATOMS: list[Any] = [None, 1, -1, 1.5, "x", "", True, [], {}, "$all", "$remove", "$this", "*"]
ATOMS += ["tags.*", "cities.0", "cities.-1.name", "name", "capital", "tags", "-1", "$null"]
KEYS = ["field", "op", "rvalue", "rfield", "values", "array", "contains", "elemMatch", "regex"]
KEYS += ["include", "recursive", "range", "match", "project", "$set", "$unset", "$add"]
KEYS += ["$append", "$insert", "$foreach", "$update", "$and", "$or", "$not", "$valueof"]
KEYS += ["name", "tags", "cities.0.name", "tags.-1", "cities", "$this", "capital.name"]


def shape(rnd: random.Random, depth: int = 0) -> Any:
    if depth > 3 or rnd.random() < 0.4:
        return rnd.choice(ATOMS)
    if rnd.random() < 0.5:
        return [shape(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]
    return {rnd.choice(KEYS): shape(rnd, depth + 1) for _ in range(rnd.randint(1, 3))}


def body_for(op: str, rnd: random.Random) -> dict[str, Any]:
    if op == "update":
        query = rnd.choice([{"field": "name", "op": "!=", "rvalue": "z"}, shape(rnd)])
        return {"query": query, "update": shape(rnd), "projection": shape(rnd)}
    if op == "find":
        return {"query": shape(rnd), "projection": shape(rnd), "sort": shape(rnd)}
    return {"data": shape(rnd), "projection": shape(rnd), "upsert": shape(rnd)}


async def test_random_expressions_never_break_the_server(country: Lightblue) -> None:
    await country.seed()
    rnd = random.Random(20261123)
    for _ in range(150):
        method, op = rnd.choice(
            [("POST", "update"), ("POST", "find"), ("PUT", "insert"), ("POST", "save")]
        )
        body = body_for(op, rnd)
        r = await country.http.request(method, f"/rest/data/{op}/country", content=json.dumps(body))
        reply = r.json()
        assert "Internal error" not in r.text, (op, body, r.text)
        assert r.status_code in (200, 403, 404, 500), (op, body)
        if r.status_code != 200:
            assert reply["status"] == "ERROR" and reply["errors"][0]["errorCode"], (op, body)


async def test_wrong_json_types_in_known_fields(country: Lightblue) -> None:
    for body in (
        {"sort": {"name": ["$asc"]}},
        {"sort": {"$and": []}},
        {"query": {"field": "name", "op": ["="], "rvalue": 1}},
        {"query": {"array": "tags", "contains": {}, "values": []}},
        {"range": "all"},
        {"from": [], "to": {}},
        [],
        "text",
    ):
        r = await country.http.post("/rest/data/find/country", content=json.dumps(body))
        assert r.status_code == 500 and "Internal error" not in r.text, (body, r.text)
        assert r.json()["errors"][0]["errorCode"] == "rest-crud:RestFindError"
