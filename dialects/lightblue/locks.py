"""Re-entrant, expiring locks per (domain, resourceId) (§1.1 lock endpoints)."""

from __future__ import annotations

from typing import Any

from doppelgate import clock
from doppelgate.engine import DuplicateKey, Engine

from . import errors as E
from .errors import LightblueError
from .values import INT64

DEFAULT_TTL_MS = 3_600_000  # 1 h (§1.1)
LOCKS = "_locks"
COMMANDS = {  # lightblue-rest's command per operation, named in the error trail (§1.1)
    "acquire": "AcquireCommand",
    "release": "ReleaseCommand",
    "count": "GetLockCountCommand",
    "ping": "LockPingCommand",
}


def _now() -> int:
    return clock.now_ms()


class Lock:
    """One lock command of one caller on (domain, resource) (§1.1); its failures carry
    lightblue-rest's trail `rest/<Command>/<resource>`, as its CallStatus renders them."""

    def __init__(
        self,
        engine: Engine,
        tenant: str,
        domains: Any,
        operation: str,
        domain: str,
        caller: str,
        resource: str,
    ) -> None:
        if operation not in COMMANDS:
            raise LightblueError(E.REST_ERROR, "Error parsing lock request", "rest")
        self.coll = engine.collection("lightblue", tenant, LOCKS)
        self.domains = set(domains) if isinstance(domains, list) else None
        self.operation = operation
        self.domain, self.caller, self.resource = domain, caller, resource
        self.trail = f"rest/{COMMANDS[operation]}/{resource}"

    async def run(self, ttl: int | None) -> bool | int:
        """The command's result: acquire takes the ttl, ping renews with the default one."""
        if self.operation == "acquire":
            return await self.acquire(ttl)
        if self.operation == "release":
            return await self.release()
        if self.operation == "count":
            return await self.count()
        return await self.ping()

    def _key(self) -> str:
        if self.domains is not None and self.domain not in self.domains:
            raise LightblueError(E.INVALID_LOCKING_DOMAIN, self.domain, self.trail)
        return f"{self.domain}\x1f{self.resource}"

    def _expiry(self, now: int, ttl: int | None) -> int:
        """When a lock taken now with this ttl expires; the ttl is a Java long (§1.1), the
        expiry stays within 64 bits (a ttl that would overflow it means "never", not an
        internal error)."""
        if ttl is not None and not -INT64 <= ttl < INT64:
            raise LightblueError(E.REST_ERROR, f"ttl {ttl} is not a long", self.trail)
        return min(now + (ttl if ttl and ttl > 0 else DEFAULT_TTL_MS), INT64 - 1)

    async def _held(self) -> dict[str, Any]:
        doc = await self.coll.find_one({"_id": self._key()})
        if doc is None or doc["caller"] != self.caller or doc["expires"] <= _now():
            # lightblue-rest reports the Java exception's toString(), which the Java client
            # matches as `.*InvalidLockException: (.+)` (§1.1)
            msg = f"com.redhat.lightblue.extensions.synch.InvalidLockException: {self.resource}"
            raise LightblueError(E.REST_ERROR, msg, self.trail)
        return doc

    async def acquire(self, ttl: int | None) -> bool:
        key = self._key()
        self._expiry(0, ttl)  # a bad ttl fails before any lock is touched
        for _ in range(20):
            doc = await self.coll.find_one({"_id": key})
            now = _now()
            if doc is None:
                try:
                    expires = self._expiry(now, ttl)
                    await self.coll.insert(
                        {"_id": key, "caller": self.caller, "count": 1, "expires": expires}
                    )
                    return True
                except DuplicateKey:  # another caller took it first: look again
                    continue
            live = doc["expires"] > now
            if live and doc["caller"] != self.caller:
                return False
            count = doc["count"] + 1 if live else 1
            new = {"caller": self.caller, "count": count, "expires": self._expiry(now, ttl)}
            result = await self.coll.update(
                {"_id": key, "caller": doc["caller"], "count": doc["count"]}, {"$set": new}
            )
            if result.matched:
                return True
        return False

    async def release(self) -> bool:
        """True when the lock is gone, False when only the re-entrant count dropped."""
        doc = await self._held()
        if doc["count"] <= 1:
            await self.coll.delete({"_id": doc["_id"]})
            return True
        await self.coll.update({"_id": doc["_id"]}, {"$inc": {"count": -1}})
        return False

    async def count(self) -> int:
        return int((await self._held())["count"])

    async def ping(self) -> bool:
        doc = await self._held()
        await self.coll.update(
            {"_id": doc["_id"]}, {"$set": {"expires": self._expiry(_now(), None)}}
        )
        return True
