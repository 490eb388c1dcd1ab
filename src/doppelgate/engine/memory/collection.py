"""The embedded backend's collection: documents in memory, hash and ordered indexes.

A scan of many documents yields to the event loop between slices (budget.py); a write then
re-checks its matches against the documents as stored and applies them without awaiting, so on
one event loop each write is atomic. Stored documents are never mutated, only replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from ..budget import budget, paced_first, sort_documents
from ..core import (
    Address,
    Collection,
    Document,
    Filter,
    IndexKeys,
    IndexSpec,
    SortSpec,
    UpdateResult,
    check_document,
    clone,
    decode,
    encode,
    index_spec,
    normalize_sort,
    with_id,
)
from ..errors import DuplicateKey, InvalidDocument
from ..filters import compile_filter
from ..hashed import Declared, HashIndex
from ..indexes import key_doc, same_fields
from ..ordered import OrderedIndex
from ..pinned import pinned_one
from ..planner import Result, candidate_ids, execute, noted, scans, terms_of
from ..projection import compile_projection
from ..updates import Steps, check_replacement, replaced, updated, upsert_document, validate_update
from ..values import hash_key


class Keeper(Protocol):
    """What a collection asks of its engine (engine.py): limits, generations, the data file."""

    max_document_bytes: int
    max_time_ms: int

    def stamp(self) -> int: ...
    def touch(self, coll: MemoryCollection) -> None: ...
    def forget(self, address: Address) -> None: ...
    def journal_put(self, address: Address, blob: bytes) -> None: ...
    def journal_delete(self, address: Address, doc_id: Any) -> None: ...
    def journal_index(self, address: Address, spec: IndexSpec) -> None: ...
    def compact_if_due(self) -> None: ...


class MemoryCollection(Collection):
    def __init__(self, engine: Keeper, address: Address) -> None:
        self.address = address
        self._engine = engine
        self.docs: dict[Any, Document] = {}
        self.indexes: dict[str, HashIndex] = {}
        self.declared = Declared()  # which keys built them: ensure_index's fast path
        # ordered twins of the declared indexes, plus the planner's own (planner.py policy)
        self.ordered: dict[str, OrderedIndex] = {}
        self.seq: dict[Any, int] = {}  # insertion order, which ties keep in every sort
        self._next_seq = 0
        self.scans: dict[tuple[str, ...], int] = {}  # scanned range/sort shapes (auto-index)
        # documents the last filtered read or write tested against its filter: how tests see
        # that an indexed look-up does not scan
        self.examined = 0
        self._last: Result | None = None
        self._generation = engine.stamp()

    def generation(self) -> int:
        return self._generation

    # -- reads -------------------------------------------------------------------------------

    @property
    def last_plan(self) -> dict[str, Any]:
        """The explain() of the last filtered read or write."""
        return self._last.explain() if self._last is not None else {}

    async def _run(
        self, filter: Filter | None, sort: SortSpec | None, skip: int, limit: int, total: bool
    ) -> Result:
        """The planner's answer, under the time budget; a plan that scans the collection runs paced
        instead: a scan longer than a slice goes on off the event loop (budget.py), so neither a
        large collection nor a costly predicate (a time-limited regex) holds the loop."""
        # one _id or key: look-ups, no plan (pinned.py); a bad sort is refused alike
        result = pinned_one(self, filter) if not skip and (not limit or limit > 0) else None
        if result is not None:
            normalize_sort(sort)
        if result is None:
            terms = terms_of(filter)  # once for both the check and the plan
            with budget(self._engine.max_time_ms):
                pinned = candidate_ids(self, terms)
                if len(self.docs) > 1 and scans(self, filter, sort, terms, pinned):
                    result = await self._paced_scan(filter, sort, skip, limit, total)
                else:
                    result = execute(self, filter, sort, skip, limit, total, terms, pinned)
        self.examined = result.examined
        self._last = result
        return result

    async def _paced_scan(
        self, filter: Filter | None, sort: SortSpec | None, skip: int, limit: int, total: bool
    ) -> Result:
        predicate = compile_filter(filter)
        items = list(self.docs.values())  # stored documents are immutable: a thread reads them
        order = normalize_sort(sort)
        enough = skip + limit if limit and not order and not total else 0  # stops at the page
        found, examined = await paced_first(items, predicate, enough)
        if order:
            found = await sort_documents(found, order, _itself)
        page = found[skip : skip + limit if limit else None] if skip or limit else found
        found_n = len(found)
        result = Result(page, found_n, "COLLSCAN", None, examined, matched=found_n, paced=True)
        return noted(self, filter, sort, result)

    def _current(self, result: Result, filter: Filter | None) -> list[Document]:
        """The matches as stored now: a paced scan yields, so others may have written meanwhile
        (a plan run without awaiting needs no second look)."""
        if not result.paced:
            return result.docs
        predicate = compile_filter(filter)
        fresh = []
        for doc in result.docs:
            now = self.docs.get(hash_key(doc["_id"]))
            if now is doc or (now is not None and predicate(now)):
                fresh.append(now)
        return fresh

    async def _matching(self, filter: Filter | None, limit: int = 0) -> list[Document]:
        """A write's matches, as stored when it applies."""
        return self._current(await self._run(filter, None, 0, limit, False), filter)

    async def explain(
        self,
        filter: Filter | None = None,
        *,
        sort: SortSpec | None = None,
        skip: int = 0,
        limit: int = 0,
    ) -> dict[str, Any]:
        """Which plan and index a find takes and how many documents it examines."""
        return (await self._run(filter, sort, skip, limit, True)).explain()

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
        result = await self._run(filter, sort, skip, limit, True)
        assert result.total is not None
        return [clone(project(d) if project else d) for d in result.docs], result.total

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
        found = (await self._run(filter, sort, skip, limit, False)).docs
        return [clone(project(d) if project else d) for d in found]

    async def count(self, filter: Filter | None = None) -> int:
        if not filter:
            return len(self.docs)
        total = (await self._run(filter, None, 0, 0, True)).total
        assert total is not None
        return total

    # -- writes ------------------------------------------------------------------------------

    def _store(self, doc: Document, old: Document | None) -> Document:
        """Check and commit one document (new or replacing `old`); all-or-nothing."""
        blob = check_document(doc, self._engine.max_document_bytes)
        id_key = hash_key(doc["_id"])
        if old is None and id_key in self.docs:
            raise DuplicateKey("_id_", {"_id": doc["_id"]})
        # an update that leaves an index's fields byte-equal leaves its keys (and, for a unique
        # index, its holder) as they are: no key computed, checked or moved for it
        same = same_fields(old, doc) if old is not None else None
        new_keys = {
            name: index.keys_of(doc)
            for name, index in self.indexes.items()
            if same is None or not same(index.spec.paths)
        }
        for name, index in self.indexes.items():
            if index.spec.unique and name in new_keys:
                clash = index.conflict(new_keys[name], id_key)
                if clash is not None:
                    raise DuplicateKey(name, key_doc(index.spec, doc))
        stored = decode(blob)  # a private copy: callers cannot mutate stored state
        self._engine.journal_put(self.address, blob)  # first: a failed write changes nothing
        self._generation = self._engine.stamp()
        for name, index in self.indexes.items():
            if name not in new_keys:
                continue
            if old is not None:
                old_keys = index.keys_of(old)
                if old_keys == new_keys[name]:
                    continue
                index.remove(old_keys, id_key)
            index.add(new_keys[name], id_key)
        if old is None:
            self.seq[id_key] = self._next_seq
            self._next_seq += 1
        for ordered in self.ordered.values():
            if same is None or not same(ordered.spec.paths):
                ordered.replace(id_key, self.seq[id_key], old, stored)
        self.docs[id_key] = stored
        self._engine.compact_if_due()
        return stored

    async def insert(self, doc: Document) -> Any:
        return self._insert(doc)

    def _insert(self, doc: Document) -> Any:
        if not isinstance(doc, dict):
            raise InvalidDocument("a document must be a JSON object")
        stored = self._store(with_id(doc), None)
        self._engine.touch(self)
        return stored["_id"]

    async def insert_many(self, docs: Sequence[Document]) -> list[Any]:
        return [self._insert(doc) for doc in docs]

    def _update_one(self, doc: Document, steps: Steps) -> tuple[Document, bool]:
        new = updated(doc, steps)
        if encode(new) == encode(doc):  # byte-equal: 1 vs 1.0 vs true still count as changes
            return doc, False
        return self._store(new, doc), True

    def _upsert(
        self, filter: Filter, update: Mapping[str, Any] | None, replacement: Document | None
    ) -> Document:
        new = upsert_document(filter, update, replacement)
        stored = self._store(with_id(new), None)
        self._engine.touch(self)
        return stored

    async def update(
        self, filter: Filter, update: Mapping[str, Any], *, many: bool = False, upsert: bool = False
    ) -> UpdateResult:
        steps = validate_update(update)  # refused even when nothing matches, as MongoDB does
        matched = await self._matching(filter, 0 if many else 1)
        if not matched:
            if upsert:
                return UpdateResult(0, 0, self._upsert(filter, update, None)["_id"])
            return UpdateResult(0, 0)
        modified = 0
        for doc in matched if many else matched[:1]:
            modified += self._update_one(doc, steps)[1]
        return UpdateResult(len(matched) if many else 1, modified)

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
        steps = validate_update(update)
        project = compile_projection(projection)
        result = await self._run(filter, sort, 0, 1, False)
        found = self._current(result, filter)
        if not found:
            if not upsert:
                return None
            stored = self._upsert(filter, update, None)
            return clone(project(stored) if project else stored) if return_new else None
        old = found[0]
        new, _ = self._update_one(old, steps)
        result = new if return_new else old
        return clone(project(result) if project else result)

    async def replace(self, filter: Filter, doc: Document, *, upsert: bool = False) -> UpdateResult:
        check_replacement(doc)
        matched = await self._matching(filter, 1)
        if not matched:
            if upsert:
                return UpdateResult(0, 0, self._upsert(filter, None, doc)["_id"])
            return UpdateResult(0, 0)
        old = matched[0]
        new = replaced(old, doc)
        if encode(new) == encode(old):
            return UpdateResult(1, 0)
        self._store(new, old)
        return UpdateResult(1, 1)

    async def delete(self, filter: Filter, *, many: bool = True) -> int:
        matched = await self._matching(filter, 0 if many else 1)
        victims = matched if many else matched[:1]
        for doc in victims:
            id_key = hash_key(doc["_id"])
            self._engine.journal_delete(self.address, doc["_id"])
            self._generation = self._engine.stamp()
            for index in self.indexes.values():
                index.remove(index.keys_of(doc), id_key)
            for ordered in self.ordered.values():
                ordered.replace(id_key, self.seq[id_key], doc, None)
            del self.docs[id_key]
            del self.seq[id_key]
            self._engine.compact_if_due()
        return len(victims)

    async def ensure_index(self, keys: IndexKeys, *, unique: bool = False) -> str:
        known = self.declared.known(keys, unique, self.indexes)  # there: one dict look-up
        if known is not None:
            return known
        spec = index_spec(keys, unique)
        self._add_index(spec)
        self._engine.touch(self)
        self.declared.record(keys, unique, self.indexes[spec.name])
        return spec.name

    def _add_index(self, spec: IndexSpec, journal: bool = True) -> None:
        existing = self.indexes.get(spec.name)
        if existing is not None and existing.spec == spec:
            return
        index = HashIndex(spec)
        for doc in self.docs.values():
            keys = index.keys_of(doc)
            if spec.unique and index.conflict(keys, hash_key(doc["_id"])) is not None:
                raise DuplicateKey(spec.name, key_doc(spec, doc))
            index.add(keys, hash_key(doc["_id"]))
        if journal:  # the journal first: a write it refuses changes nothing
            self._engine.journal_index(self.address, spec)
        self.indexes[spec.name] = index
        self._add_ordered(spec.name, spec)

    def _add_ordered(self, name: str, spec: IndexSpec) -> None:
        ordered = OrderedIndex(name, spec)
        ordered.build((i, self.seq[i], d) for i, d in self.docs.items())
        self.ordered[name] = ordered

    def auto_index(self, pinned: tuple[str, ...], target: str | None) -> None:
        """The planner's own indexes (planner.py policy), neither persisted nor unique: ordered
        on (pinned..., target), and hashed on the equality paths for O(1) look-ups."""
        spec = index_spec([*pinned, *([target] if target else [])], False)
        self._add_ordered(f"auto:{spec.name}", spec)
        if pinned:
            hashed = index_spec(pinned, False)
            index = HashIndex(hashed)
            for id_key, doc in self.docs.items():
                index.add(index.keys_of(doc), id_key)
            self.indexes.setdefault(f"auto:{hashed.name}", index)

    def load(self, docs: Iterable[Document]) -> None:
        self._generation = self._engine.stamp()
        self.docs = {hash_key(d["_id"]): d for d in docs}
        self.seq = {k: n for n, k in enumerate(self.docs)}
        self._next_seq = len(self.seq)
        self.indexes, self.ordered, self.scans = {}, {}, {}
        self.declared = Declared()

    async def drop(self) -> None:
        self._engine.forget(self.address)
        # cleared in place: a dialect may hold this object across requests
        self.load([])


def _itself(doc: Document) -> Document:
    return doc
