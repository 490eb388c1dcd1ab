"""Collection names and their registry: any address gives a short, valid, unique MongoDB
collection name, and `_doppelgate_collections` records which address each name holds."""

from __future__ import annotations

import hashlib
import json
import re

from ..core import Address, IndexSpec
from ..errors import EngineError
from .driver import Backend, Driver, collection_names

REGISTRY = "_doppelgate_collections"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def collection_name(address: Address) -> str:
    """The MongoDB collection of an address: readable prefix + hash of the exact triple.

    `dialect.tenant.name.HASH`, each part reduced to [A-Za-z0-9_-] and truncated (16/24/32
    characters), HASH the first 16 hex digits of SHA-256 over the JSON triple: any tenant string
    gives a valid, short name, and two addresses never share one.
    """
    triple = [address.dialect, address.tenant, address.name]
    digest = hashlib.sha256(json.dumps(triple).encode()).hexdigest()[:16]

    def slug(text: str, size: int) -> str:
        return _UNSAFE_NAME.sub("_", text)[:size] or "_"

    dialect = slug(address.dialect, 16)
    if dialect == "system":  # "system.*" names are reserved by MongoDB
        dialect = "system_"
    return f"{dialect}.{slug(address.tenant, 24)}.{slug(address.name, 32)}.{digest}"


class Registry:
    """The addresses of the collections written so far, shared by every process."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._entries = Driver(backend, REGISTRY)
        self._recorded: set[str] = set()

    async def open(self) -> None:
        await self._entries.create_index(IndexSpec((("dialect", 1), ("tenant", 1), ("name", 1))))

    async def record(self, name: str, address: Address) -> None:
        """Record a collection's address before its first write (once per process)."""
        if name in self._recorded:
            return
        a = address
        entry = await self._entries.upsert_one(
            {"_id": name},
            {"$setOnInsert": {"dialect": a.dialect, "tenant": a.tenant, "name": a.name}},
        )
        if entry is not None and (entry["dialect"], entry["tenant"], entry["name"]) != (
            a.dialect,
            a.tenant,
            a.name,
        ):
            raise EngineError(f"collection name {name} is taken by another address")
        self._recorded.add(name)

    async def addresses(self, dialect: str | None, tenant: str | None) -> list[Address]:
        """The recorded addresses (of one dialect, one tenant) whose collections exist."""
        query = {k: v for k, v in (("dialect", dialect), ("tenant", tenant)) if v is not None}
        existing = await collection_names(self._backend)
        entries = await self._entries.find_all(query)
        return sorted(
            (
                Address(e["dialect"], e["tenant"], e["name"])
                for e in entries
                if e["_id"] in existing
            ),
            key=lambda a: (a.dialect, a.tenant, a.name),
        )
