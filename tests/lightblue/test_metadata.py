"""The metadata service (§1.2, §6): create, versions, get, status, default, errors."""

from __future__ import annotations

from typing import Any

from .helpers import Lightblue, country_metadata


async def test_create_returns_metadata_with_predefined_fields(lb: Lightblue) -> None:
    body = await lb.create_metadata(country_metadata())
    fields = body["schema"]["fields"]
    assert fields["_id"]["type"] == "string"
    assert fields["objectType"]["constraints"] == {"required": True, "minLength": 1}
    assert fields["tags#"]["type"] == "integer"  # one count per array (§6)
    assert fields["cities"]["items"]["fields"]["districts#"]["type"] == "integer"
    indexes = body["entityInfo"]["indexes"]
    assert {"unique": True, "fields": [{"field": "_id", "dir": "$asc"}]} in indexes


async def test_names_versions_and_get(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    second = country_metadata("1.1.0")
    second["entityInfo"]["defaultVersion"] = "1.0.0"
    await lb.create_metadata(second)
    assert await lb.meta("GET", "/") == {"entities": ["country"]}
    versions = await lb.meta("GET", "/country")
    assert sorted((v["version"], v["defaultVersion"]) for v in versions) == [
        ("1.0.0", True),
        ("1.1.0", False),
    ]
    assert versions[0]["status"] == "active" and versions[0]["changelog"] == "test"
    got = await lb.meta("GET", "/country/1.1.0")
    assert got["schema"]["version"]["value"] == "1.1.0"
    default = await lb.meta("GET", "/country/default")
    assert default["schema"]["version"]["value"] == "1.0.0"
    assert await lb.meta("GET", "/unknown") == []


async def test_statuses_filter_entity_names(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    other = country_metadata()
    other["entityInfo"]["name"] = other["schema"]["name"] = "city"
    other["schema"]["status"]["value"] = "deprecated"
    await lb.create_metadata(other)
    assert await lb.meta("GET", "/s=active") == {"entities": ["country"]}
    assert await lb.meta("GET", "/s=active,deprecated") == {"entities": ["city", "country"]}
    assert await lb.meta("GET", "/s=disabled") == {"entities": []}


async def test_get_errors(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    missing = await lb.meta("GET", "/nothing/1.0.0")
    assert missing["objectType"] == "error"
    assert missing["errorCode"] == "rest-metadata:NoEntityVersion"
    unknown = await lb.meta("GET", "/country/9.9.9")
    assert unknown["errorCode"] == "mongo-metadata:UnknownVersion"


async def test_duplicate_version_and_snapshot(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    again = await lb.meta("PUT", "/country/1.0.0", country_metadata())
    assert again["errorCode"] == "mongo-metadata:DuplicateMetadata"
    snap = country_metadata("1.1.0-SNAPSHOT")
    await lb.create_metadata(snap)
    snap["schema"]["version"]["changelog"] = "second"
    body = await lb.create_metadata(snap)  # SNAPSHOT versions are overwritten (§2.4)
    assert body["schema"]["version"]["changelog"] == "second"


async def test_create_validation_errors(lb: Lightblue) -> None:
    async def error(path: str, body: Any) -> str:
        reply = await lb.meta("PUT", path, body)
        assert reply["objectType"] == "error", reply
        return str(reply["errorCode"])

    good = country_metadata()
    assert await error("/other/1.0.0", good) == "rest-metadata:NoNameMatch"
    assert await error("/country/2.0.0", good) == "rest-metadata:NoVersionMatch"
    bad_version = country_metadata("1.0")
    assert await error("/country/1.0", bad_version) == "metadata:InvalidVersionNumber"
    bad_type = country_metadata()
    bad_type["schema"]["fields"]["x"] = {"type": "text"}
    assert await error("/country/1.0.0", bad_type) == "metadata:InvalidType"
    no_store = country_metadata()
    del no_store["entityInfo"]["datastore"]
    assert await error("/country/1.0.0", no_store) == "metadata:ParseMissingElement"
    no_fields = country_metadata()
    no_fields["schema"]["fields"] = {}
    assert await error("/country/1.0.0", no_fields) == "metadata:ParseMissingElement"
    bad_default = country_metadata()
    bad_default["entityInfo"]["defaultVersion"] = "3.0.0"
    assert await error("/country/1.0.0", bad_default) == "metadata:InvalidDefaultVersion"
    assert await error("/country/1.0.0", None) == "metadata:ParseMissingElement"
    bad_enum = country_metadata()
    bad_enum["schema"]["fields"]["continent"]["constraints"]["enum"] = "oceans"
    assert await error("/country/1.0.0", bad_enum) == "metadata:InvalidEnum"


async def test_status_change_logs_and_disables(lb: Lightblue) -> None:
    meta = country_metadata()
    del meta["entityInfo"]["defaultVersion"]
    await lb.create_metadata(meta)
    body = await lb.meta("PUT", "/country/1.0.0/deprecated?comment=old")
    status = body["schema"]["status"]
    assert status["value"] == "deprecated"
    assert status["log"][-1]["value"] == "deprecated" and status["log"][-1]["comment"] == "old"
    await lb.meta("PUT", "/country/1.0.0/disabled")
    reply = await lb.call("POST", "/find/country/1.0.0", {}, status=404)
    assert reply["errors"][0]["errorCode"] == "crud:DisabledMetadataVersion"


async def test_default_version_set_clear_and_rules(lb: Lightblue) -> None:
    meta = country_metadata()
    del meta["entityInfo"]["defaultVersion"]
    await lb.create_metadata(meta)
    reply = await lb.call("POST", "/find/country", {}, status=500)
    assert reply["errors"][0]["errorCode"] == "crud" and reply["errors"][0]["msg"] == "version"
    body = await lb.meta("POST", "/country/1.0.0/default")
    assert body["entityInfo"]["defaultVersion"] == "1.0.0"
    disabled = await lb.meta("PUT", "/country/1.0.0/disabled")
    assert disabled["errorCode"] == "mongo-metadata:DisabledDefaultVersion"
    info = await lb.meta("DELETE", "/country/default")
    assert "defaultVersion" not in info


async def test_add_schema_version_and_update_info(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    schema = country_metadata("2.0.0")["schema"]
    body = await lb.meta("PUT", "/country/schema=2.0.0", schema)
    assert body["schema"]["version"]["value"] == "2.0.0"
    info = country_metadata()["entityInfo"]
    info["description"] = "countries"
    stored = await lb.meta("PUT", "/country", info)
    assert stored["description"] == "countries"
    missing = await lb.meta("PUT", "/nothing/schema=1.0.0", schema)
    assert missing["errorCode"] == "mongo-metadata:MissingEntityInfo"


async def test_delete_entity_needs_every_version_disabled(lb: Lightblue) -> None:
    meta = country_metadata()
    del meta["entityInfo"]["defaultVersion"]
    await lb.create_metadata(meta)
    refused = await lb.meta("DELETE", "/country")
    assert refused["errorCode"] == "mongo-metadata:CannotDeleteEntity"
    await lb.meta("PUT", "/country/1.0.0/disabled")
    assert await lb.meta("DELETE", "/country") is None
    assert await lb.meta("GET", "/") == {"entities": []}


async def test_roles(lb: Lightblue) -> None:
    meta = country_metadata()
    meta["schema"]["access"]["delete"] = ["admin"]
    await lb.create_metadata(meta)
    body = await lb.meta("GET", "/country/roles")
    assert body["status"] == "COMPLETE"
    roles = {r["role"]: r for r in body["processed"]}
    assert roles["admin"]["delete"] == ["country"]
    assert roles["anyone"]["find"][0] == "country"  # then the fields anyone may find
    assert "delete" not in roles["anyone"]  # only the operations a role is granted


async def test_metadata_without_rest_prefix(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    r = await lb.http.get("/metadata/country/1.0.0")
    assert r.status_code == 200 and r.json()["entityInfo"]["name"] == "country"


async def test_tenants_are_isolated(lb_factory: Any) -> None:
    alice = lb_factory(auth=("alice", "x"))
    bob = lb_factory(auth=("bob", "x"))
    await alice.create_metadata(country_metadata())
    assert await alice.meta("GET", "/") == {"entities": ["country"]}
    assert await bob.meta("GET", "/") == {"entities": []}


async def test_diff(lb: Lightblue) -> None:
    await lb.create_metadata(country_metadata())
    second = country_metadata("1.1.0")
    second["entityInfo"]["defaultVersion"] = "1.0.0"
    del second["schema"]["fields"]["area"]
    second["schema"]["fields"]["flag"] = {"type": "binary"}
    await lb.create_metadata(second)
    deltas = await lb.meta("GET", "/country/1.0.0/diff/1.1.0")
    assert {"-schema.version.value": "1.0.0", "+schema.version.value": "1.1.0"} in deltas
    # an added or removed field is one delta holding the whole field (JsonCompare)
    assert {"-schema.fields.area": {"type": "double"}} in deltas
    assert {"+schema.fields.flag": {"type": "binary"}} in deltas
    assert not [d for d in deltas if any(".fields.flag." in k for k in d)]
    assert await lb.meta("GET", "/country/1.0.0/diff/1.0.0") == []
    missing = await lb.meta("GET", "/country/1.0.0/diff/7.0.0")
    assert missing["errorCode"] == "mongo-metadata:UnknownVersion"
