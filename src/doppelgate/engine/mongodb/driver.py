"""The backend's one boundary with PyMongo: every driver call of a collection, whose failures
become engine errors here and nowhere else (unreachable -> BackendUnavailable, rejected read ->
InvalidFilter, rejected write -> InvalidUpdate, unique-index clash -> DuplicateKey)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from bson.codec_options import TypeRegistry
from bson.errors import BSONError
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WTimeoutError,
)
from pymongo.errors import DocumentTooLarge as PyMongoDocumentTooLarge

from ..core import Address, Document, Filter, IndexSpec
from ..errors import (
    BackendUnavailable,
    DocumentTooLarge,
    DuplicateKey,
    EngineError,
    InvalidDocument,
    InvalidFilter,
    InvalidUpdate,
)
from ..indexes import key_doc
from .codec import Int64AsInt
from .known import KnownIndexes

_DUP_INDEX = re.compile(r"index: (\S+) dup key")
# server states that mean "not now", not "your request is wrong"
_UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10058, 10107, 11600, 11602, 13435})
_UNAVAILABLE_CODES |= {13436, 50}
_TOO_LARGE_CODES = frozenset({10334, 17419, 17420})
_DUPLICATE_KEY = 11000
_PARALLEL_ARRAYS = 171  # a compound index over two array fields of one document


class Backend(Protocol):
    """The engine as its collections use it (engine.py), read live: a test may change a
    setting of a running engine, and a closed engine makes a new client."""

    @property
    def database(self) -> AsyncDatabase[Document]: ...

    @property
    def max_document_bytes(self) -> int: ...

    @property
    def max_time_ms(self) -> int: ...

    @property
    def server_sort(self) -> str: ...

    @property
    def known_indexes(self) -> KnownIndexes: ...

    def next_seq(self) -> int: ...

    async def register(self, name: str, address: Address) -> None: ...


@asynccontextmanager
async def translated(invalid: type[EngineError], max_document_bytes: int) -> AsyncIterator[None]:
    """Map driver errors: unreachable/timed out -> BackendUnavailable, rejected -> `invalid`.

    DuplicateKeyError and BulkWriteError pass through for the caller, which knows the
    document that clashed.
    """
    try:
        yield
    except (DuplicateKeyError, BulkWriteError):
        raise
    except PyMongoDocumentTooLarge as exc:
        raise DocumentTooLarge(_size_in(exc), max_document_bytes) from None
    except OperationFailure as exc:
        if exc.code in _TOO_LARGE_CODES:
            raise DocumentTooLarge(_size_in(exc), max_document_bytes) from None
        if exc.code == _PARALLEL_ARRAYS:
            raise InvalidDocument(f"MongoDB cannot index the document: {exc}") from None
        if _unavailable(exc):
            raise BackendUnavailable(f"MongoDB unavailable: {exc}") from None
        raise invalid(f"MongoDB rejected the request: {exc}") from None
    except PyMongoError as exc:
        if _unavailable(exc):
            raise BackendUnavailable(f"MongoDB unavailable: {_short(exc)}") from None
        raise invalid(f"MongoDB rejected the request: {exc}") from None
    except BSONError as exc:
        raise invalid(f"cannot encode the request as BSON: {exc}") from None


def _unavailable(exc: PyMongoError) -> bool:
    if isinstance(exc, ConnectionFailure | ExecutionTimeout | WTimeoutError):
        return True
    if getattr(exc, "timeout", False):
        return True
    if isinstance(exc, OperationFailure):
        return exc.code in _UNAVAILABLE_CODES or exc.has_error_label("RetryableWriteError")
    return not isinstance(exc, PyMongoDocumentTooLarge)


def _size_in(exc: Exception) -> int:
    found = re.search(r"(\d{5,})", str(exc))
    return int(found.group(1)) if found else 0


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "..."


def _dup_index_name(details: Mapping[str, Any] | None) -> str | None:
    found = _DUP_INDEX.search(str((details or {}).get("errmsg", "")))
    return found.group(1) if found else None


def connect(url: str, *, timeout_ms: int, pool_size: int) -> AsyncMongoClient[Document]:
    """The client of a MongoDB URL (it connects on first use); BackendUnavailable for a URL
    PyMongo cannot use."""
    try:
        return AsyncMongoClient(
            url,
            tz_aware=True,
            tzinfo=dt.UTC,
            type_registry=TypeRegistry([Int64AsInt()]),
            serverSelectionTimeoutMS=timeout_ms,
            timeoutMS=timeout_ms,
            maxPoolSize=pool_size,
            appname="doppelgate",
            # acknowledged = durable: on a majority of a replica set, in the journal
            # (a standalone mongod takes "majority" as itself); wire servers accept it
            w="majority",
            journal=True,
        )
    except (PyMongoError, ValueError, TypeError) as exc:  # a URL PyMongo cannot use
        raise BackendUnavailable(f"cannot use the MongoDB URL {redact(url)}: {exc}") from None


def redact(url: str) -> str:
    """The URL without its credentials, for messages."""
    return re.sub(r"//[^@/]*@", "//***@", url)


async def ping(client: AsyncMongoClient[Document], max_document_bytes: int) -> None:
    async with translated(BackendUnavailable, max_document_bytes):
        await client.admin.command("ping")


async def collection_names(backend: Backend) -> set[str]:
    async with translated(InvalidFilter, backend.max_document_bytes):
        return set(await backend.database.list_collection_names())


class Driver:
    """One MongoDB collection as the backend calls it: each method is one driver call with its
    errors translated, reads as InvalidFilter, writes as InvalidUpdate."""

    def __init__(self, backend: Backend, name: str) -> None:
        self._backend = backend
        self.name = name
        self.specs: dict[str, IndexSpec] = {}  # index name -> spec, for DuplicateKey's key

    @property
    def _coll(self) -> AsyncCollection[Document]:
        return self._backend.database[self.name]

    def _reading(self) -> AbstractAsyncContextManager[None]:
        return translated(InvalidFilter, self._backend.max_document_bytes)

    @asynccontextmanager
    async def _writing(self, clash: Document | None) -> AsyncIterator[None]:
        """A write; a duplicate key becomes DuplicateKey with `clash`'s key (the document as
        given). Without `clash`, the driver's DuplicateKeyError passes (the registry's upsert,
        as it always has)."""
        try:
            async with translated(InvalidUpdate, self._backend.max_document_bytes):
                yield
        except DuplicateKeyError as exc:
            if clash is None:
                raise
            raise await self._duplicate(exc.details, clash) from exc

    async def _duplicate(self, details: Mapping[str, Any] | None, doc: Document) -> DuplicateKey:
        """The engine's DuplicateKey for a server duplicate-key error on `doc`."""
        name = _dup_index_name(details) or "?"
        if name == "_id_":
            return DuplicateKey(name, {"_id": doc.get("_id")})
        spec = self.specs.get(name) or (await self.index_specs()).get(name)
        if spec is None:
            return DuplicateKey(name, dict((details or {}).get("keyValue") or {}))
        return DuplicateKey(name, key_doc(spec, doc))

    # -- reads -------------------------------------------------------------------------------

    async def batches(
        self,
        filter: Filter,
        projection: Mapping[str, Any] | None = None,
        *,
        sort: list[tuple[str, int]] | None = None,
        batch_size: int = 1000,
        limit: int = 0,
    ) -> AsyncGenerator[list[Document]]:
        """The documents of a cursor, `batch_size` at a time, as the server sends them (close
        it with contextlib.aclosing when the loop may stop early); `limit` 0 is no limit."""
        async with self._reading():
            cursor = self._coll.find(
                filter, projection, sort=sort, batch_size=batch_size, limit=limit
            )
            try:
                while batch := await cursor.to_list(batch_size):
                    yield batch
            finally:
                await cursor.close()

    async def find_all(self, filter: Filter) -> list[Document]:
        async with self._reading():
            return await self._coll.find(filter).to_list()

    async def find_one(
        self, filter: Filter, projection: Mapping[str, Any] | None = None
    ) -> Document | None:
        async with self._reading():
            return await self._coll.find_one(filter, projection)

    async def count(self, filter: Filter, limit: int = 0) -> int:
        """The matches, counting no further than `limit` (0: all of them)."""
        async with self._reading():
            if limit:
                return int(await self._coll.count_documents(filter, limit=limit))
            return await self._coll.count_documents(filter)

    async def explain(
        self, filter: Filter, sort: list[tuple[str, int]], limit: int
    ) -> dict[str, Any] | None:
        """The server's query plan; None from a server without explain (mongo-java-server)."""
        try:
            return await self._coll.find(filter, sort=sort, limit=limit).explain()
        except PyMongoError:
            return None

    async def index_specs(self) -> dict[str, IndexSpec]:
        """The collection's indexes as the server has them now (another process may change them)."""
        specs: dict[str, IndexSpec] = {}
        async with self._reading():
            async for info in await self._coll.list_indexes():
                keys = tuple((path, int(d)) for path, d in info["key"].items())
                specs[info["name"]] = IndexSpec(keys, bool(info.get("unique", False)))
        self.specs = specs
        return specs

    # -- writes ------------------------------------------------------------------------------

    async def insert_one(self, doc: Document, clash: Document) -> None:
        async with self._writing(clash):
            await self._coll.insert_one(doc)

    async def insert_many(self, docs: Sequence[Document], clashes: Sequence[Document]) -> None:
        """One ordered batch; an error reports the first document that failed (of `clashes`,
        the documents as given, in the same order)."""
        try:
            async with self._writing(None):
                await self._coll.insert_many(docs, ordered=True)
        except BulkWriteError as exc:
            first = (exc.details.get("writeErrors") or [{}])[0]
            if first.get("code") == _DUPLICATE_KEY:
                raise await self._duplicate(first, clashes[int(first.get("index", 0))]) from exc
            if first.get("code") == _PARALLEL_ARRAYS:
                raise InvalidDocument(str(first.get("errmsg", exc))) from None
            raise InvalidUpdate(str(first.get("errmsg", exc))) from None

    async def replace_one(self, filter: Filter, doc: Document, clash: Document) -> int:
        """How many documents matched (0 or 1)."""
        async with self._writing(clash):
            return (await self._coll.replace_one(filter, doc)).matched_count

    async def update_one(self, filter: Filter, update: Mapping[str, Any], clash: Document) -> int:
        """How many documents matched (0 or 1)."""
        async with self._writing(clash):
            return (await self._coll.update_one(filter, update)).matched_count

    async def upsert_one(self, filter: Filter, update: Mapping[str, Any]) -> Document | None:
        """The document after an upsert (the registry's entries)."""
        async with self._writing(None):
            return await self._coll.find_one_and_update(
                filter, update, upsert=True, return_document=True
            )

    async def delete_one(self, filter: Filter) -> int:
        async with self._writing(None):
            return (await self._coll.delete_one(filter)).deleted_count

    async def delete_many(self, filter: Filter) -> int:
        async with self._writing(None):
            return (await self._coll.delete_many(filter)).deleted_count

    async def create_index(self, spec: IndexSpec, **options: Any) -> None:
        """Build the index (`options` as PyMongo takes them); a clash among the stored documents
        is a DuplicateKey with the server's key (the caller may find the clashing one itself)."""
        async with self._writing({}):
            await self._coll.create_index(list(spec.keys), name=spec.name, **options)
        self.specs[spec.name] = spec

    async def drop_index(self, name: str) -> None:
        async with self._writing(None):
            await self._coll.drop_index(name)
        self.specs.pop(name, None)

    async def drop(self) -> None:
        async with self._writing(None):
            await self._coll.drop()
        self.specs = {}
