"""Updates the MongoDB backend sends for the server to apply itself: no compare-and-swap.

A single-document update by `_id` whose operators every MongoDB-wire server applies exactly as
updates.py does goes to the server as one `update_one`, atomic there, so concurrent writers never
refuse each other. The subset:

- $set, $unset, $inc, $push (a value or {$each: [...]}), $addToSet and $pull (of plain scalars:
  strings, booleans, integers, whose equality every server shares);
- on paths without array positions, outside `_id` and the backend's hidden field.

Everything else ($position/$slice, $pull conditions, documents compared by value, positional
paths, upserts, many) keeps the compare-and-swap path, which computes the document in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .pushdown import SAFE_INT

SERVER_OPERATORS = frozenset({"$set", "$unset", "$inc", "$push", "$addToSet", "$pull"})


def server_update(update: Mapping[str, Any], reserved: str) -> dict[str, Any] | None:
    """The MongoDB update document of a (validated) update, or None when the server's
    semantics could differ from the engine's for it."""
    for op, fields in update.items():
        if op not in SERVER_OPERATORS:
            return None
        for path, arg in fields.items():
            parts = path.split(".")
            if parts[0] in ("_id", reserved) or any(p.isdigit() for p in parts):
                return None
            if op == "$push" and not _plain_push(arg):
                return None
            if op in ("$addToSet", "$pull") and not _comparable_items(arg, op):
                return None
    return {op: dict(fields) for op, fields in update.items()}


def _plain_push(arg: Any) -> bool:
    if isinstance(arg, Mapping) and any(str(k).startswith("$") for k in arg):
        return set(arg) == {"$each"} and isinstance(arg["$each"], list)
    return True


def _comparable_items(arg: Any, op: str) -> bool:
    if op == "$addToSet" and isinstance(arg, Mapping) and set(arg) == {"$each"}:
        items = arg["$each"]
        return isinstance(items, list) and all(_comparable(i) for i in items)
    return _comparable(arg)


def _comparable(value: Any) -> bool:
    if isinstance(value, bool | str):
        return True
    return isinstance(value, int) and -SAFE_INT <= value <= SAFE_INT
