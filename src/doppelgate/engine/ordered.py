"""Ordered indexes of the embedded backend: keys in MongoDB's cross-type order, multikey.

An entry is (bracket, value, ..., insertion sequence, document key), one flat tuple per key of a
document (each field's order key is a (bracket, value) pair, flattened: flat tuples compare
fast), in a sortedcontainers SortedList: a range of keys is two bisections away and a walk in key
order meets equal keys in insertion order, the order ties keep on both backends.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from sortedcontainers import SortedList

from .core import Document, IndexSpec
from .values import ARRAY, BINARY, NULL, NUMBER, OBJECT, bracket, leaf_values, resolve, split_path

OrderKey = tuple[Any, ...]
INF = float("inf")
HIGH: OrderKey = (INF,)  # above every order key, sequence and bracket: closes a prefix range
NAN_KEY: OrderKey = (1.5, 0)  # NaN sorts below every number, above null (MongoDB)
MAX_KEYS_PER_DOC = 1000  # bounds the product of a compound multikey index


def order_key(value: Any) -> OrderKey:
    """A natively comparable (bracket, value) pair that orders values as values.compare does
    (MongoDB's order)."""
    kind = bracket(value)
    if kind == NUMBER:
        return (NUMBER, value) if value == value else NAN_KEY
    if kind <= NULL:
        return (kind, 0)
    if kind == OBJECT:
        return (OBJECT, tuple((bracket(v), k, order_key(v)) for k, v in value.items()))
    if kind == ARRAY:
        return (ARRAY, tuple(order_key(v) for v in value))
    if kind == BINARY:
        return (BINARY, (len(value), value))
    return (kind, value)


def bracket_low(kind: int) -> OrderKey:
    """Below every key of one type bracket."""
    return (kind,)


def bracket_high(kind: int) -> OrderKey:
    """Above every key of one type bracket and below the next bracket's."""
    return (kind + 0.5,)


def field_keys(doc: Document, parts: tuple[str, ...]) -> set[OrderKey]:
    """What one path contributes: every leaf value (multikey); missing as null, [] as []."""
    values = leaf_values(doc, parts)
    if not values:
        empty = any(isinstance(v, list) and not v for v in resolve(doc, parts))
        return {(0, 0) if empty else (NULL, 0)}
    return {order_key(v) for v in values}


class OrderedIndex:
    """One index's entries in key order; `multikey` once any document holds several keys."""

    def __init__(self, name: str, spec: IndexSpec) -> None:
        self.name = name
        self.spec = spec
        self.parts = [split_path(p) for p in spec.paths]
        self.entries: SortedList = SortedList()
        self.multikey_docs = 0

    @property
    def multikey(self) -> bool:
        return self.multikey_docs > 0

    def keys_of(self, doc: Document) -> set[OrderKey]:
        if len(self.parts) == 1:
            return field_keys(doc, self.parts[0])
        per_field = [field_keys(doc, parts) for parts in self.parts]
        combos = itertools.islice(itertools.product(*per_field), MAX_KEYS_PER_DOC)
        return {tuple(x for key in combo for x in key) for combo in combos}

    def build(self, items: Iterator[tuple[Any, int, Document]]) -> None:
        entries = []
        for id_key, seq, doc in items:
            keys = self.keys_of(doc)
            self.multikey_docs += len(keys) > 1
            entries.extend((*k, seq, id_key) for k in keys)
        self.entries = SortedList(entries)

    def replace(self, id_key: Any, seq: int, old: Document | None, new: Document | None) -> None:
        """Move a document's entries from its old version to its new one (either may be None)."""
        old_keys = self.keys_of(old) if old is not None else set()
        new_keys = self.keys_of(new) if new is not None else set()
        if old_keys == new_keys:
            return
        for k in old_keys - new_keys:
            self.entries.discard((*k, seq, id_key))
        for k in new_keys - old_keys:
            self.entries.add((*k, seq, id_key))
        self.multikey_docs += (len(new_keys) > 1) - (len(old_keys) > 1)

    def span(self, low: OrderKey, high: OrderKey) -> tuple[int, int]:
        """Positions of the entries whose key lies between two bounds (see planner.Interval)."""
        return self.entries.bisect_left(low), self.entries.bisect_left(high)

    def count(self, low: OrderKey, high: OrderKey) -> int:
        start, stop = self.span(low, high)
        return max(0, stop - start)

    def walk(
        self, low: OrderKey, high: OrderKey, descending: bool
    ) -> Iterator[tuple[OrderKey, int, Any]]:
        start, stop = self.span(low, high)
        if stop <= start:
            return iter(())
        return self.entries.islice(start, stop, reverse=descending)
