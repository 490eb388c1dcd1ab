"""How deeply client JSON may nest: one documented limit that every dialect enforces (issue 15.10).

msgspec raises RecursionError past about 1,000 levels, MongoDB refuses documents past 100, and
the dialects' own code walks values recursively. So every JSON body and JSON-text parameter is
decoded through `decode` (or checked with `check`): deeper than MAX_DEPTH is a client error that
each dialect answers with its own bad-request code, never a 5xx. Depth counts containers:
a scalar is 0, `[]` and `{}` are 1, `{"a": [1]}` is 2.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

MAX_DEPTH = 64  # far past real payloads; leaves room under MongoDB's 100 for the stored envelope

T = TypeVar("T")


class TooDeep(ValueError):
    """Client JSON nested deeper than the limit."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def depth(value: Any, limit: int | None = None) -> int:
    """Container depth of a decoded value (dicts, lists, tuples, msgspec Structs), without
    recursion; with `limit`, the walk stops as soon as the depth passes it."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        elif isinstance(node, msgspec.Struct):
            children = [getattr(node, f) for f in node.__struct_fields__]  # a JSON object
        else:
            continue
        level += 1
        deepest = max(deepest, level)
        if limit is not None and deepest > limit:
            return deepest
        stack.extend((child, level) for child in children)
    return deepest


def check(value: Any, limit: int = MAX_DEPTH) -> Any:
    """The value itself, or TooDeep."""
    if depth(value, limit) > limit:
        raise TooDeep(limit)
    return value


def decode(raw: bytes | str, type: type[T] | None = None, limit: int = MAX_DEPTH) -> T:
    """msgspec.json.decode with the nesting limit: TooDeep instead of a RecursionError or a
    value deeper than `limit`; msgspec's DecodeError/ValidationError pass through unchanged."""
    try:
        value = msgspec.json.decode(raw) if type is None else msgspec.json.decode(raw, type=type)
    except RecursionError:
        raise TooDeep(limit) from None
    return checked(value, raw, limit)


def checked(value: T, raw: bytes | str, limit: int = MAX_DEPTH) -> T:
    """`value`, decoded from the JSON text `raw`, or TooDeep: the value is walked only when the
    text holds more opening brackets than `limit` (it is never deeper than that count)."""
    bound = _openers(raw)
    if bound is not None and bound <= limit:
        return value
    return check(value, limit)  # type: ignore[no-any-return]


def _openers(raw: bytes | str) -> int | None:
    """How many `{` and `[` the text holds, in strings too: an upper bound of its depth (None:
    a buffer type without count(), left to the walk)."""
    if isinstance(raw, str):
        return raw.count("{") + raw.count("[")
    if isinstance(raw, bytes | bytearray):
        return raw.count(b"{") + raw.count(b"[")
    return None
