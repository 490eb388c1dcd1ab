"""`datetime` = `YYYY-MM-DD HH:MM:SS`, no zone marker (spec §1); since/until take unix
timestamps, dates and PHP strtotime-style phrases (spec §4). Stored as unix seconds."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

from doppelgate import clock

FORMAT = "%Y-%m-%d %H:%M:%S"
LIMIT = 2**53  # unix seconds are clamped to what every backend stores exactly
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
UNITS = {
    "sec": 1,
    "second": 1,
    "min": 60,
    "minute": 60,
    "hour": 3600,
    "day": 86400,
    "week": 7 * 86400,
    "fortnight": 14 * 86400,
}
_RELATIVE = re.compile(r"([+-]?\d+)\s*([a-z]+?)s?\b")
_FIRST_LAST = re.compile(r"^(first|last) day of\s+(.+)$")


def now() -> int:
    return int(clock.now())


def show(stamp: int, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(stamp, zone).strftime(FORMAT)


def parse(value: str, zone: ZoneInfo, at: int | None = None) -> int | None:
    """Unix seconds for a since/until value, or None when it cannot be read."""
    value = " ".join(value.strip().lower().split())
    if re.fullmatch(r"-?\d+", value) and len(value.lstrip("-")) != 8:  # 8 digits: YYYYMMDD
        return max(-LIMIT, min(int(value), LIMIT))
    try:
        moment = _absolute(value, zone) or _phrase(value, _base(at, zone))
        return None if moment is None else int(moment.timestamp())
    except (OverflowError, ValueError):  # beyond year 1..9999
        return None


def _base(at: int | None, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(now() if at is None else at, zone)


def _absolute(value: str, zone: ZoneInfo) -> dt.datetime | None:
    for candidate in (value, value.upper().replace("Z", "+00:00")):
        try:
            moment = dt.datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return None


def _midnight(moment: dt.datetime) -> dt.datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _phrase(value: str, base: dt.datetime) -> dt.datetime | None:
    named = {
        "now": base,
        "today": _midnight(base),
        "midnight": _midnight(base),
        "yesterday": _midnight(base) - dt.timedelta(days=1),
        "tomorrow": _midnight(base) + dt.timedelta(days=1),
    }
    if value in named:
        return named[value]
    first_last = _FIRST_LAST.match(value)
    if first_last:
        return _day_of(first_last[1], first_last[2], base)
    return _relative(value, base)


def _day_of(which: str, what: str, base: dt.datetime) -> dt.datetime | None:
    """`first day of January`, `last day of next month` (time of day kept, as PHP does)."""
    year, month = base.year, base.month
    if what in ("this month", "next month", "last month", "previous month"):
        month += {"this": 0, "next": 1}.get(what.split()[0], -1)
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    elif what.split()[0] in MONTHS:
        parts = what.split()
        month = MONTHS[parts[0]]
        if len(parts) == 2 and parts[1].isdigit():
            year = int(parts[1])
        elif len(parts) != 1:
            return None
    else:
        return None
    day = 1 if which == "first" else calendar.monthrange(year, month)[1]
    return base.replace(year=year, month=month, day=day)


def _relative(value: str, base: dt.datetime) -> dt.datetime | None:
    """`+1 day`, `-2 hours 30 minutes`, `3 weeks ago`, `1 month`, `2 years ago`."""
    ago = value.endswith(" ago")
    body = value.removesuffix(" ago")
    matches = list(_RELATIVE.finditer(body))
    if not matches or _RELATIVE.sub("", body).strip():
        return None
    sign = -1 if ago else 1
    seconds, months = 0, 0
    for match in matches:
        amount, unit = int(match[1]) * sign, match[2]
        if unit in UNITS:
            seconds += amount * UNITS[unit]
        elif unit == "month":
            months += amount
        elif unit == "year":
            months += 12 * amount
        else:
            return None
    moment = base + dt.timedelta(seconds=seconds)
    if months:
        total = moment.year * 12 + moment.month - 1 + months
        year, month = divmod(total, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        moment = moment.replace(year=year, month=month + 1, day=day)
    return moment
