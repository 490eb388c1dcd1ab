"""Time budgets: a per-operation deadline (MongoDB's maxTimeMS) and regexes that cannot run away.

No request may hold the event loop: a scan longer than a few milliseconds goes on in a worker
thread (at a lower CPU priority), sorts yield every few milliseconds, and both stop with
QueryTimeout past the deadline. A vendor regex runs on a linear-time engine (google-re2) where
the dialect's syntax allows, else on the `regex` module with a time limit per match, so a
backtracking pattern fails with RegexTimeout instead of freezing the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import Any, Protocol, TypeVar

import regex

from .errors import QueryTimeout, RegexTimeout
from .values import sort_key, sort_value, split_path

T = TypeVar("T")

DEFAULT_MAX_TIME_MS = 30_000
MATCH_SLICE = 0.05  # seconds one regex match may hold the loop: linear patterns scan MBs in that
YIELD_EVERY = 0.01  # seconds of scanning or sorting between two yields to the event loop
# each yield lets the loop run for this long: a request waiting meanwhile needs several turns
YIELD_GAP = 0.001
_SORT_CHUNK = 8192  # a larger list is sorted in chunks, merged with yields

_deadline: ContextVar[float | None] = ContextVar("doppelgate_deadline", default=None)


class Matcher(Protocol):
    """A compiled pattern: re2's, or BoundedPattern (both take the subject string alone)."""

    def search(self, text: str) -> Any: ...


def remaining() -> float:
    """Seconds left until the current deadline (infinite when none is set)."""
    deadline = _deadline.get()
    return float("inf") if deadline is None else deadline - time.monotonic()


def check() -> None:
    if remaining() <= 0:
        raise QueryTimeout("operation exceeded its time limit")


@contextmanager
def budget(max_time_ms: int | None) -> Iterator[None]:
    """Run the block under a deadline of `max_time_ms` (an enclosing earlier one still holds)."""
    if not max_time_ms:
        yield
        return
    mine = time.monotonic() + max_time_ms / 1000
    outer = _deadline.get()
    token = _deadline.set(mine if outer is None else min(outer, mine))
    try:
        yield
    finally:
        _deadline.reset(token)


class Pacer:
    """Checked once per work item: every few milliseconds, yield to the event loop and check
    the deadline (the clock is read per item, as one item may cost up to a regex slice)."""

    __slots__ = ("_since",)

    def __init__(self) -> None:
        self._since = time.monotonic()

    def due(self) -> bool:
        return time.monotonic() - self._since >= YIELD_EVERY

    async def pause(self) -> None:
        check()
        await asyncio.sleep(YIELD_GAP)
        self._since = time.monotonic()


async def paced_filter(items: list[Any], keep: Callable[[Any], bool]) -> list[Any]:
    """The items that `keep`: a scan longer than a slice goes on in a worker thread, so the
    event loop stays free (stored documents are immutable: the thread reads them safely)."""
    pacer, kept = Pacer(), []
    for index, item in enumerate(items):
        if keep(item):
            kept.append(item)
        if pacer.due():
            check()
            stop = threading.Event()
            rest = copy_context().run, _filter_rest, items, index + 1, keep, stop
            try:
                kept += await asyncio.get_running_loop().run_in_executor(_SCANS, *rest)
            except asyncio.CancelledError:  # e.g. the dialect's own timeout: the thread stops
                stop.set()
                raise
            break
    return kept


def _below_the_loop() -> None:
    # the event loop's thread keeps the CPU first: a scan never slows down other requests
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


_SCANS = ThreadPoolExecutor(4, "doppelgate-scan", initializer=_below_the_loop)


def _filter_rest(
    items: list[Any], start: int, keep: Callable[[Any], bool], stop: threading.Event
) -> list[Any]:
    kept = []
    for n, item in enumerate(items[start:]):
        if keep(item):
            kept.append(item)
        if not n % 16:
            check()
            if stop.is_set():
                raise QueryTimeout("the request was cancelled")
    return kept


async def paced_sort(items: list[Any], key: Callable[[Any], Any], reverse: bool) -> list[Any]:
    """A stable sort (as list.sort) that yields between slices; a long one meets the deadline."""
    pacer = Pacer()
    keyed = []
    for i in items:
        keyed.append((key(i), i))
        if pacer.due():
            await pacer.pause()
    if len(keyed) <= _SORT_CHUNK:
        keyed.sort(key=_first, reverse=reverse)
        return [i for _, i in keyed]
    runs = []
    for start in range(0, len(keyed), _SORT_CHUNK):
        run = keyed[start : start + _SORT_CHUNK]
        run.sort(key=_first, reverse=reverse)
        runs.append(run)
        await pacer.pause()
    out = []
    for _, item in heapq.merge(*runs, key=_first, reverse=reverse):  # stable across runs
        out.append(item)
        if pacer.due():
            await pacer.pause()
    return out


async def sort_documents(
    items: list[T], order: Sequence[tuple[str, int]], document: Callable[[T], Any]
) -> list[T]:
    """Items in MongoDB's order of their `document(item)` by (path, direction) keys, stable."""
    for path, direction in reversed(order):
        parts, descending = split_path(path), direction < 0

        def key(item: T, parts: tuple[str, ...] = parts, descending: bool = descending) -> Any:
            return sort_key(sort_value(document(item), parts, descending))

        items = await paced_sort(items, key, descending)
    return items


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


class BoundedPattern:
    """A backtracking pattern (the `regex` module) whose every match has a time limit."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, flags)  # regex.error (a ValueError) when bad

    def _timeout(self) -> float:
        check()
        return min(MATCH_SLICE, remaining())

    def search(self, text: str) -> Any:
        try:
            # concurrent: the GIL is released while matching (a scan's worker thread)
            return self._compiled.search(text, timeout=self._timeout(), concurrent=True)
        except TimeoutError:
            raise self._expired() from None

    def fullmatch(self, text: str) -> Any:
        try:
            return self._compiled.fullmatch(text, timeout=self._timeout(), concurrent=True)
        except TimeoutError:
            raise self._expired() from None

    def _expired(self) -> QueryTimeout:
        """The operation's deadline passed, or this one match needed more than its slice."""
        if remaining() <= 0:
            return QueryTimeout("operation exceeded its time limit")
        return RegexTimeout(self.pattern)


def bounded(pattern: str, flags: int = 0) -> BoundedPattern:
    """Compile with the time-limited engine; ValueError when the pattern is malformed."""
    try:
        return BoundedPattern(pattern, flags)
    except regex.error as exc:
        raise ValueError(str(exc)) from None


def matcher(value: Any) -> Matcher:
    """A pattern object for `$regex`: a Python `re` pattern is recompiled with a time limit."""
    if isinstance(value, re.Pattern):
        return bounded(value.pattern, value.flags)
    return value  # type: ignore[no-any-return]
