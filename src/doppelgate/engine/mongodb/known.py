"""The indexes a MongoEngine knows the server has, so that ensure_index on one of them costs
no round trip. What this engine drops it forgets at once; what another process drops (its own
reset) it checks again after `recheck_s`: a record is that old at most."""

from __future__ import annotations

import time

from ..core import Address, IndexSpec

RECHECK_S = 1.0  # the staleness another process's reset may leave: one listIndexes a second


class KnownIndexes:
    """(collection address, index spec: keys and unique) -> when the server last had it."""

    def __init__(self, recheck_s: float = RECHECK_S) -> None:
        self.recheck_s = recheck_s
        self._seen: dict[Address, dict[IndexSpec, float]] = {}

    def has(self, address: Address, spec: IndexSpec) -> bool:
        specs = self._seen.get(address)
        seen = specs.get(spec) if specs else None
        return seen is not None and time.monotonic() - seen < self.recheck_s

    def add(self, address: Address, spec: IndexSpec) -> None:
        self._seen.setdefault(address, {})[spec] = time.monotonic()

    def discard(self, address: Address, name: str) -> None:
        """Whatever index of that name the collection had: it is being replaced."""
        specs = self._seen.get(address)
        if specs:
            for spec in [s for s in specs if s.name == name]:
                del specs[spec]

    def forget(self, dialect: str | None = None, tenant: str | None = None) -> None:
        """The indexes of every collection (of one dialect / tenant): dropped, or may be."""
        for address in [
            a
            for a in self._seen
            if (dialect is None or a.dialect == dialect) and (tenant is None or a.tenant == tenant)
        ]:
            del self._seen[address]

    def forget_collection(self, address: Address) -> None:
        self._seen.pop(address, None)
