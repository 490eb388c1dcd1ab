"""Fixed-window rate limits per tenant (spec §1.1, §6): a minute window reset at :00 of every
minute and a day window reset at 00:00 UTC. Counters live in the engine, so several processes
serving one data set share them: ("gainsight", <tenant>, "ratelimits"), one document per window
{"_id": "m:<minute>"|"d:<day>", "w": "m"|"d", "t": <window number>, "n": <calls>}."""

from __future__ import annotations

import time

from doppelgate.engine import Engine

from .errors import RATE_LIMITED, GainsightError
from .options import GainsightOptions

DIALECT = "gainsight"


def now() -> float:
    """The clock (tests replace it)."""
    return time.time()


class RateLimiter:
    def __init__(self, engine: Engine, options: GainsightOptions) -> None:
        self.engine = engine
        self.limits = (("m", 60, options.per_minute), ("d", 86_400, options.per_day))

    async def hit(self, tenant: str) -> None:
        """Count one call in both windows (rejected calls count too [I]); 429 over a limit."""
        if not any(limit for _, _, limit in self.limits):
            return
        counters = self.engine.collection(DIALECT, tenant, "ratelimits")
        moment = now()
        exceeded = False
        for window, seconds, limit in self.limits:
            if not limit:
                continue
            number = int(moment // seconds)
            doc = await counters.find_one_and_update(
                {"_id": f"{window}:{number}"},
                {"$inc": {"n": 1}, "$setOnInsert": {"w": window, "t": number}},
                upsert=True,
            )
            calls = int(doc["n"]) if doc else 1
            if calls == 1:  # a new window: forget the old ones
                await counters.delete({"w": window, "t": {"$lt": number}})
            exceeded = exceeded or calls > limit
        if exceeded:
            raise GainsightError(RATE_LIMITED)
