"""Small helpers shared by the engine tests."""

from __future__ import annotations

from typing import Any

from doppelgate.engine import Collection
from doppelgate.engine.core import Filter


async def ids(coll: Collection, filter: Filter | None = None) -> list[Any]:
    """The `_id`s of the documents matching `filter`, sorted (find order is not guaranteed)."""
    return sorted(doc["_id"] for doc in await coll.find(filter))


async def only(coll: Collection, filter: Filter | None = None) -> dict[str, Any]:
    """The one document matching `filter` (fails the test when there is not exactly one)."""
    found = await coll.find(filter)
    assert len(found) == 1, found
    return found[0]
