"""The MongoDB backend: PyMongo's AsyncMongoClient, the same behaviour as the embedded backend.

One code path serves a real MongoDB 7 and the lighter MongoDB-wire servers the suite runs on
(mongo-java-server here): the server stores documents, enforces unique indexes and makes each
single-document write atomic; the rules where servers differ run in Python, with the embedded
backend's own code (filters.py, updates.py, projection.py, values.py):

- filters: `compile_filter` validates and decides every match; equality/$in terms on plain
  scalars go to the server only as a pre-filter that narrows the scan (wire servers over-match).
- order: documents come back in insertion order, as from the embedded backend, whatever order
  the server scans in (mongo-java-server's is `_id` order); sort, skip, limit and projection run
  in Python (MongoDB's cross-type order and array rules, which wire servers get wrong).
- an update of one document by `_id` whose operators every server applies as the engine does
  (serverside.py: $set $unset $inc $push $addToSet $pull on known paths): checked in Python on
  the fetched document, then sent as one server-side `update_one`, atomic there: concurrent
  writers never refuse each other.
- other updates, replacements and upserts: computed in Python by `apply_update` on the fetched
  document, then written by a compare-and-swap on the document's revision, retried after a
  jittered backoff until the operation's time limit:
  the embedded backend's $pull/$addToSet/$push semantics, modified counts (byte-equal means
  unmodified), upsert seeding and DocumentTooLarge checks, on every server. Writers of one
  document in one process queue on a lock, each handing the next the document as it left it;
  writers in other processes are kept apart by the revision check.
- each stored document carries a hidden `_doppelgate: {seq, rev}` (insertion sequence, random
  revision), stripped from every document read; documents may not use that field name.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import random
import re
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, NoReturn

from bson.codec_options import TypeDecoder, TypeRegistry
from bson.errors import BSONError
from bson.int64 import Int64
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

from .budget import DEFAULT_MAX_TIME_MS, budget, paced_filter, remaining, sort_documents
from .core import (
    MAX_DOCUMENT_BYTES,
    Address,
    Collection,
    Document,
    Engine,
    Filter,
    IndexKeys,
    IndexSpec,
    SortSpec,
    UpdateResult,
    check_document,
    clone,
    encode,
    index_spec,
    normalize_sort,
    with_id,
)
from .errors import (
    BackendUnavailable,
    DocumentTooLarge,
    DuplicateKey,
    EngineError,
    InvalidDocument,
    InvalidFilter,
    InvalidUpdate,
)
from .filters import Predicate, compile_filter, equality_fields, is_operator_doc
from .indexes import index_keys, key_doc
from .projection import compile_projection
from .pushdown import pushdown, safe_scalar, top_fields
from .serverplan import SORT_KINDS, exact_paths, guard, many_matches, plain, reading_cap
from .serverside import server_update
from .updates import apply_update, validate_update
from .values import hash_key, sort_key, sort_value, split_path

REGISTRY = "_doppelgate_collections"
_UNPINNED: Any = object()
META = "_doppelgate"  # hidden in every stored document: {"seq": insertion order, "rev": revision}
META_REV = "_doppelgate.rev"

# compare-and-swap rounds lost to other processes: retried after a jittered backoff (1 ms,
# doubling up to 50 ms) until the operation's time limit, then BackendUnavailable
_BACKOFF_FIRST, _BACKOFF_CAP = 0.001, 0.05
_BATCH = 1000  # documents per cursor batch, filtered together
_DELETE_BATCH = 500  # documents deleted per command (each at its revision)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_DUP_INDEX = re.compile(r"index: (\S+) dup key")
# server states that mean "not now", not "your request is wrong"
_UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10058, 10107, 11600, 11602, 13435})
_UNAVAILABLE_CODES |= {13436, 50}
_TOO_LARGE_CODES = frozenset({10334, 17419, 17420})
_PARALLEL_ARRAYS = 171  # a compound index over two array fields of one document


class _Int64AsInt(TypeDecoder):
    """BSON int64 comes back as a plain int, as the embedded backend returns it."""

    bson_type = Int64

    def transform_bson(self, value: Any) -> int:
        return int(value)


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


# -- values as BSON stores them ------------------------------------------------------------------


def _bson_precision(value: Any) -> Any:
    """The value as it reads back from BSON: datetimes at millisecond precision, in UTC."""
    if isinstance(value, dict):
        return {k: _bson_precision(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bson_precision(v) for v in value]
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def _has_datetime(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_datetime(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_datetime(v) for v in value)
    return isinstance(value, dt.datetime)


def _filter_as_stored(spec: Filter | None) -> Filter | None:
    # a datetime in a filter compares as the server sees it: at millisecond precision
    return _bson_precision(spec) if spec and _has_datetime(spec) else spec


Meta = dict[str, Any] | None  # a stored document's hidden metadata (None: written by others)
Stored = tuple[Document, Meta]


def _new_rev() -> int:
    # random, not a counter: a document deleted and inserted again never repeats a revision
    return random.getrandbits(62) + 1


def _split(doc: Document) -> Stored:
    meta = doc.pop(META, None)
    return doc, meta if isinstance(meta, dict) else None


def _only_id(spec: Filter | None) -> Any:
    """The `_id` of a filter that is exactly {"_id": plain scalar}, else _UNPINNED."""
    if not spec or len(spec) != 1 or "_id" not in spec:
        return _UNPINNED
    return spec["_id"] if safe_scalar(spec["_id"]) else _UNPINNED


def _document(stored: Stored) -> Document:
    return stored[0]


def _rev(meta: Meta) -> Any:
    return meta.get("rev") if meta else None


def _seq(stored: Stored) -> Any:
    seq = stored[1].get("seq") if stored[1] else None
    return seq if isinstance(seq, int) else 0


def _at(doc_id: Any, meta: Meta) -> dict[str, Any]:
    """The filter of one document at one revision (a compare-and-swap's condition)."""
    return {"_id": doc_id, META_REV: _rev(meta)}


# -- unique-index checks, with the embedded backend's keys (indexes.py) -------------------------


def _first_duplicate(spec: IndexSpec, docs: Sequence[Document]) -> Document | None:
    """The first document (in order) whose key another one already holds."""
    holders: dict[tuple[Any, ...], Any] = {}
    for doc in docs:
        own = hash_key(doc.get("_id"))
        keys = index_keys(spec, doc)
        if any(holders.get(k, own) != own for k in keys):
            return doc
        for k in keys:
            holders.setdefault(k, own)
    return None


def _dup_index_name(details: Mapping[str, Any] | None) -> str | None:
    found = _DUP_INDEX.search(str((details or {}).get("errmsg", "")))
    return found.group(1) if found else None


def _unavailable(exc: PyMongoError) -> bool:
    if isinstance(exc, ConnectionFailure | ExecutionTimeout | WTimeoutError):
        return True
    if getattr(exc, "timeout", False):
        return True
    if isinstance(exc, OperationFailure):
        return exc.code in _UNAVAILABLE_CODES or exc.has_error_label("RetryableWriteError")
    return not isinstance(exc, PyMongoDocumentTooLarge)


class _Slot:
    """One document's writers in this process queue on `lock`; each hands the next one the
    document as it left it, so the next one needs no re-read (the revision check still catches
    writes by other processes)."""

    __slots__ = ("__weakref__", "latest", "lock", "writers")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.latest: Stored | None = None
        self.writers = 0  # writers holding or awaiting the lock

    @property
    def busy(self) -> bool:
        return self.writers > 0

    def keep(self, doc: Document, meta: Meta) -> None:
        self.latest = (doc, meta)

    def take(self) -> Stored | None:
        latest, self.latest = self.latest, None
        return latest


class MongoCollection(Collection):
    def __init__(self, engine: MongoEngine, address: Address) -> None:
        self.address = address
        self.name = collection_name(address)
        self._engine = engine
        self._specs: dict[str, IndexSpec] = {}  # index name -> spec, for DuplicateKey's key
        self.server_reads = 0  # documents the last server-sorted page read from the server

    @property
    def _coll(self) -> AsyncCollection[Document]:
        return self._engine.database[self.name]

    # -- reads -------------------------------------------------------------------------------

    async def _fetch(
        self, spec: Filter | None, predicate: Predicate, *, whole: bool = True
    ) -> list[Stored]:
        """Matching documents with their metadata, in insertion order.

        Not `whole`: only the fields the filter reads (and `_id`), for counting and deleting.
        """
        fields = None if whole else top_fields(spec)
        projection = None if fields is None else dict.fromkeys([*fields, META], 1)
        found: list[Stored] = []
        batch: list[Stored] = []

        def keep(stored: Stored) -> bool:
            return predicate(stored[0])

        with budget(self._engine.max_time_ms):
            async with self._engine.errors(InvalidFilter):
                async for doc in self._coll.find(pushdown(spec), projection, batch_size=_BATCH):
                    batch.append(_split(doc))
                    if len(batch) == _BATCH:  # tested off the loop when it takes long
                        found += await paced_filter(batch, keep)
                        batch = []
            found += await paced_filter(batch, keep)
        found.sort(key=_seq)
        return found

    async def _find(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        skip: int,
        limit: int,
    ) -> list[Stored]:
        """Matches of a normalized filter in sort order (ties in insertion order), sliced."""
        return (await self._find_counted(spec, predicate, sort, skip, limit, False))[0]

    async def _find_counted(
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
        served = await self._server_page(spec, predicate, order, skip, limit, exact)
        if served is not None:
            page, proved = served
            if not want_total:
                return page, -1
            if proved:  # one guard proved the order and the filter
                async with self._engine.errors(InvalidFilter):
                    return page, await self._coll.count_documents(pushdown(spec))
            return page, await self._count(spec, predicate)
        found = await self._fetch(spec, predicate)
        if order:
            with budget(self._engine.max_time_ms):
                found = await sort_documents(found, order, _document)
        page = found[skip : skip + limit if limit else None] if skip or limit else found
        return page, len(found)

    async def find(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        project = compile_projection(projection)
        spec = _filter_as_stored(filter)
        found = await self._find(spec, compile_filter(spec), sort, skip, limit)
        return [project(d) if project else d for d, _ in found]

    async def _server_page(
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
        async with self._engine.errors(InvalidFilter):
            wanted = skip + limit
            server_order = [(first, direction)]  # what a declared index gives: no SORT stage
            if not await self._index_gives_order(server, server_order, wanted):
                return None
            for kind in SORT_KINDS:
                typed = {first: kind}
                ranged = {p: k for p, k in (exact or {}).items() if k is not None}
                if exact is not None and ranged.get(first, kind) == kind:
                    check = guard(server, exact, {**ranged, **typed})
                    if await self._coll.find_one(check, {"_id": 1}) is None:
                        proved = True
                        break
                if await self._coll.find_one(guard(server, [], typed), {"_id": 1}) is None:
                    break
            else:
                return None
            cap = reading_cap(wanted)  # the server keeps the top `cap` only (serverplan.py)
            while True:
                cursor = self._coll.find(server, sort=server_order, limit=cap, batch_size=cap)
                found: list[Stored] = []
                last: Any = _UNPINNED
                parts = split_path(first)
                read = 0
                async for doc in cursor:
                    read += 1
                    stored = _split(doc)
                    key = sort_value(stored[0], parts, direction < 0)
                    if len(found) >= wanted and key != last:
                        break  # the run of equal first keys at the page's end is complete
                    if predicate(stored[0]):
                        found.append(stored)
                        last = key
                await cursor.close()
                if read < cap or (len(found) >= wanted and key != last):
                    break
                cap *= 8  # the page or its last run goes on past the cap: read further
        self.server_reads = read
        found.sort(key=_seq)  # whole runs of equal first keys: ties in insertion order
        for path, way in reversed(order):  # the found runs, in the engine's order
            parts, descending = split_path(path), way < 0
            found.sort(
                key=lambda stored: sort_key(sort_value(stored[0], parts, descending)),
                reverse=descending,
            )
        return found[skip:wanted], proved

    async def _index_gives_order(
        self, server: Filter, order: list[tuple[str, int]], limit: int
    ) -> bool:
        """Whether the server walks an index for this order (no blocking SORT stage)."""
        if self._engine.server_sort == "always":
            return True
        if self._engine.server_sort == "auto":  # few matches: one read for Python is cheaper
            return await many_matches(self._coll, server)
        try:
            plan = await self._coll.find(server, sort=order, limit=limit).explain()
        except PyMongoError:  # no explain (mongo-java-server): no proof of an index walk
            return False
        winning = str(plan.get("queryPlanner", {}).get("winningPlan", ""))
        return "IXSCAN" in winning and "'SORT'" not in winning

    async def _count(self, spec: Filter | None, predicate: Predicate) -> int:
        """The server counts when it decides the filter exactly (serverplan.py guard)."""
        exact = exact_paths(spec)
        if not spec:  # every document: the server counts them, none is shipped
            async with self._engine.errors(InvalidFilter):
                return await self._coll.count_documents({})
        if exact is None:
            return len(await self._fetch(spec, predicate, whole=False))
        server = pushdown(spec)
        typed = {p: k for p, k in exact.items() if k is not None}
        async with self._engine.errors(InvalidFilter):
            if await self._coll.find_one(guard(server, exact, typed), {"_id": 1}) is not None:
                return len(await self._fetch(spec, predicate, whole=False))
            return await self._coll.count_documents(server)

    async def find_with_count(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> tuple[list[Document], int]:
        project = compile_projection(projection)
        spec = _filter_as_stored(filter)
        found, total = await self._find_counted(spec, compile_filter(spec), sort, skip, limit)
        return [project(d) if project else d for d, _ in found], total

    async def explain(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> dict[str, Any]:
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)
        order = normalize_sort(sort)
        server = pushdown(spec)
        served = await self._server_page(spec, predicate, order, skip, limit)
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
        async with self._engine.errors(InvalidFilter):
            async for doc in self._coll.find(server, batch_size=1000):
                examined += 1
                matched += predicate(_split(doc)[0])
        return {
            "plan": "SERVER-FILTER" if server else "COLLSCAN",
            "index": None,
            "examined": examined,  # documents the server sent
            "returned": max(0, min(matched - skip, limit or matched)),
            "countFromIndex": False,
            "serverFilter": server,
        }

    async def count(self, filter: Filter | None = None) -> int:
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)
        if not spec:
            async with self._engine.errors(InvalidFilter):
                return await self._coll.count_documents({})
        return await self._count(spec, predicate)

    # -- writes ------------------------------------------------------------------------------

    def _prepare(self, doc: Document, *, given: bool = True) -> Document:
        """Check a document for storage; returns it as the server will store it.

        A document computed from stored values and normalized arguments (`given=False`) holds
        no datetime finer than a millisecond already.
        """
        check_document(doc, self._engine.max_document_bytes)
        if META in doc:
            raise InvalidDocument(f"the field name {META!r} is reserved by the MongoDB backend")
        return _bson_precision(doc) if given and _has_datetime(doc) else doc

    def _new(self, doc: Document) -> Document:
        """A new document as stored: last in insertion order, at a fresh revision."""
        return {**doc, META: {"seq": self._engine.next_seq(), "rev": _new_rev()}}

    async def _duplicate(self, details: Mapping[str, Any] | None, doc: Document) -> NoReturn:
        """Raise the engine's DuplicateKey for a server duplicate-key error on `doc`."""
        name = _dup_index_name(details) or "?"
        if name == "_id_":
            raise DuplicateKey(name, {"_id": doc.get("_id")})
        spec = self._specs.get(name) or (await self._index_specs()).get(name)
        if spec is None:
            raise DuplicateKey(name, dict((details or {}).get("keyValue") or {}))
        raise DuplicateKey(name, key_doc(spec, doc))

    async def _index_specs(self) -> dict[str, IndexSpec]:
        """The collection's indexes as the server has them now (another process may change them)."""
        specs: dict[str, IndexSpec] = {}
        async with self._engine.errors(InvalidFilter):
            async for info in await self._coll.list_indexes():
                keys = tuple((path, int(d)) for path, d in info["key"].items())
                specs[info["name"]] = IndexSpec(keys, bool(info.get("unique", False)))
        self._specs = specs
        return specs

    async def insert(self, doc: Document) -> Any:
        if not isinstance(doc, dict):
            raise InvalidDocument("a document must be a JSON object")
        stored = self._prepare(with_id(doc))
        await self._engine.register(self)
        try:
            async with self._engine.errors(InvalidUpdate):
                await self._coll.insert_one(self._new(stored))
        except DuplicateKeyError as exc:
            await self._duplicate(exc.details, stored)
        return stored["_id"]

    async def insert_many(self, docs: Sequence[Document]) -> list[Any]:
        # each document is checked before any is sent: the valid prefix goes in one ordered batch
        prepared: list[Document] = []
        failure: EngineError | None = None
        for doc in docs:
            try:
                if not isinstance(doc, dict):
                    raise InvalidDocument("a document must be a JSON object")
                prepared.append(self._prepare(with_id(doc)))
            except EngineError as exc:
                failure = exc
                break
        if prepared:
            await self._engine.register(self)
            try:
                async with self._engine.errors(InvalidUpdate):
                    await self._coll.insert_many([self._new(d) for d in prepared], ordered=True)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors") or [{}]
                first = errors[0]
                if first.get("code") == 11000:
                    await self._duplicate(first, prepared[int(first.get("index", 0))])
                if first.get("code") == _PARALLEL_ARRAYS:
                    raise InvalidDocument(str(first.get("errmsg", exc))) from None
                raise InvalidUpdate(str(first.get("errmsg", exc))) from None
        if failure is not None:
            raise failure
        return [d["_id"] for d in prepared]

    async def _swap(self, old: Document, meta: Meta, new: Document, new_meta: Meta) -> bool:
        """Replace `old` (at `meta`'s revision) by `new`; False if it changed or went meanwhile."""
        try:
            async with self._engine.errors(InvalidUpdate):
                result = await self._coll.replace_one(
                    _at(old["_id"], meta), {**new, META: new_meta}
                )
        except DuplicateKeyError as exc:
            await self._duplicate(exc.details, new)
        return result.matched_count == 1

    async def _reread(self, doc_id: Any) -> Stored | None:
        async with self._engine.errors(InvalidFilter):
            doc = await self._coll.find_one({"_id": doc_id})
        return None if doc is None else _split(doc)

    async def _write_one(
        self,
        found: Stored,
        predicate: Predicate,
        compute: Callable[[Document], Document],
    ) -> tuple[Document, Document, bool] | None:
        """Atomically replace one matched document by `compute(current)`.

        Returns (old, new, modified), or None when the document no longer matches (changed or
        deleted by another writer before this one got it).
        """
        doc, meta = found
        slot = self._engine.slot(self.name, doc["_id"])
        busy = slot.busy
        slot.writers += 1
        try:
            async with slot.lock:
                left = slot.take()  # only ever what the writer just before this one left
                if busy:  # another writer of this process went first: start from what it left
                    fresh = left or await self._reread(doc["_id"])
                    if fresh is None or not predicate(fresh[0]):
                        return None
                    doc, meta = fresh
                async for _ in self._engine.rounds():
                    new = compute(doc)
                    if encode(new) == encode(doc):  # byte-equal: 1 vs 1.0 vs true still count
                        slot.keep(clone(doc), meta)
                        return doc, doc, False
                    new = self._prepare(new, given=False)
                    new_meta = {"seq": _seq((doc, meta)), "rev": _new_rev()}
                    if await self._swap(doc, meta, new, new_meta):
                        slot.keep(clone(new), new_meta)
                        return doc, new, True
                    fresh = await self._reread(doc["_id"])  # another process wrote it: again
                    if fresh is None or not predicate(fresh[0]):
                        return None
                    doc, meta = fresh
        finally:
            slot.writers -= 1
        raise BackendUnavailable(f"document {doc['_id']!r} kept changing: gave up after retries")

    def _updater(self, update: Mapping[str, Any]) -> Callable[[Document], Document]:
        def compute(doc: Document) -> Document:
            new = clone(doc)
            apply_update(new, update, inserting=False)
            if hash_key(new.get("_id")) != hash_key(doc["_id"]):
                raise InvalidUpdate("the _id field cannot be changed")
            return new

        return compute

    async def _update_on_server(
        self,
        doc_id: Any,
        predicate: Predicate,
        server: dict[str, Any],
        compute: Callable[[Document], Document],
    ) -> UpdateResult | None:
        """One document updated by the server itself (serverside.py): atomic there, so it never
        loses to concurrent writers. The document is read first only to apply the engine's
        checks (errors, size limit, unmodified); the write applies to it as it is by then.
        None when there is no such document."""
        found = await self._reread(doc_id)
        if found is None or not predicate(found[0]):
            return None
        old = found[0]
        new = compute(old)
        if encode(new) == encode(old):  # byte-equal: unmodified, as on every path
            return UpdateResult(1, 0)
        new = self._prepare(new, given=False)
        revised = {**server, "$set": {**server.get("$set", {}), META_REV: _new_rev()}}
        try:
            async with self._engine.errors(InvalidUpdate):
                result = await self._coll.update_one({"_id": doc_id}, revised)
        except DuplicateKeyError as exc:
            await self._duplicate(exc.details, new)
        return UpdateResult(1, 1) if result.matched_count else None

    async def _upsert(
        self,
        filter: Filter | None,
        predicate: Predicate,
        update: Mapping[str, Any] | None,
        replacement: Document | None,
    ) -> Document | None:
        """Insert the upsert's document; None when a concurrent writer inserted a match first."""
        seed: Document = {}
        for path, value in equality_fields(filter).items():
            if not path.startswith("$") and not is_operator_doc(value):
                apply_update(seed, {"$set": {path: value}}, inserting=True)
        pinned_id = "_id" in seed, seed.get("_id")  # the filter's _id equality, if any
        if replacement is not None:
            new = {**({"_id": seed["_id"]} if "_id" in seed else {}), **replacement}
        else:
            new = seed
            apply_update(new, update or {}, inserting=True)
        if pinned_id[0] and hash_key(new.get("_id")) != hash_key(pinned_id[1]):
            raise InvalidUpdate("the _id field cannot be changed")
        stored = self._prepare(with_id(new), given=False)
        await self._engine.register(self)
        try:
            async with self._engine.errors(InvalidUpdate):
                await self._coll.insert_one(self._new(stored))
        except DuplicateKeyError as exc:
            # a concurrent upsert may have inserted the match: the caller looks again
            if await self._fetch(filter, predicate):
                return None
            await self._duplicate(exc.details, stored)
        return stored

    async def _write_first(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        compute: Callable[[Document], Document],
    ) -> tuple[Document, Document, bool] | None:
        """Write the first match (in sort order) atomically; None when nothing matches."""
        pinned = equality_fields(spec).get("_id", _UNPINNED)
        if safe_scalar(pinned) and self._engine.slot(self.name, pinned).busy:
            # a writer of this process holds that document: read it after that one, not now
            return await self._write_one(({"_id": pinned}, None), predicate, compute)
        async for _ in self._engine.rounds():
            found = await self._find(spec, predicate, sort, 0, 0)
            if not found:
                return None
            for candidate in found:  # the first that still matches when its turn comes
                written = await self._write_one(candidate, predicate, compute)
                if written is not None:
                    return written
        raise BackendUnavailable("the matching documents kept changing: gave up after retries")

    async def update(
        self, filter: Filter, update: Mapping[str, Any], *, many: bool = False, upsert: bool = False
    ) -> UpdateResult:
        validate_update(update)
        update = _bson_precision(update) if _has_datetime(update) else update
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)
        compute = self._updater(update)
        server = None if many else server_update(update, META)
        pinned = _only_id(spec)
        if server is not None and pinned is not _UNPINNED:
            result = await self._update_on_server(pinned, predicate, server, compute)
            if result is not None or not upsert:
                return result or UpdateResult(0, 0)
        async for _ in self._engine.rounds():
            if many:
                matched = await self._fetch(spec, predicate)
                if matched:
                    modified = 0
                    for found in matched:
                        written = await self._write_one(found, predicate, compute)
                        modified += bool(written and written[2])
                    return UpdateResult(len(matched), modified)
            else:
                written = await self._write_first(spec, predicate, None, compute)
                if written is not None:
                    return UpdateResult(1, int(written[2]))
            if not upsert:
                return UpdateResult(0, 0)
            stored = await self._upsert(spec, predicate, update, None)
            if stored is not None:
                return UpdateResult(0, 0, stored["_id"])
        raise BackendUnavailable("the matching documents kept changing: gave up after retries")

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
        validate_update(update)
        update = _bson_precision(update) if _has_datetime(update) else update
        project = compile_projection(projection)
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)
        normalize_sort(sort)
        compute = self._updater(update)
        async for _ in self._engine.rounds():
            written = await self._write_first(spec, predicate, sort, compute)
            if written is not None:
                old, new, _ = written
                result = new if return_new else old
                return project(result) if project else result
            if not upsert:
                return None
            stored = await self._upsert(spec, predicate, update, None)
            if stored is not None:
                if not return_new:
                    return None
                return project(stored) if project else stored
        raise BackendUnavailable("the matching documents kept changing: gave up after retries")

    async def replace(self, filter: Filter, doc: Document, *, upsert: bool = False) -> UpdateResult:
        if not isinstance(doc, dict) or any(k.startswith("$") for k in doc):
            raise InvalidUpdate("a replacement is a plain document without operators")
        doc = _bson_precision(doc) if _has_datetime(doc) else doc
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)

        def compute(old: Document) -> Document:
            if "_id" in doc and hash_key(doc["_id"]) != hash_key(old["_id"]):
                raise InvalidUpdate("the _id field cannot be changed")
            return {"_id": old["_id"], **{k: v for k, v in doc.items() if k != "_id"}}

        async for _ in self._engine.rounds():
            written = await self._write_first(spec, predicate, None, compute)
            if written is not None:
                return UpdateResult(1, int(written[2]))
            if not upsert:
                return UpdateResult(0, 0)
            stored = await self._upsert(spec, predicate, None, doc)
            if stored is not None:
                return UpdateResult(0, 0, stored["_id"])
        raise BackendUnavailable("the matching documents kept changing: gave up after retries")

    async def delete(self, filter: Filter, *, many: bool = True) -> int:
        spec = _filter_as_stored(filter)
        predicate = compile_filter(spec)
        if not spec and many:
            async with self._engine.errors(InvalidUpdate):
                return (await self._coll.delete_many({})).deleted_count
        matched = await self._fetch(spec, predicate, whole=False)
        if not many:
            for found in matched:  # the first that still matches when its turn comes
                if await self._delete_one(found, predicate):
                    return 1
            return 0
        deleted = 0
        for start in range(0, len(matched), _DELETE_BATCH):
            deleted += await self._delete_batch(matched[start : start + _DELETE_BATCH], predicate)
        return deleted

    async def _delete_batch(self, batch: list[Stored], predicate: Predicate) -> int:
        """Delete the documents still at their revisions in one command, then the stragglers."""
        async with self._engine.errors(InvalidUpdate):
            result = await self._coll.delete_many({"$or": [_at(d["_id"], m) for d, m in batch]})
        deleted = result.deleted_count
        if deleted < len(batch):  # some changed meanwhile: delete those that still match
            ids = {hash_key(doc["_id"]) for doc, _ in batch}
            async with self._engine.errors(InvalidFilter):
                remaining = await self._coll.find(
                    {"_id": {"$in": [doc["_id"] for doc, _ in batch]}}
                ).to_list()
            for found in map(_split, remaining):
                if hash_key(found[0]["_id"]) in ids and predicate(found[0]):
                    deleted += await self._delete_one(found, predicate)
        return deleted

    async def _delete_one(self, found: Stored, predicate: Predicate) -> bool:
        doc, meta = found
        async for _ in self._engine.rounds():
            async with self._engine.errors(InvalidUpdate):
                result = await self._coll.delete_one(_at(doc["_id"], meta))
            if result.deleted_count:
                return True
            fresh = await self._reread(doc["_id"])  # changed meanwhile: delete if still matching
            if fresh is None or not predicate(fresh[0]):
                return False
            doc, meta = fresh
        raise BackendUnavailable(f"document {doc['_id']!r} kept changing: gave up after retries")

    async def ensure_index(self, keys: IndexKeys, *, unique: bool = False) -> str:
        spec = index_spec(keys, unique)
        await self._engine.register(self)
        existing = (await self._index_specs()).get(spec.name)
        if existing == spec:
            return spec.name
        if existing is not None:  # as the embedded backend: the new definition replaces it
            async with self._engine.errors(InvalidUpdate):
                await self._coll.drop_index(spec.name)
            self._specs.pop(spec.name, None)
        try:
            await self._create_index(spec)
        except DuplicateKey:
            if existing is not None:  # the old index stays when the new one cannot be built
                await self._create_index(existing)
            raise
        return spec.name

    async def _create_index(self, spec: IndexSpec) -> None:
        try:
            async with self._engine.errors(InvalidUpdate):
                await self._coll.create_index(list(spec.keys), name=spec.name, unique=spec.unique)
        except DuplicateKeyError as exc:
            docs = [doc for doc, _ in await self._fetch(None, compile_filter(None))]
            clash = _first_duplicate(spec, docs)
            if clash is not None:
                raise DuplicateKey(spec.name, key_doc(spec, clash)) from None
            await self._duplicate(exc.details, {})
        self._specs[spec.name] = spec

    async def drop(self) -> None:
        async with self._engine.errors(InvalidUpdate):
            await self._coll.drop()
        self._specs = {}


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
        self._registered: set[str] = set()
        self._last_seq = 0
        # server-sorted pages (serverplan.py): "auto" when more than PROBE documents match,
        # "indexed" when the server's explain shows an index giving the order, "always" (tests)
        self.server_sort = "auto"
        self._slots: weakref.WeakValueDictionary[tuple[str, Any], _Slot] = (
            weakref.WeakValueDictionary()
        )

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
            try:
                self._client = AsyncMongoClient(
                    self.url,
                    tz_aware=True,
                    tzinfo=dt.UTC,
                    type_registry=TypeRegistry([_Int64AsInt()]),
                    serverSelectionTimeoutMS=self.timeout_ms,
                    timeoutMS=self.timeout_ms,
                    maxPoolSize=self.pool_size,
                    appname="doppelgate",
                    # acknowledged = durable: on a majority of a replica set, in the journal
                    # (a standalone mongod takes "majority" as itself); wire servers accept it
                    w="majority",
                    journal=True,
                )
            except (PyMongoError, ValueError, TypeError) as exc:  # a URL PyMongo cannot use
                raise BackendUnavailable(
                    f"cannot use the MongoDB URL {_redact(self.url)}: {exc}"
                ) from None
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
            await self.ping()
        except BackendUnavailable as exc:
            cause = str(exc).removeprefix("MongoDB unavailable: ")
            raise BackendUnavailable(
                f"MongoDB at {_redact(self.url)} is unreachable "
                f"(gave up after {self.timeout_ms} ms): {cause}"
            ) from None
        async with self.errors(InvalidUpdate):
            await client[self.database_name][REGISTRY].create_index(
                [("dialect", 1), ("tenant", 1), ("name", 1)], name="dialect_1_tenant_1_name_1"
            )

    async def close(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    async def ping(self) -> None:
        async with self.errors(BackendUnavailable):
            await self.client.admin.command("ping")

    async def collections(
        self, dialect: str | None = None, tenant: str | None = None
    ) -> list[Address]:
        query = {k: v for k, v in (("dialect", dialect), ("tenant", tenant)) if v is not None}
        async with self.errors(InvalidFilter):
            existing = set(await self.database.list_collection_names())
            entries = await self.database[REGISTRY].find(query).to_list()
        return sorted(
            (
                Address(e["dialect"], e["tenant"], e["name"])
                for e in entries
                if e["_id"] in existing
            ),
            key=lambda a: (a.dialect, a.tenant, a.name),
        )

    # -- shared by the collections -----------------------------------------------------------

    async def register(self, coll: MongoCollection) -> None:
        """Record the collection's address before its first write (once per process)."""
        if coll.name in self._registered:
            return
        a = coll.address
        async with self.errors(InvalidUpdate):
            entry = await self.database[REGISTRY].find_one_and_update(
                {"_id": coll.name},
                {"$setOnInsert": {"dialect": a.dialect, "tenant": a.tenant, "name": a.name}},
                upsert=True,
                return_document=True,
            )
        if entry is not None and (entry["dialect"], entry["tenant"], entry["name"]) != (
            a.dialect,
            a.tenant,
            a.name,
        ):
            raise EngineError(f"collection name {coll.name} is taken by another address")
        self._registered.add(coll.name)

    def next_seq(self) -> int:
        """Insertion order: nanoseconds, strictly increasing in this process (and across
        processes as far as their clocks agree)."""
        self._last_seq = max(time.time_ns(), self._last_seq + 1)
        return self._last_seq

    async def rounds(self) -> AsyncIterator[int]:
        """Compare-and-swap rounds: the first at once, each next one after a jittered backoff,
        while the operation's time limit lasts."""
        deadline = time.monotonic() + min(self.max_time_ms / 1000, remaining())
        for n in itertools.count():
            if n:
                pause = min(_BACKOFF_CAP, _BACKOFF_FIRST * 2 ** min(n, 10))
                if time.monotonic() + pause > deadline:
                    return
                await asyncio.sleep(random.uniform(pause / 2, pause))
            yield n

    def slot(self, collection: str, doc_id: Any) -> _Slot:
        """This process's write slot of one document (alive while a writer holds it)."""
        key = (collection, hash_key(doc_id))
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = _Slot()
        return found

    @asynccontextmanager
    async def errors(self, invalid: type[EngineError]) -> AsyncIterator[None]:
        """Map driver errors: unreachable/timed out -> BackendUnavailable, rejected -> `invalid`.

        DuplicateKeyError and BulkWriteError pass through for the caller, which knows the
        document that clashed.
        """
        try:
            yield
        except (DuplicateKeyError, BulkWriteError):
            raise
        except PyMongoDocumentTooLarge as exc:
            raise DocumentTooLarge(_size_in(exc), self.max_document_bytes) from None
        except OperationFailure as exc:
            if exc.code in _TOO_LARGE_CODES:
                raise DocumentTooLarge(_size_in(exc), self.max_document_bytes) from None
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


def _size_in(exc: Exception) -> int:
    found = re.search(r"(\d{5,})", str(exc))
    return int(found.group(1)) if found else 0


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 300 else text[:300] + "..."


def _redact(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//***@", url)
