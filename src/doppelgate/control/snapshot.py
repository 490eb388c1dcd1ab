"""Snapshots: every collection of every dialect and tenant as one JSON document; importing one
replaces all data. Documents only: the dialects re-create their indexes as they write."""

from __future__ import annotations

from typing import Any

import msgspec

from ..engine import Engine
from .values import from_json, to_json

FORMAT = "doppelgate-snapshot"
VERSION = 1


class CollectionDump(msgspec.Struct, forbid_unknown_fields=True):
    dialect: str
    tenant: str
    name: str
    documents: list[dict[str, Any]]


class Snapshot(msgspec.Struct, forbid_unknown_fields=True):
    format: str = FORMAT
    version: int = VERSION
    collections: list[CollectionDump] = msgspec.field(default_factory=list)


async def export_snapshot(engine: Engine) -> Snapshot:
    dumps = []
    for a in await engine.collections():
        docs = await engine.collection(a.dialect, a.tenant, a.name).find(sort=[("_id", 1)])
        dumps.append(CollectionDump(a.dialect, a.tenant, a.name, to_json(docs)))
    return Snapshot(collections=dumps)


def parse_snapshot(data: bytes | str | dict[str, Any] | Snapshot) -> Snapshot:
    """A snapshot from JSON text or its decoded form; ValueError naming the problem."""
    try:
        if isinstance(data, Snapshot):
            snap = data
        elif isinstance(data, bytes | str):
            snap = msgspec.json.decode(data, type=Snapshot)
        else:
            snap = msgspec.convert(data, Snapshot)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ValueError(f"not a snapshot: {exc}") from None
    if snap.format != FORMAT or snap.version != VERSION:
        raise ValueError(f"expected format {FORMAT!r} version {VERSION}")
    return snap


async def import_snapshot(engine: Engine, snap: Snapshot) -> tuple[int, int]:
    """Replace every collection with the snapshot's: (collections, documents) written."""
    await engine.reset()
    written = 0
    for c in snap.collections:
        docs = from_json(c.documents)
        if docs:
            await engine.collection(c.dialect, c.tenant, c.name).insert_many(docs)
            written += len(docs)
    return len(snap.collections), written
