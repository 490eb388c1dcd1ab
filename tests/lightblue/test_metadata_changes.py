"""Data calls run against the metadata as it is now (§1.2, §6): a new version, a new default,
a disabled version, a control-plane reset or snapshot import is seen by the very next call,
although data calls keep the resolved schema while the metadata is unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from doppelgate.dialects.lightblue import metastore

from .helpers import Lightblue, country_metadata

CONTROL = "http://testserver/_doppelgate"


def with_motto(version: str) -> dict[str, Any]:
    meta = country_metadata(version)
    meta["schema"]["fields"]["motto"] = {"type": "string"}
    return meta


async def insert_motto(lb: Lightblue, path: str = "/insert/country", status: int = 200) -> Any:
    reply = await lb.call("PUT", path, {"data": [{"name": "x", "motto": "m"}]}, status=status)
    return reply["status"] if status == 200 else reply["errors"][0]["errorCode"]


async def test_metadata_changes_are_seen_by_the_next_data_call(country: Lightblue) -> None:
    lb = country
    snapshot = (await lb.http.get(f"{CONTROL}/snapshot")).content  # version 1.0.0 only
    assert await insert_motto(lb, status=500) == "metadata:InvalidFieldReference"
    assert await insert_motto(lb, status=500) == "metadata:InvalidFieldReference"  # kept

    await lb.meta("PUT", "/country/2.0.0", with_motto("2.0.0"))  # the new default version
    assert await insert_motto(lb) == "COMPLETE"
    await lb.meta("POST", "/country/1.0.0/default")
    assert await insert_motto(lb, status=500) == "metadata:InvalidFieldReference"
    assert await insert_motto(lb, "/insert/country/2.0.0") == "COMPLETE"
    await lb.meta("PUT", "/country/2.0.0/disabled")
    disabled = await insert_motto(lb, "/insert/country/2.0.0", status=404)
    assert disabled == "crud:DisabledMetadataVersion"

    # a snapshot import brings back the metadata it holds: 2.0.0 does not exist there
    assert (await lb.http.put(f"{CONTROL}/snapshot", content=snapshot)).status_code == 200
    unknown = await insert_motto(lb, "/insert/country/2.0.0", status=500)
    assert unknown == "mongo-metadata:UnknownVersion"
    await lb.meta("PUT", "/country/2.0.0", with_motto("2.0.0"))
    assert await insert_motto(lb) == "COMPLETE"

    # a reset drops the metadata too: the entity is unknown until created again
    assert (await lb.http.post(f"{CONTROL}/reset")).status_code == 200
    gone = await insert_motto(lb, status=404)
    assert gone == "crud:UnknownEntity"
    await lb.create_metadata(country_metadata())
    assert await insert_motto(lb, status=500) == "metadata:InvalidFieldReference"


async def test_a_metadata_version_is_parsed_once_by_a_server(
    country: Lightblue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On both backends: MongoDB reads the metadata on every call (no generation), but the
    same stored texts are parsed once, and a new version once more."""
    parsed: list[str] = []
    real = metastore._parsed

    def counting(info: str, schema: str) -> Any:
        parsed.append(schema)
        return real(info, schema)

    monkeypatch.setattr(metastore, "_parsed", counting)
    await country.meta("PUT", "/country/2.0.0", with_motto("2.0.0"))
    for _ in range(3):
        assert await insert_motto(country) == "COMPLETE"
    assert len(parsed) == 1
