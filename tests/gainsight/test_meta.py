"""The object list and describe endpoints readers call first (spec §1.7)."""

from __future__ import annotations

from typing import Any

from .helpers import Gainsight


async def test_object_list(gs_factory: Any) -> None:
    gs = gs_factory({"objects": {"Big__gc": {"transactional": False}}})
    await gs.insert("Ticket__gc", {"Name": "t"})
    r = await gs.http.get("/gainsight/v1/meta/services/objects/list", headers=gs.headers)
    assert r.status_code == 200
    entries = {e["objectName"]: e for e in r.json()["data"]}
    assert set(entries) == {"Company", "gsuser", "record_delete_log", "Big__gc", "Ticket__gc"}
    assert entries["Company"]["objectType"] == "STANDARD"
    assert entries["Company"]["keyPrefix"].startswith("1P02")
    assert entries["Company"]["transactional"] is False  # as the vendor lists it
    assert entries["Ticket__gc"]["transactional"] is True
    assert entries["Big__gc"]["transactional"] is False
    [row] = await gs.insert("Ticket__gc", {"Name": "u"})
    assert row["Gsid"][:18] == entries["Ticket__gc"]["keyPrefix"]


async def test_describe(gs: Gainsight) -> None:
    r = await gs.http.get(
        "/gainsight/v1/meta/services/objects/company/describe?idd=true", headers=gs.headers
    )
    [company] = r.json()["data"]
    fields = {f["fieldName"]: f for f in company["fields"]}
    assert fields["Gsid"]["meta"]["fieldGroupType"] == "SYSTEM"
    assert fields["Gsid"]["meta"]["length"] == 220 and fields["Gsid"]["meta"]["readOnly"]
    assert fields["Name"]["meta"]["nillable"] is False and fields["Name"]["meta"]["nameField"]
    assert fields["Csm"]["meta"]["lookupDetail"]["lookupName"] == "Csm__gr"
    assert fields["Csm"]["meta"]["lookupDetail"]["lookupObjects"][0]["objectName"] == "gsuser"
    options = fields["Stage"]["options"]
    assert options[0]["label"] == "New Customer" and options[0]["value"].startswith("1I00")
    [row] = await gs.insert("Company", {"Name": "A", "Stage": "New Customer"})
    assert row["Stage"] == options[0]["value"]


async def test_describe_many_and_unknown(gs: Gainsight) -> None:
    url = "/gainsight/v1/meta/services/objects/describe"
    r = await gs.http.post(url, headers=gs.headers, json={"objectNames": ["gsuser", "Company"]})
    assert [o["objectName"] for o in r.json()["data"]] == ["gsuser", "Company"]
    r = await gs.http.post(url, headers=gs.headers, json={"objectNames": ["nope__gc"]})
    assert r.status_code == 404
    body = r.json()
    assert body["result"] is False and body["title"] == "OBJECT_NOT_FOUND"
    assert body["errorDesc"] == "Requested object not found."
    r = await gs.http.post(url, headers=gs.headers, json={"nope": 1})
    assert r.status_code == 400 and r.json()["errorCode"] == "GSOBJ_1002"
