"""Unique-index keys as both backends compute them: arrays index each element (multikey),
a missing field indexes as null, and a compound index takes the product of its fields' keys."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from .core import Document, IndexSpec, encode
from .values import MISSING, hash_key, leaf_values, split_path

MAX_INDEX_KEYS_PER_DOC = 1000  # bounds the cartesian product of a compound multikey index


def index_keys(spec: IndexSpec, doc: Document) -> set[tuple[Any, ...]]:
    """Every key the document holds in the index (hashable, equal as MongoDB compares)."""
    per_field = [
        {hash_key(v) for v in leaf_values(doc, split_path(p))} or {hash_key(None)}
        for p in spec.paths
    ]
    return set(itertools.islice(itertools.product(*per_field), MAX_INDEX_KEYS_PER_DOC))


def key_doc(spec: IndexSpec, doc: Document) -> dict[str, Any]:
    """The document's key as a DuplicateKey error reports it: {path: value}."""
    key: dict[str, Any] = {}
    for path in spec.paths:
        values = leaf_values(doc, split_path(path))
        key[path] = values[0] if len(values) == 1 else (values or None)
    return key


def same_fields(old: Document, new: Document) -> Callable[[Sequence[str]], bool]:
    """Whether two versions of a document hold byte-equal (msgpack: 1, 1.0 and true differ)
    values in the top-level fields of these paths; answers per field computed once."""
    seen: dict[str, bool] = {}

    def same(paths: Sequence[str]) -> bool:
        for path in paths:
            head = path.partition(".")[0]
            equal = seen.get(head)
            if equal is None:
                a, b = old.get(head, MISSING), new.get(head, MISSING)
                equal = seen[head] = a is b or (
                    a is not MISSING and b is not MISSING and encode(a) == encode(b)
                )
            if not equal:
                return False
        return True

    return same
