"""lightblue's projection (§4): ordered include/exclude rules, last decider wins, per leaf.

Applied to the documents the engine returns: lightblue's rules (leaf inclusion, recursion,
array ranges and matches with their own sort and sub-projection) are not MongoDB projections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from doppelgate.engine.values import sort_key, sort_value, split_path

from . import errors as E
from .dates import dates_to_text
from .errors import LightblueError
from .schema import absolute, is_index
from .values import show

Doc = dict[str, Any]
INCLUDE, EXCLUDE, DESCEND = "include", "exclude", "descend"
EVERYTHING: list[dict[str, Any]] = [{"field": "*", "include": True, "recursive": True}]
HIDDEN = "@mongoHidden"  # server bookkeeping (document versions), never returned


@dataclass(slots=True)
class Rule:
    pattern: list[str]  # indices as `*`
    include: bool
    recursive: bool = False
    range: tuple[int, int | None] | None = None
    match: Callable[[Any, list[str]], bool] | None = None  # (document, element path)
    project: Projection | None = None
    sort: list[tuple[str, int]] | None = None

    @property
    def is_array_rule(self) -> bool:
        return self.range is not None or self.match is not None


def _pattern(path: Any, base: list[str], spec: Any) -> list[str]:
    if not isinstance(path, str) or not path:
        raise LightblueError(E.INVALID_PROJECTION, show(spec))
    return ["*" if is_index(s) else s for s in absolute(path, base)]


def _flag(spec: dict[str, Any], key: str, default: bool) -> bool:
    """A boolean, or a number read as one (Jackson's asBoolean: 1 is true, ProjectionTest)."""
    value = spec.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    raise LightblueError(E.INVALID_PROJECTION, show(spec))


def _covers(pattern: list[str], path: list[str]) -> bool:
    return len(pattern) == len(path) and all(
        p in ("*", s) for p, s in zip(pattern, path, strict=True)
    )


def _under(pattern: list[str], path: list[str]) -> bool:
    """`path` lies strictly below what `pattern` names."""
    return len(path) > len(pattern) and _covers(pattern, path[: len(pattern)])


def _above(pattern: list[str], path: list[str]) -> bool:
    """`path` is an ancestor of what `pattern` names."""
    return len(path) < len(pattern) and _covers(pattern[: len(path)], path)


class Projection:
    """A compiled projection; `make_filter(query, array)` makes an element `match` predicate.

    Paths while applying are concrete (indices, not `*`): a `match` is a query on the whole
    document at one element, and the patterns' `*` covers any index.
    """

    def __init__(
        self,
        spec: Any,
        make_filter: Callable[[Any, list[str]], Callable[[Any, list[str]], bool]] | None = None,
        make_sort: Callable[[Any, list[str]], list[tuple[str, int]]] | None = None,
        base: list[str] | None = None,
    ) -> None:
        self.base = base or []
        self.root: Doc = {}  # the document being projected (what a `match` is tested on)
        specs = spec if isinstance(spec, list) else [spec]
        self.rules = [self._rule(s, make_filter, make_sort) for s in specs]

    def _rule(self, spec: Any, make_filter: Any, make_sort: Any) -> Rule:
        if not isinstance(spec, dict) or "field" not in spec:
            raise LightblueError(E.INVALID_PROJECTION, show(spec))
        include, recursive = _flag(spec, "include", True), _flag(spec, "recursive", False)
        pattern = _pattern(spec["field"], self.base, spec)
        rule = Rule(pattern, include, recursive)
        if "range" in spec or "match" in spec:
            self._array_rule(rule, spec, make_filter, make_sort)
        return rule

    def _array_rule(
        self, rule: Rule, spec: dict[str, Any], make_filter: Any, make_sort: Any
    ) -> None:
        element = [*rule.pattern, "*"]
        if "range" in spec:
            bounds = spec["range"]
            ok = isinstance(bounds, list) and len(bounds) == 2 and isinstance(bounds[0], int)
            if not ok or not (bounds[1] is None or isinstance(bounds[1], int)):
                raise LightblueError(E.INVALID_ARRAY_RANGE_PROJECTION, show(spec))
            rule.range = (bounds[0], bounds[1])
        else:
            if make_filter is None:
                raise LightblueError(E.INVALID_PROJECTION, show(spec))
            rule.match = make_filter(spec["match"], rule.pattern)
        inner = spec.get("project", spec.get("projection"))
        whole_element = {"field": "$this", "recursive": True}  # default: everything (§4)
        rule.project = Projection(
            inner if inner is not None else whole_element, make_filter, make_sort, element
        )
        if spec.get("sort") is not None and make_sort is not None:
            rule.sort = make_sort(spec["sort"], element)

    # -- deciding ----------------------------------------------------------------------------

    def decide(self, path: list[str], container: bool) -> tuple[str | None, Rule | None]:
        for rule in reversed(self.rules):  # explicit decisions first, the last rule winning
            if _covers(rule.pattern, path):
                return (INCLUDE if rule.include else EXCLUDE), rule
        for rule in reversed(self.rules):
            if rule.recursive and _under(rule.pattern, path):
                return (INCLUDE if rule.include else EXCLUDE), None
            if container and rule.include and _above(rule.pattern, path):
                return DESCEND, None
        return None, None

    # -- applying ----------------------------------------------------------------------------

    def apply(self, doc: Doc) -> Doc:
        self.root = doc
        out = self._object(doc, list(self.base))
        return dates_to_text(out if out is not None else {})

    def _object(self, obj: Doc, path: list[str]) -> Doc:
        out: Doc = {}
        for key, value in obj.items():
            if key == HIDDEN:
                continue
            found, keep = self._node(value, [*path, key])
            if keep:
                out[key] = found
        return out

    def _node(self, value: Any, path: list[str]) -> tuple[Any, bool]:
        container = isinstance(value, dict | list)
        decision, rule = self.decide(path, container)
        if decision == EXCLUDE:
            return None, False
        named = rule is not None and (rule.is_array_rule or not rule.recursive)
        array_rules = [r for r in self.rules if r.is_array_rule and _covers(r.pattern, path)]
        if named and array_rules:  # not decided by a recursive or explicit exclusion rule
            return self._array_rules_apply(value, array_rules, path)
        if not container:
            return value, decision == INCLUDE
        inner = self._object(value, path) if isinstance(value, dict) else self._array(value, path)
        if inner or (decision == INCLUDE and not value):  # an included empty container stays
            return inner, True
        return None, False

    def _array(self, items: list[Any], path: list[str]) -> list[Any]:
        out = []
        for i, item in enumerate(items):
            found, keep = self._node(item, [*path, str(i)])
            if keep:
                out.append(found)
        return out

    def _chosen(self, rule: Rule, value: list[Any], path: list[str]) -> list[int]:
        """The indices an array rule's range or match selects."""
        if rule.range is not None:
            start, end = rule.range
            start = max(start, 0)
            if end is not None and (end < start or end < 0):
                return []  # §4: to < from or negative to -> nothing selected
            return list(range(len(value)))[start : None if end is None else end + 1]
        assert rule.match is not None
        return [i for i in range(len(value)) if rule.match(self.root, [*path, str(i)])]

    def _array_rules_apply(
        self, value: Any, rules: list[Rule], path: list[str]
    ) -> tuple[Any, bool]:
        """The elements the array rules keep. One include rule: its selection, in its sort
        order. Several (or an exclusion): per element the last rule that decides it wins; an
        include rule decides what it selects, an exclude rule decides every element (excluding
        what it selects, keeping the rest whole) (ProjectorTest.include_then_exclude_626)."""
        if not isinstance(value, list):
            return None, False
        if len(rules) == 1 and rules[0].include:
            rule = rules[0]
            kept = [(i, value[i], rule.project) for i in self._chosen(rule, value, path)]
            for field, direction in reversed(rule.sort or []):
                parts = split_path(field)
                kept = sorted(
                    kept,
                    key=lambda e: sort_key(sort_value(e[1], parts, direction < 0)),
                    reverse=direction < 0,
                )
        else:
            selections = [set(self._chosen(rule, value, path)) for rule in rules]
            kept = []
            for i, e in enumerate(value):
                for rule, chosen in zip(reversed(rules), reversed(selections), strict=True):
                    if not rule.include:
                        if i not in chosen:
                            kept.append((i, e, None))
                        break
                    if i in chosen:
                        kept.append((i, e, rule.project))
                        break
        if not kept:
            return None, False  # an empty selection emits nothing (§4)
        return [self._element(e, [*path, str(i)], inner) for i, e, inner in kept], True

    def _element(self, e: Any, element: list[str], inner: Projection | None) -> Any:
        """One kept element through its rule's `project` (None: the whole element)."""
        if inner is None:
            return e
        inner.root = self.root
        if isinstance(e, dict):
            return inner._object(e, element)
        found, keep = inner._node(e, element)
        if not keep and not isinstance(e, list):
            # a simple element is its own only field: `*` names it (ProjectionTest)
            keep = inner.decide([*element, "*"], False)[0] == INCLUDE
        return e if found is None or not keep else found
