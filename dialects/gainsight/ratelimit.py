"""Fixed-window rate limits per tenant (spec §1.1, §6): a minute window reset at :00 of every
minute and a day window reset at 00:00 UTC, counted in the engine by doppelgate.ratelimit so
several processes serving one data set share them."""

from __future__ import annotations

from doppelgate import clock, ratelimit
from doppelgate.engine import Engine

from .errors import RATE_LIMITED, GainsightError
from .options import GainsightOptions

DIALECT = "gainsight"


def now() -> float:
    """The clock (tests replace it)."""
    return clock.now()


class RateLimiter:
    def __init__(self, engine: Engine, options: GainsightOptions) -> None:
        self.engine = engine
        self.limits = ((60, options.per_minute), (86_400, options.per_day))

    async def hit(self, tenant: str) -> None:
        """Count one call in both windows (rejected calls count too [I]); 429 over a limit."""
        moment = now()
        exceeded = False
        for seconds, limit in self.limits:
            if limit:
                window = await ratelimit.hit(self.engine, DIALECT, tenant, seconds, moment)
                exceeded = exceeded or window.hits > limit
        if exceeded:
            raise GainsightError(RATE_LIMITED)
