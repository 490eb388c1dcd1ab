"""Time budgets (budget.py): bounded and linear-time regexes, long scans and sorts off the loop."""

from __future__ import annotations

import asyncio
import random
import re
import time

import pytest
import re2

from doppelgate.engine import Collection, InvalidFilter, QueryTimeout, RegexTimeout
from doppelgate.engine.budget import (
    _SORT_INLINE,
    bounded,
    budget,
    check,
    paced_filter,
    paced_sort,
)

RUNAWAY = "a" * 49  # (a|aa)+b needs about half an hour of backtracking on it


async def test_a_runaway_regex_string_stops_with_regex_timeout(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "s": RUNAWAY}, {"_id": 2, "s": "aab"}])
    backtracking = "(a|aa)+(?=b)"  # a lookahead: RE2 cannot run it
    with pytest.raises(RegexTimeout):
        await coll.find({"s": {"$regex": backtracking}})
    with pytest.raises(RegexTimeout):
        await coll.count({"s": {"$regex": backtracking}})
    with pytest.raises(RegexTimeout):  # a write's filter too: nothing deleted
        await coll.delete({"s": {"$regex": backtracking}})
    assert await coll.count() == 2


async def test_a_string_regex_runs_on_re2_where_it_means_the_same(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "s": RUNAWAY}, {"_id": 2, "s": "aab"}])
    found = await coll.find({"s": {"$regex": "(a|aa)+b"}})  # ASCII values: RE2, linear
    assert [d["_id"] for d in found] == [2]
    await coll.insert({"_id": 3, "s": RUNAWAY + "\u00e9"})  # not ASCII: the bounded engine
    with pytest.raises(RegexTimeout):
        await coll.find({"s": {"$regex": "(a|aa)+b"}})


@pytest.mark.parametrize(
    "pattern",
    ["a.c", "^ab+$", "[a-c]{2}", "\\bword\\b", "\\w+\\d", "x|y$", "(?i)ABC", "a{2,}", "^$"],
)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE, re.MULTILINE, re.DOTALL])
def test_the_linear_engine_answers_as_python_does(pattern: str, flags: int) -> None:
    texts = ["abc", "ABC", "a\nc", "abbb", "abbb\n", "word w0rd9", "xy", "y\n", "", "aa", "é"]
    compiled = bounded(pattern, flags)
    for text in texts:
        expected = re.search(pattern, text, flags) is not None
        assert (compiled.search(text) is not None) is expected, (pattern, flags, text)
        expected = re.fullmatch(pattern, text, flags) is not None
        assert (compiled.fullmatch(text) is not None) is expected, (pattern, flags, text)


async def test_a_compiled_re2_pattern_runs_in_linear_time(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "s": RUNAWAY}, {"_id": 2, "s": "aab"}])
    found = await coll.find({"s": {"$regex": re2.compile("^(?:(a|aa)+b)$")}})
    assert [d["_id"] for d in found] == [2]
    negated = await coll.find({"$nor": [{"s": {"$regex": re2.compile("b$")}}]})
    assert [d["_id"] for d in negated] == [1]
    with pytest.raises(InvalidFilter):  # flags belong in the compiled pattern
        await coll.find({"s": {"$regex": re2.compile("a"), "$options": "i"}})


async def test_a_sort_off_the_loop_is_stable_and_exact(coll: Collection) -> None:
    rng = random.Random(13)
    docs = [{"_id": i, "k": rng.randrange(50)} for i in range(3 * _SORT_INLINE + 100)]
    for start in range(0, len(docs), 1000):
        await coll.insert_many(docs[start : start + 1000])
    for direction in (1, -1):
        found = await coll.find(sort=[("k", direction)], projection={"k": 1})
        expected = sorted(docs, key=lambda d: d["k"], reverse=direction < 0)  # stable
        assert [d["_id"] for d in found] == [d["_id"] for d in expected]


async def test_a_long_sort_in_a_thread_is_stable() -> None:
    items = [(i % 7, i) for i in range(30_000)]
    for reverse in (False, True):
        out = await paced_sort(items, lambda t: t[0], reverse)
        assert out == sorted(items, key=lambda t: t[0], reverse=reverse)


def test_budget_nests_and_expires() -> None:
    with budget(60_000):
        check()
        with budget(1), pytest.raises(QueryTimeout):  # 1 ms: gone by the time of the match
            bounded("(a|aa)+(?=b)").search(RUNAWAY)
        check()  # the outer budget is back


def test_a_match_cut_short_by_the_deadline_is_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # the regex module's clock may fire a hair before ours says the deadline passed
    from doppelgate.engine import budget as budget_module

    monkeypatch.setattr(budget_module, "remaining", lambda: 0.02)
    with pytest.raises(QueryTimeout) as stopped:
        bounded("(a|aa)+(?=b)").search(RUNAWAY)
    assert not isinstance(stopped.value, RegexTimeout)  # the time limit, not "too expensive"


def test_bounded_rejects_malformed_patterns() -> None:
    with pytest.raises(ValueError):
        bounded("(a")


async def test_a_cancelled_scan_stops_its_worker_thread() -> None:
    calls = 0

    def keep(item: int) -> bool:
        nonlocal calls
        calls += 1
        time.sleep(0.001)  # about 5 s for the whole list
        return False

    items = list(range(5000))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(paced_filter(items, keep), 0.1)
    await asyncio.sleep(0.1)  # the thread sees the stop within 16 items
    seen = calls
    await asyncio.sleep(0.2)
    assert calls == seen < len(items)
