"""`datetime` = `YYYY-MM-DD HH:MM:SS`, no zone marker (spec §1); since/until take unix
timestamps, dates and PHP strtotime phrases (spec §4; strtotime.py). Stored as unix seconds."""

from __future__ import annotations

import datetime as dt
import re
import time
from zoneinfo import ZoneInfo

from .strtotime import strtotime

FORMAT = "%Y-%m-%d %H:%M:%S"
LIMIT = 2**53  # unix seconds are clamped to what every backend stores exactly


def now() -> int:
    return int(time.time())


def show(stamp: int, zone: ZoneInfo) -> str:
    return dt.datetime.fromtimestamp(stamp, zone).strftime(FORMAT)


def parse(value: str, zone: ZoneInfo, at: int | None = None) -> int | None:
    """Unix seconds for a since/until value, or None when it cannot be read."""
    value = value.strip()
    if re.fullmatch(r"-?[0-9]+", value) and len(value.lstrip("-")) != 8:  # 8 digits: YYYYMMDD
        return max(-LIMIT, min(int(value), LIMIT))
    moment = strtotime(value, dt.datetime.fromtimestamp(now() if at is None else at, zone))
    return None if moment is None else max(-LIMIT, min(moment, LIMIT))
