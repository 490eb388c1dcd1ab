"""What the MongoDB backend may leave to the server beyond pushdown.py's pre-filter: sort, limit
and count, when the server's answer provably equals the engine's.

The proof is a guard query the server answers before it is trusted: no document the pre-filter
admits holds an array on any prefix of the paths involved, the first sort path holds only one
type bracket (numbers, or dates) or null/missing, and each ranged path only its bound's type or
null/missing. Under those conditions MongoDB and the MongoDB-wire servers order and match alike:
one scalar per path, compared within one type. Everything else stays in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from .core import Filter
from .filters import is_operator_doc
from .pushdown import RANGES, pushdown_field, safe_bound, safe_scalar

SORT_KINDS = ("number", "date")  # brackets every server orders as MongoDB does


def kind_of(value: Any) -> str | None:
    """The $type alias of a range bound, for the brackets the guard can prove."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dt.datetime):
        return "date"
    return None


def plain(path: str) -> bool:
    """A path every server resolves alike (no numeric steps, no odd names)."""
    return all(p and not p.isdigit() and p[0] != "$" and "\x00" not in p for p in path.split("."))


def prefixes(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def exact_paths(spec: Filter | None) -> dict[str, str | None] | None:
    """Paths of a filter the server decides exactly (given the guard), with the type bracket
    their ranges need (None: equality only); None when some term must stay in Python."""
    found: dict[str, str | None] = {}
    for key, value in (spec or {}).items():
        if key == "$and" and isinstance(value, list):
            parts = [exact_paths(sub) for sub in value]
            if any(p is None for p in parts):
                return None
            items = [item for part in parts for item in (part or {}).items()]
        elif key.startswith("$") or not plain(key):
            return None
        else:
            kind = _term_kind(key, value)
            if kind is False:
                return None
            items = [(key, kind)]  # type: ignore[list-item]
        for path, kind in items:
            old = found.get(path)
            if old is not None and kind is not None and old != kind:
                return None
            found[path] = old or kind
    return found


def _term_kind(path: str, value: Any) -> str | bool | None:
    """The bracket a term's ranges need, None for equality only, False when not exact."""
    if not is_operator_doc(value):
        return None if safe_scalar(value) and value is not None else False
    if len(pushdown_field(path, value)) != len(value):
        return False  # an operator the server does not get
    kinds = {kind_of(arg) for op, arg in value.items() if op in RANGES}
    if any(op in RANGES and not safe_bound(arg) for op, arg in value.items()):
        return False
    if None in kinds or len(kinds) > 1:
        return False
    return kinds.pop() if kinds else None


def guard(server: dict[str, Any], flat: Iterable[str], typed: dict[str, str]) -> dict[str, Any]:
    """Documents the pre-filter admits that break the conditions: one must not exist."""
    breaches: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in [*flat, *typed]:
        for prefix in prefixes(path):
            if prefix not in seen:
                seen.add(prefix)
                breaches.append({prefix: {"$type": "array"}})
    for path, kind in typed.items():
        breaches.append({path: {"$exists": True, "$not": {"$type": [kind, "null"]}}})
    condition = {"$or": breaches}
    return {"$and": [server, condition]} if server else condition


def reading_cap(wanted: int) -> int:
    """The limit a server-sorted page is read with: the page and room for what Python's filter
    rejects and for the run of equal first keys at its end. A server sorts with a limit as a
    top-k (MongoDB's SORT stage keeps k documents; the suite's wire server too): without one,
    it sorts every match and keeps them all for the cursor."""
    return min(2 * wanted + 16, 100_000)


PROBE = 1_000  # matches up to which a sorted page reads them all, sorted in Python


async def many_matches(
    count: Callable[[dict[str, Any], int], Awaitable[int]], server: dict[str, Any]
) -> bool:
    """Whether more than PROBE documents pass the pre-filter: a count that stops there (MongoDB
    and the wire servers stop a $match + $limit early when matches are many).

    The server-sorted page costs the guard's scan, the page and the count; when few documents
    match, one read of them all costs less (bench/README.md, query_bench --mongo)."""
    return await count(server, PROBE + 1) > PROBE
