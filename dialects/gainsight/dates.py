"""Date and DateTime input (spec §2.1) and output (spec §2.2), stored as epoch milliseconds.

A Date is stored as midnight UTC of its calendar day; a DateTime as its instant. Offset-less
input is read in the configured zone (default UTC).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)

_DATES = (  # (pattern, group order y/m/d) (spec §2.1)
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),  # yyyy-MM-dd
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 1, 2)),  # MM-dd-yyyy
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 1, 2)),  # MM/dd/yyyy [I]
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),  # yyyy/MM/dd [I]
)
# yyyy-MM-dd'T'HH:mm[:ss[.S…]] with Z, ±hh:mm, ±hhmm or no offset; ' ' for 'T' too (spec §2.1)
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$"
)
EPOCH_MS_MIN = 10**11  # integers this large are epoch milliseconds (after 1973) [README]
EPOCH_MS_MAX = 10**14


class BadDate(ValueError):
    pass


def _day(text: str) -> dt.date | None:
    for pattern, (y, m, d) in _DATES:
        found = pattern.match(text)
        if found:
            try:
                return dt.date(int(found[y]), int(found[m]), int(found[d]))
            except ValueError:
                raise BadDate(text) from None
    return None


def _instant(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    found = _DATETIME.match(text)
    if found is None:
        return None
    year, month, day, hour, minute = (int(found[i]) for i in range(1, 6))
    second = int(found[6] or 0)
    micro = int((found[7] or "0").ljust(6, "0")[:6])
    try:
        value = dt.datetime(year, month, day, hour, minute, second, micro)
    except ValueError:
        raise BadDate(text) from None
    offset = found[8]
    if offset is None:
        return value.replace(tzinfo=zone)
    if offset == "Z":
        return value.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "").ljust(4, "0")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=dt.timezone(sign * delta))


def _epoch_ms(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        if EPOCH_MS_MIN <= abs(value) < EPOCH_MS_MAX:
            return value
    return None


def to_ms(moment: dt.datetime) -> int:
    return int((moment - EPOCH) // dt.timedelta(milliseconds=1))


def parse_datetime(value: Any, zone: dt.tzinfo) -> int:
    """A DateTime input as epoch ms; a Date-only value is midnight in `zone`."""
    ms = _epoch_ms(value)
    if ms is not None:
        return ms
    if not isinstance(value, str):
        raise BadDate(str(value))  # bare integers like 7809 are rejected (spec §2.1)
    text = value.strip()
    moment = _instant(text, zone)
    if moment is None:
        day = _day(text)
        if day is None:
            raise BadDate(text)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    return to_ms(moment)


def parse_date(value: Any, zone: dt.tzinfo) -> int:
    """A Date input as epoch ms of midnight UTC; a DateTime keeps its date part (spec §2.1)."""
    ms = _epoch_ms(value)
    if ms is not None:
        day = (EPOCH + dt.timedelta(milliseconds=ms)).date()
    elif not isinstance(value, str):
        raise BadDate(str(value))
    else:
        text = value.strip()
        day = _day(text)
        if day is None:
            moment = _instant(text, zone)
            if moment is None:
                raise BadDate(text)
            day = moment.date()  # the date as written, whatever its offset
    return to_ms(dt.datetime(day.year, day.month, day.day, tzinfo=UTC))


def iso_datetime(ms: int) -> str:
    """UTC `yyyy-MM-ddTHH:mm:ss.SSSZ` (spec §2.2)."""
    m = EPOCH + dt.timedelta(milliseconds=ms)
    clock = f"{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond // 1000:03d}"
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{clock}Z"


def iso_date(ms: int) -> str:
    day = (EPOCH + dt.timedelta(milliseconds=ms)).date()
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
