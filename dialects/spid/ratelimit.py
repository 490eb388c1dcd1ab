"""Per-client request counting in fixed windows of `ratePeriod` seconds (spec §5.3): HTTP 420
over the limit; the counters travel in the container's `request` block (spec §5.1). Counted in
the engine, so every worker and every doppelgate process sharing a database agree."""

from __future__ import annotations

from doppelgate import clock, ratelimit
from doppelgate.engine import Engine

from .errors import RATE_LIMITED, SpidError
from .options import SpidOptions
from .wire import RequestLimit

DIALECT = "spid"


class RateLimiter:
    def __init__(self, engine: Engine, options: SpidOptions) -> None:
        self.engine = engine
        self.options = options

    async def count(self, clientId: str) -> RequestLimit:
        """Count one request; raise 420 when over the limit. Unlimited clients are not counted:
        their block says limit 0 (spec §5.1 sample)."""
        period = self.options.ratePeriod
        limit = self.options.rate_limit(clientId)
        if limit <= 0:
            return RequestLimit(reset=period - int(clock.now()) % period, limit=0, remaining=0)
        window = await ratelimit.hit(self.engine, DIALECT, clientId, period)
        state = RequestLimit(reset=window.reset, limit=limit, remaining=max(limit - window.hits, 0))
        if window.hits > limit:
            raise RateLimited(state)
        return state


class RateLimited(SpidError):
    def __init__(self, state: RequestLimit) -> None:
        super().__init__(RATE_LIMITED, limit=state)  # the block says the limit is spent
