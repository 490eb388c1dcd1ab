"""The embedded backend's query planner: which index serves a filter and a sort, and how far to go.

Plans, cheapest first: IDHACK (`_id` equality or `$in`), HASH (every path of a hash index pinned
by equality or `$in`), IXSCAN (an ordered index: equality prefix, then a range or points on the
next path; walked in key order when it gives the sort, stopping at skip + limit), COLLSCAN. Every
candidate still passes the whole filter, so an index only narrows; a count is read from the index
when the filter is covered (every term consumed by the bounds of a single-key index).
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .core import Document, Filter, normalize_sort
from .filters import compile_filter, is_operator_doc
from .ordered import HIGH, OrderedIndex, OrderKey, bracket_high, bracket_low, order_key
from .values import bracket, hash_key, sort_value, split_path

RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
AUTO_INDEX_AFTER = 3  # range/sort scans of one shape before the engine indexes it itself
AUTO_INDEX_MIN_DOCS = 1000  # smaller collections scan fast enough
AUTO_INDEX_MAX = 8  # automatic indexes per collection
MAX_LOOKUPS = 1000  # key combinations a hash plan looks up ($in x $in ...); more: another plan


class Store(Protocol):
    docs: dict[Any, Document]
    seq: dict[Any, int]
    indexes: Mapping[str, Any]  # name -> hashed.HashIndex (spec, entries)
    ordered: dict[str, OrderedIndex]
    scans: dict[tuple[str, ...], int]

    def auto_index(self, pinned: tuple[str, ...], target: str | None) -> None: ...


@dataclass
class Result:
    docs: list[Document]
    total: int | None
    plan: str
    index: str | None = None
    examined: int = 0
    covered: bool = False
    matched: int = 0  # documents that passed the filter (a walk stops early)
    paced: bool = False  # the scan awaited (memory/): others may have written meanwhile

    def explain(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "index": self.index,
            "examined": self.examined,
            "returned": len(self.docs),
            "countFromIndex": self.covered,
        }


def usable(value: Any) -> bool:
    # null also matches missing fields, arrays and documents match whole: left to a scan
    return value is not None and not isinstance(value, dict | list | re.Pattern)


# -- the filter's conjuncts -----------------------------------------------------------------------


@dataclass
class Terms:
    """Per path, the index-usable atoms ANDed at the top level; `exact` when nothing else is."""

    atoms: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)
    exact: bool = True

    def add(self, path: str, value: Any) -> None:
        found = self.atoms.setdefault(path, [])
        if not is_operator_doc(value):
            if usable(value):
                found.append(("$eq", value))
            else:
                self.exact = False
            return
        for op, arg in value.items():
            if op in ("$eq", *RANGE_OPS) and usable(arg):
                found.append((op, arg))
            elif op == "$in" and isinstance(arg, list) and arg and all(map(usable, arg)):
                found.append(("$in", arg))
            else:
                self.exact = False


def terms_of(spec: Filter | None, into: Terms | None = None) -> Terms:
    terms = into or Terms()
    for key, value in (spec or {}).items():
        if key == "$and" and isinstance(value, list):
            for sub in value:
                if isinstance(sub, Mapping):
                    terms_of(sub, terms)
                else:  # not a document: compile_filter refuses the filter
                    terms.exact = False
        elif key.startswith("$"):
            terms.exact = False
        else:
            terms.add(key, value)
    return terms


def points(atoms: list[tuple[str, Any]]) -> list[Any] | None:
    """The values an equality or `$in` atom pins the path to (the first such atom)."""
    for op, arg in atoms:
        if op == "$eq":
            return [arg]
        if op == "$in":
            return list(arg)
    return None


# -- ordered-index bounds ------------------------------------------------------------------------


@dataclass
class Bounds:
    """Key intervals [low, high) of one ordered index, and what they leave to the predicate."""

    index: OrderedIndex
    intervals: list[tuple[OrderKey, OrderKey]]
    prefix: int  # paths pinned to one value before the walked path
    walkable: bool  # one interval whose walk meets documents in the order of path[prefix]
    exact: bool  # the intervals are exactly the matches (no other term, single-key index)

    def size(self) -> int:
        return sum(self.index.count(lo, hi) for lo, hi in self.intervals)


def bounds_for(index: OrderedIndex, terms: Terms) -> Bounds:
    paths = index.spec.paths
    prefix: list[OrderKey] = []
    consumed: set[str] = set()
    for path in paths:
        pinned = points(terms.atoms.get(path, []))
        if pinned is None or len(pinned) != 1:
            break
        prefix.extend(order_key(pinned[0]))
        if len(terms.atoms[path]) == 1:  # nothing else on that path for the predicate
            consumed.add(path)
    pre = tuple(prefix)
    pinned_paths = len(prefix) // 2
    whole = [(pre, (*pre, *HIGH))]
    if pinned_paths == len(paths):
        return Bounds(index, whole, pinned_paths, False, _exact(index, terms, consumed))
    path = paths[pinned_paths]
    atoms = terms.atoms.get(path, [])
    pinned = points(atoms)
    if pinned is not None:
        keys = sorted({order_key(v) for v in pinned})
        intervals = [((*pre, *k), (*pre, *k, *HIGH)) for k in keys]
        consumed |= {path} if len(atoms) == 1 else set()
        exact = _exact(index, terms, consumed)
        walkable = len(keys) == 1 and not index.multikey
        return Bounds(index, intervals, pinned_paths, walkable, exact)
    ranges = [(op, arg) for op, arg in atoms if op in RANGE_OPS]
    if not ranges:
        return Bounds(index, whole, pinned_paths, True, _exact(index, terms, consumed))
    if index.multikey:  # array elements may meet each bound apart: one bound only
        ranges = ranges[:1]
    low, high = _range(pre, ranges)
    consumed |= {path} if len(ranges) == len(atoms) else set()
    exact = _exact(index, terms, consumed)
    return Bounds(index, [(low, high)], pinned_paths, not index.multikey, exact)


def _range(pre: tuple[OrderKey, ...], ranges: list[tuple[str, Any]]) -> tuple[Any, Any]:
    kind = bracket(ranges[0][1])
    if any(bracket(arg) != kind for _, arg in ranges):  # one value is never of two types
        return (*pre, *bracket_low(kind)), (*pre, *bracket_low(kind))
    low: Any = (*pre, *bracket_low(kind))
    high: Any = (*pre, *bracket_high(kind))
    for op, arg in ranges:
        key = order_key(arg)
        if op in ("$gt", "$gte"):
            bound = (*pre, *key, *HIGH) if op == "$gt" else (*pre, *key)
            low = max(low, bound)
        else:
            bound = (*pre, *key, *HIGH) if op == "$lte" else (*pre, *key)
            high = min(high, bound)
    return low, high


def _exact(index: OrderedIndex, terms: Terms, consumed: set[str]) -> bool:
    return terms.exact and not index.multikey and consumed == set(terms.atoms)


# -- execution -----------------------------------------------------------------------------------


class _Desc:
    """Reverses the order of a key inside a composite sort key."""

    __slots__ = ("key",)

    def __init__(self, key: OrderKey) -> None:
        self.key = key

    def __lt__(self, other: _Desc) -> bool:
        return other.key < self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and other.key == self.key

    __hash__ = None  # type: ignore[assignment]


def sort_keyer(
    sort: list[tuple[str, int]], seq: dict[Any, int]
) -> Callable[[tuple[Any, Document]], tuple[Any, ...]]:
    """(id key, document) -> its place in sort order; ties in insertion order, as a stable sort."""
    fields = [(split_path(p), d < 0) for p, d in sort]

    def key(item: tuple[Any, Document]) -> tuple[Any, ...]:
        id_key, doc = item
        parts = []
        for path, descending in fields:
            k = order_key(sort_value(doc, path, descending))
            parts.append(_Desc(k) if descending else k)
        parts.append(seq[id_key])
        return tuple(parts)

    return key


def _page(
    found: list[tuple[Any, Document]], order: Callable[..., Any] | None, skip: int, limit: int
) -> list[Document]:
    """The sorted page: a bounded heap when a limit keeps k small."""
    if order is not None:
        if limit and skip + limit < len(found):
            found = heapq.nsmallest(skip + limit, found, key=order)
        else:
            found.sort(key=order)
    stop = skip + limit if limit else None
    return [doc for _, doc in found[skip:stop]]


def execute(
    store: Store,
    spec: Filter | None,
    sort: Any,
    skip: int,
    limit: int,
    want_total: bool,
    terms: Terms | None = None,
    pinned: Pinned | None = None,
) -> Result:
    """Matches of a filter in sort order, sliced; with the total match count when asked
    (`terms`, `pinned`: its terms_of and candidate_ids, when the caller has them already)."""
    predicate = compile_filter(spec)
    order_spec = normalize_sort(sort)
    terms = terms if terms is not None else terms_of(spec)
    seq = store.seq
    order = sort_keyer(order_spec, seq) if order_spec else None
    candidates, plan, name = pinned if pinned is not None else candidate_ids(store, terms)
    best = None
    if candidates is None or (plan == "HASH" and len(candidates) > 64):
        best = _best_ordered(store, terms, order_spec)
    if best is not None and candidates is not None:
        if _walk_cost(best, order_spec, skip + limit, want_total) < len(candidates) // 4:
            candidates = None
    if candidates is None and best is not None:
        walk = _walk_plan(store, best, order_spec, skip, limit, want_total, predicate, order)
        if walk is not None:
            return _noted(store, terms, order_spec, walk)
        ids = {e[-1] for lo, hi in best.intervals for e in best.index.walk(lo, hi, False)}
        candidates, plan, name = sorted(ids, key=seq.__getitem__), "IXSCAN", best.index.name
    if isinstance(candidates, _Buckets):
        candidates = candidates.ids()
    if candidates is not None:
        found = []
        for id_key in candidates:
            doc = store.docs[id_key]
            if predicate(doc):
                found.append((id_key, doc))
        ordering = (order or sort_keyer([], seq)) if len(found) > 1 else None  # 1: nothing to sort
        page = _page(found, ordering, skip, limit)
        result = Result(page, len(found), plan, name, len(candidates), matched=len(found))
        return _noted(store, terms, order_spec, result)
    result = _scan(store, predicate, order, skip, limit, want_total)
    return _noted(store, terms, order_spec, result)


def _scan(
    store: Store,
    predicate: Callable[[Any], bool],
    order: Callable[..., Any] | None,
    skip: int,
    limit: int,
    want_total: bool,
) -> Result:
    found: list[tuple[Any, Document]] = []
    examined = 0
    enough = skip + limit if limit and order is None and not want_total else 0
    for item in store.docs.items():
        examined += 1
        if predicate(item[1]):
            found.append(item)
            if enough and len(found) >= enough:
                break
    page = _page(found, order, skip, limit)
    total = len(found) if want_total else None
    return Result(page, total, "COLLSCAN", None, examined, matched=len(found))


Pinned = tuple[Any, str, str | None]  # candidate_ids' answer: (ids or None, plan, index name)


def candidate_ids(store: Store, terms: Terms) -> Pinned:
    """Documents pinned by `_id` or by a hash index, in insertion order; None: not pinned."""
    ids = points(terms.atoms.get("_id", []))
    if ids is not None:
        keys = dict.fromkeys(hash_key(v) for v in ids)
        found = [k for k in keys if k in store.docs]
        found.sort(key=store.seq.__getitem__)
        return found, "IDHACK", "_id_"
    best: list[dict[Any, None]] | None = None
    best_size, name = 0, None
    atoms = terms.atoms
    for index_name, index in store.indexes.items():
        paths = index.spec.paths
        if not all(p in atoms for p in paths):  # a path the filter leaves open: no pin
            continue
        pinned = [points(atoms[p]) for p in paths]
        if any(p is None for p in pinned):
            continue
        if math.prod(len(p or ()) for p in pinned) > MAX_LOOKUPS:  # a wide $in x $in
            continue
        buckets = [
            index.entries.get(tuple(hash_key(v) for v in combo), {})
            for combo in itertools.product(*pinned)  # type: ignore[misc]
        ]
        size = sum(map(len, buckets))  # an upper bound (multikey documents may repeat)
        if best is None or size < best_size:
            best, best_size, name = buckets, size, index_name
    if best is not None:
        return _Buckets(best, best_size, store.seq), "HASH", name
    return None, "COLLSCAN", None


class _Buckets:
    """A hash plan's documents, gathered in insertion order only if the plan is chosen."""

    def __init__(self, buckets: list[dict[Any, None]], size: int, seq: dict[Any, int]) -> None:
        self.buckets, self.size, self.seq = buckets, size, seq

    def __len__(self) -> int:
        return self.size

    def ids(self) -> list[Any]:
        if len(self.buckets) == 1:
            found = list(self.buckets[0])
        else:
            found = list(dict.fromkeys(i for bucket in self.buckets for i in bucket))
        found.sort(key=self.seq.__getitem__)
        return found


def _best_ordered(store: Store, terms: Terms, sort: list[tuple[str, int]]) -> Bounds | None:
    """The ordered index with the fewest entries in bounds; one that gives the order wins
    unless another is far smaller."""
    best: Bounds | None = None
    best_size = 0
    for index in store.ordered.values():
        b = bounds_for(index, terms)
        restricted = b.prefix > 0 or b.intervals[0][0] != ()
        sorts = _gives_order(b, sort)
        if not restricted and not sorts:
            continue
        size = b.size()
        if sorts:
            size //= 8  # a walk in order stops early
        if best is None or size < best_size:
            best, best_size = b, size
    return best


def _walk_cost(b: Bounds, sort: list[tuple[str, int]], wanted: int, want_total: bool) -> int:
    """Entries an ordered plan reads: a walk in sort order stops near the page (unless it must
    count), anything else reads its bounds whole."""
    size = b.size()
    if _gives_order(b, sort) and wanted and (b.exact or not want_total):
        return min(size, 8 * wanted)
    return size


def _gives_order(b: Bounds, sort: list[tuple[str, int]]) -> bool:
    paths = b.index.spec.paths
    return bool(sort) and b.walkable and b.prefix < len(paths) and paths[b.prefix] == sort[0][0]


def _walk_plan(
    store: Store,
    b: Bounds,
    sort: list[tuple[str, int]],
    skip: int,
    limit: int,
    want_total: bool,
    predicate: Callable[[Any], bool],
    order: Callable[..., Any] | None,
) -> Result | None:
    """Walk one interval in the sort's order, run by run of equal walked keys, to skip + limit."""
    if not _gives_order(b, sort):
        return None
    low, high = b.intervals[0]
    descending = sort[0][1] < 0
    enough = skip + limit if limit else 0
    total = b.size() if b.exact and want_total else None
    docs = store.docs
    seen: set[Any] = set()
    found: list[tuple[Any, Document]] = []
    run: list[tuple[Any, Document]] = []
    counted = examined = 0
    group_len, current = 2 * (b.prefix + 1), None
    for entry in b.index.walk(low, high, descending):
        group, id_key = entry[:group_len], entry[-1]
        if group != current:
            current = group
            if run:  # a run of equal sort values is complete: ordered by the other sort keys
                run.sort(key=order)
                found.extend(run)
                run = []
            if enough and len(found) >= enough and (not want_total or total is not None):
                break
        if b.index.multikey:  # a document is met first at its sort value
            if id_key in seen:
                continue
            seen.add(id_key)
        doc = docs[id_key]
        examined += 1
        if predicate(doc):
            counted += 1
            if not enough or len(found) < enough:
                run.append((id_key, doc))
    run.sort(key=order)
    found.extend(run)
    if want_total and total is None:
        total = counted
    stop = skip + limit if limit else None
    page = [doc for _, doc in found[skip:stop]]
    covered = total is not None and b.exact
    return Result(page, total, "IXSCAN", b.index.name, examined, covered, counted)


# -- the automatic index policy ------------------------------------------------------------------


def _noted(store: Store, terms: Terms, sort: list[tuple[str, int]], result: Result) -> Result:
    """A query that examines a large collection for few matches, seen AUTO_INDEX_AFTER times,
    gets an ordered index on (its equality paths..., the sorted or ranged path)."""
    wasteful = result.examined >= AUTO_INDEX_MIN_DOCS and result.examined > 4 * result.matched
    if not wasteful or len(store.ordered) >= AUTO_INDEX_MAX + _declared(store):
        return result
    ranged = [p for p, atoms in terms.atoms.items() if any(op in RANGE_OPS for op, _ in atoms)]
    target = sort[0][0] if sort else (ranged[0] if ranged else None)
    pinned = sorted(
        p
        for p, atoms in terms.atoms.items()
        if p not in (target, "_id") and any(op == "$eq" for op, _ in atoms)
    )
    target = None if target == "_id" else target
    shape = (*pinned, *([target] if target else []))
    if shape:
        store.scans[shape] = store.scans.get(shape, 0) + 1
        if store.scans[shape] == AUTO_INDEX_AFTER:
            store.auto_index(tuple(pinned), target)
    return result


def _declared(store: Store) -> int:
    return sum(not name.startswith("auto:") for name in store.ordered)


def scans(
    store: Store,
    spec: Filter | None,
    sort: Any,
    terms: Terms | None = None,
    pinned: Pinned | None = None,
) -> bool:
    """Whether `execute` would scan the whole collection (no index serves the filter or sort):
    the memory backend then paces the scan off the event loop instead (budget.py)."""
    terms = terms if terms is not None else terms_of(spec)
    candidates, _, _ = pinned if pinned is not None else candidate_ids(store, terms)
    return candidates is None and _best_ordered(store, terms, normalize_sort(sort)) is None


def noted(store: Store, spec: Filter | None, sort: Any, result: Result) -> Result:
    """A scan's result counted toward the planner's own indexes, as `execute` counts its own."""
    return _noted(store, terms_of(spec), normalize_sort(sort), result)
