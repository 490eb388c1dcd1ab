"""Time budgets: a per-operation deadline (MongoDB's maxTimeMS) and regexes that cannot run away.

No request may hold the event loop: a scan longer than a few milliseconds, or a sort of more
than a thousand items, goes on in a worker thread (at a lower CPU priority), and stops with
QueryTimeout past the deadline. A vendor regex runs on a linear-time engine (google-re2) where
the dialect's syntax allows, else on the `regex` module with a time limit per match, so a
backtracking pattern fails with RegexTimeout instead of freezing the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from typing import Any, Protocol, TypeVar

import re2
import regex

from .errors import QueryTimeout, RegexTimeout
from .values import sort_key, sort_value, split_path

T = TypeVar("T")

DEFAULT_MAX_TIME_MS = 30_000
MATCH_SLICE = 0.05  # seconds one regex match may hold the loop: linear patterns scan MBs in that
SLICE = 0.01  # seconds a scan may hold the event loop before it moves to a worker thread
_SORT_INLINE = 1000  # a longer list is sorted in a worker thread

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


class budget:
    """Run the block under a deadline of `max_time_ms` (an enclosing earlier one still holds).
    A class, not a generator: it wraps every engine operation, so it must cost little."""

    __slots__ = ("_max_time_ms", "_token")

    def __init__(self, max_time_ms: int | None) -> None:
        self._max_time_ms = max_time_ms
        self._token: Any = None

    def __enter__(self) -> None:
        if self._max_time_ms:
            mine = time.monotonic() + self._max_time_ms / 1000
            outer = _deadline.get()
            self._token = _deadline.set(mine if outer is None or mine < outer else outer)

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _deadline.reset(self._token)


def _below_the_loop() -> None:
    # the event loop's thread keeps the CPU first: a scan never slows down other requests
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


_SCANS = ThreadPoolExecutor(4, "doppelgate-scan", initializer=_below_the_loop)


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args, stop)` in a scan thread, with this context's deadline; `stop` is set when
    the awaiting request is cancelled (e.g. by a dialect's own timeout), for `work` to end."""
    stop = threading.Event()
    call = copy_context().run, work, *args, stop
    try:
        return await asyncio.get_running_loop().run_in_executor(_SCANS, *call)
    except asyncio.CancelledError:
        stop.set()
        raise


def _go_on(stop: threading.Event) -> None:
    check()
    if stop.is_set():
        raise QueryTimeout("the request was cancelled")


async def paced_filter(items: list[Any], keep: Callable[[Any], bool]) -> list[Any]:
    """The items that `keep`: a scan longer than a slice goes on in a worker thread, so the
    event loop stays free (stored documents are immutable: the thread reads them safely)."""
    if len(items) <= 1:  # a look-up by key: nothing to pace
        return [item for item in items if keep(item)]
    kept, since = [], time.monotonic()
    for index, item in enumerate(items):
        if keep(item):
            kept.append(item)
        if time.monotonic() - since >= SLICE:
            check()
            return kept + await off_loop(_filter_rest, items, index + 1, keep)
    return kept


def _filter_rest(
    items: list[Any], start: int, keep: Callable[[Any], bool], stop: threading.Event
) -> list[Any]:
    return _first_rest(items, start, keep, 0, stop)


def _first_rest(
    items: list[Any], start: int, keep: Callable[[Any], bool], enough: int, stop: threading.Event
) -> list[Any]:
    kept = []
    for n, item in enumerate(items[start:]):
        if keep(item):
            kept.append(item)
            if enough and len(kept) >= enough:
                break
        if not n % 16:
            _go_on(stop)
    return kept


async def paced_first(
    items: list[Any], keep: Callable[[Any], bool], enough: int
) -> tuple[list[Any], int]:
    """The first `enough` items that `keep` (all of them when 0), paced like paced_filter, and
    how many items were examined: a scan with a limit and no sort stops at its page."""
    kept, since = [], time.monotonic()
    for index, item in enumerate(items):
        if keep(item):
            kept.append(item)
            if enough and len(kept) >= enough:
                return kept, index + 1
        if time.monotonic() - since >= SLICE:
            check()
            wanted = enough - len(kept) if enough else 0
            rest = await off_loop(_first_rest, items, index + 1, keep, wanted)
            return kept + rest, len(items)  # examined: at most the rest (not counted off-loop)
    return kept, len(items)


async def paced_sort(items: list[Any], key: Callable[[Any], Any], reverse: bool) -> list[Any]:
    """A stable sort (as list.sort); a long one runs in a worker thread, within the deadline
    while it computes the keys (the comparisons themselves cannot be interrupted)."""
    if len(items) <= _SORT_INLINE:
        return sorted(items, key=key, reverse=reverse)
    check()
    return await off_loop(_sort_rest, items, key, reverse)


def _sort_rest(
    items: list[Any], key: Callable[[Any], Any], reverse: bool, stop: threading.Event
) -> list[Any]:
    keyed = []
    for n, item in enumerate(items):
        keyed.append((key(item), item))
        if not n % 256:
            _go_on(stop)
    keyed.sort(key=_first, reverse=reverse)
    _go_on(stop)
    return [item for _, item in keyed]


async def sort_documents(
    items: list[T], order: Sequence[tuple[str, int]], document: Callable[[T], Any]
) -> list[T]:
    """Items in MongoDB's order of their `document(item)` by (path, direction) keys, stable."""
    for path, direction in reversed(order):
        parts, descending = split_path(path), direction < 0

        def key(item: T, parts: tuple[str, ...] = parts, descending: bool = descending) -> Any:
            return sort_key(sort_value(document(item), parts, descending))

        items = await paced_sort(items, _string_key(items, parts, document) or key, descending)
    return items


def _string_key(
    items: list[T], parts: tuple[str, ...], document: Callable[[T], Any]
) -> Callable[[T], Any] | None:
    """A plain key when every item holds a string at a top-level field (an _id, say): MongoDB
    orders strings as Python does (values.compare), without a comparison call per pair, so a
    console page of 100,000 documents sorts in tens of milliseconds, not a second."""
    if len(parts) != 1 or not all(type(document(i).get(parts[0])) is str for i in items):
        return None
    top = parts[0]
    return lambda item: document(item)[top]


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


_LINEAR_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False
# Python's \s also takes \v and \x1c-\x1f; `{,n}` is a quantifier in Python, text in RE2
_UNANCHORED, _ANCHOR_BOTH = re2._re2.RE2.Anchor.UNANCHORED, re2._re2.RE2.Anchor.ANCHOR_BOTH
_NO_MATCH = (-1, -1)
_NOT_LINEAR = ("\\s", "\\S", "{,")


def _linear_twin(pattern: str, flags: int) -> Any:
    """The pattern on RE2 when it means the same there for ASCII text not ending in a newline
    (Python's `$` also matches before a final newline), else None."""
    if flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE):
        return None
    if any(piece in pattern for piece in _NOT_LINEAR):
        return None
    inline = "".join(letter for flag, letter in _LINEAR_FLAGS.items() if flags & flag)
    try:
        return re2.compile(f"(?{inline}){pattern}" if inline else pattern, _RE2_OPTIONS)._regexp
    except re2.error:  # backreferences, lookaround, verbose...: the bounded engine only
        return None


class BoundedPattern:
    """A vendor pattern that cannot run away: on RE2 (linear time) where it means the same
    there, else on the `regex` module with a time limit on every match. `search` and
    `fullmatch` answer a true value when the text matches (a match object or True)."""

    __slots__ = ("_compiled", "_linear", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, flags)  # regex.error (a ValueError) when bad
        self._linear = _linear_twin(pattern, flags)

    def _timeout(self) -> float:
        left = remaining()
        if left <= 0:
            raise QueryTimeout("operation exceeded its time limit")
        return min(MATCH_SLICE, left)

    def _on_re2(self, text: str, anchor: Any) -> bool | None:
        """RE2's answer where it is Python's (ASCII text not ending in a newline), else None."""
        if self._linear is None or not text.isascii() or text.endswith("\n"):
            return None
        data = text.encode()  # the raw matcher: the Python wrapper costs more than the match
        return self._linear.Match(anchor, data, 0, len(data))[0] != _NO_MATCH

    def search(self, text: str) -> Any:
        found = self._on_re2(text, _UNANCHORED)
        if found is not None:
            return found or None
        timeout = self._timeout()
        try:
            # concurrent: the GIL is released while matching (a scan's worker thread)
            return self._compiled.search(text, timeout=timeout, concurrent=True)
        except TimeoutError:
            raise self._expired(timeout) from None

    def fullmatch(self, text: str) -> Any:
        found = self._on_re2(text, _ANCHOR_BOTH)
        if found is not None:
            return found or None
        timeout = self._timeout()
        try:
            return self._compiled.fullmatch(text, timeout=timeout, concurrent=True)
        except TimeoutError:
            raise self._expired(timeout) from None

    def _expired(self, timeout: float) -> QueryTimeout:
        """The operation's deadline passed, or this one match needed more than its slice."""
        # a slice cut short by the deadline ran into the deadline, whatever the clock says now
        if timeout < MATCH_SLICE or remaining() <= 0:
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
