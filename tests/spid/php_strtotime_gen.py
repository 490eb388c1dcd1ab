"""Writes the cases of php_strtotime.tsv (zone, now, input) for php_strtotime.php to answer.

python tests/spid/php_strtotime_gen.py | php tests/spid/php_strtotime.php > answers
(then paste: python tests/spid/php_strtotime_gen.py --merge answers > php_strtotime.tsv)
"""

from __future__ import annotations

import datetime as dt
import sys
import zoneinfo

NOWS = [  # (zone, wall time): a Wednesday, a Saturday, both DST changes, a leap day, New Year
    ("Europe/Oslo", dt.datetime(2026, 3, 4, 15, 30, 45)),
    ("Europe/Oslo", dt.datetime(2025, 6, 7, 9, 0, 0)),
    ("Europe/Oslo", dt.datetime(2026, 10, 25, 2, 30, 0)),
    ("Europe/Oslo", dt.datetime(2026, 3, 29, 1, 30, 0)),
    ("UTC", dt.datetime(2024, 2, 29, 8, 5, 0)),
    ("America/New_York", dt.datetime(2025, 12, 31, 23, 59, 59)),
]
INPUTS = (
    (
        """
now
today
midnight
noon
tomorrow
yesterday
tomorrow noon
yesterday noon
yesterday 14:00
midnight tomorrow
last year
next year
this year
last month
next month
previous month
this month
last week
next week
this week
last day
next day
last monday
next monday
this monday
monday
mon
Monday next week
sunday this week
sunday last week
friday
last friday
next friday
last sunday
next sunday
first monday of january 2015
last friday of next month
first day of january
first day of January 2015
last day of february
last day of next month
first day of next month
first day of last month
last day of this month
first day of this year
second tuesday of march 2026
last sat of july 2008
+1 day
+1 week
+2 weeks
-3 days
3 days ago
2 weeks ago
1 year ago
+1 month
-1 month
+1 week 2 days 4 hours 2 seconds
+1 day +2 hours
-1 day -2 hours
1 hour ago
90 minutes ago
10 seconds
+5 min
+1 fortnight
+3 weekdays
-2 weekdays
5 weekdays ago
fifth day
second month
third week
@4102444800
@0
@-86400
@1400000000 +1 day
04 August 2014
4 August 2014
August 4, 2014
August 4 2014
Aug 4, 2014
4 Aug 2014
August 2014
Aug 2014
2014 August
August
aug
1 July
July 1st
July 1st, 2008
April 17, 1790
May.9,78
22dec78
30-June 2008
14 III 1879
Apr-17-1790
78-Dec-22
1814-MAY-17
2014-08-04
2014-08-04 15:10:14
2014-08-04T15:10:14
2014-08-04T15:10:14Z
2014-08-04T15:10:14+02:00
2014-08-04 15:10:14 UTC
2014-08-04 15:10:14 Europe/Oslo
2014-08-04 15:10
2014/08/04
2008/6/30
8/4/2014
8/4
30.6.2008
30-6-2008
30.6.08
20140804
2008-W28-3
2008W27
2008.197
2008-6
10am
10 am
3pm
3:30pm
3:30 p.m.
15:30
15:30:45
t15:30
noon tomorrow
10:00 tomorrow
tomorrow 10:00
monday 10:00
last monday 10:00
next month noon
back of 7pm
front of 7pm
back of 19
+1 month -1 day
first day of +1 month
last day of -1 month
2014-01-31 +1 month
2014-01-31 last day of next month
2016-02-29 +1 year
2016-02-29 -1 year
12/31/2025 +1 day
now +1 day
today +3 hours
+1 day ago
yesterday ago
1 day 2 hours ago
gibberish
next blah
tomorrow tomorrow
10:00 11:00
2014-08-04 2014-08-05
+1 dayz
UTC
today UTC
today +0200
today GMT+2
+0200
2014-13-01
2014-02-30
February 30 2014
next weekday
last weekday
-1 weekday
0 weekdays
+1 weekdays
+6 weekdays
10 weekdays ago
+1 weeks
next sat
last wednesday of march
sixth sunday of march 2026
first sunday of next month
eight days
twelfth month
monday 3pm
12am
12pm
12:30am
0:00
24:00
23:59:60
2014-08-04 10:00:00.5
Mon, 04 Aug 2014 15:10:14 GMT
Mon, 04 Aug 2014 15:10:14 +0200
Sat, 04 Aug 2014 10:00:00 +0200
2014-08-04 CET
2014-08-04 CEST
2014-08-04 PST
tues
wednes
thurs
+1 msec
first day of
last day of
noon yesterday
+1 day noon
TOMORROW
Tomorrow
1 January
january 1
1st January 2014
2014-1-5
14-08-04
04-08-2014
04.08.2014
+1 year -2 months +3 days
-1 year ago
next year ago
last monday ago
monday ago
2 days
2days
+2days
- 2 days
--2 days
+-2 days
3 mondays
+2 mondays
-2 fridays
first monday
second friday
last day of feb 2024
first day of dec 2025
last day of +2 months
yesterday midnight
midnight yesterday
today noon
noon today
2014-08-04 noon
august 4 noon
@1400000000 UTC
@1400000000.5
10/Oct/2000:13:55:36 -0700
2008-07-01T22:35:17.02
2008-07-01T22:35:17.03+08:00
20080701T22:38:07
2008-08-07 18:11:31
2008:08:07 18:11:31
2008-7-1T9:3:37
t1530
1530
153045
t153045
next month last day of
this week monday
this week sunday
last week friday
next week saturday
sunday next week
previous week
previous year
previous monday
this sunday
this saturday
sat this week
+1 hour +30 minutes
1 hour 30 minutes ago
-1 hours ago
4 hours
hour
day
+day
year 2015
2015
in 2 days
2 days from now
"""
    )
    .strip("\n")
    .split("\n")
)
INPUTS += ["   tomorrow  ", "\ttomorrow", "t15", "T9", "2014-08-04t10"]  # blanks around a phrase


def cases() -> list[tuple[str, int, str]]:
    out = []
    for zone, wall in NOWS:
        now = int(wall.replace(tzinfo=zoneinfo.ZoneInfo(zone)).timestamp())
        out += [(zone, now, text) for text in INPUTS]
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["--merge"]:
        answers = open(sys.argv[2]).read().split("\n")
        print("# zone\tnow\tinput\tPHP 8.2 strtotime(input, now) (false: not understood)")
        for (zone, now, text), answer in zip(cases(), answers, strict=False):
            print(f"{zone}\t{now}\t{text}\t{answer}")
    else:
        for zone, now, text in cases():
            print(f"{zone}\t{now}\t{text}")
