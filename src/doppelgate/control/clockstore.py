"""Where the clock keeps its state: nowhere on the memory backend; one document in MongoDB,
shared by every process of the server (optimistic lock on a version)."""

from __future__ import annotations

from typing import Any

import msgspec

from ..clock import Clock, ClockState
from ..engine import BackendUnavailable, Engine

STATE_COLLECTION = "doppelgate_clock"  # not in the engine's registry: never exported or reset
STATE_ID = "clock"


class MongoStore:
    """The clock's state in one document of the engine's database, shared by every process."""

    unavailable = BackendUnavailable

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def _coll(self) -> Any:
        return self.engine.database[STATE_COLLECTION]

    async def load(self) -> ClockState | None:
        async with self.engine.errors(BackendUnavailable):
            doc = await self._coll().find_one({"_id": STATE_ID})
        return None if doc is None else msgspec.convert(doc, ClockState)

    async def save(self, state: ClockState, expected_version: int) -> bool:
        from pymongo.errors import DuplicateKeyError

        fields = msgspec.to_builtins(state)
        async with self.engine.errors(BackendUnavailable):
            if expected_version == 0:  # no document yet: the first insert wins
                try:
                    await self._coll().insert_one({"_id": STATE_ID, **fields})
                except DuplicateKeyError:
                    return False
                return True
            done = await self._coll().update_one(
                {"_id": STATE_ID, "version": expected_version}, {"$set": fields}
            )
            return bool(done.matched_count)


def clock_for(engine: Engine) -> Clock:
    """A local clock on the memory backend; a shared one on MongoDB."""
    return Clock(MongoStore(engine) if engine.backend == "mongodb" else None)
