"""Small helpers shared by the engine tests."""

from __future__ import annotations

from typing import Any

from doppelgate.engine import Collection, Engine
from doppelgate.engine.core import Filter
from doppelgate.engine.memory import MemoryCollection
from doppelgate.engine.mongodb import MongoCollection, MongoEngine


async def ids(coll: Collection, filter: Filter | None = None) -> list[Any]:
    """The `_id`s of the documents matching `filter`, sorted (find order is not guaranteed)."""
    return sorted(doc["_id"] for doc in await coll.find(filter))


async def only(coll: Collection, filter: Filter | None = None) -> dict[str, Any]:
    """The one document matching `filter` (fails the test when there is not exactly one)."""
    found = await coll.find(filter)
    assert len(found) == 1, found
    return found[0]


async def index_names(engine: Engine, coll: Collection) -> set[str]:
    """The indexes the backend holds for `coll` now: the memory backend's declared ones (not
    the planner's own), the MongoDB server's (not `_id_`)."""
    if isinstance(coll, MemoryCollection):
        return {name for name in coll.indexes if not name.startswith("auto:")}
    assert isinstance(engine, MongoEngine) and isinstance(coll, MongoCollection)
    info = await engine.database[coll.name].index_information()
    return set(info) - {"_id_"}
