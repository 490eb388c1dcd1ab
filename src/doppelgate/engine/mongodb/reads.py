"""One collection's reads: scans in insertion order decided in Python, server-sorted pages and
server counts where serverplan.py's guard proves them equal to the engine's, and explain."""

from __future__ import annotations

from contextlib import aclosing
from typing import Any

from ..budget import budget, paced_filter, sort_documents
from ..core import Filter, SortSpec, normalize_sort
from ..filters import Predicate
from ..pushdown import pushdown, top_fields
from ..serverplan import SORT_KINDS, exact_paths, guard, many_matches, plain, reading_cap
from ..values import sort_key, sort_value, split_path
from .codec import META, UNPINNED, Stored, document, seq, split
from .driver import Backend, Driver

BATCH = 1000  # documents per cursor batch, filtered together


class Reads:
    """The reads of one collection (its writes find their documents through them too)."""

    def __init__(self, backend: Backend, driver: Driver) -> None:
        self._backend = backend
        self._driver = driver
        self.server_reads = 0  # documents the last server-sorted page read from the server

    async def fetch(
        self, spec: Filter | None, predicate: Predicate, *, whole: bool = True
    ) -> list[Stored]:
        """Matching documents with their metadata, in insertion order.

        Not `whole`: only the fields the filter reads (and `_id`), for counting and deleting.
        """
        fields = None if whole else top_fields(spec)
        projection = None if fields is None else dict.fromkeys([*fields, META], 1)
        found: list[Stored] = []

        def keep(stored: Stored) -> bool:
            return predicate(stored[0])

        with budget(self._backend.max_time_ms):
            batches = self._driver.batches(pushdown(spec), projection, batch_size=BATCH)
            async with aclosing(batches):
                async for batch in batches:  # tested off the loop when it takes long
                    found += await paced_filter([split(doc) for doc in batch], keep)
        found.sort(key=seq)
        return found

    async def reread(self, doc_id: Any) -> Stored | None:
        doc = await self._driver.find_one({"_id": doc_id})
        return None if doc is None else split(doc)

    async def find(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        skip: int,
        limit: int,
    ) -> list[Stored]:
        """Matches of a normalized filter in sort order (ties in insertion order), sliced."""
        return (await self.find_counted(spec, predicate, sort, skip, limit, False))[0]

    async def find_counted(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        skip: int,
        limit: int,
        want_total: bool = True,
    ) -> tuple[list[Stored], int]:
        """The sliced matches and how many matched in all (-1 when not asked), from one fetch
        or, when the server's order provably equals the engine's, from a server-sorted page."""
        order = normalize_sort(sort)
        exact = exact_paths(spec) if want_total and spec else None
        served = await self.server_page(spec, predicate, order, skip, limit, exact)
        if served is not None:
            page, proved = served
            if not want_total:
                return page, -1
            if proved:  # one guard proved the order and the filter
                return page, await self._driver.count(pushdown(spec))
            return page, await self.count(spec, predicate)
        found = await self.fetch(spec, predicate)
        if order:
            with budget(self._backend.max_time_ms):
                found = await sort_documents(found, order, document)
        page = found[skip : skip + limit if limit else None] if skip or limit else found
        return page, len(found)

    async def server_page(
        self,
        spec: Filter | None,
        predicate: Predicate,
        order: list[tuple[str, int]],
        skip: int,
        limit: int,
        exact: dict[str, str | None] | None = None,
    ) -> tuple[list[Stored], bool] | None:
        """The page read off a server cursor sorted by the first sort path (serverplan.py
        guard), each run of equal first keys read whole and ordered in Python by the later sort
        keys, then insertion order.
        With `exact` (a count to come), one guard also proves the filter exact when it can
        (then True comes with the page)."""
        proved = False
        if not order or not limit or not plain(order[0][0]):
            return None
        first, direction = order[0]
        server = pushdown(spec)
        wanted = skip + limit
        server_order = [(first, direction)]  # what a declared index gives: no SORT stage
        if not await self._index_gives_order(server, server_order, wanted):
            return None
        for kind in SORT_KINDS:
            typed = {first: kind}
            ranged = {p: k for p, k in (exact or {}).items() if k is not None}
            if exact is not None and ranged.get(first, kind) == kind:
                check = guard(server, exact, {**ranged, **typed})
                if await self._driver.find_one(check, {"_id": 1}) is None:
                    proved = True
                    break
            if await self._driver.find_one(guard(server, [], typed), {"_id": 1}) is None:
                break
        else:
            return None
        cap = reading_cap(wanted)  # the server keeps the top `cap` only (serverplan.py)
        while True:
            found, read, complete = await self._sorted_run(
                server, server_order, predicate, cap, wanted
            )
            if read < cap or complete:
                break
            cap *= 8  # the page or its last run goes on past the cap: read further
        self.server_reads = read
        found.sort(key=seq)  # whole runs of equal first keys: ties in insertion order
        for path, way in reversed(order):  # the found runs, in the engine's order
            parts, descending = split_path(path), way < 0
            found.sort(
                key=lambda stored: sort_key(sort_value(stored[0], parts, descending)),
                reverse=descending,
            )
        return found[skip:wanted], proved

    async def _sorted_run(
        self,
        server: Filter,
        order: list[tuple[str, int]],
        predicate: Predicate,
        cap: int,
        wanted: int,
    ) -> tuple[list[Stored], int, bool]:
        """Up to `cap` documents in the server's order: the matches, how many were read, and
        whether the run of equal first keys at the page's end was seen to end."""
        first, direction = order[0]
        parts = split_path(first)
        found: list[Stored] = []
        last: Any = UNPINNED
        read = 0
        complete = False
        batches = self._driver.batches(server, sort=order, batch_size=cap, limit=cap)
        async with aclosing(batches):
            async for batch in batches:
                for doc in batch:
                    read += 1
                    stored = split(doc)
                    key = sort_value(stored[0], parts, direction < 0)
                    complete = len(found) >= wanted and key != last
                    if complete:
                        break
                    if predicate(stored[0]):
                        found.append(stored)
                        last = key
                if complete:
                    break
        return found, read, complete

    async def _index_gives_order(
        self, server: Filter, order: list[tuple[str, int]], limit: int
    ) -> bool:
        """Whether the server walks an index for this order (no blocking SORT stage)."""
        if self._backend.server_sort == "always":
            return True
        if self._backend.server_sort == "auto":  # few matches: one read for Python is cheaper
            return await many_matches(self._driver.count, server)
        plan = await self._driver.explain(server, order, limit)
        if plan is None:  # no explain (mongo-java-server): no proof of an index walk
            return False
        winning = str(plan.get("queryPlanner", {}).get("winningPlan", ""))
        return "IXSCAN" in winning and "'SORT'" not in winning

    async def count(self, spec: Filter | None, predicate: Predicate) -> int:
        """The server counts when it decides the filter exactly (serverplan.py guard)."""
        exact = exact_paths(spec)
        if not spec:  # every document: the server counts them, none is shipped
            return await self._driver.count({})
        if exact is None:
            return len(await self.fetch(spec, predicate, whole=False))
        server = pushdown(spec)
        typed = {p: k for p, k in exact.items() if k is not None}
        if await self._driver.find_one(guard(server, exact, typed), {"_id": 1}) is not None:
            return len(await self.fetch(spec, predicate, whole=False))
        return await self._driver.count(server)

    async def count_all(self) -> int:
        return await self._driver.count({})

    async def explain(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        skip: int,
        limit: int,
    ) -> dict[str, Any]:
        order = normalize_sort(sort)
        server = pushdown(spec)
        served = await self.server_page(spec, predicate, order, skip, limit)
        if served is not None:  # sorted and limited by the server (serverplan.py guard)
            return {
                "plan": "SERVER-SORT",
                "index": None,
                "examined": self.server_reads,  # documents the server sent
                "returned": len(served[0]),
                "countFromIndex": False,
                "serverFilter": server,
            }
        examined = matched = 0
        batches = self._driver.batches(server, batch_size=1000)
        async with aclosing(batches):
            async for batch in batches:
                examined += len(batch)
                matched += sum(predicate(split(doc)[0]) for doc in batch)
        return {
            "plan": "SERVER-FILTER" if server else "COLLSCAN",
            "index": None,
            "examined": examined,  # documents the server sent
            "returned": max(0, min(matched - skip, limit or matched)),
            "countFromIndex": False,
            "serverFilter": server,
        }
