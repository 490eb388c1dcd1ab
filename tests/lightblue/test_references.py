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


def towns(parent_field: str, direction: str) -> dict[str, object]:
    """A reference to the cities whose country is the holder's `parent_field`."""
    return {
        "type": "reference",
        "entity": "city",
        "versionValue": "1.0.0",
        "query": {"field": "country", "op": "=", "rfield": f"$parent.{parent_field}"},
        "projection": {"field": "name"},
        "sort": {"name": direction},
    }


async def test_reference_join(lb: Lightblue) -> None:
    await lb.create_metadata(city_metadata())
    meta = country_metadata()
    meta["schema"]["fields"]["towns"] = towns("iso2code", "$desc")
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


async def test_reference_inside_an_object_array(lb: Lightblue) -> None:
    """`level1.arr1.*.ref` is joined per element, `$parent` being the element (§6)."""
    await lb.create_metadata(city_metadata())
    meta = country_metadata()
    meta["schema"]["fields"]["capital"]["fields"]["regions"] = {
        "type": "array",
        "items": {
            "type": "object",
            "fields": {"code": {"type": "string"}, "towns": towns("code", "$asc")},
        },
    }
    await lb.create_metadata(meta)
    await lb.insert("city", [{"name": "Lyon", "country": "FR"}, {"name": "Bonn", "country": "DE"}])
    regions = [{"code": "DE"}, {"code": "FR"}, {"code": "XX"}]
    await lb.insert("country", {"name": "Europe", "capital": {"regions": regions}})
    projection = [{"field": "name"}, {"field": "capital.regions.*.towns", "recursive": True}]
    [doc] = await lb.found("country", None, projection=projection)
    assert doc == {
        "name": "Europe",
        "capital": {
            "regions": [
                {"towns": [{"name": "Bonn"}]},
                {"towns": [{"name": "Lyon"}]},
                {"towns": []},
            ]
        },
    }
    [whole] = await lb.found("country", None, projection=EVERYTHING)
    assert whole["capital"]["regions"] == regions  # not joined unless projected explicitly
