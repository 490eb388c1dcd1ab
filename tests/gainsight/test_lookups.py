"""Import lookups (spec §4) and `__gr` lookup paths in reads (spec §3)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Gainsight, field_failure, where


def csm_lookup(**options: Any) -> dict[str, Any]:
    return {
        "Csm": {
            "objectName": "GsUser",  # case-insensitive (spec §4)
            "lookupField": "Gsid",
            "fields": {"CSMFirstName": "FirstName", "CSMLastName": "LastName"},
            **options,
        }
    }


@pytest.fixture
async def users(gs: Gainsight) -> list[dict[str, Any]]:
    return await gs.insert(
        "gsuser",
        {"FirstName": "Paul", "LastName": "Johnson", "Name": "Paul Johnson", "Email": "p@x.io"},
        {"FirstName": "John", "LastName": "Nyumbu", "Name": "John Nyumbu", "Email": "j@x.io"},
        {"FirstName": "John", "LastName": "Nyumbu", "Name": "John Nyumbu 2"},
    )


async def test_match_and_first_match(gs: Gainsight, users: Any) -> None:
    rows = await gs.insert(
        "Company",
        {"Name": "A", "CSMFirstName": "Paul", "CSMLastName": "Johnson"},
        {"Name": "B", "CSMFirstName": "John", "CSMLastName": "Nyumbu"},
        lookups=csm_lookup(),
    )
    assert rows[0]["Csm"] == users[0]["Gsid"]
    assert rows[1]["Csm"] == users[1]["Gsid"]  # FIRSTMATCH: the earliest-created row


async def test_on_no_match(gs: Gainsight, users: Any) -> None:
    record = {"Name": "A", "CSMFirstName": "No", "CSMLastName": "Body", "Csm": users[0]["Gsid"]}
    [row] = await gs.insert("Company", record, lookups=csm_lookup(onNoMatch="NULLABLE"))
    assert row["Csm"] is None  # the lookup wins over the direct value
    body = {"records": [record], "lookups": csm_lookup(onNoMatch="ERROR")}
    env = await gs.error("POST", "/Company", body, "GSOBJ_1008")
    field_failure(env, "GSOBJ_1008", "Csm", None)
    assert env["errorDesc"] == "No match found for lookup (Csm = null)."


async def test_default_value(gs_factory: Any) -> None:
    default = "1P01AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    csm = {"dataType": "LOOKUP", "lookupObject": "gsuser", "defaultValue": default}
    gs = gs_factory({"objects": {"Company": {"fields": {"Csm": csm}}}})
    record = {"Name": "A", "CSMFirstName": "No", "CSMLastName": "Body"}
    [row] = await gs.insert("Company", record, lookups=csm_lookup(onNoMatch="DEFAULTVALUE"))
    assert row["Csm"] == default


async def test_multi_match(gs: Gainsight, users: Any) -> None:
    record = {"Name": "A", "CSMFirstName": "John", "CSMLastName": "Nyumbu"}
    body = {"records": [record], "lookups": csm_lookup(multiMatchOption="MARKASERROR")}
    env = await gs.error("POST", "/Company", body, "GSOBJ_1008")
    assert env["errorDesc"] == "Multiple matches found for lookup (Csm = null)."
    assert await gs.query("Company", select=["Name"]) == []


async def test_self_lookup_and_update(gs: Gainsight) -> None:
    [parent] = await gs.insert("Company", {"Name": "Parent"})
    lookups = {"ParentCompany": {"objectName": "Company", "fields": {"ParentName": "Name"}}}
    [child] = await gs.insert("Company", {"Name": "Child", "ParentName": "Parent"}, lookups=lookups)
    assert child["ParentCompany"] == parent["Gsid"]
    data = await gs.update(
        "Company", "Name", {"Name": "Child", "ParentName": "Nope"}, lookups=lookups
    )
    assert data["records"][0]["ParentCompany"] is None


@pytest.mark.parametrize(
    "lookups",
    [
        {"Name": {"objectName": "gsuser", "fields": {"F": "FirstName"}}},  # not a GSID field
        {"Csm": {"objectName": "Nope__gc", "fields": {"F": "FirstName"}}},
        {"Csm": {"objectName": "gsuser", "fields": {"F": "Nope"}}},
        {"Csm": {"objectName": "gsuser", "fields": {"F": "FirstName"}, "lookupField": "Nope"}},
        {"Csm": {"objectName": "gsuser", "fields": {"F": "FirstName"}, "onNoMatch": "SKIP"}},
    ],
)
async def test_bad_lookup_config(gs: Gainsight, lookups: Any) -> None:
    body = {"records": [{"Name": "A", "F": "x"}], "lookups": lookups}
    await gs.error("POST", "/Company", body, "GSOBJ_1002")


@pytest.fixture
async def chain(gs: Gainsight, users: Any) -> Gainsight:
    """Thing__gc -> Company (Company_ID__gc) -> gsuser (Csm): the doc's two-hop sample."""
    companies = await gs.insert(
        "Company",
        {"Name": "Gainsight", "Csm": users[1]["Gsid"], "Stage": "Launched"},
        {"Name": "Acme", "Csm": users[0]["Gsid"], "Stage": "New Customer"},
        {"Name": "Orphan"},
    )
    await gs.declare(
        "Thing__gc",
        {
            "Company_Name__gc": "STRING",
            "Company_ID__gc": {"dataType": "LOOKUP", "lookupObject": "Company"},
        },
    )
    await gs.insert(
        "Thing__gc",
        {"Company_Name__gc": "Gainsight", "Company_ID__gc": companies[0]["Gsid"]},
        {"Company_Name__gc": "Acme", "Company_ID__gc": companies[1]["Gsid"]},
        {"Company_Name__gc": "Orphan", "Company_ID__gc": companies[2]["Gsid"]},
        {"Company_Name__gc": "None"},
    )
    return gs


async def test_doc_read_sample(chain: Gainsight) -> None:
    rows = await chain.query(
        "Thing__gc",
        select=["Company_Name__gc", "Company_ID__gr.csm__gr.name"],
        where=where(
            ("Company_Name__gc", "EQ", ["Gainsight"]),
            ("Company_ID__gr.csm__gr.name", "CONTAINS", ["John"]),
            expression="A AND B",
        ),
        orderBy={"Company_Name__gc": "asc", "Company_ID__gr.csm__gr.name": "desc"},
        limit=100,
        offset=0,
    )
    assert rows == [{"Company_Name__gc": "Gainsight", "Company_ID__gr.csm__gr.name": "John Nyumbu"}]


async def test_lookup_path_conditions(chain: Gainsight) -> None:
    async def names(*conds: Any, **kw: Any) -> list[str]:
        rows = await chain.query(
            "Thing__gc", select=["Company_Name__gc"], where=where(*conds, **kw)
        )
        return [r["Company_Name__gc"] for r in rows]

    assert await names(("Company_ID__gr.stage", "IN", ["New Customer", "Launched"])) == [
        "Gainsight",
        "Acme",
    ]
    assert await names(("Company_ID__gr.Csm__gr.Email", "IS_NULL", [])) == ["Orphan", "None"]
    assert await names(("Company_ID__gr.Csm", "IS_NOT_NULL", [])) == ["Gainsight", "Acme"]
    assert await names(("Company_ID__gr.Name", "NE", ["Acme"])) == ["Gainsight", "Orphan"]


async def test_lookup_path_select_and_order(chain: Gainsight) -> None:
    rows = await chain.query(
        "Thing__gc",
        select=[
            "Company_Name__gc",
            "Company_ID__gr.Csm__gr.FirstName",
            "tolower(Company_ID__gr.Name)",
        ],
        orderBy={"Company_ID__gr.Csm__gr.FirstName": "asc"},
    )
    assert [r["Company_ID__gr.Csm__gr.FirstName"] for r in rows] == ["John", "Paul", None, None]
    assert rows[0]["tolower(Company_ID__gr.Name)"] == "gainsight"
    assert rows[3]["tolower(Company_ID__gr.Name)"] is None
