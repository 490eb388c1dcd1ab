"""lightblue's query language (§3) translated to the engine's MongoDB filter subset.

Paths: `*` steps become MongoDB's implicit array traversal, numeric steps stay positional,
negative ones (from the end) become `$expr` with `$arrayElemAt`; field-to-field comparisons
use the engine's `$expr` (comparisons.py); a `!=`/`$nin` over `*` asks that *some* element
differs, which is `$elemMatch` with `$ne`/`$nin`; elemMatch on simple values (`$this`) is
`$elemMatch` with operators. Every query is ANDed with `objectType = <entity>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from doppelgate.engine.filters import compile_filter, is_operator_doc

from . import errors as E
from .comparisons import compare_fields, kind_of, many
from .errors import LightblueError
from .schema import UNORDERED, Field, Schema, absolute, is_index
from .values import cast, show

OPS = {
    "=": "$eq",
    "$eq": "$eq",
    "!=": "$ne",
    "$neq": "$ne",
    "<": "$lt",
    "$lt": "$lt",
    ">": "$gt",
    "$gt": "$gt",
    "<=": "$lte",
    "$lte": "$lte",
    ">=": "$gte",
    "$gte": "$gte",
}
IN_OPS = {"$in": "$in", "$nin": "$nin", "$not_in": "$nin"}
CONTAINS = {"$any": "$in", "$all": "$all", "$none": "$nin"}
REGEX_FLAGS = {"caseInsensitive": "i", "extended": "x", "multiline": "m", "dotall": "s"}
Filter = dict[str, Any]
ElementTest = Callable[[Any, list[str]], bool]  # (whole document, concrete element path)


def engine_path(steps: list[str]) -> str:
    """`a.*.b` -> `a.b`: MongoDB traverses arrays by itself."""
    return ".".join(s for s in steps if s != "*")


class Query:
    """Translates one request's expressions against one entity version."""

    def __init__(
        self,
        schema: Schema,
        readable: Callable[[Field], bool] | None = None,
        context: list[str] | None = None,
    ) -> None:
        self.schema = schema
        self.readable = readable  # a field the caller may not find fails the query (§2.4)
        self.context = context or []  # where relative paths start (an array element)

    def filter(self, query: Any) -> Filter:
        """The whole request filter: the query ANDed with objectType = entity (§3)."""
        kind = {"objectType": self.schema.name}
        if query is None:
            return kind
        return {"$and": [kind, self.translate(query, [])]}

    def translate(self, q: Any, base: list[str]) -> Filter:
        """One expression; `base` is the element an elemMatch is evaluated on."""
        if not isinstance(q, dict) or not q:
            raise LightblueError(E.INVALID_QUERY, show(q))
        first = next(iter(q))
        if first == "$not":
            if len(q) != 1 or not isinstance(q["$not"], dict):
                raise LightblueError(E.INVALID_LOGICAL, show(q))
            return {"$nor": [self.translate(q["$not"], base)]}
        if first in ("$and", "$all", "$or", "$any"):
            parts = q[first]
            if len(q) != 1 or not isinstance(parts, list) or not parts:
                raise LightblueError(E.INVALID_LOGICAL, show(q))
            op = "$and" if first in ("$and", "$all") else "$or"
            return {op: [self.translate(p, base) for p in parts]}
        if "field" in q:
            return self._relational(q, base)
        if "array" in q:
            return self._array(q, base)
        raise LightblueError(E.INVALID_QUERY, show(q))

    def element_filter(self, q: Any, array: list[str]) -> Filter:
        """A query on each element of `array`: a filter on object elements, an operator
        condition (`{"$gt": 1}`, what $elemMatch and $pull take) on simple ones (`$this`)."""
        field = self.schema.field(array)
        if field.type != "array":
            raise LightblueError(E.INVALID_FIELD, field.path)  # an element query on a non-array
        inner = self.translate(q, [*array, "*"])
        if field.items is not None and field.items.type in ("object", "array"):
            return inner
        condition = _on_value(inner)
        if condition is None:
            raise LightblueError(E.INVALID_QUERY, show(q))  # not expressible on a value
        return condition

    def element_predicate(self, q: Any, array: list[str]) -> ElementTest:
        """A query on one element of `array` (array projection `match`, `$foreach`), tested
        on the whole document: the full query language, paths relative to the element, `$parent`
        upward, `rfield`s. Translated once per concrete element path, which fixes the indices.
        """
        if self.schema.field(array).type != "array":
            raise LightblueError(E.INVALID_FIELD, ".".join(array))  # an element query needs one
        sample = ["0" if s == "*" else s for s in [*array, "*"]]
        Query(self.schema, self.readable, sample).translate(q, [])  # errors before any document
        compiled: dict[tuple[str, ...], Callable[[Any], bool]] = {}

        def test(root: Any, element: list[str]) -> bool:
            key = tuple(element)
            if key not in compiled:
                spec = Query(self.schema, self.readable, element).translate(q, [])
                compiled[key] = compile_filter(spec)
            return compiled[key](root)

        return test

    # -- paths -------------------------------------------------------------------------------

    def _resolve(self, path: Any, base: list[str], code: str, q: Any) -> tuple[list[str], Field]:
        if not isinstance(path, str) or not path:
            raise LightblueError(code, show(q))
        steps = absolute(path, base or self.context)
        field = self.schema.field(steps)
        if self.readable is not None and not self.readable(field):
            raise LightblueError(E.NO_ACCESS, field.path)
        return steps, field

    def _local(self, steps: list[str], base: list[str], q: Any) -> str:
        """The engine path relative to the elemMatch element the filter runs on."""
        if steps[: len(base)] != base or _negative(steps):
            raise LightblueError(E.INVALID_QUERY, show(q))  # `$parent` out of an elemMatch
        return engine_path(steps[len(base) :])

    def _operand(self, steps: list[str], base: list[str], q: Any) -> Any:
        """A path as an aggregation operand: `a.1.b` is $arrayElemAt of `$a.b` at 1 (§3).

        The field path without its index steps maps over the arrays it crosses, one nesting
        level per array, so the indices apply to it outermost first.
        """
        if base:
            raise LightblueError(E.INVALID_QUERY, show(q))  # $expr runs on whole documents
        indices = [int(s) for s in steps if is_index(s)]
        if not indices:
            return f"${engine_path(steps)}"
        if "*" in steps:
            raise LightblueError(E.INVALID_QUERY, show(q))  # indices and `*` in one operand
        operand: Any = f"${'.'.join(s for s in steps if not is_index(s))}"
        for index in indices:
            operand = {"$arrayElemAt": [operand, index]}
        return operand

    def _at_index(self, steps: list[str], base: list[str], op: str, value: Any, q: Any) -> Filter:
        """A value comparison through a negative index, as an aggregation expression."""
        element = self._operand(steps, base, q)
        if op in ("$eq", "$ne"):  # null matches a missing element (§3)
            return {"$expr": {op: [{"$ifNull": [element, None]}, value]}}
        if op in ("$in", "$nin"):
            found = {"$in": [{"$ifNull": [element, None]}, value]}
            return {"$expr": found if op == "$in" else {"$not": [found]}}
        # ordering needs an element: missing sorts below everything in aggregation
        return {"$expr": {"$and": [{"$gt": [element, None]}, {op: [element, value]}]}}

    # -- relational --------------------------------------------------------------------------

    def _relational(self, q: dict[str, Any], base: list[str]) -> Filter:
        if "regex" in q:
            return self._regex(q, base)
        op = q.get("op")
        op = op if isinstance(op, str) else ""
        if op in IN_OPS and set(q) in ({"field", "op", "values"}, {"field", "op", "rfield"}):
            return self._in(q, base)
        if set(q) not in ({"field", "op", "rvalue"}, {"field", "op", "rfield"}) or op not in OPS:
            raise LightblueError(E.INVALID_COMPARISON, show(q))
        steps, field = self._resolve(q["field"], base, E.INVALID_COMPARISON, q)
        mongo_op = OPS[op]
        if "rfield" in q:
            return self._fields(q, base, steps, field, mongo_op)
        value = q["rvalue"]
        self._check_comparable(field, mongo_op, value)
        value = cast(field, value)
        if _negative(steps):
            return self._at_index(steps, base, mongo_op, value, q)
        path = self._local(steps, base, q)
        if mongo_op == "$ne" and "*" in steps[len(base) :]:
            return self._some_element(steps, base, {"$ne": value}, q)
        if mongo_op == "$eq":
            return {path: value}
        return {path: {mongo_op: value}}

    def _check_comparable(self, field: Field, op: str, value: Any) -> None:
        ordering = op not in ("$eq", "$ne")
        if field.is_container:
            raise LightblueError(E.INVALID_FIELD, field.path)
        if ordering and field.type in UNORDERED:
            raise LightblueError(E.INVALID_COMPARISON_TYPE, field.path)
        if not ordering and field.type in ("binary", "any") and value is not None:
            raise LightblueError(E.INVALID_COMPARISON_TYPE, field.path)
        if isinstance(value, dict | list):
            raise LightblueError(E.INVALID_COMPARISON, show(value))

    def _some_element(self, steps: list[str], base: list[str], cond: Filter, q: Any) -> Filter:
        local = steps[len(base) :]
        star = len(local) - 1 - local[::-1].index("*")
        array, rest = engine_path(local[:star]), engine_path(local[star + 1 :])
        return {array: {"$elemMatch": {rest: cond} if rest else cond}}

    def _fields(
        self, q: dict[str, Any], base: list[str], steps: list[str], field: Field, op: str
    ) -> Filter:
        rsteps, rfield = self._resolve(q["rfield"], base, E.INVALID_COMPARISON, q)
        if op not in ("$eq", "$ne") and (
            kind_of(field) in UNORDERED or kind_of(rfield) in UNORDERED
        ):
            raise LightblueError(E.INVALID_COMPARISON_TYPE, field.path)
        # a missing side compares as null (§3)
        left = {"$ifNull": [self._operand(steps, base, q), None]}
        right = {"$ifNull": [self._operand(rsteps, base, q), None]}
        return {"$expr": compare_fields(op, left, many(field, steps), right, many(rfield, rsteps))}

    def _regex(self, q: dict[str, Any], base: list[str]) -> Filter:
        if "case_insensitive" in q and "caseInsensitive" not in q:  # lightblue-core's spelling
            q = {("caseInsensitive" if k == "case_insensitive" else k): v for k, v in q.items()}
        allowed = {"field", "regex", *REGEX_FLAGS}
        pattern = q.get("regex")
        if not set(q) <= allowed or not isinstance(pattern, str):
            raise LightblueError(E.INVALID_REGEX, show(q))
        steps, _ = self._resolve(q["field"], base, E.INVALID_REGEX, q)
        options = ""
        for key, letter in REGEX_FLAGS.items():
            flag = q.get(key, False)  # a number reads as Jackson's asBoolean (RegexEvaluatorTest)
            if not isinstance(flag, bool | int):
                raise LightblueError(E.INVALID_REGEX, show(q))
            options += letter if flag else ""
        cond: Filter = {"$regex": pattern}
        if options:
            cond["$options"] = options
        return {self._local(steps, base, q): cond}

    def _in(self, q: dict[str, Any], base: list[str]) -> Filter:
        steps, field = self._resolve(q["field"], base, E.INVALID_COMPARISON, q)
        op = IN_OPS[q["op"]]
        if "rfield" in q:
            rsteps, _ = self._resolve(q["rfield"], base, E.INVALID_COMPARISON, q)
            found = {"$in": [self._operand(steps, base, q), self._operand(rsteps, base, q)]}
            return {"$expr": found if op == "$in" else {"$not": [found]}}
        values = q["values"]
        if not isinstance(values, list):
            raise LightblueError(E.INVALID_COMPARISON, show(q))
        if field.is_container:
            raise LightblueError(E.INVALID_FIELD, field.path)
        for v in values:
            if isinstance(v, dict | list):
                raise LightblueError(E.INVALID_COMPARISON, show(q))
        cast_values = [cast(field, v) for v in values]
        if _negative(steps):
            return self._at_index(steps, base, op, cast_values, q)
        if op == "$nin" and "*" in steps[len(base) :]:
            return self._some_element(steps, base, {"$nin": cast_values}, q)
        return {self._local(steps, base, q): {op: cast_values}}

    # -- elemMatch as an expression (operands outside the element) ---------------------------

    def _some_element_expr(self, q: Any, array: list[str], whole: Any) -> Any:
        """Some element of `array` satisfies `q`: not every element fails it ($map over the
        array with the element as `$$elem`; paths outside the element read the document)."""
        element = [*array, "*"]
        test = self._element_expr(q, element)
        failing = {
            "$map": {
                "input": {"$ifNull": [self._operand(array, [], whole), []]},
                "as": "elem",
                "in": {"$not": [test]},
            }
        }
        return {"$not": [{"$allElementsTrue": [failing]}]}

    def _element_operand(self, steps: list[str], element: list[str], q: Any) -> Any:
        if steps[: len(element)] != element:
            return self._operand(steps, [], q)
        rest = steps[len(element) :]
        if any(is_index(s) or s == "*" for s in rest):
            raise LightblueError(E.INVALID_QUERY, show(q))  # arrays inside the element
        return ".".join(["$$elem", *rest])

    def _element_expr(self, q: Any, element: list[str]) -> Any:
        if not isinstance(q, dict) or not q:
            raise LightblueError(E.INVALID_QUERY, show(q))
        first = next(iter(q))
        if first == "$not" and len(q) == 1:
            return {"$not": [self._element_expr(q["$not"], element)]}
        if first in ("$and", "$all", "$or", "$any") and len(q) == 1:
            if not isinstance(q[first], list) or not q[first]:
                raise LightblueError(E.INVALID_LOGICAL, show(q))
            op = "$and" if first in ("$and", "$all") else "$or"
            return {op: [self._element_expr(p, element) for p in q[first]]}
        op = q.get("op") if isinstance(q.get("op"), str) else ""
        allowed = ({"field", "op", "rvalue"}, {"field", "op", "rfield"}, {"field", "op", "values"})
        if set(q) not in allowed or (op not in OPS and op not in IN_OPS):
            raise LightblueError(E.INVALID_QUERY, show(q))  # regex, arrays: not as expressions
        steps, field = self._resolve(q["field"], element, E.INVALID_COMPARISON, q)
        left = {"$ifNull": [self._element_operand(steps, element, q), None]}
        if "rfield" in q:
            rsteps, rfield = self._resolve(q["rfield"], element, E.INVALID_COMPARISON, q)
            right = {"$ifNull": [self._element_operand(rsteps, element, q), None]}
            if op in IN_OPS:
                found = {"$in": [left, {"$ifNull": [right, []]}]}
                return found if IN_OPS[op] == "$in" else {"$not": [found]}
            return compare_fields(OPS[op], left, many(field, steps), right, many(rfield, rsteps))
        if op in IN_OPS:
            values = q.get("values")
            if not isinstance(values, list) or any(isinstance(v, dict | list) for v in values):
                raise LightblueError(E.INVALID_COMPARISON, show(q))
            found = {"$in": [left, [cast(field, v) for v in values]]}
            return found if IN_OPS[op] == "$in" else {"$not": [found]}
        self._check_comparable(field, OPS[op], q["rvalue"])
        value, mongo_op = cast(field, q["rvalue"]), OPS[op]
        if mongo_op in ("$eq", "$ne"):
            return {mongo_op: [left, value]}
        return {"$and": [{"$gt": [left, None]}, {mongo_op: [left, value]}]}  # needs a value

    # -- arrays ------------------------------------------------------------------------------

    def _array(self, q: dict[str, Any], base: list[str]) -> Filter:
        steps, field = self._resolve(q["array"], base, E.INVALID_ARRAY_COMPARISON, q)
        if field.type != "array" or field.items is None:
            raise LightblueError(E.INVALID_FIELD, field.path)
        path = self._local(steps, base, q)
        if "elemMatch" in q:
            if set(q) != {"array", "elemMatch"}:
                raise LightblueError(E.INVALID_ARRAY_COMPARISON, show(q))
            if _has_rfield(q["elemMatch"]):  # operands beyond the element: an expression
                return {"$expr": self._some_element_expr(q["elemMatch"], steps, q)}
            inner = self.element_filter(q["elemMatch"], steps)
            return {path: {"$elemMatch": inner}}
        contains = q.get("contains")
        contains = contains if isinstance(contains, str) else ""
        values = q.get("values")
        if set(q) != {"array", "contains", "values"} or contains not in CONTAINS:
            raise LightblueError(E.INVALID_ARRAY_COMPARISON, show(q))
        if not isinstance(values, list) or any(isinstance(v, dict | list) for v in values):
            raise LightblueError(E.INVALID_ARRAY_COMPARISON, show(q))
        cast_values = [cast(field.items, v) for v in values]
        return {path: {CONTAINS[contains]: cast_values}}


def _has_rfield(q: Any) -> bool:
    """An `rfield` anywhere but inside a nested array expression (which handles its own)."""
    if not isinstance(q, dict):
        return False
    if "rfield" in q:
        return True
    parts = next(iter(q.values()), None) if len(q) == 1 else None
    if isinstance(parts, list):  # $and/$or
        return any(_has_rfield(p) for p in parts)
    return isinstance(parts, dict) and _has_rfield(parts)  # $not


def _negative(steps: list[str]) -> list[int]:
    return [i for i, s in enumerate(steps) if is_index(s) and s.startswith("-")]


def _on_value(spec: Filter) -> Filter | None:
    """A filter on the element itself (`{"": cond}` terms) as one operator condition."""
    if set(spec) == {""}:
        cond = spec[""]
        return cond if is_operator_doc(cond) else {"$eq": cond}
    if set(spec) == {"$and"}:
        merged: Filter = {}
        for part in spec["$and"]:
            cond = _on_value(part)
            if cond is None or set(cond) & set(merged):
                return None
            merged.update(cond)
        return merged
    if set(spec) == {"$nor"} and len(spec["$nor"]) == 1:
        cond = _on_value(spec["$nor"][0])
        return {"$not": cond} if cond is not None and "$regex" not in cond else None
    return None
