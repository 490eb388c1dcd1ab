"""Re-entrant, expiring locks per (domain, resourceId) (§1.1 lock endpoints)."""

from __future__ import annotations

import time
from typing import Any

from doppelgate.engine import DuplicateKey, Engine

from . import errors as E
from .errors import LightblueError
from .values import INT64

DEFAULT_TTL_MS = 3_600_000  # 1 h (§1.1)
LOCKS = "_locks"


class InvalidLock(Exception):
    """Release/count/ping of a lock the caller does not hold (§1.1)."""

    def __init__(self, resource: str) -> None:
        # lightblue-rest reports the Java exception's toString() (§1.1)
        super().__init__(f"com.redhat.lightblue.extensions.synch.InvalidLockException: {resource}")


def _now() -> int:
    return int(time.time() * 1000)


def _expiry(now: int, ttl: int | None) -> int:
    """When a lock taken now with this ttl expires; the ttl is a Java long (§1.1), the expiry
    stays within 64 bits (a ttl that would overflow it means "never", not an internal error)."""
    if ttl is not None and not -INT64 <= ttl < INT64:
        raise LightblueError(E.REST_ERROR, f"ttl {ttl} is not a long")
    return min(now + (ttl if ttl and ttl > 0 else DEFAULT_TTL_MS), INT64 - 1)


class Locks:
    def __init__(self, engine: Engine, tenant: str, domains: Any) -> None:
        self.coll = engine.collection("lightblue", tenant, LOCKS)
        self.domains = set(domains) if isinstance(domains, list) else None

    def _key(self, domain: str, resource: str) -> str:
        if self.domains is not None and domain not in self.domains:
            raise LightblueError(E.INVALID_LOCKING_DOMAIN, domain)
        return f"{domain}\x1f{resource}"

    async def _held(self, domain: str, caller: str, resource: str) -> dict[str, Any]:
        doc = await self.coll.find_one({"_id": self._key(domain, resource)})
        if doc is None or doc["caller"] != caller or doc["expires"] <= _now():
            raise InvalidLock(resource)
        return doc

    async def acquire(self, domain: str, caller: str, resource: str, ttl: int | None) -> bool:
        key = self._key(domain, resource)
        _expiry(0, ttl)  # a bad ttl fails before any lock is touched
        for _ in range(20):
            doc = await self.coll.find_one({"_id": key})
            now = _now()
            if doc is None:
                try:
                    await self.coll.insert(
                        {"_id": key, "caller": caller, "count": 1, "expires": _expiry(now, ttl)}
                    )
                    return True
                except DuplicateKey:
                    continue
            live = doc["expires"] > now
            if live and doc["caller"] != caller:
                return False
            count = doc["count"] + 1 if live else 1
            new = {"caller": caller, "count": count, "expires": _expiry(now, ttl)}
            result = await self.coll.update(
                {"_id": key, "caller": doc["caller"], "count": doc["count"]}, {"$set": new}
            )
            if result.matched:
                return True
        return False

    async def release(self, domain: str, caller: str, resource: str) -> bool:
        """True when the lock is gone, False when only the re-entrant count dropped."""
        doc = await self._held(domain, caller, resource)
        if doc["count"] <= 1:
            await self.coll.delete({"_id": doc["_id"]})
            return True
        await self.coll.update({"_id": doc["_id"]}, {"$inc": {"count": -1}})
        return False

    async def count(self, domain: str, caller: str, resource: str) -> int:
        return int((await self._held(domain, caller, resource))["count"])

    async def ping(self, domain: str, caller: str, resource: str, ttl: int | None = None) -> bool:
        doc = await self._held(domain, caller, resource)
        await self.coll.update({"_id": doc["_id"]}, {"$set": {"expires": _expiry(_now(), ttl)}})
        return True
