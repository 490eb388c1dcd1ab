"""Values as MongoDB sees them: type brackets, cross-type ordering, dotted-path lookup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cmp_to_key
from typing import Any

# MongoDB's comparison/sort order of BSON types (the types this engine stores).
NULL, NUMBER, STRING, OBJECT, ARRAY, BINARY, BOOLEAN, DATE = 1, 2, 3, 4, 5, 6, 8, 9


class _Missing:
    """A path that resolves to nothing; equal to null for equality and sort, absent for $exists."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class _EmptyArray:
    """What an empty array sorts as: below null and missing (MongoDB 3.6+ sort order)."""

    __slots__ = ()


EMPTY_ARRAY: Any = _EmptyArray()


_EXACT_BRACKETS: dict[type, int] = {}  # filled below: the common exact types, one dict probe


def bracket(value: Any) -> int:
    found = _EXACT_BRACKETS.get(type(value))
    if found is not None:
        return found
    if value is EMPTY_ARRAY:
        return 0
    if value is None or value is MISSING:
        return NULL
    if value is True or value is False:  # bool before int: True is an int in Python
        return BOOLEAN
    if isinstance(value, int | float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, dict):
        return OBJECT
    if isinstance(value, list):
        return ARRAY
    if isinstance(value, bytes):
        return BINARY
    if isinstance(value, dt.datetime):
        return DATE
    raise TypeError(f"unsupported value type {type(value).__name__}")


_EXACT_BRACKETS.update(
    {str: STRING, int: NUMBER, float: NUMBER, dict: OBJECT, list: ARRAY, bool: BOOLEAN}
)


def _sign(x: Any, y: Any) -> int:
    return (x > y) - (x < y)


def compare(a: Any, b: Any) -> int:
    """Three-way comparison in MongoDB's cross-type order."""
    ba, bb = bracket(a), bracket(b)
    if ba != bb:
        return _sign(ba, bb)
    if ba <= NULL:
        return 0
    if ba == OBJECT:
        for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=False):
            c = _sign(bracket(va), bracket(vb)) or _sign(ka, kb) or compare(va, vb)
            if c:
                return c
        return _sign(len(a), len(b))
    if ba == ARRAY:
        for va, vb in zip(a, b, strict=False):
            c = compare(va, vb)
            if c:
                return c
        return _sign(len(a), len(b))
    if ba == BINARY:
        return _sign(len(a), len(b)) or _sign(a, b)
    return _sign(a, b)


def equal(a: Any, b: Any) -> bool:
    return bracket(a) == bracket(b) and compare(a, b) == 0


sort_key = cmp_to_key(compare)


def hash_key(value: Any) -> Any:
    """A hashable stand-in that is equal exactly when MongoDB calls the values equal."""
    b = bracket(value)
    if b == OBJECT:
        return (OBJECT, tuple((k, hash_key(v)) for k, v in value.items()))
    if b == ARRAY:
        return (ARRAY, tuple(hash_key(v) for v in value))
    if b == NULL:
        return (NULL,)
    return (b, value)


def split_path(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def resolve(value: Any, parts: tuple[str, ...]) -> Iterator[Any]:
    """Every value a dotted path reaches, descending through arrays as MongoDB does."""
    if not parts:
        yield value
        return
    head, rest = parts[0], parts[1:]
    if isinstance(value, dict):
        if head in value:
            yield from resolve(value[head], rest)
    elif isinstance(value, list):
        if head.isdigit():  # "a.0": the element at that index...
            index = int(head)
            if index < len(value):
                yield from resolve(value[index], rest)
        for element in value:  # ...and the field of that name in every element that is a document
            if isinstance(element, dict):
                yield from resolve(element, parts)


def leaf_values(doc: Any, parts: tuple[str, ...]) -> list[Any]:
    """Values a path reaches, arrays at the end expanded: what an index or a sort sees."""
    value = doc  # through documents without a generator per level; from an array on, resolve()
    for depth, head in enumerate(parts):
        if isinstance(value, dict):
            if head not in value:
                return []
            value = value[head]
        elif isinstance(value, list):
            return _leaf_values(value, parts[depth:])
        else:
            return []
    return list(value) if isinstance(value, list) else [value]


def _leaf_values(doc: Any, parts: tuple[str, ...]) -> list[Any]:
    found: list[Any] = []
    for value in resolve(doc, parts):
        if isinstance(value, list):
            found.extend(value)
        else:
            found.append(value)
    return found


def sort_value(doc: Any, parts: tuple[str, ...], descending: bool) -> Any:
    """The value a document sorts by: the smallest (ascending) or largest array element."""
    values = leaf_values(doc, parts)
    if not values:
        return EMPTY_ARRAY if any(v == [] for v in resolve(doc, parts)) else None
    pick = max if descending else min
    return pick(values, key=sort_key)
