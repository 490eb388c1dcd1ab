"""Update by keys (spec §1.3), delete by GSID (spec §1.5) and get by GSID (spec §1.7)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import GSID, Gainsight, field_failure, where


@pytest.fixture
async def companies(gs: Gainsight) -> list[dict[str, Any]]:
    return await gs.insert(
        "Company",
        {"Name": "Gainsight, Inc.", "Employees": 12, "Industry": "SaaS"},
        {"Name": "Verizon", "Employees": 22, "Industry": "Telco"},
        {"Name": "Verizon", "Employees": 22, "Industry": "Telco 2"},
    )


async def test_update_partial_full_rows(gs: Gainsight, companies: Any) -> None:
    data = await gs.update(
        "Company",
        "Name,Employees",
        {"Name": "Gainsight, Inc.", "Employees": 12, "Stage": "Launched"},
    )
    assert data["count"] == 1 and data["errors"] is None
    [row] = data["records"]
    assert row["Gsid"] == companies[0]["Gsid"]
    assert row["Industry"] == "SaaS"  # absent fields keep their values
    assert row["Stage"].startswith("1I00") and row["ARR"] is None  # every field, null if empty
    assert row["ModifiedDate"] >= row["CreatedDate"]


async def test_update_many_rows_and_clear(gs: Gainsight, companies: Any) -> None:
    data = await gs.update("Company", "Name", {"Name": "Verizon", "Industry": None})
    assert data["count"] == 2
    assert {r["Gsid"] for r in data["records"]} == {c["Gsid"] for c in companies[1:]}
    assert all(r["Industry"] is None for r in data["records"])
    rows = await gs.query(
        "Company",
        select=["Name"],
        where=where(("Industry", "IS_NULL", [])),
    )
    assert rows == [{"Name": "Verizon"}, {"Name": "Verizon"}]


async def test_update_by_gsid_and_case_insensitive_key(gs: Gainsight, companies: Any) -> None:
    gsid = companies[0]["Gsid"]
    data = await gs.update("Company", "Gsid", {"Gsid": gsid, "Employees": 1})
    assert data["records"][0]["Employees"] == 1
    data = await gs.update("Company", "name", {"Name": "Gainsight, Inc.", "Employees": 2})
    assert data["records"][0]["Employees"] == 2


async def test_update_no_match_writes_nothing(gs: Gainsight, companies: Any) -> None:
    body = {"records": [{"Name": "Verizon", "Employees": 5}, {"Name": "Nope", "Employees": 5}]}
    env = await gs.error("PUT", "/Company?keys=Name", body, "GSOBJ_1011")
    assert env["errorDesc"] == (
        "No entity matches the given criteria, please re-check your request"
    )
    rows = await gs.query("Company", select=["Employees"], where={"conditions": [
        {"name": "Name", "alias": "A", "value": ["Verizon"], "operator": "EQ"}]})  # fmt: skip
    assert rows == [{"Employees": 22}, {"Employees": 22}]


@pytest.mark.parametrize(
    "keys",
    ["", "Name,Employees,Industry,BillingAddress", "Nope", "Stage", "RenewalDate", "ARR"],
)
async def test_update_key_rules(gs: Gainsight, companies: Any, keys: str) -> None:
    body = {"records": [{"Name": "Verizon"}]}
    await gs.error("PUT", f"/Company?keys={keys}", body, "GSOBJ_1002")


async def test_update_record_missing_key(gs: Gainsight, companies: Any) -> None:
    env = await gs.error("PUT", "/Company?keys=Name", {"records": [{"Employees": 1}]}, "GSOBJ_1007")
    field_failure(env, "GSOBJ_1007", "Name", None)


async def test_update_validation_all_or_nothing(gs: Gainsight, companies: Any) -> None:
    body = {"records": [
        {"Name": "Verizon", "Employees": 1},
        {"Name": "Gainsight, Inc.", "OriginalContractDate": 7809},
    ]}  # fmt: skip
    env = await gs.error("PUT", "/Company?keys=Name", body, "GSOBJ_1006")
    assert env["errorDesc"] == "Invalid dateTime format (OriginalContractDate = 7809)."
    field_failure(env, "GSOBJ_1006", "OriginalContractDate", 7809)
    rows = await gs.query("Company", select=["Employees"])
    assert [r["Employees"] for r in rows] == [12, 22, 22]


async def test_update_limits_and_unknown_object(gs: Gainsight, companies: Any) -> None:
    many = {"records": [{"Name": "Verizon"}] * 51}
    await gs.error("PUT", "/Company?keys=Name", many, "GSOBJ_1002")
    await gs.error("PUT", "/Never__gc?keys=Name", {"records": [{"Name": "x"}]}, "GSOBJ_1011")


async def test_delete(gs: Gainsight, companies: Any) -> None:
    gsid = companies[0]["Gsid"]
    data = await gs.ok("DELETE", f"/Company/{gsid}")
    assert data == "Delete process initiated for 1 records."
    assert len(await gs.query("Company", select=["Name"])) == 2  # invisible at once
    await gs.error("DELETE", f"/Company/{gsid}", None, "GSOBJ_1004")  # already gone


@pytest.mark.parametrize("path", ["/Company/", "/Company", "/Company/%20", "/Company/abc"])
async def test_delete_invalid_gsid(gs: Gainsight, path: str) -> None:
    env = await gs.error("DELETE", path, None, "GSOBJ_1004")
    assert env["errorDesc"] == (
        "Either the Gainsight ID is invalid or missing, please re-check your request."
    )


async def test_get_by_gsid(gs: Gainsight, companies: Any) -> None:
    gsid = companies[1]["Gsid"]
    data = await gs.ok("GET", f"/Company/{gsid}")
    [row] = data["records"]
    assert row["Gsid"] == gsid and row["Name"] == "Verizon" and GSID.match(row["CreatedBy"])
    await gs.error("GET", "/Company/" + "0" * 36, None, "GSOBJ_1004")


async def test_record_delete_log(gs: Gainsight, companies: Any) -> None:
    gsid = companies[0]["Gsid"]
    await gs.ok("DELETE", f"/Company/{gsid}")
    rows = await gs.query(
        "record_delete_log",
        select=["RecordId", "ObjectName", "DeletedOn"],
        where=where(("ObjectName", "EQ", ["Company"])),
    )
    assert [(r["RecordId"], r["ObjectName"]) for r in rows] == [(gsid, "Company")]
    assert rows[0]["DeletedOn"].endswith("Z")  # ISO on Read (spec §2.2)
    body = {"records": [{"RecordId": gsid}]}
    await gs.error("POST", "/record_delete_log", body, "GSOBJ_1023")
