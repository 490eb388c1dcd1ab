"""Where conditions (spec §3): each operator per data type as an engine filter.

Null semantics are SQL-like [I]: comparisons, NE, DOES_NOT_CONTAINS, EXCLUDES and NOT_IN never
match an empty field; IS_NULL does. Text operators are case-insensitive, EQ/NE case-sensitive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .datatypes import NUMERIC, _boolean, _number
from .dates import BadDate, parse_date, parse_datetime
from .errors import INVALID_DATE, INVALID_DATETIME, INVALID_FIELD, FieldFailure, GainsightError
from .errors import show as show_value
from .schema import FieldSchema

COMPARE = ("EQ", "NE", "GTE", "GT", "LTE", "LT")
NULLS = ("IS_NULL", "IS_NOT_NULL")
TEXT = ("STARTS_WITH", "CONTAINS", "DOES_NOT_CONTAINS", "ENDS_WITH")
SAME = {"IN": "INCLUDES", "NOT_IN": "EXCLUDES"}  # INCLUDES or IN, EXCLUDES or NOT_IN (spec §3)
STRING_OPS = frozenset((*COMPARE, *TEXT, *NULLS, "INCLUDES", "EXCLUDES"))  # IN: see README
OPERATORS: dict[str, frozenset[str]] = {  # spec §2 table
    **dict.fromkeys(
        ("STRING", "RICHTEXTAREA", "EMAIL", "GSID", "LOOKUP", "URL", "SFDCID"), STRING_OPS
    ),
    "NUMBER": frozenset((*COMPARE, "INCLUDES", "EXCLUDES", *NULLS)),
    "BOOLEAN": frozenset(("EQ", "NE")),
    "DATE": frozenset((*COMPARE, "BTW", *NULLS)),
    "DATETIME": frozenset((*COMPARE, "BTW", *NULLS)),
    "PICKLIST": frozenset(("EQ", "NE", "INCLUDES", "EXCLUDES", *TEXT[:3], *NULLS)),
    "MULTISELECTDROPDOWNLIST": frozenset(("INCLUDES", "EXCLUDES", *NULLS)),
    "CURRENCY": frozenset((*COMPARE, *NULLS)),
    "PERCENTAGE": frozenset((*COMPARE, *NULLS)),
    "JSON": frozenset(NULLS),
}
ALL_OPERATORS = frozenset((*COMPARE, *TEXT, *NULLS, "BTW", "INCLUDES", "EXCLUDES", *SAME))
NOTHING: dict[str, Any] = {"_id": {"$in": []}}
_REGEX_SPECIALS = set("\\^$.|?*+()[]{}")


def canonical(operator: Any) -> str:
    op = str(operator).strip().upper()
    if op not in ALL_OPERATORS:
        raise GainsightError(INVALID_FIELD, f"{INVALID_FIELD.desc}. Invalid operator {operator}.")
    return SAME.get(op, op)


def check_operator(f: FieldSchema | None, name: str, op: str) -> None:
    if f is not None and op not in OPERATORS.get(f.dataType, frozenset()):
        desc = f"{INVALID_FIELD.desc}. Operator {op} is not supported for {name} ({f.dataType})."
        raise GainsightError(INVALID_FIELD, desc)  # outside the type's list -> 400 (spec §3)


def escape(text: str) -> str:
    """A literal for $regex, the same on Python, PCRE and Java engines."""
    return "".join(f"\\{c}" if c in _REGEX_SPECIALS else c for c in text)


def _value(f: FieldSchema, name: str, raw: Any, zone: dt.tzinfo) -> Any:
    try:
        kind = f.dataType
        if kind in NUMERIC:
            return _number(f, raw)
        if kind == "BOOLEAN":
            return _boolean(raw)
        if kind == "DATE":
            return parse_date(raw, zone)
        if kind == "DATETIME":
            return parse_datetime(raw, zone)
        if kind in ("PICKLIST", "MULTISELECTDROPDOWNLIST"):
            item = f.item(raw)  # labels and item GSIDs both match [I]
            return item.value if item else raw
        return raw if isinstance(raw, str) else show_value(raw)
    except BadDate:
        failure = FieldFailure(INVALID_DATE if f.dataType == "DATE" else INVALID_DATETIME)
    except FieldFailure as exc:
        failure = exc
    raise GainsightError(failure.code, f"{failure.message} ({name} = {show_value(raw)}).")


def _arity(op: str, values: list[Any], name: str) -> None:
    wanted = {"BTW": "exactly 2"}.get(op, "at least 1" if op in SAME.values() else "1")
    ok = (
        len(values) == 2
        if op == "BTW"
        else (len(values) >= 1 if op in ("INCLUDES", "EXCLUDES") else len(values) == 1)
    )
    if not ok:
        desc = f"{INVALID_FIELD.desc}. Operator {op} on {name} needs {wanted} value(s)."
        raise GainsightError(INVALID_FIELD, desc)


def _text_pattern(op: str, text: str) -> str:
    body = escape(text)
    if op == "STARTS_WITH":
        return "^" + body
    if op == "ENDS_WITH":
        return body + "$"
    return body


def field_filter(
    f: FieldSchema | None, name: str, op: str, values: list[Any], zone: dt.tzinfo
) -> dict[str, Any]:
    """The filter on one field of the object itself (no lookup hop)."""
    if f is None:  # a field an inferred object never saw: empty on every row
        return {} if op == "IS_NULL" else NOTHING
    check_operator(f, name, op)
    n = f.name
    if op == "IS_NULL":
        return {n: {"$exists": False}}
    if op == "IS_NOT_NULL":
        return {n: {"$exists": True}}
    _arity(op, values, name)
    if op in TEXT:
        text = values[0] if isinstance(values[0], str) else show_value(values[0])
        pattern = _text_pattern(op, text)
        if f.dataType == "PICKLIST":  # dropdowns: text operators look at item labels [I]
            hits = [i.value for i in f.items if _matches(op, i.label, text)]
            return _negated(n, {"$in": hits}) if op == "DOES_NOT_CONTAINS" else {n: {"$in": hits}}
        regex = {"$regex": pattern, "$options": "i"}
        return _negated(n, regex) if op == "DOES_NOT_CONTAINS" else {n: regex}
    parsed = [_value(f, name, v, zone) for v in values]
    if op == "EQ":
        return {n: parsed[0]}
    if op == "NE":
        return {n: {"$ne": parsed[0], "$exists": True}}
    if op == "BTW":  # both ends inclusive [I]
        low, high = parsed
        return {n: {"$gte": low, "$lte": high}}
    if op == "INCLUDES":
        return {n: {"$in": parsed}}
    if op == "EXCLUDES":
        return {n: {"$nin": parsed, "$exists": True}}
    return {n: {f"${op.lower()}": parsed[0]}}  # GT GTE LT LTE


def _matches(op: str, label: str, text: str) -> bool:
    label, text = label.lower(), text.lower()
    if op == "STARTS_WITH":
        return label.startswith(text)
    return text in label  # CONTAINS, DOES_NOT_CONTAINS


def _negated(name: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {"$and": [{name: {"$exists": True}}, {"$nor": [{name: condition}]}]}
