"""MongoCollection: the engine's Collection operations on MongoDB, composed of the collection's
driver calls (driver.py), reads (reads.py) and compare-and-swap writes (writes.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core import (
    Address,
    Collection,
    Document,
    Filter,
    IndexKeys,
    IndexSpec,
    SortSpec,
    UpdateResult,
    index_spec,
    normalize_sort,
    with_id,
)
from ..errors import DuplicateKey, EngineError, InvalidDocument
from ..filters import Predicate, compile_filter
from ..indexes import index_keys, key_doc
from ..projection import compile_projection
from ..serverside import server_update
from ..updates import check_replacement, replaced, updated, validate_update
from ..values import hash_key
from .codec import META, UNPINNED, as_stored, filter_as_stored, only_id
from .driver import Backend, Driver
from .naming import collection_name
from .reads import Reads
from .writes import Writes, gave_up

_DELETE_BATCH = 500  # documents deleted per command (each at its revision)


class MongoCollection(Collection):
    def __init__(self, backend: Backend, address: Address) -> None:
        self.address = address
        self.name = collection_name(address)
        self._backend = backend
        self._driver = Driver(backend, self.name)
        self._reads = Reads(backend, self._driver)
        self._writes = Writes(backend, address, self._driver, self._reads)

    @property
    def server_reads(self) -> int:
        """Documents the last server-sorted page read from the server."""
        return self._reads.server_reads

    # -- reads -------------------------------------------------------------------------------

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
        spec = filter_as_stored(filter)
        found = await self._reads.find(spec, compile_filter(spec), sort, skip, limit)
        return [project(d) if project else d for d, _ in found]

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
        spec = filter_as_stored(filter)
        found, total = await self._reads.find_counted(spec, compile_filter(spec), sort, skip, limit)
        return [project(d) if project else d for d, _ in found], total

    async def explain(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> dict[str, Any]:
        spec = filter_as_stored(filter)
        return await self._reads.explain(spec, compile_filter(spec), sort, skip, limit)

    async def count(self, filter: Filter | None = None) -> int:
        spec = filter_as_stored(filter)
        predicate = compile_filter(spec)
        if not spec:
            return await self._reads.count_all()
        return await self._reads.count(spec, predicate)

    # -- writes ------------------------------------------------------------------------------

    async def insert(self, doc: Document) -> Any:
        if not isinstance(doc, dict):
            raise InvalidDocument("a document must be a JSON object")
        stored = self._writes.prepare(with_id(doc))
        await self._writes.insert(stored)
        return stored["_id"]

    async def insert_many(self, docs: Sequence[Document]) -> list[Any]:
        # each document is checked before any is sent: the valid prefix goes in one ordered batch
        prepared: list[Document] = []
        failure: EngineError | None = None
        for doc in docs:
            try:
                if not isinstance(doc, dict):
                    raise InvalidDocument("a document must be a JSON object")
                prepared.append(self._writes.prepare(with_id(doc)))
            except EngineError as exc:
                failure = exc
                break
        if prepared:
            await self._writes.register()
            await self._driver.insert_many([self._writes.new(d) for d in prepared], prepared)
        if failure is not None:
            raise failure
        return [d["_id"] for d in prepared]

    def _updater(self, update: Mapping[str, Any]) -> Callable[[Document], Document]:
        steps = validate_update(update)  # once, however many documents it rewrites
        return lambda doc: updated(doc, steps)

    async def update(
        self, filter: Filter, update: Mapping[str, Any], *, many: bool = False, upsert: bool = False
    ) -> UpdateResult:
        validate_update(update)
        update = as_stored(update)
        spec = filter_as_stored(filter)
        predicate = compile_filter(spec)
        compute = self._updater(update)
        server = None if many else server_update(update, META)
        pinned = only_id(spec)
        if server is not None and pinned is not UNPINNED:
            result = await self._writes.update_on_server(pinned, predicate, server, compute)
            if result is not None or not upsert:
                return result or UpdateResult(0, 0)
        if not many:
            return await self._write_first(spec, predicate, compute, upsert, update, None)
        async for _ in self._writes.rounds():
            matched = await self._reads.fetch(spec, predicate)
            if matched:
                modified = 0
                for found in matched:
                    written = await self._writes.write_one(found, predicate, compute)
                    modified += bool(written and written[2])
                return UpdateResult(len(matched), modified)
            if not upsert:
                return UpdateResult(0, 0)
            stored = await self._writes.upsert(spec, predicate, update, None)
            if stored is not None:
                return UpdateResult(0, 0, stored["_id"])
        raise gave_up()

    async def _write_first(
        self,
        spec: Filter,
        predicate: Predicate,
        compute: Callable[[Document], Document],
        upsert: bool,
        update: Mapping[str, Any] | None,
        replacement: Document | None,
    ) -> UpdateResult:
        """update (one) and replace: the first match rewritten by `compute`, else the upsert."""
        written, inserted = await self._first_or_upsert(
            spec, predicate, None, compute, upsert, update, replacement
        )
        if written is not None:
            return UpdateResult(1, int(written[2]))
        return UpdateResult(0, 0, inserted["_id"] if inserted is not None else None)

    async def _first_or_upsert(
        self,
        spec: Filter,
        predicate: Predicate,
        sort: SortSpec | None,
        compute: Callable[[Document], Document],
        upsert: bool,
        update: Mapping[str, Any] | None,
        replacement: Document | None,
    ) -> tuple[tuple[Document, Document, bool] | None, Document | None]:
        """In compare-and-swap rounds: ((old, new, modified), None) for the first match (in sort
        order) rewritten by `compute`, else (None, the document inserted) with `upsert`, else
        (None, None)."""
        async for _ in self._writes.rounds():
            written = await self._writes.write_first(spec, predicate, sort, compute)
            if written is not None:
                return written, None
            if not upsert:
                return None, None
            inserted = await self._writes.upsert(spec, predicate, update, replacement)
            if inserted is not None:
                return None, inserted
        raise gave_up()

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
        update = as_stored(update)
        project = compile_projection(projection)
        spec = filter_as_stored(filter)
        predicate = compile_filter(spec)
        normalize_sort(sort)
        compute = self._updater(update)
        written, inserted = await self._first_or_upsert(
            spec, predicate, sort, compute, upsert, update, None
        )
        if written is not None:
            result = written[1] if return_new else written[0]
        elif inserted is not None and return_new:
            result = inserted
        else:
            return None
        return project(result) if project else result

    async def replace(self, filter: Filter, doc: Document, *, upsert: bool = False) -> UpdateResult:
        check_replacement(doc)
        doc = as_stored(doc)
        spec = filter_as_stored(filter)
        predicate = compile_filter(spec)
        compute = functools.partial(replaced, doc=doc)
        return await self._write_first(spec, predicate, compute, upsert, None, doc)

    async def delete(self, filter: Filter, *, many: bool = True) -> int:
        spec = filter_as_stored(filter)
        predicate = compile_filter(spec)
        if not spec and many:
            return await self._driver.delete_many({})
        matched = await self._reads.fetch(spec, predicate, whole=False)
        if not many:
            for found in matched:  # the first that still matches when its turn comes
                if await self._writes.delete_one(found, predicate):
                    return 1
            return 0
        deleted = 0
        for start in range(0, len(matched), _DELETE_BATCH):
            batch = matched[start : start + _DELETE_BATCH]
            deleted += await self._writes.delete_batch(batch, predicate)
        return deleted

    # -- indexes -----------------------------------------------------------------------------

    async def ensure_index(self, keys: IndexKeys, *, unique: bool = False) -> str:
        spec = index_spec(keys, unique)
        known = self._backend.known_indexes
        if known.has(self.address, spec):  # made or seen by this engine lately: no round trip
            return spec.name
        known.discard(self.address, spec.name)
        await self._writes.register()
        existing = (await self._driver.index_specs()).get(spec.name)
        if existing != spec:
            if existing is not None:  # as the embedded backend: the new definition replaces it
                await self._driver.drop_index(spec.name)
            try:
                await self._create_index(spec)
            except DuplicateKey:
                if existing is not None:  # the old index stays when the new one cannot be built
                    await self._create_index(existing)
                raise
        known.add(self.address, spec)  # only once the server has it: a failed create is not
        return spec.name

    async def _create_index(self, spec: IndexSpec) -> None:
        try:
            await self._driver.create_index(spec, unique=spec.unique)
        except DuplicateKey:
            docs = [doc for doc, _ in await self._reads.fetch(None, compile_filter(None))]
            clash = _first_duplicate(spec, docs)
            if clash is not None:
                raise DuplicateKey(spec.name, key_doc(spec, clash)) from None
            raise

    async def drop(self) -> None:
        try:
            await self._driver.drop()
        finally:  # after the drop: an index ensured meanwhile went with the collection
            self._backend.known_indexes.forget_collection(self.address)


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
