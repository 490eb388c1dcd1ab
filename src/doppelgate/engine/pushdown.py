"""The MongoDB backend's server-side pre-filter: the part of a filter every server gets right.

The backend decides every match in Python (filters.py); the server only narrows the scan. So a
pushed-down term must match a superset of what the whole filter matches, on a real MongoDB and on
the lighter MongoDB-wire servers alike.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from .core import Filter
from .filters import is_operator_doc

SAFE_INT = 2**53  # integers pushed to the server as-is: exact in any server's number handling


def safe_scalar(value: Any) -> bool:
    """A value every MongoDB-wire server compares exactly as MongoDB does for equality."""
    if isinstance(value, bool | str | bytes | dt.datetime):
        return True
    if isinstance(value, int):
        return -SAFE_INT <= value <= SAFE_INT
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def pushdown(spec: Filter | None) -> dict[str, Any]:
    """The server-side pre-filter of a (validated) filter: a superset of its matches.

    Only equality and $in on plain scalars, and ranges on numbers and dates, along plain paths:
    every server matches at least what MongoDB matches there (mongo-java-server matches more:
    values inside nested arrays), so Python always decides. An empty result means "scan".
    """
    if not spec:
        return {}
    terms: list[dict[str, Any]] = []
    for key, value in spec.items():
        if key == "$and":
            terms.extend(part for part in map(pushdown, value) if part)
        elif key == "$or":
            parts = [pushdown(sub) for sub in value]
            if all(parts):  # an unrestricted branch makes $or match all
                terms.append({"$or": parts})
        elif not key.startswith("$"):
            terms.extend({key: term} for term in pushdown_field(key, value))
    if not terms:
        return {}
    return terms[0] if len(terms) == 1 else {"$and": terms}


def top_fields(spec: Filter | None) -> set[str] | None:
    """The top-level fields a (validated) filter reads; None when unsure."""
    fields: set[str] = set()
    for key, value in (spec or {}).items():
        if key in ("$and", "$or", "$nor"):
            for sub in value:
                inner = top_fields(sub)
                if inner is None:
                    return None
                fields |= inner
        elif key.startswith("$") or not key.split(".")[0]:
            return None
        else:
            fields.add(key.split(".")[0])
    return fields


def pushdown_field(path: str, value: Any) -> list[Any]:
    """The server-side terms for one field, each a superset of its matches ([] when none)."""
    # numeric steps ("a.0") and odd names are matched differently by some servers: Python only
    if any(not p or p.isdigit() or p[0] == "$" or "\x00" in p for p in path.split(".")):
        return []
    if not is_operator_doc(value):
        return [value] if safe_scalar(value) else []
    terms: list[Any] = []
    for op, arg in value.items():
        if op == "$eq" and safe_scalar(arg):
            terms.append({"$eq": arg})
        elif op == "$in" and isinstance(arg, list) and arg and all(map(safe_scalar, arg)):
            terms.append({"$in": arg})
        elif op in RANGES and safe_bound(arg):
            # one term per bound: on arrays MongoDB lets different elements meet each bound,
            # which some servers do only for separate clauses
            terms.append({op: arg})
    return terms


RANGES = ("$gt", "$gte", "$lt", "$lte")


def safe_bound(value: Any) -> bool:
    """A range bound every server orders as MongoDB does. Not strings: Java servers compare
    UTF-16 code units, MongoDB UTF-8 bytes, which disagree above U+FFFF."""
    return not isinstance(value, bool | str | bytes) and safe_scalar(value)
