"""Reference fields (§6): joins on find, returned only when projected explicitly, not stored."""

from __future__ import annotations

import copy

from .helpers import ANYONE, EVERYTHING, Lightblue, country_metadata, eq


def city_metadata() -> dict[str, object]:
    return {
        "entityInfo": {
            "name": "city",
            "defaultVersion": "1.0.0",
            "datastore": {"backend": "mongo"},
        },
        "schema": {
            "name": "city",
            "version": {"value": "1.0.0", "changelog": "test"},
            "status": {"value": "active"},
            "access": copy.deepcopy(ANYONE),
            "fields": {"name": {"type": "string"}, "country": {"type": "string"}},
        },
    }


async def test_reference_join(lb: Lightblue) -> None:
    await lb.create_metadata(city_metadata())
    meta = country_metadata()
    meta["schema"]["fields"]["towns"] = {
        "type": "reference",
        "entity": "city",
        "versionValue": "1.0.0",
        "query": {"field": "country", "op": "=", "rfield": "$parent.iso2code"},
        "projection": {"field": "name"},
        "sort": {"name": "$desc"},
    }
    await lb.create_metadata(meta)
    await lb.insert("city", [{"name": "Lyon", "country": "FR"}, {"name": "Paris", "country": "FR"}])
    await lb.insert(
        "country", [{"name": "France", "iso2code": "FR"}, {"name": "Chad", "iso2code": "TD"}]
    )
    docs = await lb.found(
        "country",
        None,
        projection=[{"field": "name"}, {"field": "towns", "recursive": True}],
        sort={"name": "$asc"},
    )
    assert docs == [
        {"name": "Chad", "towns": []},
        {"name": "France", "towns": [{"name": "Paris"}, {"name": "Lyon"}]},
    ]
    [whole] = await lb.found("country", eq("name", "France"), projection=EVERYTHING)
    assert "towns" not in whole  # only when projected explicitly
    reply = await lb.insert(
        "country", {"name": "X", "towns": [{"name": "no"}]}, projection=EVERYTHING
    )
    assert "towns" not in reply["processed"][0]  # not writable
