"""PHP's date and time formats as the rules of its timelib scanner (parse_date.re), for
strtotime.py: each rule a pattern and a handler that records what it read in `Parsed`."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

# -- vocabulary (parse_date.re) ---------------------------------------------------------------

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
ROMAN = {r: i + 1 for i, r in enumerate("i ii iii iv v vi vii viii ix x xi xii".split())}
DAYS = {
    name: i
    for i, names in enumerate(
        (
            ("sunday", "sun"),
            ("monday", "mon"),
            ("tuesday", "tue"),
            ("wednesday", "wed"),
            ("thursday", "thu"),
            ("friday", "fri"),
            ("saturday", "sat"),
        )
    )
    for name in names
}
RELTEXT = {  # timelib_reltext_lookup: the amount; "this" also sets behavior 1
    "first": 1,
    "next": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eight": 8,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "last": -1,
    "previous": -1,
    "this": 0,
}
# unit -> (field, multiplier); "weekday" units: (WEEKDAY, day number), (SPECIAL, 0)
UNITS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("ms", "msec", "millisecond"), ("us", 1000)),
    **dict.fromkeys(("µs", "usec", "µsec", "microsecond"), ("us", 1)),
    **dict.fromkeys(("sec", "second"), ("s", 1)),
    **dict.fromkeys(("min", "minute"), ("i", 1)),
    "hour": ("h", 1),
    "day": ("d", 1),
    "week": ("d", 7),
    "fortnight": ("d", 14),
    "forthnight": ("d", 14),
    "month": ("m", 1),
    "year": ("y", 1),
    **{name: ("weekday", number) for name, number in DAYS.items()},
    "weekday": ("special", 0),
}
ZONE_ABBREVIATIONS = {  # the common ones of timelib's table; tz database names work too
    "utc": 0,
    "gmt": 0,
    "ut": 0,
    "z": 0,
    "wet": 0,
    "west": 3600,
    "bst": 3600,
    "cet": 3600,
    "cest": 7200,
    "met": 3600,
    "mest": 7200,
    "eet": 7200,
    "eest": 10800,
    "msk": 10800,
    "est": -18000,
    "edt": -14400,
    "cst": -21600,
    "cdt": -18000,
    "mst": -25200,
    "mdt": -21600,
    "pst": -28800,
    "pdt": -25200,
}


def _alt(words: object) -> str:
    """An alternation that prefers the longest word, as re2c's longest match does."""
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"  # type: ignore[call-overload]


_TEXT_UNIT_WORDS = [  # reltextunit: "week" only in `N week` and `next/last/this week`
    *(f"{u}s" for u, (f, _) in UNITS.items() if f != "weekday"),
    *(u for u in UNITS if u != "week"),
    *(f"{d}s" for d in DAYS if len(d) > 5),
]
P = {
    "space": r"[ \t]+",
    "hour24": r"(?:2[0-4]|[01]?[0-9])",
    "hour24lz": r"(?:2[0-4]|[01][0-9])",
    "hour12": r"(?:1[0-2]|0?[1-9])",
    "minute": r"[0-5]?[0-9]",
    "minutelz": r"[0-5][0-9]",
    "second": r"(?:60|[0-5]?[0-9])",
    "secondlz": r"(?:60|[0-5][0-9])",
    "frac": r"(?:\.[0-9]+)",
    "meridian": r"(?:[ap]\.?m\.?)(?=$|[ \t])",
    "month": r"(?:1[0-2]|0?[0-9])",
    "monthlz": r"(?:0[0-9]|1[0-2])",
    "day": r"(?:3[01]|[0-2]?[0-9])(?:st|nd|rd|th)?",
    "daylz": r"(?:0[0-9]|[12][0-9]|3[01])",
    "year": r"[0-9]{1,4}",
    "year2": r"[0-9]{2}",
    "year4": r"[0-9]{4}",
    "monthtext": _alt([*MONTHS, *ROMAN]),
    "monthword": _alt(MONTHS),
    "monthabbr": _alt([m for m in MONTHS if len(m) <= 4]),
    "dayname": _alt(DAYS),
    "reltext": _alt(RELTEXT),
    "reltexttext": _alt(("next", "last", "previous", "this")),
    "unit": _alt(_TEXT_UNIT_WORDS),
}


def _rx(template: str) -> re.Pattern[str]:
    return re.compile(template.format(**P), re.IGNORECASE)


# -- the parsed state (timelib_time) -----------------------------------------------------------


@dataclass
class Parsed:
    y: int | None = None
    m: int | None = None
    d: int | None = None
    h: int | None = None
    i: int | None = None
    s: int | None = None
    have_time: int = 0
    have_date: bool = False
    have_zone: int = 0
    zone: dt.tzinfo | None = None
    rel_y: int = 0
    rel_m: int = 0
    rel_d: int = 0
    rel_h: int = 0
    rel_i: int = 0
    rel_s: int = 0
    weekday: int | None = None  # have_weekday_relative when set
    weekday_behavior: int = 0
    special: str = ""  # "weekday", "nth-of" or "last-of"
    special_amount: int = 0
    first_last: str = ""  # "first" or "last" day of

    def set_time(self, h: int, i: int, s: int = 0) -> None:
        if self.have_time:
            raise ValueError("Double time specification")
        self.have_time = 1
        self.h, self.i, self.s = h, i, s

    def unset_time(self) -> None:
        self.have_time, self.h, self.i, self.s = 0, 0, 0, 0

    def set_date(self, y: int | None, m: int | None, d: int | None) -> None:
        if self.have_date:
            raise ValueError("Double date specification")
        self.have_date = True
        self.y = y if y is not None else self.y
        self.m = m if m is not None else self.m
        self.d = d if d is not None else self.d

    def set_zone(self, zone: dt.tzinfo) -> None:
        """A second zone is ignored (PHP warns), a third is an error."""
        self.have_zone += 1
        if self.have_zone > 2:
            raise ValueError("Double timezone specification")
        if self.have_zone == 1:
            self.zone = zone

    def relative(self, amount: int, unit: str, behavior: int, keep_time: bool) -> None:
        """timelib_set_relative."""
        unit = unit.lower()
        field, number = UNITS.get(unit) or UNITS.get(unit[:-1]) or UNITS[unit[:-2]]
        if field == "weekday":
            if not keep_time:
                self.unset_time()
            self.rel_d += (amount - 1 if amount > 0 else amount) * 7
            self.weekday, self.weekday_behavior = number, behavior
        elif field == "special":
            if not keep_time:
                self.unset_time()
            self.special, self.special_amount = "weekday", amount
        elif field != "us":  # sub-second offsets do not move a whole-second result
            setattr(self, f"rel_{field}", getattr(self, f"rel_{field}") + amount * number)


# -- rule handlers ---------------------------------------------------------------------------

Handler = Callable[[Parsed, re.Match[str]], None]


def _year(text: str) -> int:
    """timelib_process_year: two digits are 1970-2069."""
    value = int(text)
    if len(text) < 4 and value < 100:
        return value + (1900 if value >= 70 else 2000)
    return value


def _month(text: str) -> int:
    word = text.lower()
    return MONTHS[word] if word in MONTHS else ROMAN[word] if word in ROMAN else int(word)


def _day(text: str) -> int:
    return int(re.sub(r"[a-z]+$", "", text.lower()))


def _meridian(hour: int, meridian: str) -> int:
    pm = meridian.lower().startswith("p")
    return (hour % 12) + (12 if pm else 0)


def _keyword(state: Parsed, m: re.Match[str]) -> None:
    word = m[0].lower()
    if word == "now":
        return
    state.unset_time()
    if word == "noon":
        state.unset_time()
        state.set_time(12, 0)
    elif word == "yesterday":
        state.rel_d = -1  # assigned, not added, as timelib does
    elif word == "tomorrow":
        state.rel_d = 1


def _timestamp(state: Parsed, m: re.Match[str]) -> None:
    state.unset_time()
    state.have_date = False
    state.set_zone(dt.UTC)
    state.y, state.m, state.d = 1970, 1, 1
    state.rel_s += int(m["n"])


def _day_of(state: Parsed, m: re.Match[str]) -> None:
    state.first_last = m["which"].lower()


def _back_front(state: Parsed, m: re.Match[str]) -> None:
    state.unset_time()
    hour = int(m["h"])
    if m["mer"]:
        hour = _meridian(hour, m["mer"])
    if m["which"].lower() == "back":
        state.set_time(hour, 15)
    else:
        state.set_time(hour - 1, 45)


def _weekday_of(state: Parsed, m: re.Match[str]) -> None:
    amount = RELTEXT[m["rel"].lower()]
    behavior = 1 if m["rel"].lower() == "this" else 0
    if amount > 0:
        state.special = "nth-of"
        state.relative(amount, m["day"], 1, keep_time=False)
    else:
        state.special = "last-of"
        state.relative(amount, m["day"], behavior, keep_time=False)


def _relative_week(state: Parsed, m: re.Match[str]) -> None:
    word = m["rel"].lower()
    state.relative(RELTEXT[word], "week", 1 if word == "this" else 0, keep_time=False)
    state.weekday_behavior = 2
    if state.weekday is None:  # "weekday + last/this/next week"
        state.weekday = 1


def _relative_text(state: Parsed, m: re.Match[str]) -> None:
    word = m["rel"].lower()
    state.relative(RELTEXT[word], m["unit"], 1 if word == "this" else 0, keep_time=False)


def _relative(state: Parsed, m: re.Match[str]) -> None:
    sign = -1 if m["sign"].count("-") % 2 else 1
    state.relative(sign * int(m["n"]), m["unit"], 1, keep_time=True)


def _ago(state: Parsed, m: re.Match[str]) -> None:
    for field in ("rel_y", "rel_m", "rel_d", "rel_h", "rel_i", "rel_s"):
        setattr(state, field, -getattr(state, field))
    if state.weekday is not None:
        state.weekday = -state.weekday or -7
    if state.special == "weekday":
        state.special_amount = -state.special_amount


def _weekday(state: Parsed, m: re.Match[str]) -> None:
    state.unset_time()
    state.weekday = DAYS[m[0].lower()]
    if state.weekday_behavior != 2:
        state.weekday_behavior = 1


def _month_only(state: Parsed, m: re.Match[str]) -> None:
    state.set_date(None, _month(m[0]), None)


def _date(y: str | None, mo: str | None, d: str | None) -> Handler:
    """A date rule's handler from the names of its groups (None: the field is not set)."""

    def handle(state: Parsed, m: re.Match[str]) -> None:
        year = _year(m[y]) if y and m[y] else None
        if y == "y4s":
            year = int(m[y])
        state.set_date(year, _month(m[mo]) if mo else None, _day(m[d]) if d and m[d] else 1)

    return handle


def _date_no_year(state: Parsed, m: re.Match[str]) -> None:
    state.set_date(None, _month(m["mo"]), _day(m["d"]))


def _date_time_zone(state: Parsed, m: re.Match[str]) -> None:
    """The Common Log Format (`10/Oct/2000:13:55:36 -0700`) and EXIF (`2008:08:07 18:11:31`)."""
    state.set_date(int(m["y"]), _month(m["mo"]), int(m["d"]))
    state.set_time(int(m["h"]), int(m["i"]), int(m["s"]))
    if m.groupdict().get("sign"):
        _zone_offset(state, m)


def _iso_week(state: Parsed, m: re.Match[str]) -> None:
    year, week = int(m["y"]), int(m["w"])
    weekday = int(m["wd"]) if m["wd"] else 1
    monday = dt.date.fromisocalendar(year, week, 1)
    when = monday + dt.timedelta(days=(weekday or 7) - 1 - (7 if weekday == 0 else 0))
    state.set_date(when.year, when.month, when.day)


def _day_of_year(state: Parsed, m: re.Match[str]) -> None:
    when = dt.date(int(m["y"]), 1, 1) + dt.timedelta(days=int(m["doy"]) - 1)
    state.set_date(when.year, when.month, when.day)


def _time12(state: Parsed, m: re.Match[str]) -> None:
    hour = _meridian(int(m["h"]), m["mer"])
    found = m.groupdict()
    state.set_time(hour, int(found.get("i") or 0), int(found.get("s") or 0))


def _time24(state: Parsed, m: re.Match[str]) -> None:
    state.set_time(int(m["h"]), int(m["i"] or 0), int(m["s"] or 0))


def _gnu_no_colon(state: Parsed, m: re.Match[str]) -> None:
    """`hhmm`: a time, or, once a time is known, a year (timelib's gnunocolon)."""
    if state.have_time == 0:
        state.set_time(int(m[0][-4:-2]), int(m[0][-2:]))
    elif state.have_time == 1:
        state.y = int(m[0][-4:])
        state.have_time += 1
    else:
        raise ValueError("Double time specification")


def _iso_no_colon(state: Parsed, m: re.Match[str]) -> None:
    digits = m[0][-6:]
    state.set_time(int(digits[:2]), int(digits[2:4]), int(digits[4:]))


def _year_only(state: Parsed, m: re.Match[str]) -> None:
    state.y = int(m[0])


def _zone_offset(state: Parsed, m: re.Match[str]) -> None:
    hours, minutes = m["hh"], m["mm"] or "0"
    if not m["mm"] and len(hours) > 2:  # "+0200": hours and minutes run together
        hours, minutes = hours[:-2], hours[-2:]
    seconds = int(hours) * 3600 + int(minutes) * 60
    state.set_zone(dt.timezone(dt.timedelta(seconds=-seconds if m["sign"] == "-" else seconds)))


def _zone_name(state: Parsed, m: re.Match[str]) -> None:
    name = m["name"].lower()
    if name in ZONE_ABBREVIATIONS:
        state.set_zone(dt.timezone(dt.timedelta(seconds=ZONE_ABBREVIATIONS[name])))
        return
    found = _zone_names().get(name)
    if found is None:
        raise ValueError(f"The timezone could not be found in the database: {m['name']}")
    state.set_zone(zoneinfo.ZoneInfo(found))


@functools.cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


TIME24 = r"t?(?P<h>{hour24})[:.](?P<i>{minute})(?:[:.](?P<s>{second}){frac}?)?"
RULES: list[tuple[re.Pattern[str], Handler]] = [
    (_rx(r"yesterday|midnight|today|tomorrow|noon|now"), _keyword),
    (_rx(r"@(?P<n>-?[0-9]{{1,19}})(?:\.[0-9]{{0,6}})?"), _timestamp),
    (_rx(r"(?P<which>first|last) day of"), _day_of),
    (_rx(r"(?P<which>back|front) of (?P<h>{hour24})(?:[ \t]*(?P<mer>{meridian}))?"), _back_front),
    (_rx(r"(?P<rel>{reltext}){space}(?P<day>{dayname}){space}of"), _weekday_of),
    (_rx(r"(?P<rel>{reltexttext}){space}week"), _relative_week),
    (_rx(r"(?P<rel>{reltext}){space}(?P<unit>{unit})"), _relative_text),
    (_rx(r"(?P<sign>[+-]*)[ \t]*(?P<n>[0-9]{{1,13}})[ \t]*(?P<unit>{unit}|week)"), _relative),
    (_rx(r"ago"), _ago),
    (_rx(r"{dayname}"), _weekday),
    (_rx(r"{monthword}"), _month_only),
    # dates with month names (PHP's "Date Formats" table)
    (_rx(r"(?P<d>{day})[ \t.-]*(?P<mo>{monthtext})[ \t.-]*(?P<y>{year})"), _date("y", "mo", "d")),
    (_rx(r"(?P<mo>{monthtext})[ .\t-]*(?P<y>{year4})"), _date("y", "mo", None)),
    (_rx(r"(?P<y>{year4})[ .\t-]*(?P<mo>{monthtext})"), _date("y", "mo", None)),
    (
        _rx(r"(?P<mo>{monthtext})[ .\t-]*(?P<d>{day})[,.stndrh\t ]*(?P<y>{year})"),
        _date("y", "mo", "d"),
    ),
    (_rx(r"(?P<mo>{monthtext})[ .\t-]*(?P<d>{day})[,.stndrh\t ]*"), _date_no_year),
    (_rx(r"(?P<d>{day})[ .\t-]*(?P<mo>{monthtext})"), _date_no_year),
    (_rx(r"(?P<mo>{monthabbr})-(?P<d>{daylz})-(?P<y>{year})"), _date("y", "mo", "d")),
    (_rx(r"(?P<y>{year})-(?P<mo>{monthabbr})-(?P<d>{daylz})"), _date("y", "mo", "d")),
    # dates with numbers
    (_rx(r"(?P<y4s>[+-]?{year4})-(?P<mo>{monthlz})-(?P<d>{daylz})"), _date("y4s", "mo", "d")),
    (_rx(r"(?P<y>{year2})-(?P<mo>{monthlz})-(?P<d>{daylz})"), _date("y", "mo", "d")),
    (_rx(r"(?P<y>{year})-(?P<mo>{month})-(?P<d>{day})"), _date("y", "mo", "d")),
    (_rx(r"(?P<y>{year4})-(?P<mo>{month})"), _date("y", "mo", None)),
    (_rx(r"(?P<y>{year4})/(?P<mo>{month})/(?P<d>{day})/?"), _date("y", "mo", "d")),
    (_rx(r"(?P<mo>{month})/(?P<d>{day})/(?P<y>{year})"), _date("y", "mo", "d")),
    (_rx(r"(?P<mo>{month})/(?P<d>{day})"), _date_no_year),
    (_rx(r"(?P<d>{day})[.\t-](?P<mo>{month})[.-](?P<y>{year4})"), _date("y", "mo", "d")),
    (_rx(r"(?P<d>{day})[.\t](?P<mo>{month})\.(?P<y>{year2})"), _date("y", "mo", "d")),
    (_rx(r"(?P<y>{year4})(?P<mo>{monthlz})(?P<d>{daylz})"), _date("y", "mo", "d")),
    (_rx(r"(?P<y>{year4})-?w(?P<w>0[1-9]|[1-4][0-9]|5[0-3])(?:-?(?P<wd>[0-7]))?"), _iso_week),
    (
        _rx(r"(?P<y>{year4})\.?(?P<doy>00[1-9]|0[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])"),
        _day_of_year,
    ),
    # Common Log Format and EXIF
    (
        _rx(
            r"(?P<d>{day})/(?P<mo>{monthabbr})/(?P<y>{year4}):(?P<h>{hour24lz}):(?P<i>{minutelz})"
            r":(?P<s>{secondlz}){space}(?P<sign>[+-])(?P<hh>{hour24})(?::?(?P<mm>{minutelz}))?"
        ),
        _date_time_zone,
    ),
    (
        _rx(
            r"(?P<y>{year4}):(?P<mo>{monthlz}):(?P<d>{daylz}) "
            r"(?P<h>{hour24lz}):(?P<i>{minutelz}):(?P<s>{secondlz})"
        ),
        _date_time_zone,
    ),
    # times
    (_rx(r"(?P<h>{hour12})[ \t]*(?P<mer>{meridian})"), _time12),
    (
        _rx(r"(?P<h>{hour12})[:.](?P<i>{minute})(?:[:.](?P<s>{second}))?[ \t]*(?P<mer>{meridian})"),
        _time12,
    ),
    (
        _rx(r"(?P<h>{hour12}):(?P<i>{minutelz}):(?P<s>{secondlz})[:.][0-9]+(?P<mer>{meridian})"),
        _time12,
    ),
    (_rx(TIME24), _time24),
    (_rx(r"t(?P<h>{hour24})(?P<i>)(?P<s>)"), _time24),
    (_rx(r"t?{hour24lz}{minutelz}"), _gnu_no_colon),
    (_rx(r"t?{hour24lz}{minutelz}{secondlz}"), _iso_no_colon),
    (_rx(r"{year4}"), _year_only),
    # zones
    (_rx(r"(?:gmt)?(?P<sign>[+-])(?P<hh>[0-9]{{1,4}})(?::(?P<mm>[0-5][0-9]))?"), _zone_offset),
    (_rx(r"\(?(?P<name>[a-z]+(?:[_/-][a-z0-9+-]+)*)\)?"), _zone_name),
]
