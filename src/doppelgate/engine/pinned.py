"""Filters that pin at most one document: equality on plain scalars naming one `_id`, or every
path of a unique hash index. The memory backend answers them by look-ups, without planning, as
the planner's IDHACK and HASH plans would (issue 16.5: the commonest reads and writes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .core import Document, Filter
from .filters import compile_filter
from .planner import Result, Store, usable
from .values import MISSING, hash_key


def equalities(spec: Filter) -> tuple[dict[str, Any], bool]:
    """The filter's top-level equalities on plain scalars ($and flattened), and whether it says
    anything more (other terms, or one path named twice)."""
    equal: dict[str, Any] = {}
    more = False
    for key, value in spec.items():
        if (
            key == "$and"
            and isinstance(value, list)
            and value
            and all(type(s) is dict for s in value)
        ):
            for sub in value:
                found, other = equalities(sub)
                more = more or other or any(p in equal for p in found)
                equal |= found
        elif key.startswith("$") or not usable(value) or key in equal:  # operators are dicts
            more = True
        else:
            equal[key] = value
    return equal, more


def pinned_one(store: Store, spec: Filter | None, budgeted: Callable[..., Any]) -> Result | None:
    """The page of a filter that pins at most one document, or None (plan it). The rest of the
    filter, if any, is compiled even when nothing is pinned (a bad filter is refused alike) and
    run under `budgeted` (a time-limited regex may be in it)."""
    if not spec:
        return None
    equal, more = equalities(spec)
    if "_id" in equal:
        plan, name, paths = "IDHACK", "_id_", ("_id",)
        doc = store.docs.get(hash_key(equal["_id"]))
    else:
        unique = _unique_index(store, equal)
        if unique is None:
            return None
        plan, (name, index) = "HASH", unique
        paths = index.spec.paths
        holders = index.entries.get(tuple(hash_key(equal[p]) for p in paths))
        doc = store.docs[next(iter(holders))] if holders else None
    examined = 0 if doc is None else 1
    if more:  # compiled even with no document: a bad filter is refused alike
        predicate = compile_filter(spec)
        if doc is not None and not budgeted(predicate, doc):
            doc = None
    elif doc is not None:  # only scalar equalities: decided plainly where no array rule applies
        for path in (p for p in equal if p not in paths):
            verdict = plainly(doc, path, equal[path])
            if verdict is None:
                doc = doc if budgeted(compile_filter(spec), doc) else None
                break
            if not verdict:
                doc = None
                break
    found: list[Document] = [] if doc is None else [doc]
    return Result(found, len(found), plan, name, examined, matched=len(found))


def plainly(doc: Document, path: str, value: Any) -> bool | None:
    """Whether a top-level field equals a plain scalar (hash_key equality is MongoDB's), when
    that needs no array or path rules: None for a dotted path or an array, which may match by
    an element."""
    if "." in path:
        return None
    stored = doc.get(path, MISSING)
    if stored is MISSING:
        return False  # the value is not null: a missing field does not equal it
    if isinstance(stored, list):
        return None
    return not isinstance(stored, dict) and hash_key(stored) == hash_key(value)


def _unique_index(store: Store, equal: dict[str, Any]) -> tuple[str, Any] | None:
    """The first unique hash index whose every path the equalities pin."""
    for name, index in store.indexes.items():
        if index.spec.unique and all(p in equal for p in index.spec.paths):
            return name, index
    return None
