"""lightblue's date format `yyyyMMdd'T'HH:mm:ss.SSSZ`, e.g. 20160101T12:00:00.000-0500 (§7)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from doppelgate import clock

_DATE = re.compile(r"^(\d{4})(\d\d)(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})([+-])(\d\d)(\d\d)$")


def parse_date(text: str) -> dt.datetime:
    """The instant the text names; ValueError when it does not follow the pattern (§7)."""
    m = _DATE.match(text.strip())
    if m is None:
        raise ValueError(text)
    y, mo, d, h, mi, s, ms, sign, oh, om = m.groups()
    offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    zone = dt.timezone(offset)
    return dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), int(ms) * 1000, zone)


def format_date(value: dt.datetime) -> str:
    """Output in the server's zone; doppelgate's is UTC, written `+0000` (§7)."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y%m%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def now() -> dt.datetime:
    moment = clock.utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def dates_to_text(value: Any) -> Any:
    """A stored value as JSON sends it: datetimes in lightblue's format, the rest as is."""
    if isinstance(value, dict):
        return {k: dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_to_text(v) for v in value]
    if isinstance(value, dt.datetime):
        return format_date(value)
    return value
