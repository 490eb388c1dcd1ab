"""Filters that pin at most one document: nothing but equalities to plain JSON scalars, naming
one `_id` or filling a hash index's every path with at most one holder. The memory backend
answers them by look-ups, without planning, exactly as the planner's IDHACK and HASH plans
(planner.candidate_ids) would (issue 16.5: the commonest reads and writes)."""

from __future__ import annotations

from typing import Any

from .core import Document, Filter
from .filters import compile_filter
from .planner import Result, Store
from .values import MISSING, hash_key

SCALARS = (str, int, float, bool)  # exact types: anything else is left to the planner's checks


def equalities(spec: Filter) -> dict[str, Any] | None:
    """The filter as path -> scalar when it is only top-level equalities ($and flattened), each
    path named once; None when it says anything more (the planner then decides)."""
    equal: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "$and" and type(value) is list and value:
            for sub in value:
                found = equalities(sub) if type(sub) is dict else None
                if found is None or any(p in equal for p in found):
                    return None
                equal |= found
        elif key.startswith("$") or type(value) not in SCALARS or value != value or key in equal:
            return None  # an operator, a document, an array, null, NaN, or a path named twice
        else:
            equal[key] = value
    return equal


def pinned_one(store: Store, spec: Filter | None) -> Result | None:
    """The page of a filter that pins at most one document, or None (plan it)."""
    equal = equalities(spec) if spec else None
    if not equal:
        return None
    if "_id" in equal:  # the planner's first choice, whatever indexes there are
        plan, name, paths = "IDHACK", "_id_", ("_id",)
        doc = store.docs.get(hash_key(equal["_id"]))
    else:
        chosen = smallest_bucket(store, equal)
        if chosen is None or len(chosen[2]) > 1:
            return None
        plan, (name, paths, holders) = "HASH", chosen
        doc = store.docs[next(iter(holders))] if holders else None
    examined = 0 if doc is None else 1
    if doc is not None:  # the other equalities, plainly where no array or path rule applies
        for path in (p for p in equal if p not in paths):
            verdict = plainly(doc, path, equal[path])
            if verdict is None:
                doc = doc if compile_filter(spec)(doc) else None
                break
            if not verdict:
                doc = None
                break
    found: list[Document] = [] if doc is None else [doc]
    return Result(found, len(found), plan, name, examined, matched=len(found))


def smallest_bucket(
    store: Store, equal: dict[str, Any]
) -> tuple[str, tuple[str, ...], dict[Any, None]] | None:
    """(name, paths, holders) of the hash index whose every path is pinned with the fewest
    holders, the first on ties: the one candidate_ids picks."""
    best = None
    for name, index in store.indexes.items():
        paths = index.spec.paths
        if all(p in equal for p in paths):
            holders = index.entries.get(tuple(hash_key(equal[p]) for p in paths), {})
            if best is None or len(holders) < len(best[2]):
                best = (name, paths, holders)
    return best


def plainly(doc: Document, path: str, value: Any) -> bool | None:
    """Whether a top-level field equals a plain scalar (hash_key equality is MongoDB's), when
    that needs no array or path rules: None for a dotted path or an array, which may match by
    an element, and for a stored NaN."""
    if "." in path:
        return None
    stored = doc.get(path, MISSING)
    if stored is MISSING:
        return False  # the value is not null: a missing field does not equal it
    if isinstance(stored, list) or stored != stored:  # a stored NaN: the filter's own rules
        return None
    return not isinstance(stored, dict) and hash_key(stored) == hash_key(value)
