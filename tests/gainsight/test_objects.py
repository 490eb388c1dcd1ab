"""Object schemas (spec §2, §5): config, the control plane (README) and inference."""

from __future__ import annotations

from typing import Any

import pytest
from doppelgate.dialects.gainsight.options import gainsight_options

from doppelgate.config import Settings

from .helpers import GSID, Gainsight


async def test_config_objects(gs_factory: Any) -> None:
    gs = gs_factory({"objects": {
        "Ticket__gc": {"fields": {"Name": {"dataType": "STRING", "nillable": False},
                                  "Stage__gc": {"dataType": "PICKLIST", "items": ["New"]}}},
        "Company": {"fields": {"Region__gc": "STRING"}},
    }})  # fmt: skip
    [row] = await gs.insert("ticket__gc", {"Name": "t", "Stage__gc": "New"})
    assert row["Gsid"].startswith("1Z02") and row["Stage__gc"].startswith("1I00")
    await gs.error("POST", "/Ticket__gc", {"records": [{"Name": "t", "X": 1}]}, "GSOBJ_1002")
    [company] = await gs.insert("Company", {"Name": "A", "Region__gc": "EU", "Employees": 3})
    assert company["Region__gc"] == "EU"  # declared fields add to the standard ones


async def test_control_plane(gs: Gainsight) -> None:
    described = await gs.declare("Plan__gc", {"Name": "STRING", "Due__gc": "DATE"})
    assert described["objectName"] == "Plan__gc" and described["inferred"] is False
    names = [f["fieldName"] for f in described["fields"]]
    assert names[:5] == ["Gsid", "CreatedDate", "ModifiedDate", "CreatedBy", "ModifiedBy"]
    assert names[5:] == ["Name", "Due__gc"]
    r = await gs.http.get("/gainsight/_doppelgate/objects/plan__gc", headers=gs.headers)
    assert r.json()["data"] == described
    r = await gs.http.get("/gainsight/_doppelgate/objects", headers=gs.headers)
    assert r.json()["data"] == ["Company", "gsuser", "record_delete_log", "Plan__gc"]
    r = await gs.http.put("/gainsight/_doppelgate/objects/Bad__gc", headers=gs.headers,
                          json={"fields": {"X": "NOPE"}})  # fmt: skip
    assert r.status_code == 400 and r.json()["errorCode"] == "GSOBJ_1002"
    r = await gs.http.delete("/gainsight/_doppelgate/objects/Plan__gc", headers=gs.headers)
    assert r.json()["data"] == {"dropped": True}
    r = await gs.http.get("/gainsight/_doppelgate/objects/Plan__gc", headers=gs.headers)
    assert r.status_code == 400 and r.json()["errorCode"] == "GSOBJ_1023"
    r = await gs.http.get("/gainsight/_doppelgate/objects")
    assert r.status_code == 401


async def test_inferred_object_is_described(gs: Gainsight) -> None:
    await gs.insert("Auto__gc", {"Name": "x", "Score__gc": 1.5, "Ref__gc": "1P02" + "A" * 32})
    r = await gs.http.get("/gainsight/_doppelgate/objects/Auto__gc", headers=gs.headers)
    data = r.json()["data"]
    assert data["inferred"] is True
    types = {f["fieldName"]: f["dataType"] for f in data["fields"]}
    assert types["Name"] == "STRING" and types["Score__gc"] == "NUMBER"
    assert types["Ref__gc"] == "GSID"


async def test_gsid_format(gs: Gainsight) -> None:
    rows = await gs.insert("Widget__gc", *[{"Name": str(i)} for i in range(20)])
    ids = [r["Gsid"] for r in rows]
    assert all(GSID.match(i) for i in ids) and len(set(ids)) == 20
    assert {i[:18] for i in ids} == {ids[0][:18]} and ids[0].startswith("1Z02")
    [user] = await gs.insert("gsuser", {"Name": "u"})
    assert user["Gsid"].startswith("1P01")


def test_bad_object_declarations() -> None:
    from doppelgate.config import ConfigError
    from doppelgate.gateway import create_app

    for fields in ({"X": "NOPE"}, {"bad name": "STRING"}, {"L": {"dataType": "LOOKUP"}}):
        settings = Settings(dialects={"gainsight": {"objects": {"O__gc": {"fields": fields}}}})
        with pytest.raises(ConfigError):
            create_app(settings)


def test_bad_settings() -> None:
    from doppelgate.config import ConfigError

    for bad in ({"strict": "maybe"}, {"date_output": "unix"}, {"time_zone": "Mars/Base"},
                {"nope": 1}, {"allowed_ips": ["x"]}):  # fmt: skip
        with pytest.raises(ConfigError):
            gainsight_options(Settings(dialects={"gainsight": bad}))
