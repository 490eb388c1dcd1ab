"""MongoEngine: the PyMongo client and its settings, the collections of one database, their
registry (naming.py) and the insertion order they share."""

from __future__ import annotations

import time
from contextlib import AbstractAsyncContextManager
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from ..budget import DEFAULT_MAX_TIME_MS
from ..core import MAX_DOCUMENT_BYTES, Address, Document, Engine
from ..errors import BackendUnavailable, EngineError
from .collection import MongoCollection
from .driver import connect, ping, redact, translated
from .known import KnownIndexes
from .naming import Registry


class MongoEngine(Engine):
    backend = "mongodb"

    def __init__(
        self,
        url: str = "mongodb://127.0.0.1:27017",
        database: str = "doppelgate",
        *,
        pool_size: int = 100,
        timeout_ms: int = 5000,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        max_time_ms: int = DEFAULT_MAX_TIME_MS,
    ) -> None:
        self.max_time_ms = max_time_ms
        self.url = url
        self.database_name = database
        self.pool_size = pool_size
        self.timeout_ms = timeout_ms
        self.max_document_bytes = max_document_bytes
        self._client: AsyncMongoClient[Document] | None = None
        self._collections: dict[Address, MongoCollection] = {}
        self._registry = Registry(self)
        self._last_seq = 0
        self.known_indexes = KnownIndexes()  # ensure_index's answers without a round trip
        # server-sorted pages (serverplan.py): "auto" when more than PROBE documents match,
        # "indexed" when the server's explain shows an index giving the order, "always" (tests)
        self.server_sort = "auto"

    @classmethod
    def from_settings(cls, settings: Any) -> MongoEngine:
        return cls(
            settings.mongo_url,
            settings.mongo_database,
            pool_size=settings.mongo_pool_size,
            timeout_ms=settings.mongo_timeout_ms,
            max_time_ms=settings.max_time_ms,
        )

    @property
    def client(self) -> AsyncMongoClient[Document]:
        if self._client is None:
            self._client = connect(self.url, timeout_ms=self.timeout_ms, pool_size=self.pool_size)
        return self._client

    @property
    def database(self) -> AsyncDatabase[Document]:
        return self.client[self.database_name]

    def collection(self, dialect: str, tenant: str, name: str) -> MongoCollection:
        address = Address(dialect, tenant, name)
        found = self._collections.get(address)
        if found is None:
            found = self._collections[address] = MongoCollection(self, address)
        return found

    async def open(self) -> None:
        client = self.client  # an unusable URL fails here, with its own message
        try:
            await ping(client, self.max_document_bytes)
        except BackendUnavailable as exc:
            cause = str(exc).removeprefix("MongoDB unavailable: ")
            raise BackendUnavailable(
                f"MongoDB at {redact(self.url)} is unreachable "
                f"(gave up after {self.timeout_ms} ms): {cause}"
            ) from None
        await self._registry.open()

    async def close(self) -> None:
        self.known_indexes.forget()  # a reopened engine may talk to a server without them
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def ping(self) -> None:
        await ping(self.client, self.max_document_bytes)

    async def collections(
        self, dialect: str | None = None, tenant: str | None = None
    ) -> list[Address]:
        return await self._registry.addresses(dialect, tenant)

    async def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        # every index known in the scope, also of collections another process dropped already
        self.known_indexes.forget(dialect, tenant)
        return await super().reset(dialect, tenant)

    # -- shared by the collections (driver.Backend) ------------------------------------------

    async def register(self, name: str, address: Address) -> None:
        """Record a collection's address before its first write (once per process)."""
        await self._registry.record(name, address)

    def next_seq(self) -> int:
        """Insertion order: nanoseconds, strictly increasing in this process (and across
        processes as far as their clocks agree)."""
        self._last_seq = max(time.time_ns(), self._last_seq + 1)
        return self._last_seq

    def errors(self, invalid: type[EngineError]) -> AbstractAsyncContextManager[None]:
        """Driver errors as engine errors (driver.py), for driver calls made outside the
        collections (the shared clock's state): rejected -> `invalid`."""
        return translated(invalid, self.max_document_bytes)
