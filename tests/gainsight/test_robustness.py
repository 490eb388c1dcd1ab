"""Bad input gets the vendor's envelope, never a bare 500; concurrent writers lose nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .helpers import Gainsight

ODD_WRITES: list[Any] = [
    {"records": [{"Name": 2**70}]},
    {"records": [{"Name": "x", "Employees": 2**70}]},
    {"records": [{"Name": "x", "Employees": 1e308}]},
    {"records": [{"Name": ["a"]}]},
    {"records": [{"Name": {"$gt": ""}}]},
    {"records": [{"Name": "x", "Tags": {"a": 1}}]},
    {"records": [{"Name": "x", "Csm": 12}]},
    {"records": [{"Name": "x", "RenewalDate": "2020-02-30"}]},
    {"records": [{"Name": "x", "RenewalDate": True}]},
    {"records": [{"Name": "x", "Stage": None, "Status": 3}]},
    {"records": [{"Name": "\u0000\ud7ff"}]},
    {"records": [{"Name": "x"}], "lookups": {"Csm": {"objectName": "gsuser"}}},
    {"records": [{"Name": "x"}], "lookups": {"Csm": {"objectName": "gsuser", "fields": {}}}},
    {"records": [{"Name": "x"}], "lookups": []},
    {"records": [[]]},
    {"records": None},
    "records",
]


def cond(name: Any, op: Any, value: Any, **where: Any) -> dict[str, Any]:
    condition = {"name": name, "alias": "A", "operator": op, "value": value}
    return {"select": ["Name"], "where": {"conditions": [condition], **where}}


ODD_QUERIES: list[Any] = [
    cond("Name", "EQ", [{}]),
    cond("Employees", "GT", [[1]]),
    cond("", "EQ", [1]),
    cond("Csm__gr.", "EQ", [1]),
    cond("Name", "EQ", "x"),
    cond("Name", "EQ", ["x"], expression="((((A"),
    cond("RenewalDate", "BTW", ["x", "y"]),
    {"select": ["Name"], "where": {"conditions": [], "expression": "A"}},
    {"select": ["Name", 3]},
    {"select": ["tolower()"]},
    {"select": ["Csm__gr.Csm__gr.Csm__gr.Name"]},
    {"select": ["Name"], "limit": "10"},
    {"select": ["Name"], "limit": 2**70},
    {"select": ["Name"], "orderBy": ["Name"]},
    {"select": ["Name"], "orderBy": {"Nope": "asc"}},
    {"select": ["Name"], "where": "Name = 1"},
]


@pytest.mark.parametrize("body", ODD_WRITES)
async def test_odd_writes(gs: Gainsight, body: Any) -> None:
    for method, path in (("POST", "/Company"), ("PUT", "/Company?keys=Name")):
        r = await gs.raw(method, path, body)
        assert r.status_code in (200, 400), r.text
        env = gs.envelope(r)
        assert env["result"] is (r.status_code == 200)
        if r.status_code == 400:
            assert env["errorCode"].startswith("GSOBJ_")


@pytest.mark.parametrize("body", ODD_QUERIES)
async def test_odd_queries(gs: Gainsight, body: Any) -> None:
    await gs.insert("Company", {"Name": "A"})
    r = await gs.raw("POST", "/query/Company", body)
    assert r.status_code in (200, 400), r.text
    if r.status_code == 400:
        assert gs.envelope(r)["errorCode"].startswith("GSOBJ_")


async def test_concurrent_inference(gs: Gainsight) -> None:
    await asyncio.gather(*(gs.insert("Race__gc", {f"F{i}__gc": i}) for i in range(10)))
    r = await gs.http.get("/gainsight/_doppelgate/objects/Race__gc", headers=gs.headers)
    names = {f["fieldName"] for f in r.json()["data"]["fields"]}
    assert {f"F{i}__gc" for i in range(10)} <= names
    assert len(await gs.query("Race__gc", select=["F1__gc"])) == 10


async def test_concurrent_updates_of_one_row(gs: Gainsight) -> None:
    await gs.insert("Company", {"Name": "A"})
    fields = ["Employees", "LifecycleInWeeks", "Users", "CurrentScore", "Trend"]
    await asyncio.gather(*(gs.update("Company", "Name", {"Name": "A", f: 7}) for f in fields))
    [row] = await gs.query("Company", select=fields)
    assert row == dict.fromkeys(fields, 7)
