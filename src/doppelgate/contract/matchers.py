"""The contract's matchers (the YAML tags of loader.py) on top of the control plane's subset
comparison (control/compare.py: `compare`, `Mismatch`, `MISSING`, re-exported here)."""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..control.compare import (  # noqa: F401 - the contract's public names
    MISSING,
    SHOWN_CHARS,
    Matcher,
    Mismatch,
    child,
    compare,
    matches,
    same_scalar,
    show,
)


@dataclass(frozen=True, repr=False)
class AnyValue(Matcher):
    """`!any`: present, whatever the value (null included)."""

    tag: ClassVar[str] = "!any"

    def test(self, actual: Any, exact: bool) -> bool:
        return True


@dataclass(frozen=True, repr=False)
class Absent(Matcher):
    """`!absent`: the key must not be there."""

    tag: ClassVar[str] = "!absent"

    def check(self, actual: Any, path: str, exact: bool) -> list[Mismatch]:
        return [] if actual is MISSING else [Mismatch(path, self, actual)]


@dataclass(frozen=True, repr=False)
class Regex(Matcher):
    """`!regex 'pattern'`: a string that re.search finds the pattern in (anchor it yourself)."""

    pattern: str
    tag: ClassVar[str] = "!regex"

    def test(self, actual: Any, exact: bool) -> bool:
        return isinstance(actual, str) and re.search(self.pattern, actual) is not None

    def args(self) -> Any:
        return self.pattern

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Regex(str(resolve(self.pattern)))


TYPES: dict[str, Callable[[Any], bool]] = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, float),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
    "dict": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


@dataclass(frozen=True, repr=False)
class TypeOf(Matcher):
    """`!type int` (also float, number, str, bool, list, dict, null)."""

    name: str
    tag: ClassVar[str] = "!type"

    def __post_init__(self) -> None:
        if self.name not in TYPES:
            raise ValueError(f"!type {self.name}: expected one of {', '.join(TYPES)}")

    def test(self, actual: Any, exact: bool) -> bool:
        return TYPES[self.name](actual)

    def args(self) -> Any:
        return self.name


_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


@dataclass(frozen=True, repr=False)
class Iso8601(Matcher):
    """`!iso8601`: a date and time in ISO 8601 (2015-03-22T11:42:25.943Z, offsets allowed)."""

    tag: ClassVar[str] = "!iso8601"

    def test(self, actual: Any, exact: bool) -> bool:
        if not isinstance(actual, str) or not _ISO_DATETIME.match(actual):
            return False
        try:
            dt.datetime.fromisoformat(actual)
        except ValueError:
            return False
        return True


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True, repr=False)
class Uuid(Matcher):
    """`!uuid`: a UUID in its canonical 8-4-4-4-12 hex form (any version, any case)."""

    tag: ClassVar[str] = "!uuid"

    def test(self, actual: Any, exact: bool) -> bool:
        return isinstance(actual, str) and _UUID.match(actual) is not None


@dataclass(frozen=True, repr=False)
class Nested(Matcher):
    """`!exact {...}` / `!subset {...}`: compare a subtree exactly (no other keys) or as a
    subset, whatever the enclosing mode."""

    expected: Any
    exact: bool

    @property
    def tag(self) -> str:  # type: ignore[override]
        return "!exact" if self.exact else "!subset"

    def check(self, actual: Any, path: str, exact: bool) -> list[Mismatch]:
        return compare(self.expected, actual, path, self.exact)

    def args(self) -> Any:
        return self.expected

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Nested(resolve(self.expected), self.exact)


def _pairings(expected: Sequence[Any], actual: Sequence[Any], exact: bool) -> bool:
    """Can each expected item match its own distinct actual item? (tiny backtracking)"""
    fits = [[j for j, a in enumerate(actual) if matches(e, a, exact)] for e in expected]
    used: set[int] = set()

    def place(i: int) -> bool:
        if i == len(fits):
            return True
        for j in fits[i]:
            if j not in used:
                used.add(j)
                if place(i + 1):
                    return True
                used.discard(j)
        return False

    return place(0)


@dataclass(frozen=True, repr=False)
class Unordered(Matcher):
    """`!unordered [...]`: an array of the same length, in any order."""

    items: list[Any]
    tag: ClassVar[str] = "!unordered"

    def test(self, actual: Any, exact: bool) -> bool:
        return (
            isinstance(actual, list)
            and len(actual) == len(self.items)
            and _pairings(self.items, actual, exact)
        )

    def args(self) -> Any:
        return self.items

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Unordered(resolve(self.items))


@dataclass(frozen=True, repr=False)
class Contains(Matcher):
    """`!contains [...]`: an array holding a match for each item (any order, others allowed);
    `!contains 'text'`: a string containing that text."""

    items: Any
    tag: ClassVar[str] = "!contains"

    def test(self, actual: Any, exact: bool) -> bool:
        if isinstance(self.items, str):
            return isinstance(actual, str) and self.items in actual
        return isinstance(actual, list) and _pairings(self.items, actual, exact)

    def args(self) -> Any:
        return self.items

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Contains(resolve(self.items))


@dataclass(frozen=True, repr=False)
class Length(Matcher):
    """`!len 3`: an array, object or string of that length."""

    size: int
    tag: ClassVar[str] = "!len"

    def test(self, actual: Any, exact: bool) -> bool:
        return isinstance(actual, list | dict | str) and len(actual) == self.size

    def why(self, actual: Any) -> str:
        return f"length {len(actual)}" if isinstance(actual, list | dict | str) else ""

    def args(self) -> Any:
        return self.size


ORDERS: dict[str, Callable[[Any, Any], bool]] = {
    "!gt": operator.gt,
    "!gte": operator.ge,
    "!lt": operator.lt,
    "!lte": operator.le,
}


@dataclass(frozen=True, repr=False)
class Order(Matcher):
    """`!gt 5`, `!gte ${before}`, `!lt`, `!lte`: a number (or string) beyond a bound."""

    op: str
    bound: Any

    @property
    def tag(self) -> str:  # type: ignore[override]
        return self.op

    def test(self, actual: Any, exact: bool) -> bool:
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)
            for v in (actual, self.bound)
        )
        strings = isinstance(actual, str) and isinstance(self.bound, str)
        return (numbers or strings) and ORDERS[self.op](actual, self.bound)

    def args(self) -> Any:
        return self.bound

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Order(self.op, resolve(self.bound))


@dataclass(frozen=True, repr=False)
class Not(Matcher):
    """`!not X`: present and not equal to X (YAML puts one tag on a node: use `!none_of` to
    negate a matcher)."""

    inner: Any
    tag: ClassVar[str] = "!not"

    def test(self, actual: Any, exact: bool) -> bool:
        return not matches(self.inner, actual, exact)

    def args(self) -> Any:
        return self.inner

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return Not(resolve(self.inner))


@dataclass(frozen=True, repr=False)
class AnyOf(Matcher):
    """`!any_of [A, B]`: matches at least one of the alternatives."""

    options: list[Any] = field(default_factory=list)
    tag: ClassVar[str] = "!any_of"

    def check(self, actual: Any, path: str, exact: bool) -> list[Mismatch]:
        if any(not compare(o, actual, path, exact) for o in self.options):
            return []
        return [Mismatch(path, self, actual)]

    def args(self) -> Any:
        return self.options

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return AnyOf(resolve(self.options))


@dataclass(frozen=True, repr=False)
class NoneOf(Matcher):
    """`!none_of [A, !type str]`: present and matching none of them (`!not` for matchers)."""

    options: list[Any] = field(default_factory=list)
    tag: ClassVar[str] = "!none_of"

    def test(self, actual: Any, exact: bool) -> bool:
        return not any(matches(o, actual, exact) for o in self.options)

    def args(self) -> Any:
        return self.options

    def with_args(self, resolve: Callable[[Any], Any]) -> Matcher:
        return NoneOf(resolve(self.options))
