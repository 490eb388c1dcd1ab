"""Data Store field rules (spec §3): names, paths, type suffixes, auto-detection, type checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .errors import INVALID_PARAMETER_VALUE, INVALID_TYPE_VALIDATION, GigyaError
from .querytext import parse_date

FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")  # spec §3
SUFFIX_TYPES = {"i": "long", "f": "float", "s": "string", "t": "text", "b": "boolean", "d": "date"}
TYPE_NAMES = ("integer", "long", "float", "boolean", "string", "text", "date", "binary")


def check_name(name: str, path: str) -> None:
    if not FIELD_NAME.match(name):
        raise GigyaError(
            INVALID_PARAMETER_VALUE,
            f"Invalid field name '{path}': must start with a letter and hold only letters, "
            "digits and underscores",
        )


def leaves(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every primitive; array elements share their array's path."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else key
            check_name(key, path)
            if isinstance(value, dict | list):
                if isinstance(value, dict) and not value:
                    continue
                yield from leaves(value, path)
            else:
                yield path, value
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict | list):
                yield from leaves(item, prefix)
            else:
                yield prefix, item


def containers(data: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of the objects inside `data` (they have no type of their own)."""
    items = data.items() if isinstance(data, dict) else ((None, v) for v in data)
    for key, value in items:
        path = prefix if key is None else (f"{prefix}.{key}" if prefix else key)
        if isinstance(value, dict):
            if key is not None:
                yield path
            yield from containers(value, path)
        elif isinstance(value, list):
            yield from containers(value, path)


def suffix_type(path: str) -> str | None:
    """`name_<x>` gives the type (spec §3 table)."""
    leaf = path.rpartition(".")[2]
    name, sep, suffix = leaf.rpartition("_")
    return SUFFIX_TYPES.get(suffix) if sep and name else None


def detect_type(value: Any) -> str | None:
    """Auto-detection from the first value; failure means string (spec §3) [inf: no dates]."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "float"
    return "string"


def fits(field_type: str, value: Any) -> bool:
    """Does `value` (a primitive, never an object) fit a field of this type?"""
    if value is None:
        return True
    if field_type in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if field_type == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field_type == "boolean":
        return isinstance(value, bool)
    if field_type == "date":
        return isinstance(value, str) and parse_date(value) is not None
    return isinstance(value, str)  # string, text, binary


def check_type(path: str, field_type: str, value: Any) -> None:
    if isinstance(value, dict) or not fits(field_type, value):
        raise GigyaError(
            INVALID_TYPE_VALIDATION,
            f"Invalid type validation: field '{path}' is of type {field_type}, not {value!r}",
        )
