"""Envelopes and HTTP statuses (§1.4, §2), aliases, explain, locks, bulk, health."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app

from .helpers import EVERYTHING, Lightblue, country_metadata, eq


async def test_bad_json_is_a_bare_failure(country: Lightblue) -> None:
    for op, method, code in [
        ("insert", "PUT", "rest-crud:RestInsertError"),
        ("save", "POST", "rest-crud:RestSaveError"),
        ("update", "POST", "rest-crud:RestUpdateError"),
        ("delete", "POST", "rest-crud:RestDeleteError"),
        ("find", "POST", "rest-crud:RestFindError"),
    ]:
        r = await country.http.request(method, f"/rest/data/{op}/country", content=b"{nope")
        assert r.status_code == 500
        body = r.json()
        assert set(body) == {"errors", "status"} and body["status"] == "ERROR"
        assert body["errors"][0]["errorCode"] == code and body["errors"][0]["msg"]


async def test_entity_and_version_must_match_the_path(country: Lightblue) -> None:
    reply = await country.call("POST", "/find/country", {"entity": "city"}, status=500)
    assert set(reply) == {"errors", "status"}
    assert reply["errors"][0]["errorCode"] == "rest-crud:NoEntityMatch"
    body = {"entity": "country", "entityVersion": "2.0.0"}
    reply = await country.call("POST", "/find/country/1.0.0", body, status=500)
    assert reply["errors"][0]["errorCode"] == "rest-crud:NoVersionMatch"
    ok = await country.call(
        "POST", "/find/country", {"entity": "country", "entityVersion": "1.0.0"}
    )
    assert ok["status"] == "COMPLETE" and ok["entityVersion"] == "1.0.0"


async def test_unknown_entity_and_version(country: Lightblue) -> None:
    reply = await country.call("POST", "/find/city", {}, status=404)
    assert reply["status"] == "ERROR" and reply["errors"][0]["errorCode"] == "crud:UnknownEntity"
    assert reply["errors"][0]["msg"] == "city"
    assert (reply["modifiedCount"], reply["matchCount"]) == (0, 0) and reply["hostname"]
    reply = await country.call("POST", "/find/country/7.0.0", {}, status=500)
    assert reply["errors"][0]["errorCode"] == "mongo-metadata:UnknownVersion"


async def test_data_alias_without_rest_prefix(country: Lightblue) -> None:
    r = await country.http.put("/data/insert/country", json={"data": {"name": "A"}})
    assert r.status_code == 200 and r.json()["modifiedCount"] == 1
    r = await country.http.post("/data/find/country", json={"projection": {"field": "name"}})
    assert r.json()["processed"] == [{"name": "A"}]


async def test_unknown_path_is_404(country: Lightblue) -> None:
    r = await country.http.get("/rest/data/nothing/here/at/all")
    assert r.status_code == 404
    assert r.json()["errors"][0]["errorCode"] == "rest-crud:RestError"


async def test_key_order_and_types(country: Lightblue) -> None:
    reply = await country.insert("country", {"name": "A"}, projection={"field": "name"})
    assert list(reply) == [
        "entity",
        "entityVersion",
        "status",
        "modifiedCount",
        "matchCount",
        "hostname",
        "processed",
        "resultMetadata",
    ]


async def test_explain(country: Lightblue) -> None:
    await country.insert("country", {"name": "A"})
    reply = await country.call(
        "POST", "/explain/country", {"query": eq("name", "A"), "sort": {"name": "$asc"}}
    )
    assert reply["status"] == "COMPLETE"
    [plan] = reply["processed"]
    assert plan["query"] == {"$and": [{"objectType": "country"}, {"name": "A"}]}
    assert plan["sort"] == [{"name": "$asc"}]
    # the engine's own account: which index, documents examined and returned
    assert plan["execution"]["returned"] == 1
    assert plan["execution"]["examined"] >= 1
    assert "index" in plan["execution"]
    get = await country.call("GET", "/explain/country?Q=name:A")
    assert get["processed"][0]["query"] == plan["query"]


async def test_health(country: Lightblue) -> None:
    body = await country.call("GET", "/health")
    assert body["engine"]["healthy"] is True


# -- locks -------------------------------------------------------------------------------------


async def test_locks_are_reentrant_per_caller(country: Lightblue) -> None:
    path = "/lock/dom/alice/res1"
    assert await country.call("PUT", path) == {"result": True}
    assert await country.call("PUT", path) == {"result": True}
    assert await country.call("GET", path) == {"result": 2}
    assert await country.call("PUT", "/lock/dom/bob/res1") == {"result": False}
    assert await country.call("PUT", f"{path}/ping") == {"result": True}
    assert await country.call("DELETE", path) == {"result": False}  # count dropped
    assert await country.call("DELETE", path) == {"result": True}  # gone
    assert await country.call("PUT", "/lock/dom/bob/res1") == {"result": True}


async def test_lock_not_held_is_an_error(country: Lightblue) -> None:
    """lightblue-rest's CallStatus: `{"errors":[...],"status":"ERROR"}`, HTTP 500 (§1.1)."""
    for method, path, command in [
        ("DELETE", "/lock/dom/carol/free", "ReleaseCommand"),
        ("GET", "/lock/dom/carol/free", "GetLockCountCommand"),
        ("PUT", "/lock/dom/carol/free/ping", "LockPingCommand"),
    ]:
        body = await country.call(method, path, status=500)
        assert body["status"] == "ERROR", body
        [error] = body["errors"]
        assert error["errorCode"] == "rest-crud:RestError"
        assert error["context"] == f"rest/{command}/free"
        # the Java client turns `^.*InvalidLockException: (.+)$` into its InvalidLockException
        assert re.fullmatch(r".*InvalidLockException: (.+)", error["msg"])[1] == "free"
    body = await country.call("POST", "/lock/", {"operation": "count"}, status=500)
    assert body["errors"][0]["msg"] == "Error parsing lock request"


async def test_lock_expires(country: Lightblue) -> None:
    assert await country.call("PUT", "/lock/dom/alice/r?ttl=1") == {"result": True}
    import asyncio

    await asyncio.sleep(0.01)
    assert await country.call("PUT", "/lock/dom/bob/r") == {"result": True}


async def test_lock_by_post(country: Lightblue) -> None:
    spec = {"domain": "d", "callerId": "c", "resourceId": "r"}
    assert await country.call("POST", "/lock/", {"operation": "acquire", **spec}) == {
        "result": True
    }
    assert await country.call("POST", "/lock/", {"operation": "count", **spec}) == {"result": 1}
    assert await country.call("POST", "/lock/", {"operation": "release", **spec}) == {
        "result": True
    }


async def test_locking_domains(lb_factory: Any) -> None:
    lb = lb_factory({"lockingDomains": ["known"]})
    assert await lb.call("PUT", "/lock/known/a/r") == {"result": True}
    body = await lb.call("PUT", "/lock/other/a/r", status=500)
    assert body["status"] == "ERROR"
    assert body["errors"][0]["errorCode"] == "mongo-crud:InvalidLockingDomain"


# -- bulk --------------------------------------------------------------------------------------


async def test_bulk(country: Lightblue) -> None:
    requests = [
        {"seq": 5, "op": "FIND", "request": {"entity": "country", "projection": {"field": "name"}}},
        {
            "seq": 1,
            "op": "insert",
            "request": {"entity": "country", "data": [{"name": "A"}, {"name": "B"}]},
        },
        {
            "seq": 3,
            "op": "update",
            "request": {
                "entity": "country",
                "entityVersion": "1.0.0",
                "query": eq("name", "A"),
                "update": {"$set": {"name": "C"}},
            },
        },
        {"seq": 4, "op": "delete", "request": {"entity": "country", "query": eq("name", "B")}},
        {"seq": 6, "op": "find", "request": {"entity": "nothing"}},
    ]
    body = await country.call("POST", "/bulk", {"requests": requests})
    responses = body["responses"]
    assert [r["seq"] for r in responses] == [0, 1, 2, 3, 4]
    assert responses[0]["response"]["modifiedCount"] == 2
    assert responses[1]["response"]["modifiedCount"] == 1
    assert responses[2]["response"]["modifiedCount"] == 1
    assert responses[3]["response"]["processed"] == [{"name": "C"}]
    assert responses[4]["response"]["errors"][0]["errorCode"] == "crud:UnknownEntity"


async def test_bulk_unparseable(country: Lightblue) -> None:
    r = await country.http.post("/rest/data/bulk", content=b"[1,2")
    assert r.status_code == 200  # /bulk always answers 200 (§1.4)
    assert r.json()["errors"][0]["errorCode"] == "rest-crud:RestError"


async def test_vendor_host_routing(engine: Engine) -> None:
    settings = Settings(dialects={"lightblue": {"hosts": ["lightblue.example.com"]}})
    transport = httpx.ASGITransport(create_app(settings, engine))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://lightblue.example.com"
    ) as http:
        lb = Lightblue(http)
        await lb.create_metadata(country_metadata())
        reply = await lb.insert("country", {"name": "A"}, projection=EVERYTHING)
        assert reply["processed"][0]["name"] == "A"


def split_stream(text: str) -> list[dict[str, Any]]:
    """Concatenated JSON objects, as ?stream=true sends them."""
    decoder = json.JSONDecoder()
    out, at = [], 0
    while at < len(text):
        obj, at = decoder.raw_decode(text, at)
        out.append(obj)
    return out


async def test_streamed_find(country: Lightblue) -> None:
    await country.insert("country", [{"name": "A"}, {"name": "B"}])
    body = {"projection": {"field": "name"}, "sort": {"name": "$asc"}}
    r = await country.http.post("/rest/data/find/country?stream=true", json=body)
    assert r.status_code == 200
    head, first, second = split_stream(r.text)
    assert head["status"] == "COMPLETE" and head["matchCount"] == 2
    assert "processed" not in head and "last" not in head
    assert first["processed"] == {"name": "A"} and "last" not in first
    assert first["resultMetadata"]["documentVersion"]
    assert second["processed"] == {"name": "B"} and second["last"] is True
    empty = await country.http.post(
        "/rest/data/find/country?stream=true", json={"query": eq("name", "Z")}
    )
    [only] = split_stream(empty.text)
    assert only["matchCount"] == 0 and only["last"] is True
