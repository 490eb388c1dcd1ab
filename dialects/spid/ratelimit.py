"""Per-client request counting in fixed windows of `ratePeriod` seconds (spec §5.3): HTTP 420
over the limit; the counters travel in the container's `request` block (spec §5.1). Counted in
the engine, so every worker and every doppelgate process sharing a database agree."""

from __future__ import annotations

import time

from doppelgate.engine import Engine

from .errors import RATE_LIMITED, SpidError
from .options import SpidOptions
from .wire import RequestLimit

DIALECT = "spid"
WINDOWS = "ratelimit"


class RateLimiter:
    def __init__(self, engine: Engine, options: SpidOptions) -> None:
        self.engine = engine
        self.options = options

    def _window(self) -> tuple[int, int]:
        """(this window's number, seconds until it resets)."""
        period = self.options.ratePeriod
        window, into = divmod(int(time.time()), period)
        return window, period - into

    async def count(self, clientId: str) -> RequestLimit:
        """Count one request; raise 420 when over the limit. Unlimited clients are not counted:
        their block says limit 0 (spec §5.1 sample)."""
        window, reset = self._window()
        limit = self.options.rate_limit(clientId)
        if limit <= 0:
            return RequestLimit(reset=reset, limit=0, remaining=0)
        windows = self.engine.collection(DIALECT, clientId, WINDOWS)
        doc = await windows.find_one_and_update(
            {"_id": window}, {"$inc": {"hits": 1}}, upsert=True, return_new=True
        )
        hits = int(doc["hits"]) if doc else 1
        if hits == 1:
            await windows.delete({"_id": {"$lt": window}})  # earlier windows are over
        state = RequestLimit(reset=reset, limit=limit, remaining=max(limit - hits, 0))
        if hits > limit:
            raise RateLimited(state)
        return state


class RateLimited(SpidError):
    def __init__(self, state: RequestLimit) -> None:
        super().__init__(RATE_LIMITED)
        self.state = state
