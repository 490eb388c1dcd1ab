"""Stored values <-> JSON: datetimes and bytes travel tagged ({"$date": ISO}, {"$binary":
base64}), as in MongoDB's extended JSON, so a snapshot or a seed file round-trips exactly
(stored field names never start with `$`, so the tags cannot clash with data)."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any


def to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$binary": base64.b64encode(value).decode()}
    return value


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            if "$date" in value:
                return _date(value["$date"])
            if "$binary" in value:
                return base64.b64decode(value["$binary"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def _date(text: Any) -> dt.datetime:
    if not isinstance(text, str):
        raise ValueError(f"$date takes an ISO-8601 string, not {text!r}")
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
