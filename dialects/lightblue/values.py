"""Values cast to a field's metadata type, as lightblue casts rvalues and documents (§3, §6, §7)."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from . import errors as E
from .dates import parse_date
from .errors import LightblueError
from .schema import Field

INT64 = 2**63
_encoder = msgspec.json.Encoder(decimal_format="number")


def show(value: Any) -> str:
    """A JSON value as lightblue's messages show it."""
    if isinstance(value, str):
        return value
    try:
        return _encoder.encode(value).decode()
    except (TypeError, msgspec.EncodeError):
        return str(value)


def plain(value: Any) -> Any:
    """Free JSON (`any` fields) as the engine stores it: JSON fractions as floats."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _bad(field: Field, value: Any) -> LightblueError:
    return LightblueError(E.INCOMPATIBLE_VALUE, f"{field.path}:{show(value)}")


def cast(field: Field, value: Any) -> Any:
    """`value` as stored for `field`'s type; metadata:IncompatibleValue when it cannot be."""
    if value is None:
        return None
    kind = field.type
    try:
        if kind in ("string", "uid"):
            if isinstance(value, dict | list):
                raise ValueError
            return "true" if value is True else "false" if value is False else str(value)
        if kind == "integer":  # IntegerType: a number's longValue(), a boolean 1/0
            number = _long(value)
            if not -INT64 <= number < INT64:  # a Java long: 2**64 is a bad value, not a crash
                raise OverflowError(number)
            return number
        if kind == "biginteger":  # beyond 64 bits: kept as its decimal text (§7)
            number = _integer(value)
            return number if -INT64 <= number < INT64 else str(number)
        if kind == "double":
            return _double(value)
        if kind == "bigdecimal":  # stored as text, exactly as written, as lightblue-mongo does
            return str(_decimal(value))
        if kind == "boolean":
            return _boolean(value)
        if kind == "date":
            return _date(value)
    except (ValueError, TypeError, OverflowError):
        raise _bad(field, value) from None
    return plain(value)  # binary, any, containers: as given


def _integer(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ValueError
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError
        return int(value)
    return int(value) if isinstance(value, int) else int(str(value).strip())


def _long(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | Decimal):
        if not (-INT64 <= value < INT64):
            raise ValueError(value)  # beyond a Java long
        return int(value)  # truncated toward zero, as Java's longValue()
    return _integer(value)


def _double(value: Any) -> float:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ValueError
    number = float(value) if isinstance(value, int | float | Decimal) else float(str(value).strip())
    if not math.isfinite(number):  # 1e400: JSON has no Infinity to give back
        raise ValueError(value)
    return number


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ValueError
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


def number_out(field: Field, value: Any) -> Any:
    """A stored bigdecimal/biginteger as the JSON number it was (§7)."""
    if isinstance(value, str):
        if field.type == "bigdecimal":
            return _decimal(value)
        if field.type == "biginteger":
            return int(value)
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):  # BooleanType: intValue() != 0
        return int(value) != 0
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError


def _date(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC)  # epoch millis [inf]
    if isinstance(value, str):
        return parse_date(value)
    raise ValueError


def new_uid() -> str:
    return str(uuid.uuid4())
