"""since/until read PHP's strtotime() formats (spec §4; issue 15.3), checked against PHP itself.

php_strtotime.tsv holds PHP 8.2's own answers for every input at six fixed 'now's (three
zones, both DST changes, a leap day): regenerate it with php_strtotime_gen.py and
php_strtotime.php when inputs are added.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from pathlib import Path

import pytest
from doppelgate.dialects.spid import times
from doppelgate.dialects.spid.strtotime import MAX_INPUT, strtotime

from .helpers import Spid

TABLE = Path(__file__).with_name("php_strtotime.tsv")


def php_cases() -> list[tuple[str, int, str, int | None]]:
    out = []
    for line in TABLE.read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("#"):
            continue
        zone, now, rest = line.split("\t", 2)
        text, answer = rest.rsplit("\t", 1)
        out.append((zone, int(now), text, None if answer == "false" else int(answer)))
    return out


def test_every_form_as_php_answers_it() -> None:
    cases = php_cases()
    assert len(cases) > 1500
    wrong = []
    for zone, now, text, expected in cases:
        got = strtotime(text, dt.datetime.fromtimestamp(now, zoneinfo.ZoneInfo(zone)))
        if got != expected:
            wrong.append((zone, now, text, expected, got))
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # PHP 8.2.36 (php -r), Europe/Oslo, now = Wed 2026-03-04 15:30:45 (1772634645)
        ("last year", "2025-03-04 15:30:45"),
        ("last monday", "2026-03-02 00:00:00"),
        ("next month", "2026-04-04 15:30:45"),
        ("04 August 2014", "2014-08-04 00:00:00"),
        ("@4102444800", "2100-01-01 01:00:00"),
        ("first day of January", "2026-01-01 00:00:00"),
        ("yesterday", "2026-03-03 00:00:00"),
        ("noon tomorrow", "2026-03-05 00:00:00"),  # tomorrow resets the time
        ("last day of next month", "2026-04-30 15:30:45"),
        ("second tuesday of march 2026", "2026-03-10 00:00:00"),
        ("3 days ago", "2026-03-01 15:30:45"),
        ("+1 week 2 days 4 hours 2 seconds", "2026-03-13 19:30:47"),
    ],
)
def test_the_issue_forms(text: str, expected: str) -> None:
    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    assert times.parse(text, oslo, at=1772634645) == int(
        dt.datetime.fromisoformat(expected).replace(tzinfo=oslo).timestamp()
    )


def test_unix_timestamps_and_limits() -> None:
    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    assert times.parse("1407157814", oslo) == 1407157814
    assert times.parse("20140804", oslo) == int(dt.datetime(2014, 8, 4, tzinfo=oslo).timestamp())
    assert times.parse("9" * 40, oslo) == times.LIMIT
    assert times.parse("+99999999999 years", oslo) is None  # beyond year 9999
    assert times.parse("now " * (MAX_INPUT // 4 + 1), oslo) is None


async def test_since_takes_php_phrases_over_http(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    past = ["last year", "last monday", "04 August 2014", "@0", "first day of January 2015"]
    for since in past:
        assert await spid.keys(since=since) == ["k"], since
    for since in ("next month", "@4102444800", "tomorrow noon", "+1 week"):
        assert await spid.keys(since=since) == [], since  # the documented 404: none newer
        assert await spid.keys(until=since) == ["k"], since
    for bad in ("next blah", "10:00 11:00", "2014-08-04 2014-08-05"):  # PHP: false
        r = await spid.raw("GET", "/dataobjects", params={"since": bad})
        assert r.status_code == 400 and "since" in r.json()["error"]["description"], bad


def test_parsing_stays_fast() -> None:
    """No input makes the scanner slow: the longest allowed one of many rules still parses in
    well under a second on a shared machine (a guard against catastrophic regex backtracking)."""
    now = dt.datetime.now(dt.UTC)
    for text in ("1" * MAX_INPUT, "+" * MAX_INPUT, "a" * MAX_INPUT, "1 " * (MAX_INPUT // 2)):
        started = time.perf_counter()
        strtotime(text, now)
        assert time.perf_counter() - started < 1.0, text[:20]
