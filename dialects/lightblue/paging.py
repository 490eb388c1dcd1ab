"""Sort keys and result ranges (§4, §1.3, §2.1)."""

from __future__ import annotations

from typing import Any

import msgspec

from . import errors as E
from .errors import LightblueError
from .query import engine_path
from .schema import Schema, absolute
from .values import show
from .wire import Request

DIRECTIONS = {"$asc": 1, "$desc": -1}


def sort_spec(schema: Schema, sort: Any, base: list[str] | None = None) -> list[tuple[str, int]]:
    """`{"path": "$asc"|"$desc"}` or an array of them, major first (§4)."""
    keys = sort if isinstance(sort, list) else [sort]
    out: list[tuple[str, int]] = []
    for key in keys:
        if not isinstance(key, dict) or len(key) != 1:
            raise LightblueError(E.INVALID_SORT, show(sort))
        path, direction = next(iter(key.items()))
        if not isinstance(direction, str) or direction not in DIRECTIONS:
            raise LightblueError(E.INVALID_SORT, show(sort))
        steps = absolute(path, base or [])
        schema.field(steps)
        local = steps[len(base or []) :]
        out.append((engine_path(local), DIRECTIONS[direction]))
    return out


def _int(value: Any) -> int | None:
    if value is None or value is msgspec.UNSET:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(value)
    return int(value)


def page(body: Request) -> tuple[int, int | None]:
    """(from, to) inclusive; `range` wins, then from+to, then from+maxResults (§2.1)."""
    if body.range is not msgspec.UNSET and body.range is not None:
        bounds = body.range
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ValueError(bounds)
        start, end = _int(bounds[0]), _int(bounds[1])
    else:
        start, end = _int(body.from_), _int(body.to)
        most = _int(body.maxResults)
        if end is None and most is not None and most >= 0:
            end = (start or 0) + most - 1
    start = max(start or 0, 0)  # negative from -> 0 (§4)
    return start, end


def limits(start: int, end: int | None) -> tuple[int, int] | None:
    """Engine skip/limit (0 = no limit); None when the page is empty (to < from)."""
    if end is None:
        return start, 0
    if end < start:
        return None
    return start, end - start + 1
