"""Every data type's input, validation error and stored form (spec §2, §2.1, §2.2)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Gainsight, field_failure

FIELDS: dict[str, Any] = {
    "S__gc": {"dataType": "STRING", "length": 5},
    "N__gc": {"dataType": "NUMBER", "decimalPlaces": 2},
    "B__gc": "BOOLEAN",
    "D__gc": "DATE",
    "T__gc": "DATETIME",
    "E__gc": "EMAIL",
    "G__gc": "GSID",
    "L__gc": {"dataType": "LOOKUP", "lookupObject": "Company"},
    "P__gc": {"dataType": "PICKLIST", "items": ["Red", {"label": "Old", "active": False}]},
    "M__gc": {"dataType": "MULTISELECTDROPDOWNLIST", "items": ["A", "B", "C"]},
    "C__gc": "CURRENCY",
    "Pct__gc": "PERCENTAGE",
    "R__gc": "RICHTEXTAREA",
    "U__gc": "URL",
    "Sf__gc": "SFDCID",
    "J__gc": "JSON",
}
GSID = "1P02MRXML1GRDV44YOYPEBMABN5JYVTAATP8"

VALID = [
    ("S__gc", "abc", "abc"),
    ("N__gc", 1.234, 1.23),
    ("N__gc", "42", 42),
    ("N__gc", 7, 7),
    ("B__gc", True, True),
    ("B__gc", "false", False),
    ("E__gc", "a@b.co", "a@b.co"),
    ("G__gc", GSID, GSID),
    ("L__gc", GSID, GSID),
    ("C__gc", 10.5, 10.5),
    ("Pct__gc", 55, 55),
    ("R__gc", "<b>" + "x" * 1000 + "</b>", "<b>" + "x" * 1000 + "</b>"),
    ("U__gc", "https://gainsight.com/x?y=1", "https://gainsight.com/x?y=1"),
    ("Sf__gc", "0013000000abcDE", "0013000000abcDE"),
    ("Sf__gc", "0013000000abcDEAAA", "0013000000abcDEAAA"),
    ("J__gc", {"a": [1, 2]}, {"a": [1, 2]}),
]

INVALID = [
    ("S__gc", "toolong", "GSOBJ_1001", "toolong"),
    ("N__gc", "abc", "GSOBJ_1008", "abc"),
    ("N__gc", True, "GSOBJ_1008", True),
    ("B__gc", "yes", "GSOBJ_1008", "yes"),
    ("D__gc", 7809, "GSOBJ_1006", 7809),
    ("D__gc", 210318, "GSOBJ_1006", 210318),
    ("D__gc", "XYZ Inc.", "GSOBJ_1006", "XYZ Inc."),
    ("D__gc", "31/12/2020", "GSOBJ_1006", "31/12/2020"),  # never day-first
    ("T__gc", "XYZ Inc.", "GSOBJ_1005", "XYZ Inc."),
    ("T__gc", "2020-13-01T00:00:00Z", "GSOBJ_1005", "2020-13-01T00:00:00Z"),
    ("E__gc", "not-an-email", "GSOBJ_1008", "not-an-email"),
    ("G__gc", "short", "GSOBJ_1008", "short"),
    ("L__gc", GSID.lower(), "GSOBJ_1008", GSID.lower()),
    ("P__gc", "Blue", "GSOBJ_1012", ["Blue"]),
    ("P__gc", "Old", "GSOBJ_1012", ["Old"]),  # inactive
    ("M__gc", ["A", "Z"], "GSOBJ_1012", ["A", "Z"]),
    ("C__gc", "lots", "GSOBJ_1008", "lots"),
    ("Pct__gc", "half", "GSOBJ_1008", "half"),
    ("U__gc", "not a url", "GSOBJ_1008", "not a url"),
    ("Sf__gc", "123", "GSOBJ_1008", "123"),
    ("J__gc", "text", "GSOBJ_1008", "text"),
]


@pytest.fixture
async def typed(gs: Gainsight) -> Gainsight:
    await gs.declare("Typed__gc", FIELDS)
    return gs


@pytest.mark.parametrize(("field", "value", "stored"), VALID)
async def test_valid_values(typed: Gainsight, field: str, value: Any, stored: Any) -> None:
    [row] = await typed.insert("Typed__gc", {field: value})
    assert row[field] == stored
    [read] = await typed.query("Typed__gc", select=[field])
    assert read[field] == stored


@pytest.mark.parametrize(("field", "value", "code", "invalid"), INVALID)
async def test_invalid_values(
    typed: Gainsight, field: str, value: Any, code: str, invalid: Any
) -> None:
    env = await typed.error("POST", "/Typed__gc", {"records": [{field: value}]}, code)
    field_failure(env, code, field, invalid)
    assert env["data"]["errors"][0][0]["parsedValue"] == value


async def test_error_texts(typed: Gainsight) -> None:
    env = await typed.error("POST", "/Typed__gc", {"records": [{"B__gc": "yes"}]}, "GSOBJ_1008")
    assert env["errorDesc"] == "Invalid Boolean Value: yes (B__gc = yes)."
    env = await typed.error("POST", "/Typed__gc", {"records": [{"Pct__gc": "x"}]}, "GSOBJ_1008")
    assert env["errorDesc"] == "Failed to parse value as percentage. (Pct__gc = x)."
    env = await typed.error("POST", "/Typed__gc", {"records": [{"D__gc": 7809}]}, "GSOBJ_1006")
    assert env["errorDesc"] == "Invalid dateTime format (D__gc = 7809)."
    env = await typed.error("POST", "/Typed__gc", {"records": [{"S__gc": "123456"}]}, "GSOBJ_1001")
    assert env["errorDesc"] == "Field exceeds maximum allowed length (S__gc = 123456)."


async def test_dropdowns_as_gsids(typed: Gainsight) -> None:
    [a] = await typed.insert("Typed__gc", {"P__gc": "red", "M__gc": ["A", "C"]})
    [b] = await typed.insert("Typed__gc", {"P__gc": a["P__gc"], "M__gc": "C;A"})
    assert a["P__gc"].startswith("1I00") and b["P__gc"] == a["P__gc"]
    assert a["M__gc"] == b["M__gc"] and len(a["M__gc"].split(";")) == 2
    described = await typed.declare("Typed__gc", FIELDS)
    items = next(f for f in described["fields"] if f["fieldName"] == "P__gc")["items"]
    assert items[0] == {"label": "Red", "value": a["P__gc"], "active": True}


DATES = [  # (input, stored epoch ms of the Date) (spec §2.1)
    ("2018-04-01", 1522540800000),
    ("04-01-2018", 1522540800000),
    ("04/01/2018", 1522540800000),
    ("2018/04/01", 1522540800000),
    ("2018-04-01T23:30:00.000-07:00", 1522540800000),  # a DateTime keeps its date part
    (1522540800000, 1522540800000),  # epoch ms [README]
]
DATETIMES = [
    ("2018-03-22T08:24:35.253+0000", 1521707075253),
    ("2022-07-01T06:36:00.000-07:00", 1656682560000),
    ("2024-02-05T07:17:16Z", 1707117436000),
    ("2024-02-05T07:17:16.123Z", 1707117436123),
    ("2024-02-05T07:17:16.123456+00:00", 1707117436123),
    ("2024-02-05 07:17:16", 1707117436000),
    ("2024-02-05", 1707091200000),
    (1707117436000, 1707117436000),
]


@pytest.mark.parametrize(("value", "ms"), DATES)
async def test_date_formats(typed: Gainsight, value: Any, ms: int) -> None:
    [row] = await typed.insert("Typed__gc", {"D__gc": value})
    assert row["D__gc"] == ms


@pytest.mark.parametrize(("value", "ms"), DATETIMES)
async def test_datetime_formats(typed: Gainsight, value: Any, ms: int) -> None:
    [row] = await typed.insert("Typed__gc", {"T__gc": value})
    assert row["T__gc"] == ms


async def test_time_zone_setting(gs_factory: Any) -> None:
    gs = gs_factory({"time_zone": "America/Los_Angeles"})
    await gs.declare("Z__gc", {"T__gc": "DATETIME", "D__gc": "DATE"})
    [row] = await gs.insert("Z__gc", {"T__gc": "2024-02-05 00:00:00", "D__gc": "2024-02-05"})
    assert row["T__gc"] == 1707120000000  # 08:00 UTC
    assert row["D__gc"] == 1707091200000  # dates have no zone


@pytest.mark.parametrize(
    ("setting", "read", "write"),
    [
        (None, "2024-02-05T07:17:16.000Z", 1707117436000),
        ("iso", "2024-02-05T07:17:16.000Z", "2024-02-05T07:17:16.000Z"),
        ("epoch_ms", 1707117436000, 1707117436000),
    ],
)
async def test_date_output(gs_factory: Any, setting: str | None, read: Any, write: Any) -> None:
    gs = gs_factory({"date_output": setting} if setting else {})
    await gs.declare("O__gc", {"T__gc": "DATETIME", "D__gc": "DATE"})
    [row] = await gs.insert("O__gc", {"T__gc": "2024-02-05T07:17:16Z", "D__gc": "2024-02-05"})
    assert row["T__gc"] == write
    [got] = await gs.query("O__gc", select=["T__gc", "D__gc", "CreatedDate"])
    assert got["T__gc"] == read
    assert got["D__gc"] == ("2024-02-05" if isinstance(read, str) else 1707091200000)
