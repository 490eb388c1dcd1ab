"""Fixed-window request counters kept in the engine, shared by every dialect that rate-limits.

Counting in the engine (not in process memory) means every worker and every doppelgate process
on one database agree on the count. One collection per (dialect, tenant), one document per window:
{"_id": "<window seconds>:<window number>", "w": <window seconds>, "t": <window number>, "n": hits}.
"""

from __future__ import annotations

from typing import NamedTuple

from . import clock
from .engine import Engine

COLLECTION = "ratelimits"


class Window(NamedTuple):
    hits: int  # requests counted in this window, this one included
    reset: int  # whole seconds until the window resets


async def hit(
    engine: Engine, dialect: str, tenant: str, seconds: int, now: float | None = None
) -> Window:
    """Count one request in the current `seconds`-long window (aligned to the epoch, so a minute
    window resets at :00 and a day window at 00:00 UTC)."""
    moment = clock.now() if now is None else now
    number, into = divmod(int(moment), seconds)
    counters = engine.collection(dialect, tenant, COLLECTION)
    doc = await counters.find_one_and_update(
        {"_id": f"{seconds}:{number}"},
        {"$inc": {"n": 1}, "$setOnInsert": {"w": seconds, "t": number}},
        upsert=True,
    )
    hits = int(doc["n"]) if doc else 1
    if hits == 1:  # a new window: the earlier ones of this length are over
        await counters.delete({"w": seconds, "t": {"$lt": number}})
    return Window(hits, seconds - into)
