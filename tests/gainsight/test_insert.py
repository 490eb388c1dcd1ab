"""Insert (spec §1.2): records in request order, all-or-nothing, first failure only."""

from __future__ import annotations

from typing import Any

from .helpers import GSID, Gainsight, field_failure


async def test_insert_company_doc_sample(gs: Gainsight) -> None:
    users = await gs.insert(
        "gsuser",
        {"FirstName": "Paul", "LastName": "Johnson", "Name": "Paul Johnson"},
        {"FirstName": "Rohan", "LastName": "Sharma", "Name": "Rohan Sharma"},
    )
    records = await gs.insert(
        "Company",
        {"CSMLastName": "Johnson", "CSMFirstName": "Paul", "Name": "Gainsight, Inc.",
         "Status": "Active", "LifecycleInWeeks": 23, "Employees": 12},
        {"CSMLastName": "Sharma", "CSMFirstName": "Rohan", "Name": "Verizon",
         "Stage": "New Customer", "LifecycleInWeeks": 13, "Employees": 22},
        {"CSMLastName": "Nobody", "CSMFirstName": "X", "Name": "ACME Corp.", "Employees": 290},
        lookups={"Csm": {"isLookup": True, "objectName": "gsuser", "lookupField": "Gsid",
                         "fields": {"CSMFirstName": "FirstName", "CSMLastName": "LastName"},
                         "onNoMatch": "NULLABLE", "multiMatchOption": "FIRSTMATCH"}},
    )  # fmt: skip
    assert [r["Name"] for r in records] == ["Gainsight, Inc.", "Verizon", "ACME Corp."]
    first = records[0]
    assert GSID.match(first["Gsid"]) and first["Gsid"].startswith("1P02")
    assert first["Status"].startswith("1I00") and len(first["Status"]) == 36
    assert first["Csm"] == users[0]["Gsid"] and records[1]["Csm"] == users[1]["Gsid"]
    assert records[2]["Csm"] is None
    assert "CSMFirstName" not in first  # consumed by the lookup (spec §1.2)
    assert isinstance(first["CreatedDate"], int) and first["CreatedDate"] > 1_500_000_000_000
    assert first["ModifiedDate"] == first["CreatedDate"]
    assert first["LifecycleInWeeks"] == 23 and first["Employees"] == 12
    assert {r["Gsid"][:18] for r in records} == {first["Gsid"][:18]}  # one object key prefix


async def test_all_or_nothing(gs: Gainsight) -> None:
    rows = [{"Name": f"C{i}", "Stage": "New Customer"} for i in range(5)]
    rows[3]["Stage"] = "xyz"
    env = await gs.error("POST", "/Company", {"records": rows}, "GSOBJ_1012")
    assert env["errorDesc"] == "Invalid/Inactive value provided for picklist. (Stage = xyz)."
    field_failure(env, "GSOBJ_1012", "Stage", ["xyz"])
    assert await gs.query("Company", select=["Name"]) == []


async def test_first_failure_only(gs: Gainsight) -> None:
    rows: list[dict[str, Any]] = [
        {"Name": "A", "Employees": "many", "OriginalContractDate": "bad"},
        {"Name": "B", "RenewalDate": "worse"},
    ]
    env = await gs.error("POST", "/Company", {"records": rows}, "GSOBJ_1008")
    field_failure(env, "GSOBJ_1008", "Employees", "many")


async def test_doc_failure_sample_datetime(gs: Gainsight) -> None:
    await gs.declare("Sample__gc", {"DateTime__gc": "DATETIME"})
    env = await gs.error(
        "POST", "/Sample__gc", {"records": [{"DateTime__gc": "XYZ Inc."}]}, "GSOBJ_1005"
    )
    assert env["errorDesc"] == "Invalid dateTime format (DateTime__gc = XYZ Inc.)."
    assert env["data"] == {
        "count": 0,
        "errors": [[{"success": False, "parsedValue": "XYZ Inc.", "errors": [
            {"errorMessage": "Invalid dateTime format", "errorCode": "GSOBJ_1005",
             "fieldName": "DateTime__gc", "invalidValue": "XYZ Inc."}]}]],
        "records": None,
    }  # fmt: skip


async def test_records_limits(gs: Gainsight) -> None:
    await gs.error("POST", "/Company", {"records": []}, "GSOBJ_1002")
    many = [{"Name": f"C{i}"} for i in range(51)]
    await gs.error("POST", "/Company", {"records": many}, "GSOBJ_1002")
    assert len(await gs.insert("Company", *many[:50])) == 50


async def test_bad_bodies(gs: Gainsight) -> None:
    for body in (None, {}, {"records": "x"}, {"records": [1]}, [1]):
        await gs.error("POST", "/Company", body, "GSOBJ_1002")
    r = await gs.raw("POST", "/Company", content=b"{not json", headers={"content-type": "json"})
    assert r.status_code == 400 and r.json()["errorCode"] == "GSOBJ_1002"


async def test_unknown_field_and_nillable(gs: Gainsight) -> None:
    env = await gs.error("POST", "/Company", {"records": [{"Name": "A", "Nope": 1}]}, "GSOBJ_1002")
    field_failure(env, "GSOBJ_1002", "Nope", 1)
    env = await gs.error("POST", "/Company", {"records": [{"Name": None}]}, "GSOBJ_1007")
    assert env["errorDesc"] == "Invalid field value (Name = null)."
    env = await gs.error("POST", "/Company", {"records": [{"Industry": "x"}]}, "GSOBJ_1007")
    field_failure(env, "GSOBJ_1007", "Name", None)


async def test_system_fields_ignored(gs: Gainsight) -> None:
    [row] = await gs.insert("Company", {"Name": "A", "Gsid": "X" * 36, "CreatedDate": 5})
    assert row["Gsid"] != "X" * 36 and row["CreatedDate"] != 5


async def test_object_names_case_insensitive(gs: Gainsight) -> None:
    await gs.insert("company", {"Name": "A"})
    await gs.insert("COMPANY", {"Name": "B"})
    assert len(await gs.query("Company", select=["Name"])) == 2


async def test_inferred_object(gs: Gainsight) -> None:
    [row] = await gs.insert(
        "Ticket__gc",
        {"Name": "t1", "Count__gc": 3, "Open__gc": True, "Due__gc": "2024-02-05",
         "At__gc": "2024-02-05T07:17:16Z", "Owner__gc": "a@b.co"},
    )  # fmt: skip
    assert row["Gsid"].startswith("1Z02") and row["Due__gc"] == 1707091200000
    assert row["At__gc"] == 1707117436000
    # the inferred types now validate later writes
    env = await gs.error("POST", "/ticket__gc", {"records": [{"Count__gc": "x"}]}, "GSOBJ_1008")
    field_failure(env, "GSOBJ_1008", "Count__gc", "x")
    await gs.insert("Ticket__gc", {"Name": "t2", "Extra__gc": "new field"})
    rows = await gs.query("Ticket__gc", select=["Name", "Extra__gc", "Due__gc"])
    assert rows == [
        {"Name": "t1", "Extra__gc": None, "Due__gc": "2024-02-05"},
        {"Name": "t2", "Extra__gc": "new field", "Due__gc": None},
    ]


async def test_infer_off_unknown_object(gs_factory: Any) -> None:
    gs = gs_factory({"infer_objects": False})
    await gs.error("POST", "/Ticket__gc", {"records": [{"Name": "x"}]}, "GSOBJ_1023")


async def test_high_volume_object(gs_factory: Any) -> None:
    gs = gs_factory({"objects": {"Big__gc": {"transactional": False, "fields": {"A": "STRING"}}}})
    await gs.error("POST", "/Big__gc", {"records": [{"A": "x"}]}, "GSOBJ_1023")
    await gs.error("POST", "/query/Big__gc", {"select": ["A"]}, "GSOBJ_1023")


async def test_store_refusal_writes_nothing(gs: Gainsight) -> None:
    rows = [{"J__gc": {"a": 1}}, {"J__gc": {"$where": 1}}]  # a key the store cannot hold
    env = await gs.error("POST", "/Blob__gc", {"records": rows}, "GSOBJ_1002")
    assert env["data"] is None
    assert await gs.query("Blob__gc", select=["J__gc"]) == []


async def test_inferred_lookup_target(gs: Gainsight) -> None:
    [company] = await gs.insert("Company", {"Name": "Acme"})
    lookups = {"Company_ID__gc": {"objectName": "Company", "fields": {"CompanyName": "Name"}}}
    [row] = await gs.insert("Deal__gc", {"Name": "d", "CompanyName": "Acme"}, lookups=lookups)
    assert row["Company_ID__gc"] == company["Gsid"] and "CompanyName" not in row
    body = {"records": [{"Name": "d"}], "lookups": {"bad name": lookups["Company_ID__gc"]}}
    await gs.error("POST", "/Deal__gc", body, "GSOBJ_1002")
