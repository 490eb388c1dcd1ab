"""The list parameters (spec §4): key (multi-value), sort, filters, limit, offset, since, until."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from . import times
from .errors import SpidError
from .params import Params

MAX_LIMIT = 1000  # "may not exceed 1000"; bigger sets are truncated (spec §4)
MAX_OFFSET = 2**31 - 1  # what every backend accepts as a skip
DEFAULT_LIMIT = MAX_LIMIT  # [inf] spec §7.4: the default is undocumented
# the sortable fields: every data-object field; dataObjectId sorts as a number
SORTABLE = (
    "dataObjectId",
    "clientId",
    "merchantId",
    "userId",
    "key",
    "value",
    "updated",
    "created",
)
BAD_DATE = (400, "Invalid date")
USER_ORDER = "_userOrder"  # userId is an "integer (as string)" (spec §1): sorts as a number


def user_order(userId: str) -> str:
    """A text whose order is userId's numeric order, on every backend and at any length:
    digits as (length, digits) without leading zeros; anything else after every number."""
    if userId.isascii() and userId.isdigit():
        digits = userId.lstrip("0") or "0"
        return f"{len(digits):05d}:{digits}"
    return "~" + userId


@dataclass(frozen=True, slots=True)
class Listing:
    keys: list[str]
    sort: list[tuple[str, int]]
    merchant: bool  # filters=merchant: every client of the caller's merchant (spec §4)
    updated: bool  # filters=updated: since/until on `updated`, newest first (spec §4)
    limit: int
    offset: int
    since: int | None
    until: int | None

    def filter(self, userId: str | None) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if userId is not None:
            query["userId"] = userId
        if self.keys:
            query["key"] = {"$in": self.keys}
        # [inf] spec §7.5: without filters=updated, since/until compare `created`
        column = "updated" if self.updated else "created"
        bounds: dict[str, int] = {}
        if self.since is not None:
            bounds["$gte"] = self.since  # "exclude entries older than this"
        if self.until is not None:
            bounds["$lte"] = self.until  # "exclude entries newer than this"
        if bounds:
            query[column] = bounds
        return query


def listing(params: Params, zone: ZoneInfo) -> Listing:
    filters = {f.lower() for f in params.many("filters")}  # others: ignored [inf]
    updated = "updated" in filters
    return Listing(
        keys=params.many("key"),
        sort=_sort(params, updated),
        merchant="merchant" in filters,
        updated=updated,
        limit=min(_number(params.get("limit"), DEFAULT_LIMIT) or DEFAULT_LIMIT, MAX_LIMIT),
        offset=offset_of(params),
        since=_moment(params, "since", zone),
        until=_moment(params, "until", zone),
    )


def offset_of(params: Params) -> int:
    return min(_number(params.get("offset"), 0), MAX_OFFSET)


def _number(value: str | None, default: int) -> int:
    try:
        number = int((value or "").strip())
    except ValueError:
        return default  # [inf]: unreadable numbers fall back to the default
    return number if number >= 0 else default


def _sort(params: Params, updated: bool) -> list[tuple[str, int]]:
    """`sort[field]=asc|desc` (several, in order) or plain `sort=field` = ascending [inf §4];
    unknown fields ignored; default dataObjectId ascending, or newest `updated` first."""
    order = [
        (field, -1 if d.strip().lower() == "desc" else 1) for field, d in params.mapping("sort")
    ]
    order += [(field, 1) for field in params.many("sort")]
    chosen = [(f, d) for f, d in order if f in SORTABLE]
    if not chosen and updated:
        chosen = [("updated", -1)]
    if not any(f == "dataObjectId" for f, _ in chosen):
        chosen.append(("dataObjectId", 1))  # a stable order for pagination
    stored = {"userId": USER_ORDER}  # numeric order, like dataObjectId (stored as a number)
    return [(stored.get(f, f), d) for f, d in dict(chosen).items()]


def _moment(params: Params, name: str, zone: ZoneInfo) -> int | None:
    value = params.get(name)
    if value is None or not value.strip():
        return None
    stamp = times.parse(value, zone)
    if stamp is None:
        # [inf]: strtotime() failing is undocumented; a validation error names the field
        raise SpidError(BAD_DATE, {name: f"Could not understand the date/time {value!r}"})
    return stamp
