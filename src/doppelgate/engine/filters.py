"""MongoDB filter subset compiled to Python predicates (the embedded backend's matcher).

Supported: $eq $ne $gt $gte $lt $lte $in $nin $exists $regex/$options $not $elemMatch $all $size
and the top-level $and $or $nor. Anything else raises InvalidFilter on both backends.
A `$regex` string runs on RE2 where it means the same there, else on the `regex` module with a
time limit per match (RegexTimeout past it: budget.bounded); `$regex` also takes a compiled
pattern object with a `search` method (google-re2's).

Extension (for lightblue's field-to-field comparisons and negative array indices): `$expr` at
any query level, with these aggregation operators:
- $eq $ne $gt $gte $lt $lte: two operands, MongoDB's cross-type order, a missing field below null;
- $and $or $not; $literal;
- $in [value, array] (MongoDB errors when the second operand is not an array: no match here);
- $ifNull [value, ..., replacement]: the first operand neither null nor missing, else the last;
- $max / $min: of their operands, or of the elements of one array operand; nulls and missing
  values ignored; null when nothing is left;
- $arrayElemAt [array, index]: a negative index counts from the end; out of range: missing; a
  null or missing array: null (MongoDB errors on other values: missing here);
- $map {input, as, in} with "$$var" references; $zip {inputs}: shortest length; $size;
  $isArray; $allElementsTrue [array] (MongoDB errors on non-arrays: missing here).
Operands are literals or "$dotted.path" field references, which resolve as in aggregation:
through an array of documents to the array of the values found. Truthiness as MongoDB's: false,
null, 0 and missing are false. The MongoDB backend evaluates it in Python like every other
operator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .budget import bounded, matcher
from .errors import InvalidFilter
from .values import MISSING, bracket, compare, equal, resolve, sort_key, split_path

Predicate = Callable[[Any], bool]

_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}
_ORDERING = {
    "$gt": lambda c: c > 0,
    "$gte": lambda c: c >= 0,
    "$lt": lambda c: c < 0,
    "$lte": lambda c: c <= 0,
}
_LOGICAL = ("$and", "$or", "$nor")


def compile_filter(spec: Mapping[str, Any] | None) -> Predicate:
    """Turn a filter document into a predicate over whole documents."""
    if spec is None:
        return lambda doc: True
    if not isinstance(spec, Mapping):
        raise InvalidFilter("a filter must be a document")
    clauses = [_compile_clause(key, value) for key, value in spec.items()]
    if len(clauses) == 1:
        return clauses[0]
    return lambda doc: all(clause(doc) for clause in clauses)


def is_operator_doc(value: Any) -> bool:
    """True for {"$gt": 1, ...}: a field condition made of operators, not a literal document."""
    if not isinstance(value, Mapping) or not value:
        return False
    dollar = [key.startswith("$") for key in value]
    if any(dollar) and not all(dollar):
        raise InvalidFilter(f"cannot mix operators and fields in {dict(value)!r}")
    return dollar[0]


def _compile_clause(key: str, value: Any) -> Predicate:
    if key in _LOGICAL:
        if not isinstance(value, list) or not value:
            raise InvalidFilter(f"{key} needs a non-empty array")
        parts = [compile_filter(sub) for sub in value]
        if key == "$and":
            return lambda doc: all(p(doc) for p in parts)
        if key == "$or":
            return lambda doc: any(p(doc) for p in parts)
        return lambda doc: not any(p(doc) for p in parts)
    if key == "$expr":
        evaluate = _expression(value)
        return lambda doc: _truthy(evaluate(Scope(doc, {})))
    if key.startswith("$"):
        raise InvalidFilter(f"unknown top-level operator {key}")
    path = split_path(key)
    condition = compile_condition(value)
    return lambda doc: condition(list(resolve(doc, path)))


def compile_condition(value: Any, traverse: bool = True) -> Callable[[list[Any]], bool]:
    """A condition on one field: takes every value its path reaches (none when missing).

    With `traverse`, an array value also matches when one of its elements does; $elemMatch turns
    it off, as MongoDB applies an $elemMatch's operators to each element as it is.
    """
    if not is_operator_doc(value):
        return _any_value(_equals(value), traverse)
    checks = []
    if "$regex" in value:
        checks.append(_any_value(_regex(value["$regex"], value.get("$options", "")), traverse))
    elif "$options" in value:
        raise InvalidFilter("$options without $regex")
    checks += [
        _compile_operator(op, arg, traverse)
        for op, arg in value.items()
        if op not in ("$regex", "$options")
    ]
    if len(checks) == 1:
        return checks[0]
    return lambda values: all(check(values) for check in checks)


def _any_value(test: Predicate, traverse: bool = True) -> Callable[[list[Any]], bool]:
    """A test passes when any reached value, or any element of a reached array, passes it."""

    def check(values: list[Any]) -> bool:
        if not values:
            return test(MISSING)
        for v in values:
            if test(v) or (traverse and isinstance(v, list) and any(test(e) for e in v)):
                return True
        return False

    return check


def _equals(target: Any) -> Predicate:
    _check_value(target)
    if isinstance(target, re.Pattern):  # its own flags (re.I ...) apply, with a time limit
        compiled = matcher(target)
        return lambda v: isinstance(v, str) and compiled.search(v) is not None
    if target is None:  # {a: null} also matches documents without a
        return lambda v: v is None or v is MISSING
    return lambda v: v is not MISSING and equal(v, target)


def _regex(pattern: Any, options: Any) -> Predicate:
    """A pattern test; a string compiles with a time limit, a compiled pattern (e.g. re2's,
    which a dialect passes where its vendor syntax is linear-time) is used as given."""
    if not isinstance(options, str):
        raise InvalidFilter("$options takes a string")
    if not isinstance(pattern, str):
        if not callable(getattr(pattern, "search", None)) or options:
            raise InvalidFilter("$regex takes a string, or a compiled pattern without $options")
        compiled = matcher(pattern)
        return lambda v: isinstance(v, str) and compiled.search(v) is not None
    flags = 0
    for letter in options:
        if letter not in _REGEX_FLAGS:
            raise InvalidFilter(f"unsupported $options flag {letter!r}")
        flags |= _REGEX_FLAGS[letter]
    try:
        bounded_pattern = bounded(pattern, flags)
    except ValueError as exc:
        raise InvalidFilter(f"invalid $regex {pattern!r}: {exc}") from None
    return lambda v: isinstance(v, str) and bounded_pattern.search(v) is not None


def _compile_operator(op: str, arg: Any, traverse: bool) -> Callable[[list[Any]], bool]:
    if op == "$eq":
        return _any_value(_equals(arg), traverse)
    if op == "$ne":
        positive = _any_value(_equals(arg), traverse)
        return lambda values: not positive(values)
    if op in _ORDERING:
        return _any_value(_ordering(_ORDERING[op], op, arg), traverse)
    if op in ("$in", "$nin"):
        if not isinstance(arg, list):
            raise InvalidFilter(f"{op} needs an array")
        tests = [_equals(item) for item in arg]
        positive = _any_value(lambda v: any(t(v) for t in tests), traverse)
        return positive if op == "$in" else (lambda values: not positive(values))
    if op == "$exists":
        wanted = bool(arg)
        return lambda values: bool(values) == wanted
    if op == "$not":
        if not is_operator_doc(arg) and not isinstance(arg, re.Pattern):
            raise InvalidFilter("$not needs an operator document or a regex")
        inner = (
            compile_condition(arg, traverse)
            if not isinstance(arg, re.Pattern)
            else _any_value(_equals(arg), traverse)
        )
        return lambda values: not inner(values)
    if op == "$size":
        if bracket(arg) != 2 or int(arg) != arg or arg < 0:
            raise InvalidFilter("$size needs a non-negative integer")
        return lambda values: any(isinstance(v, list) and len(v) == arg for v in values)
    if op == "$elemMatch":
        return _elem_match(arg)
    if op == "$all":
        return _all(arg, traverse)
    raise InvalidFilter(f"unknown operator {op}")


def _ordering(accept: Callable[[int], bool], op: str, target: Any) -> Predicate:
    _check_value(target)
    kind = bracket(target)
    if kind == 1 and op in ("$gte", "$lte"):  # {$gte: null} matches null and missing
        return lambda v: v is None or v is MISSING
    # type bracketing: ordering operators only compare values of the target's type
    return lambda v: v is not MISSING and bracket(v) == kind and accept(compare(v, target))


def _elem_match(arg: Any) -> Callable[[list[Any]], bool]:
    if not isinstance(arg, Mapping) or not arg:
        raise InvalidFilter("$elemMatch needs a non-empty document")
    # MongoDB: operators on each element when the first key is one ($and/$or/$nor excepted),
    # otherwise a query on each element that is a document
    first = next(iter(arg))
    if first.startswith("$") and first not in _LOGICAL:
        condition = compile_condition(arg, traverse=False)

        def element_ok(e: Any) -> bool:
            return condition([e])
    else:
        query = compile_filter(arg)

        def element_ok(e: Any) -> bool:
            return isinstance(e, dict) and query(e)

    return lambda values: any(isinstance(v, list) and any(element_ok(e) for e in v) for v in values)


def _all(arg: Any, traverse: bool) -> Callable[[list[Any]], bool]:
    if not isinstance(arg, list):
        raise InvalidFilter("$all needs an array")
    checks = [
        compile_condition(item) if isinstance(item, Mapping) and "$elemMatch" in item else None
        for item in arg
    ]
    conditions = [
        c or _any_value(_equals(item), traverse) for c, item in zip(checks, arg, strict=True)
    ]
    if not conditions:  # MongoDB: {$all: []} matches nothing
        return lambda values: False
    return lambda values: all(c(values) for c in conditions)


def _check_value(value: Any) -> None:
    if isinstance(value, re.Pattern):
        return
    try:
        bracket(value)
    except TypeError as exc:
        raise InvalidFilter(str(exc)) from None


# -- $expr: aggregation expressions over the whole document -------------------------------------


class Scope(NamedTuple):
    """What an expression sees: the document, and the variables ($map's `as`) in scope."""

    doc: Any
    vars: dict[str, Any]


Evaluator = Callable[[Scope], Any]
_EXPR_COMPARE = {"$eq": lambda c: c == 0, "$ne": lambda c: c != 0, **_ORDERING}


def _expression(spec: Any) -> Evaluator:
    if isinstance(spec, str) and spec.startswith("$$"):
        name, *rest = split_path(spec[2:])
        if not name or "" in rest:
            raise InvalidFilter(f"invalid variable {spec!r} in $expr")
        return lambda scope: _field_value(scope.vars.get(name, MISSING), tuple(rest))
    if isinstance(spec, str) and spec.startswith("$"):
        parts = split_path(spec[1:])
        if not spec[1:] or "" in parts:
            raise InvalidFilter(f"invalid field path {spec!r} in $expr")
        return lambda scope: _field_value(scope.doc, parts)
    if isinstance(spec, list):
        items = [_expression(item) for item in spec]
        return lambda scope: [item(scope) for item in items]
    if not isinstance(spec, Mapping):
        _check_value(spec)
        return lambda scope: spec
    if len(spec) != 1 or not next(iter(spec)).startswith("$"):
        raise InvalidFilter(f"an expression object takes one operator: {dict(spec)!r}")
    op, arg = next(iter(spec.items()))
    if op == "$literal":
        return lambda scope: arg
    if op in ("$map", "$zip"):
        return _map(arg) if op == "$map" else _zip(arg)
    args = [_expression(a) for a in (arg if isinstance(arg, list) else [arg])]
    if op in _EXPR_COMPARE:
        if len(args) != 2:
            raise InvalidFilter(f"{op} in $expr takes two operands")
        accept, (left, right) = _EXPR_COMPARE[op], args
        return lambda scope: accept(_expr_compare(left(scope), right(scope)))
    if op == "$and":
        return lambda scope: all(_truthy(a(scope)) for a in args)
    if op == "$or":
        return lambda scope: any(_truthy(a(scope)) for a in args)
    if op == "$not":
        if len(args) != 1:
            raise InvalidFilter("$not in $expr takes one operand")
        return lambda scope: not _truthy(args[0](scope))
    if op == "$ifNull":
        if len(args) < 2:
            raise InvalidFilter("$ifNull in $expr takes [value, ..., replacement]")
        return lambda scope: _if_null([a(scope) for a in args])
    if op in ("$max", "$min"):
        pick = max if op == "$max" else min
        single = not isinstance(arg, list) or len(arg) == 1
        return lambda scope: _extreme(pick, [a(scope) for a in args], single)
    if op == "$arrayElemAt":
        if len(args) != 2:
            raise InvalidFilter("$arrayElemAt in $expr takes [array, index]")
        array, index = args
        return lambda scope: _element_at(array(scope), index(scope))
    if op in ("$size", "$isArray", "$allElementsTrue"):
        if len(args) != 1:
            raise InvalidFilter(f"{op} in $expr takes one operand")
        return _array_test(op, args[0])
    if op == "$in":
        if len(args) != 2:
            raise InvalidFilter("$in in $expr takes [value, array]")
        value, array = args

        def contains(scope: Scope) -> bool:
            found, items = value(scope), array(scope)
            return isinstance(items, list) and any(_expr_compare(found, i) == 0 for i in items)

        return contains
    raise InvalidFilter(f"unsupported $expr operator {op}")


def _map(arg: Any) -> Evaluator:
    if not isinstance(arg, Mapping) or not {"input", "in"} <= set(arg) <= {"input", "as", "in"}:
        raise InvalidFilter("$map takes {input, as, in}")
    name = arg.get("as", "this")
    if not isinstance(name, str) or not name:
        raise InvalidFilter("$map's `as` is a variable name")
    source, body = _expression(arg["input"]), _expression(arg["in"])

    def mapped(scope: Scope) -> Any:
        items = source(scope)
        if not isinstance(items, list):
            return None if items is None or items is MISSING else MISSING
        return [body(Scope(scope.doc, {**scope.vars, name: item})) for item in items]

    return mapped


def _zip(arg: Any) -> Evaluator:
    if (
        not isinstance(arg, Mapping)
        or set(arg) != {"inputs"}
        or not isinstance(arg["inputs"], list)
    ):
        raise InvalidFilter("$zip takes {inputs: [arrays]}")
    inputs = [_expression(a) for a in arg["inputs"]]

    def zipped(scope: Scope) -> Any:
        arrays = [i(scope) for i in inputs]
        if any(a is None or a is MISSING for a in arrays):
            return None
        if not all(isinstance(a, list) for a in arrays):
            return MISSING
        return [list(t) for t in zip(*arrays, strict=False)]  # the shortest length

    return zipped


def _array_test(op: str, operand: Evaluator) -> Evaluator:
    def test(scope: Scope) -> Any:
        value = operand(scope)
        if op == "$isArray":
            return isinstance(value, list)
        if not isinstance(value, list):
            return MISSING  # MongoDB raises on a non-array
        return len(value) if op == "$size" else all(_truthy(v) for v in value)

    return test


def _if_null(values: list[Any]) -> Any:
    return next((v for v in values[:-1] if v is not None and v is not MISSING), values[-1])


def _element_at(array: Any, index: Any) -> Any:
    if array is None or array is MISSING:
        return None
    if not isinstance(array, list) or bracket(index) != 2 or int(index) != index:
        return MISSING
    at = int(index)
    return array[at] if -len(array) <= at < len(array) else MISSING


def _extreme(pick: Callable[..., Any], values: list[Any], single: bool) -> Any:
    if single and len(values) == 1 and isinstance(values[0], list):
        values = values[0]  # {$max: "$array"}: the array's elements
    kept = [v for v in values if v is not None and v is not MISSING]
    return pick(kept, key=sort_key) if kept else None


def _field_value(value: Any, parts: tuple[str, ...]) -> Any:
    """An aggregation field path: an array of documents maps to the values found in them."""
    for i, part in enumerate(parts):
        if isinstance(value, list):
            found = [_field_value(e, parts[i:]) for e in value if isinstance(e, dict | list)]
            return [f for f in found if f is not MISSING]
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def _expr_compare(a: Any, b: Any) -> int:
    # in aggregation a missing field sorts below null
    if a is MISSING or b is MISSING:
        return (a is not MISSING) - (b is not MISSING)
    return compare(a, b)


def _truthy(value: Any) -> bool:
    return not (value is MISSING or value is None or value is False or value == 0) or (
        isinstance(value, list | dict)
    )


def equality_fields(spec: Mapping[str, Any] | None) -> dict[str, Any]:
    """Top-level `field: value` / `field: {$eq: value}` terms (also inside $and).

    The planner looks these up in hash indexes; an upsert seeds its new document from them.
    """
    found: dict[str, Any] = {}
    if not spec:
        return found
    for key, value in spec.items():
        if key == "$and" and isinstance(value, list):
            for sub in value:
                for k, v in equality_fields(sub).items():
                    found.setdefault(k, v)
        elif key.startswith("$"):
            continue
        elif isinstance(value, re.Pattern):  # a pattern match, not an equality
            continue
        elif not is_operator_doc(value):
            found[key] = value
        elif set(value) == {"$eq"} and not isinstance(value["$eq"], re.Pattern):
            found[key] = value["$eq"]
    return found
