"""Read (spec §3): select, tolower(), __gr paths, every operator per type, expression,
orderBy, limit and offset."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Gainsight, where

FIELDS: dict[str, Any] = {
    "Name": {"dataType": "STRING", "nillable": False},
    "N__gc": "NUMBER",
    "B__gc": "BOOLEAN",
    "D__gc": "DATE",
    "T__gc": "DATETIME",
    "E__gc": "EMAIL",
    "P__gc": {"dataType": "PICKLIST", "items": ["New Customer", "Kicked Off", "Launched"]},
    "M__gc": {"dataType": "MULTISELECTDROPDOWNLIST", "items": ["A", "B", "C"]},
    "C__gc": "CURRENCY",
    "Pct__gc": "PERCENTAGE",
    "Company_ID__gc": {"dataType": "LOOKUP", "lookupObject": "Company"},
    "U__gc": "URL",
    "Sf__gc": "SFDCID",
    "R__gc": "RICHTEXTAREA",
    "G__gc": "GSID",
    "J__gc": "JSON",
}
ROWS: list[dict[str, Any]] = [
    {"Name": "alpha", "N__gc": 1, "B__gc": True, "D__gc": "2018-04-01",
     "T__gc": "2018-04-01T10:00:00Z", "E__gc": "a@x.io", "P__gc": "New Customer",
     "M__gc": ["A", "B"], "C__gc": 10, "Pct__gc": 5, "U__gc": "https://a.io/x",
     "Sf__gc": "0013000000abcDE", "R__gc": "<p>Hi</p>", "G__gc": "1P02" + "A" * 32,
     "J__gc": {"k": 1}},
    {"Name": "Beta", "N__gc": 2, "B__gc": False, "D__gc": "2018-04-23",
     "T__gc": "2018-04-23T10:00:00Z", "E__gc": "b@y.io", "P__gc": "Launched", "M__gc": ["C"],
     "C__gc": 20, "Pct__gc": 50},
    {"Name": "gamma", "N__gc": 3, "D__gc": "2018-05-01", "P__gc": "Kicked Off"},
    {"Name": "Delta"},
]  # fmt: skip


@pytest.fixture
async def data(gs: Gainsight) -> Gainsight:
    await gs.declare("Thing__gc", FIELDS)
    await gs.insert("Thing__gc", *ROWS)
    return gs


async def names(gs: Gainsight, *conditions: tuple[str, str, list[Any]], **kw: Any) -> list[str]:
    rows = await gs.query("Thing__gc", select=["Name"], where=where(*conditions, **kw))
    return [r["Name"] for r in rows]


OPERATOR_CASES = [
    # String
    ("Name", "EQ", ["alpha"], ["alpha"]),
    ("Name", "EQ", ["ALPHA"], []),  # EQ is case-sensitive
    ("Name", "NE", ["alpha"], ["Beta", "gamma", "Delta"]),
    ("Name", "GT", ["Delta"], ["alpha", "gamma"]),
    ("Name", "GTE", ["Delta"], ["alpha", "gamma", "Delta"]),
    ("Name", "LT", ["Delta"], ["Beta"]),
    ("Name", "LTE", ["Beta"], ["Beta"]),
    ("Name", "STARTS_WITH", ["B"], ["Beta"]),
    ("Name", "STARTS_WITH", ["b"], ["Beta"]),  # text operators ignore case
    ("Name", "ENDS_WITH", ["TA"], ["Beta", "Delta"]),
    ("Name", "CONTAINS", ["mm"], ["gamma"]),
    ("Name", "DOES_NOT_CONTAINS", ["a"], []),
    ("Name", "DOES_NOT_CONTAINS", ["ph"], ["Beta", "gamma", "Delta"]),
    ("Name", "IS_NOT_NULL", [], ["alpha", "Beta", "gamma", "Delta"]),
    ("Name", "IN", ["alpha", "Delta"], ["alpha", "Delta"]),
    # Email as String
    ("E__gc", "ENDS_WITH", ["@y.io"], ["Beta"]),
    ("E__gc", "NE", ["a@x.io"], ["Beta"]),  # NE never matches an empty field
    ("E__gc", "IS_NULL", [], ["gamma", "Delta"]),
    # Number
    ("N__gc", "EQ", [2], ["Beta"]),
    ("N__gc", "EQ", ["2"], ["Beta"]),
    ("N__gc", "NE", [2], ["alpha", "gamma"]),
    ("N__gc", "GT", [1], ["Beta", "gamma"]),
    ("N__gc", "GTE", [2], ["Beta", "gamma"]),
    ("N__gc", "LT", [3], ["alpha", "Beta"]),
    ("N__gc", "LTE", [1], ["alpha"]),
    ("N__gc", "IN", [1, 3], ["alpha", "gamma"]),
    ("N__gc", "NOT_IN", [1, 3], ["Beta"]),
    ("N__gc", "IS_NULL", [], ["Delta"]),
    ("N__gc", "IS_NOT_NULL", [], ["alpha", "Beta", "gamma"]),
    # Boolean
    ("B__gc", "EQ", [True], ["alpha"]),
    ("B__gc", "NE", [True], ["Beta"]),
    # Date
    ("D__gc", "EQ", ["2018-04-23"], ["Beta"]),
    ("D__gc", "NE", ["2018-04-23"], ["alpha", "gamma"]),
    ("D__gc", "GT", ["04-01-2018"], ["Beta", "gamma"]),
    ("D__gc", "GTE", ["2018-04-23"], ["Beta", "gamma"]),
    ("D__gc", "LT", ["2018-04-23"], ["alpha"]),
    ("D__gc", "LTE", ["2018-04-23"], ["alpha", "Beta"]),
    ("D__gc", "BTW", ["2018-04-01", "2018-04-23"], ["alpha", "Beta"]),  # inclusive
    ("D__gc", "IS_NULL", [], ["Delta"]),
    ("D__gc", "IS_NOT_NULL", [], ["alpha", "Beta", "gamma"]),
    # DateTime
    ("T__gc", "EQ", ["2018-04-01T10:00:00.000+0000"], ["alpha"]),
    ("T__gc", "GT", ["2018-04-01T10:00:00Z"], ["Beta"]),
    ("T__gc", "GTE", ["2018-04-01 10:00:00"], ["alpha", "Beta"]),
    ("T__gc", "LT", ["2018-04-23T03:00:00.000-07:00"], ["alpha"]),
    ("T__gc", "LTE", ["2018-04-23T03:00:00.000-07:00"], ["alpha", "Beta"]),
    ("T__gc", "NE", ["2018-04-01T10:00:00Z"], ["Beta"]),
    ("T__gc", "BTW", ["2018-04-01", "2018-04-02"], ["alpha"]),
    ("T__gc", "IS_NULL", [], ["gamma", "Delta"]),
    ("T__gc", "IS_NOT_NULL", [], ["alpha", "Beta"]),
    # Dropdown: labels and GSIDs
    ("P__gc", "EQ", ["Launched"], ["Beta"]),
    ("P__gc", "NE", ["Launched"], ["alpha", "gamma"]),
    ("P__gc", "IN", ["New Customer", "Kicked Off", "Launched"], ["alpha", "Beta", "gamma"]),
    ("P__gc", "INCLUDES", ["Launched"], ["Beta"]),
    ("P__gc", "EXCLUDES", ["Launched"], ["alpha", "gamma"]),
    ("P__gc", "STARTS_WITH", ["kick"], ["gamma"]),
    ("P__gc", "CONTAINS", ["customer"], ["alpha"]),
    ("P__gc", "DOES_NOT_CONTAINS", ["customer"], ["Beta", "gamma"]),
    ("P__gc", "IS_NULL", [], ["Delta"]),
    ("P__gc", "IS_NOT_NULL", [], ["alpha", "Beta", "gamma"]),
    # Multi-select: any overlap / no overlap
    ("M__gc", "INCLUDES", ["B", "C"], ["alpha", "Beta"]),
    ("M__gc", "INCLUDES", ["A"], ["alpha"]),
    ("M__gc", "EXCLUDES", ["A"], ["Beta"]),
    ("M__gc", "IS_NULL", [], ["gamma", "Delta"]),
    ("M__gc", "IS_NOT_NULL", [], ["alpha", "Beta"]),
    # Currency and Percentage
    ("C__gc", "EQ", [10], ["alpha"]),
    ("C__gc", "NE", [10], ["Beta"]),
    ("C__gc", "GT", [10], ["Beta"]),
    ("C__gc", "GTE", [10], ["alpha", "Beta"]),
    ("C__gc", "LT", [20], ["alpha"]),
    ("C__gc", "LTE", [20], ["alpha", "Beta"]),
    ("C__gc", "IS_NULL", [], ["gamma", "Delta"]),
    ("Pct__gc", "GT", [5], ["Beta"]),
    ("Pct__gc", "IS_NOT_NULL", [], ["alpha", "Beta"]),
    # URL, SFDC Id, Rich text, GSID: as String; JSON: null tests only
    ("U__gc", "STARTS_WITH", ["HTTPS://A"], ["alpha"]),
    ("U__gc", "EQ", ["https://a.io/x"], ["alpha"]),
    ("Sf__gc", "ENDS_WITH", ["cde"], ["alpha"]),
    ("Sf__gc", "IS_NULL", [], ["Beta", "gamma", "Delta"]),
    ("R__gc", "CONTAINS", ["<p>"], ["alpha"]),
    ("G__gc", "STARTS_WITH", ["1P02"], ["alpha"]),
    ("G__gc", "IN", ["1P02" + "A" * 32], ["alpha"]),
    ("G__gc", "NOT_IN", ["1P02" + "A" * 32], []),
    ("J__gc", "IS_NOT_NULL", [], ["alpha"]),
    ("Company_ID__gc", "IS_NULL", [], ["alpha", "Beta", "gamma", "Delta"]),
    # system fields
    ("Gsid", "IS_NOT_NULL", [], ["alpha", "Beta", "gamma", "Delta"]),
    ("CreatedDate", "GT", ["2000-01-01"], ["alpha", "Beta", "gamma", "Delta"]),
]


@pytest.mark.parametrize(("field", "op", "values", "expected"), OPERATOR_CASES)
async def test_operator(
    data: Gainsight, field: str, op: str, values: list[Any], expected: list[str]
) -> None:
    assert await names(data, (field, op, values)) == expected


@pytest.mark.parametrize(
    ("field", "op", "values"),
    [
        ("B__gc", "GT", [True]),
        ("B__gc", "IS_NULL", []),
        ("N__gc", "CONTAINS", ["1"]),
        ("M__gc", "EQ", ["A"]),
        ("C__gc", "IN", [1]),
        ("D__gc", "CONTAINS", ["2018"]),
        ("P__gc", "GT", ["A"]),
        ("Name", "BTW", ["a", "b"]),
        ("Name", "LIKE", ["a"]),
        ("D__gc", "BTW", ["2018-04-01"]),
        ("Name", "EQ", []),
        ("J__gc", "EQ", [{"k": 1}]),
        ("Name", None, ["x"]),
    ],
)
async def test_operator_rejected(data: Gainsight, field: str, op: str, values: list[Any]) -> None:
    body = {"select": ["Name"], "where": where((field, op, values))}
    await data.error("POST", "/query/Thing__gc", body, "GSOBJ_1002")


async def test_bad_condition_values(data: Gainsight) -> None:
    body = {"select": ["Name"], "where": where(("D__gc", "EQ", ["nope"]))}
    env = await data.error("POST", "/query/Thing__gc", body, "GSOBJ_1006")
    assert env["errorDesc"] == "Invalid dateTime format (D__gc = nope)."
    body = {"select": ["Name"], "where": where(("N__gc", "EQ", ["x"]))}
    await data.error("POST", "/query/Thing__gc", body, "GSOBJ_1008")


async def test_expression(data: Gainsight) -> None:
    a, b, c = ("N__gc", "EQ", [1]), ("N__gc", "EQ", [2]), ("Name", "STARTS_WITH", ["a"])
    assert await names(data, a, b, c, expression="(A OR B) AND C") == ["alpha"]
    assert await names(data, a, b, c, expression="A OR B AND C") == ["alpha"]
    assert await names(data, a, b, c, expression="a or b".replace("a", "A").replace("b", "B")) == [
        "alpha",
        "Beta",
    ]
    assert await names(data, a, b, c, expression="A or (B and not_c)".replace("not_c", "C")) == [
        "alpha"
    ]
    assert await names(data, a, c) == ["alpha"]  # no expression: AND of all
    for bad in ("A AND D", "(A OR B", "A OR", "A B", "A && B"):
        body = {"select": ["Name"], "where": where(a, b, expression=bad)}
        await data.error("POST", "/query/Thing__gc", body, "GSOBJ_1002")


async def test_select_keys_and_nulls(data: Gainsight) -> None:
    rows = await data.query(
        "Thing__gc", select=["name", "tolower(Name)", "N__gc", "Company_ID__gr.Name", "Gsid"]
    )
    assert rows[0]["name"] == "alpha" and rows[1]["tolower(Name)"] == "beta"
    assert rows[3]["N__gc"] is None and rows[0]["Company_ID__gr.Name"] is None
    assert list(rows[0]) == ["name", "tolower(Name)", "N__gc", "Company_ID__gr.Name", "Gsid"]


@pytest.mark.parametrize(
    "select",
    [[], ["Nope"], ["Nope__gr.Name"], ["Name__gr.Name"], ["tolower(N__gc)"], ["Company_ID__gr.x"]],
)
async def test_select_rejected(data: Gainsight, select: list[str]) -> None:
    await data.error("POST", "/query/Thing__gc", {"select": select}, "GSOBJ_1002")


async def test_bad_query_bodies(data: Gainsight) -> None:
    for body in (None, {}, {"select": "Name"}, {"select": ["Name"], "orderBy": {"Name": "up"}}):
        await data.error("POST", "/query/Thing__gc", body, "GSOBJ_1002")
    await data.error("POST", "/query/Thing__gc", {"select": ["Name"], "offset": -1}, "GSOBJ_1002")


async def test_order_by(data: Gainsight) -> None:
    async def order(spec: dict[str, str]) -> list[str]:
        rows = await data.query("Thing__gc", select=["Name"], orderBy=spec)
        return [r["Name"] for r in rows]

    assert await order({"Name": "asc"}) == ["Beta", "Delta", "alpha", "gamma"]  # case-sensitive
    assert await order({"tolower(Name)": "asc"}) == ["alpha", "Beta", "Delta", "gamma"]
    assert await order({"tolower(Name)": "DESC"}) == ["gamma", "Delta", "Beta", "alpha"]
    assert await order({"N__gc": "asc"}) == ["alpha", "Beta", "gamma", "Delta"]  # nulls last
    assert await order({"N__gc": "desc"}) == ["Delta", "gamma", "Beta", "alpha"]  # nulls first
    assert await order({"B__gc": "asc", "Name": "desc"}) == ["Beta", "alpha", "gamma", "Delta"]
    assert await order({}) == ["alpha", "Beta", "gamma", "Delta"]  # insertion order


async def test_limit_offset(data: Gainsight) -> None:
    async def page(**kw: Any) -> list[str]:
        rows = await data.query("Thing__gc", select=["Name"], **kw)
        return [r["Name"] for r in rows]

    assert await page(limit=2, offset=0) == ["alpha", "Beta"]
    assert await page(limit=2, offset=2) == ["gamma", "Delta"]  # 0-based
    assert await page(limit=2, offset=4) == []
    assert await page(limit=1, offset=1, orderBy={"Name": "desc"}) == ["alpha"]
    assert len(await page(limit=999_999)) == 4  # clamped to 5000


async def test_limit_is_5000(gs: Gainsight) -> None:
    for i in range(101):
        await gs.insert("Bulk__gc", *[{"I__gc": i * 50 + j} for j in range(50)])
    rows = await gs.query("Bulk__gc", select=["I__gc"], limit=10_000)
    assert len(rows) == 5000 and rows[-1] == {"I__gc": 4999}
    rows = await gs.query("Bulk__gc", select=["I__gc"], offset=5000)
    assert rows == [{"I__gc": i} for i in range(5000, 5050)]


async def test_no_match_and_unknown_object(data: Gainsight) -> None:
    data_ = await data.ok("POST", "/query/Thing__gc", {"select": ["Name"], "where": where(
        ("Name", "EQ", ["zzz"]))})  # fmt: skip
    assert data_ == {"records": []}
    assert await data.query("Never__gc", select=["Name"]) == []
