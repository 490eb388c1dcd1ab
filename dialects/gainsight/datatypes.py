"""Per data type: parse a JSON input into its stored form, render it back (spec §2).

Stored forms: strings, numbers, booleans; Date/DateTime as epoch ms; dropdowns as item GSIDs;
multi-select as a list of item GSIDs; JSON as given. Bad input raises FieldFailure.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .dates import BadDate, iso_date, iso_datetime, parse_date, parse_datetime
from .errors import (
    FIELD_TOO_LONG,
    INVALID_DATE,
    INVALID_DATETIME,
    INVALID_PICKLIST,
    TYPE_VALIDATION,
    FieldFailure,
)
from .gsid import is_gsid
from .options import DateOutput
from .schema import STRING_LENGTH, FieldSchema

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
SFDCID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
MAX_DECIMALS = 9  # decimalPlaces, max 9 (spec §2)
NUMERIC = ("NUMBER", "CURRENCY", "PERCENTAGE")
STRINGISH = ("STRING", "RICHTEXTAREA", "EMAIL", "GSID", "LOOKUP", "URL", "SFDCID")

# GSOBJ_1008 messages: Boolean and Percentage from the docs, the rest [I] (spec §2)
NUMBER_MESSAGES = {
    "NUMBER": "Failed to parse value as number.",
    "CURRENCY": "Failed to parse value as currency.",
    "PERCENTAGE": "Failed to parse value as percentage.",
}


def _number(f: FieldSchema, value: Any) -> int | float:
    number: Any = value
    if isinstance(value, str):  # numeric strings accepted [I]
        try:
            number = float(value.strip()) if value.strip() else None
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or number != number:
        raise FieldFailure(TYPE_VALIDATION, NUMBER_MESSAGES[f.dataType])
    if number in (float("inf"), float("-inf")):
        raise FieldFailure(TYPE_VALIDATION, NUMBER_MESSAGES[f.dataType])
    places = MAX_DECIMALS if f.decimalPlaces is None else min(f.decimalPlaces, MAX_DECIMALS)
    if isinstance(number, float):
        number = round(number, places)
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise FieldFailure(TYPE_VALIDATION, f"Invalid Boolean Value: {_text(value)}")


def _text(value: Any) -> str:
    from .errors import show

    return show(value)


def _string(f: FieldSchema, value: Any) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)  # scalars become text [I]
    elif isinstance(value, str):
        text = value
    else:
        raise FieldFailure(TYPE_VALIDATION, "Invalid string value.")
    if f.length is not None and len(text) > f.length:
        raise FieldFailure(FIELD_TOO_LONG)
    return text


def _matching(f: FieldSchema, pattern: re.Pattern[str], message: str, value: Any) -> str:
    if not isinstance(value, str) or not pattern.match(value.strip()):
        raise FieldFailure(TYPE_VALIDATION, message)
    return _string(f, value.strip())


def _picklist(f: FieldSchema, value: Any) -> str:
    item = f.item(value)
    if item is None or not item.active:
        # invalidValue is an array for dropdowns (spec §1.2)
        raise FieldFailure(INVALID_PICKLIST, invalid=[value])
    return item.value


def _multiselect(f: FieldSchema, value: Any) -> list[str] | None:
    labels = value.split(";") if isinstance(value, str) else value  # list or ;-joined [I]
    if not isinstance(labels, list):
        raise FieldFailure(INVALID_PICKLIST, invalid=[value])
    out: list[str] = []
    for label in labels:
        if isinstance(label, str) and not label.strip():
            continue
        item = f.item(label)
        if item is None or not item.active:
            raise FieldFailure(INVALID_PICKLIST, invalid=labels)
        if item.value not in out:
            out.append(item.value)
    order = [i.value for i in f.items]  # stored in the dropdown's display order [I]
    return sorted(out, key=order.index) or None


def parse(f: FieldSchema, value: Any, zone: dt.tzinfo) -> Any:
    """The stored form of a non-null input for field `f`."""
    kind = f.dataType
    if kind in NUMERIC:
        return _number(f, value)
    if kind == "BOOLEAN":
        return _boolean(value)
    if kind == "DATE":
        try:
            return parse_date(value, zone)
        except BadDate:
            raise FieldFailure(INVALID_DATE) from None
    if kind == "DATETIME":
        try:
            return parse_datetime(value, zone)
        except BadDate:
            raise FieldFailure(INVALID_DATETIME) from None
    if kind == "EMAIL":
        return _matching(f, EMAIL, "Invalid email address.", value)
    if kind in ("GSID", "LOOKUP"):
        if not is_gsid(value):
            raise FieldFailure(TYPE_VALIDATION, "Invalid GSID value.")
        return value
    if kind == "URL":
        return _matching(f, URL, "Invalid URL value.", value)
    if kind == "SFDCID":
        return _matching(f, SFDCID, "Invalid SFDC Id value.", value)
    if kind == "PICKLIST":
        return _picklist(f, value)
    if kind == "MULTISELECTDROPDOWNLIST":
        return _multiselect(f, value)
    if kind == "JSON":
        if not isinstance(value, dict | list):
            raise FieldFailure(TYPE_VALIDATION, "Invalid JSON value.")
        return value
    return _string(f, value)  # STRING, RICHTEXTAREA


def render(f: FieldSchema | None, value: Any, output: DateOutput) -> Any:
    """A stored value as the API returns it (spec §2.2)."""
    if value is None or f is None:
        return value
    if f.dataType == "DATETIME" and isinstance(value, int):
        return iso_datetime(value) if output == "iso" else value
    if f.dataType == "DATE" and isinstance(value, int):
        return iso_date(value) if output == "iso" else value
    if f.dataType == "MULTISELECTDROPDOWNLIST" and isinstance(value, list):
        return ";".join(value)  # item GSIDs joined as the vendor stores them [README]
    return value


def infer_type(value: Any) -> str | None:
    """The dataType an undeclared field gets from its first non-null value (README)."""
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float):
        return "NUMBER"
    if isinstance(value, dict | list):
        return "JSON"
    if not isinstance(value, str):
        return None
    if is_gsid(value):
        return "GSID"
    for kind, parser in (("DATE", parse_date), ("DATETIME", parse_datetime)):
        try:
            parser(value, dt.UTC)
        except BadDate:
            continue
        if kind == "DATE" and ("T" in value or ":" in value):
            continue  # a full timestamp is a DateTime
        return kind
    if EMAIL.match(value):
        return "EMAIL"
    return "STRING" if len(value) <= STRING_LENGTH else "RICHTEXTAREA"
