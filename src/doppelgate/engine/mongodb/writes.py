"""The write path of one collection: a document's writers in this process queue on its slot,
each handing the next the document as it left it; writers in other processes are kept apart
by a compare-and-swap on the revision, retried in rounds until the operation's time limit."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from ..budget import remaining
from ..core import (
    Address,
    Document,
    Filter,
    SortSpec,
    UpdateResult,
    check_document,
    clone,
    encode,
    with_id,
)
from ..errors import BackendUnavailable, DuplicateKey, InvalidDocument
from ..filters import Predicate, equality_fields
from ..pushdown import safe_scalar
from ..updates import upsert_document
from ..values import hash_key
from .codec import META, META_REV, UNPINNED, Meta, Stored, as_stored, at, new_rev, seq, split
from .driver import Backend, Driver
from .reads import Reads

# compare-and-swap rounds lost to other processes: retried after a jittered backoff (1 ms,
# doubling up to 50 ms) until the operation's time limit, then BackendUnavailable
_BACKOFF_FIRST, _BACKOFF_CAP = 0.001, 0.05


async def retry_rounds(max_time_ms: int) -> AsyncIterator[int]:
    """Compare-and-swap rounds: the first at once, each next one after a jittered backoff,
    while the operation's time limit lasts."""
    deadline = time.monotonic() + min(max_time_ms / 1000, remaining())
    for n in itertools.count():
        if n:
            pause = min(_BACKOFF_CAP, _BACKOFF_FIRST * 2 ** min(n, 10))
            if time.monotonic() + pause > deadline:
                return
            await asyncio.sleep(random.uniform(pause / 2, pause))
        yield n


def gave_up() -> BackendUnavailable:
    """The error of an operation whose matches kept changing until its time limit."""
    return BackendUnavailable("the matching documents kept changing: gave up after retries")


class Slot:
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


class Writes:
    """The compare-and-swap writes of one collection, and the documents they store."""

    def __init__(self, backend: Backend, address: Address, driver: Driver, reads: Reads) -> None:
        self._backend = backend
        self._address = address
        self._driver = driver
        self._reads = reads
        # this process's write slot of each document, alive while a writer holds it
        self._slots: weakref.WeakValueDictionary[Any, Slot] = weakref.WeakValueDictionary()

    def slot(self, doc_id: Any) -> Slot:
        key = hash_key(doc_id)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = Slot()
        return found

    def rounds(self) -> AsyncIterator[int]:
        return retry_rounds(self._backend.max_time_ms)

    async def register(self) -> None:
        """Record the collection's address before its first write (naming.py registry)."""
        await self._backend.register(self._driver.name, self._address)

    def prepare(self, doc: Document, *, given: bool = True) -> Document:
        """Check a document for storage; returns it as the server will store it.

        A document computed from stored values and normalized arguments (`given=False`) holds
        no datetime finer than a millisecond already.
        """
        check_document(doc, self._backend.max_document_bytes)
        if META in doc:
            raise InvalidDocument(f"the field name {META!r} is reserved by the MongoDB backend")
        return as_stored(doc) if given else doc

    def new(self, doc: Document) -> Document:
        """A new document as stored: last in insertion order, at a fresh revision."""
        return {**doc, META: {"seq": self._backend.next_seq(), "rev": new_rev()}}

    async def _swap(self, old: Document, meta: Meta, new: Document, new_meta: Meta) -> bool:
        """Replace `old` (at `meta`'s revision) by `new`; False if it changed or went meanwhile."""
        matched = await self._driver.replace_one(at(old["_id"], meta), {**new, META: new_meta}, new)
        return matched == 1

    async def write_one(
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
        slot = self.slot(doc["_id"])
        busy = slot.busy
        slot.writers += 1
        try:
            async with slot.lock:
                left = slot.take()  # only ever what the writer just before this one left
                if busy:  # another writer of this process went first: start from what it left
                    fresh = left or await self._reads.reread(doc["_id"])
                    if fresh is None or not predicate(fresh[0]):
                        return None
                    doc, meta = fresh
                async for _ in self.rounds():
                    new = compute(doc)
                    if encode(new) == encode(doc):  # byte-equal: 1 vs 1.0 vs true still count
                        slot.keep(clone(doc), meta)
                        return doc, doc, False
                    new = self.prepare(new, given=False)
                    new_meta = {"seq": seq((doc, meta)), "rev": new_rev()}
                    if await self._swap(doc, meta, new, new_meta):
                        slot.keep(clone(new), new_meta)
                        return doc, new, True
                    fresh = await self._reads.reread(doc["_id"])  # another process wrote it
                    if fresh is None or not predicate(fresh[0]):
                        return None
                    doc, meta = fresh
        finally:
            slot.writers -= 1
        raise BackendUnavailable(f"document {doc['_id']!r} kept changing: gave up after retries")

    async def write_first(
        self,
        spec: Filter | None,
        predicate: Predicate,
        sort: SortSpec | None,
        compute: Callable[[Document], Document],
    ) -> tuple[Document, Document, bool] | None:
        """Write the first match (in sort order) atomically; None when nothing matches."""
        pinned = equality_fields(spec).get("_id", UNPINNED)
        if safe_scalar(pinned) and self.slot(pinned).busy:
            # a writer of this process holds that document: read it after that one, not now
            return await self.write_one(({"_id": pinned}, None), predicate, compute)
        async for _ in self.rounds():
            found = await self._reads.find(spec, predicate, sort, 0, 0)
            if not found:
                return None
            for candidate in found:  # the first that still matches when its turn comes
                written = await self.write_one(candidate, predicate, compute)
                if written is not None:
                    return written
        raise gave_up()

    async def update_on_server(
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
        found = await self._reads.reread(doc_id)
        if found is None or not predicate(found[0]):
            return None
        old = found[0]
        new = compute(old)
        if encode(new) == encode(old):  # byte-equal: unmodified, as on every path
            return UpdateResult(1, 0)
        new = self.prepare(new, given=False)
        revised = {**server, "$set": {**server.get("$set", {}), META_REV: new_rev()}}
        matched = await self._driver.update_one({"_id": doc_id}, revised, new)
        return UpdateResult(1, 1) if matched else None

    async def upsert(
        self,
        filter: Filter | None,
        predicate: Predicate,
        update: Mapping[str, Any] | None,
        replacement: Document | None,
    ) -> Document | None:
        """Insert the upsert's document; None when a concurrent writer inserted a match first."""
        new = upsert_document(filter, update, replacement)
        return await self.insert(self.prepare(with_id(new), given=False), retry=(filter, predicate))

    async def insert(
        self, stored: Document, *, retry: tuple[Filter | None, Predicate] | None = None
    ) -> Document | None:
        """Insert a prepared document, last in insertion order. With `retry` (an upsert's
        filter): None instead of DuplicateKey when a concurrent writer inserted a match first."""
        await self.register()
        try:
            await self._driver.insert_one(self.new(stored), stored)
        except DuplicateKey:
            # a concurrent upsert may have inserted the match: the caller looks again
            if retry is not None and await self._reads.fetch(*retry):
                return None
            raise
        return stored

    async def delete_batch(self, batch: list[Stored], predicate: Predicate) -> int:
        """Delete the documents still at their revisions in one command, then the stragglers."""
        deleted = await self._driver.delete_many({"$or": [at(d["_id"], m) for d, m in batch]})
        if deleted < len(batch):  # some changed meanwhile: delete those that still match
            ids = {hash_key(doc["_id"]) for doc, _ in batch}
            left = await self._driver.find_all({"_id": {"$in": [doc["_id"] for doc, _ in batch]}})
            for found in map(split, left):
                if hash_key(found[0]["_id"]) in ids and predicate(found[0]):
                    deleted += await self.delete_one(found, predicate)
        return deleted

    async def delete_one(self, found: Stored, predicate: Predicate) -> bool:
        doc, meta = found
        async for _ in self.rounds():
            if await self._driver.delete_one(at(doc["_id"], meta)):
                return True
            fresh = await self._reads.reread(doc["_id"])  # changed meanwhile: delete if matching
            if fresh is None or not predicate(fresh[0]):
                return False
            doc, meta = fresh
        raise BackendUnavailable(f"document {doc['_id']!r} kept changing: gave up after retries")
