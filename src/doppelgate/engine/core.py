"""The engine's async interface, shared by both backends, and the rules both apply alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import msgspec

from .. import ids
from .errors import DocumentTooLarge, InvalidDocument, InvalidFilter
from .values import hash_key

Document = dict[str, Any]
Filter = Mapping[str, Any]
SortSpec = Sequence[tuple[str, int]]
IndexKeys = Sequence[str | tuple[str, int]]

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # MongoDB's BSON document limit

_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder()


@dataclass(frozen=True, slots=True)
class Address:
    """Where a collection lives: tenants of one dialect never see each other's data."""

    dialect: str
    tenant: str
    name: str


class UpdateResult(NamedTuple):
    matched: int
    modified: int
    upserted_id: Any = None


@dataclass(frozen=True, slots=True)
class IndexSpec:
    keys: tuple[tuple[str, int], ...]
    unique: bool = False
    # derived once: the planner reads them for every index on every query
    name: str = field(init=False, compare=False, repr=False)
    paths: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        name = "_".join(f"{path}_{direction}" for path, direction in self.keys)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "paths", tuple(path for path, _ in self.keys))


def index_spec(keys: IndexKeys, unique: bool) -> IndexSpec:
    pairs = tuple((k, 1) if isinstance(k, str) else (k[0], int(k[1])) for k in keys)
    if not pairs or any(d not in (1, -1) or not p for p, d in pairs):
        raise InvalidFilter(f"index keys must be paths with direction 1 or -1, not {keys!r}")
    return IndexSpec(pairs, unique)


def normalize_sort(sort: SortSpec | Mapping[str, int] | None) -> list[tuple[str, int]]:
    items = list(sort.items()) if isinstance(sort, Mapping) else list(sort or [])
    for path, direction in items:
        if direction not in (1, -1) or not isinstance(path, str) or not path:
            raise InvalidFilter(f"sort keys are (path, 1|-1), not {(path, direction)!r}")
    return items


def new_id() -> str:
    """A fresh `_id`: ObjectId text, so both backends store the same kind of value."""
    return ids.object_id()


def encode(doc: Any) -> bytes:
    return _encoder.encode(doc)


def decode(blob: bytes) -> Any:
    return _decoder.decode(blob)


def clone(value: Any) -> Any:
    """A deep copy of a stored value (msgpack round trip: far faster than copy.deepcopy)."""
    return _decoder.decode(_encoder.encode(value))


def check_document(doc: Any, limit: int) -> bytes:
    """Validate a document for storage and return its msgpack encoding."""
    if not isinstance(doc, dict):
        raise InvalidDocument("a document must be a JSON object")
    _check_value(doc)
    blob = _encoder.encode(doc)
    # msgpack is never larger than BSON, so only near the limit is the exact BSON size needed
    if len(blob) * 2 > limit:
        import bson

        size = len(bson.encode(doc))
        if size > limit:
            raise DocumentTooLarge(size, limit)
    return blob


_PLAIN = frozenset({str, float, bool, type(None)})  # exact types that are always storable


def _check_value(value: Any) -> None:
    if type(value) in _PLAIN:  # most leaves: no isinstance chain, no call per field
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidDocument(f"field names must be strings, not {key!r}")
            if key.startswith("$"):
                raise InvalidDocument(f"field names cannot start with '$': {key!r}")
            if type(item) not in _PLAIN:
                _check_value(item)
    elif isinstance(value, list):
        for item in value:
            _check_value(item)
    elif isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidDocument("datetimes must carry a time zone")
    elif value is not None and not isinstance(value, str | int | float | bytes):
        raise InvalidDocument(f"unsupported value type {type(value).__name__}")
    elif isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        raise InvalidDocument(f"integer {value} does not fit in 64 bits")


def with_id(doc: Document) -> Document:
    """The document with `_id` first, generated when absent (MongoDB's insert rule)."""
    if "_id" in doc:
        if isinstance(doc["_id"], list):
            raise InvalidDocument("_id cannot be an array")
        return {"_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
    return {"_id": new_id(), **doc}


# this process's read-modify-write cycles per (address, document key): see Collection.exclusive
_CYCLES: weakref.WeakValueDictionary[tuple[Address, Any], asyncio.Lock] = (
    weakref.WeakValueDictionary()
)


class Collection(ABC):
    """One (dialect, tenant, name) collection. Every single-document write is atomic."""

    address: Address

    def generation(self) -> int | None:
        """A number that changes whenever anything in this collection may have changed (a
        write, a drop, a reset, a load, a restore), so a value derived from its contents stays
        valid while it is the same; None when the backend cannot tell cheaply (then read)."""
        return None

    @asynccontextmanager
    async def exclusive(self, doc_id: Any) -> AsyncIterator[None]:
        """Run a read-modify-write cycle of one document (read it, compute a vendor rule the
        server cannot express, write it back conditioned on what was read) after this
        process's other cycles of that document, not interleaved with them: concurrent
        requests then never invalidate each other's reads, and the conditional write only
        fails on writers in other processes."""
        key = (self.address, hash_key(doc_id))
        lock = _CYCLES.get(key)
        if lock is None:
            lock = _CYCLES[key] = asyncio.Lock()
        async with lock:
            yield

    @abstractmethod
    async def insert(self, doc: Document) -> Any:
        """Insert one document; returns its `_id`. DuplicateKey on a unique clash."""

    @abstractmethod
    async def insert_many(self, docs: Sequence[Document]) -> list[Any]:
        """Insert in order, stopping at the first failure (earlier ones stay)."""

    @abstractmethod
    async def find(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        """Matching documents, sorted in MongoDB's cross-type order; limit 0 means all."""

    async def find_one(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> Document | None:
        found = await self.find(filter, sort=sort, limit=1, projection=projection)
        return found[0] if found else None

    @abstractmethod
    async def count(self, filter: Filter | None = None) -> int: ...

    async def find_with_count(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> tuple[list[Document], int]:
        """A page of matches and the total match count; backends answer both in one pass."""
        total = await self.count(filter)
        docs = await self.find(filter, sort=sort, skip=skip, limit=limit, projection=projection)
        return docs, total

    @abstractmethod
    async def explain(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> dict[str, Any]:
        """How a find runs: {plan, index, examined, returned, countFromIndex} (and backend
        details); runs the find to count the documents it examines."""

    @abstractmethod
    async def update(
        self, filter: Filter, update: Mapping[str, Any], *, many: bool = False, upsert: bool = False
    ) -> UpdateResult:
        """Apply update operators to the first (or every) match; upsert inserts when none."""

    @abstractmethod
    async def find_one_and_update(
        self,
        filter: Filter,
        update: Mapping[str, Any],
        *,
        upsert: bool = False,
        sort: SortSpec | None = None,
        projection: Mapping[str, Any] | None = None,
        return_new: bool = True,
    ) -> Document | None:
        """Atomically update one document and return it (after the update unless told not to)."""

    @abstractmethod
    async def replace(self, filter: Filter, doc: Document, *, upsert: bool = False) -> UpdateResult:
        """Replace the first match whole, keeping its `_id`."""

    @abstractmethod
    async def delete(self, filter: Filter, *, many: bool = True) -> int: ...

    @abstractmethod
    async def ensure_index(self, keys: IndexKeys, *, unique: bool = False) -> str:
        """Create the index if absent (existing documents must satisfy it); returns its name."""

    @abstractmethod
    async def drop(self) -> None: ...


class Engine(ABC):
    """One per process: every dialect's collections, on one backend."""

    backend: str

    @abstractmethod
    def collection(self, dialect: str, tenant: str, name: str) -> Collection: ...

    async def open(self) -> None:  # noqa: B027 - a no-op default, not a missing method
        """Connect / load persisted data. Safe to call once at start-up."""

    async def close(self) -> None:  # noqa: B027
        """Flush and release resources."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise BackendUnavailable when the backend cannot serve requests."""

    @abstractmethod
    async def collections(
        self, dialect: str | None = None, tenant: str | None = None
    ) -> list[Address]:
        """Addresses of the existing collections, optionally of one dialect and tenant."""

    async def reset(self, dialect: str | None = None, tenant: str | None = None) -> int:
        """Drop every collection (of one dialect / tenant); returns how many were dropped."""
        addresses = await self.collections(dialect, tenant)
        for a in addresses:
            await self.collection(a.dialect, a.tenant, a.name).drop()
        return len(addresses)

    async def __aenter__(self) -> Engine:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
