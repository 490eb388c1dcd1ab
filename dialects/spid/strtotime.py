"""PHP's strtotime() for since/until (spec §4: "timestamps, dates and even fuzzy formats like
yesterday and first day of January", linking to PHP's supported date and time formats).

A port of the rules of PHP's timelib scanner (parse_date.re) and of its arithmetic
(tm2unixtime.c) for the formats PHP documents: relative formats (numbers with units, `ago`,
first..twelfth/next/last/previous/this with units and day names, `first/last day of`, `<nth>
<day> of`, `next week`, `weekdays`), keywords (now, today, midnight, noon, tomorrow,
yesterday), `@<unix seconds>`, the date formats with month names and numbers, times (12/24 h),
and zones (offsets, abbreviations, tz database names). As PHP's scanner does, each step takes the
longest rule matching at the current position; an unknown word fails the whole string.
"""

from __future__ import annotations

import datetime as dt
import re

from .phpformats import RULES, Handler, Parsed

MAX_INPUT = 256  # longer is no date a client sends; refused before any scanning
_SEPARATORS = " \t,."


def _scan(text: str) -> Parsed | None:
    state = Parsed()
    pos = 0
    while pos < len(text):
        best: tuple[re.Match[str], Handler] | None = None
        for pattern, handler in RULES:
            m = pattern.match(text, pos)
            if m and m.end() > pos and (best is None or m.end() > best[0].end()):
                best = (m, handler)
        if best is None:
            if text[pos] in _SEPARATORS:
                pos += 1
                continue
            return None
        m, handler = best
        try:
            handler(state, m)
        except (ValueError, KeyError, OverflowError):
            return None
        pos = best[0].end()
    return state


# -- arithmetic (tm2unixtime.c) ----------------------------------------------------------------


def _normalized(y: int, m: int, d: int, h: int, i: int, s: int) -> dt.datetime:
    """timelib_do_normalize: any field may over- or underflow into the next."""
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    start = dt.datetime(y, m, 1)
    return start + dt.timedelta(days=d - 1, hours=h, minutes=i, seconds=s)


def _weekday_adjusted(state: Parsed, moment: dt.datetime) -> dt.datetime:
    """do_adjust_for_weekday."""
    assert state.weekday is not None
    dow = moment.isoweekday() % 7  # 0 = Sunday
    weekday = state.weekday
    if state.weekday_behavior == 2:
        if dow == 0 and weekday != 0:
            weekday -= 7
        if weekday == 0 and dow != 0:
            weekday = 7
        return moment + dt.timedelta(days=weekday - dow)
    difference = weekday - dow
    if (state.rel_d < 0 and difference < 0) or (
        state.rel_d >= 0 and difference <= -state.weekday_behavior
    ):
        difference += 7
    if weekday >= 0:
        return moment + dt.timedelta(days=difference)
    return moment - dt.timedelta(days=7 - (abs(weekday) - dow))


def _weekdays_counted(moment: dt.datetime, count: int) -> dt.datetime:
    """`N weekdays`: N working days on, skipping Saturdays and Sundays."""
    step = 1 if count > 0 else -1
    if count == 0 and moment.isoweekday() > 5:
        step, count = 1, 1
    for _ in range(abs(count)):
        moment += dt.timedelta(days=step)
        while moment.isoweekday() > 5:
            moment += dt.timedelta(days=step)
    return moment


def strtotime(text: str, now: dt.datetime) -> int | None:
    """Unix seconds for `text` at `now` (an aware datetime in PHP's default zone), or None
    where PHP's strtotime() returns false."""
    if len(text) > MAX_INPUT:
        return None
    state = _scan(text.strip().lower())
    if state is None:
        return None
    local = now.replace(microsecond=0)
    if state.have_date and not state.have_time:
        state.h = state.h if state.h is not None else 0
        state.i = state.i if state.i is not None else 0
        state.s = state.s if state.s is not None else 0
    y = state.y if state.y is not None else local.year
    m = state.m if state.m is not None else local.month
    d = state.d if state.d is not None else local.day
    h = state.h if state.h is not None else local.hour
    i = state.i if state.i is not None else local.minute
    s = state.s if state.s is not None else local.second
    try:
        rel_m = state.rel_m
        if state.special == "nth-of":  # do_adjust_special_early
            d, m, rel_m = 1, m + rel_m, 0
        elif state.special == "last-of":
            d, m, rel_m = 1, m + rel_m + 1, 0
        if state.first_last == "first":
            d = 1
        elif state.first_last == "last":
            d, m = 0, m + 1
        moment = _normalized(y, m, d, h, i, s)
        if state.weekday is not None:
            moment = _weekday_adjusted(state, moment)
        y, m, d = moment.year + state.rel_y, moment.month + rel_m, moment.day + state.rel_d
        if state.first_last == "first":
            d = 1
        elif state.first_last == "last":
            d, m = 0, m + 1
        moment = _normalized(
            y,
            m,
            d,
            moment.hour + state.rel_h,
            moment.minute + state.rel_i,
            moment.second + state.rel_s,
        )
        if state.special == "weekday":
            moment = _weekdays_counted(moment, state.special_amount)
        zone = state.zone if state.zone is not None else now.tzinfo
        # a wall time that occurs twice (DST ends) is its later occurrence, even for "now"
        # during the first; one that does not occur (DST starts) is read with the offset
        # before the change: both are the later of the two readings, as PHP 8 does
        return max(int(moment.replace(tzinfo=zone, fold=f).timestamp()) for f in (0, 1))
    except (OverflowError, ValueError):  # beyond the years 1..9999
        return None
