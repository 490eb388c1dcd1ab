"""ds.search cursors (spec §4), kept in the engine so every process and backend sees them.

One document per delivered page in ("gigya", <apiKey>, "cursors"): `_id` = the cursorId, the
query text, the page's offset and batch size, and when it expires. Re-sending a cursorId
re-delivers its page; a cursor unused for `cursorTtl` seconds is gone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from doppelgate import clock, ids
from doppelgate.engine import Collection

from .errors import invalid


@dataclass(frozen=True, slots=True)
class CursorPage:
    query: str
    offset: int
    limit: int


def _now_ms() -> int:
    return clock.now_ms()


class Cursors:
    def __init__(self, collection: Collection, ttl_seconds: float) -> None:
        self.collection = collection
        self.ttl_ms = int(ttl_seconds * 1000)

    async def open(self, page: CursorPage) -> str:
        cursor_id = ids.uuid_hex()
        await self.collection.insert(
            {
                "_id": cursor_id,
                "query": page.query,
                "offset": page.offset,
                "limit": page.limit,
                "expires": _now_ms() + self.ttl_ms,
            }
        )
        if random.random() < 0.05:  # sweep expired cursors now and then
            await self.collection.delete({"expires": {"$lt": _now_ms()}})
        return cursor_id

    async def resume(self, cursor_id: str) -> CursorPage:
        """The page a cursorId stands for; unknown or expired -> 400006 (spec §4) [inf]."""
        now = _now_ms()
        doc = await self.collection.find_one_and_update(
            {"_id": cursor_id, "expires": {"$gte": now}},
            {"$set": {"expires": now + self.ttl_ms}},  # "expires if unused" (spec §4)
        )
        if doc is None:
            await self.collection.delete({"_id": cursor_id, "expires": {"$lt": now}})
            raise invalid(f"Invalid parameter value: cursorId {cursor_id} is invalid or expired")
        return CursorPage(doc["query"], doc["offset"], doc["limit"])
