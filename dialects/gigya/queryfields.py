"""How a ds.search query's field names become engine paths and kinds (spec §3, §4).

Field mapping (coordinate with service.py)
------------------------------------------
A query names fields by *record path*: `data.album.title_s`, or a bare `album.title_s` (resolved
under `data`, spec §4), or a top-level record field. `record_path()` normalises the name;
a `FieldResolver` then turns the record path into a `FieldInfo`: the *engine path* the filter and
sort use, the field's schema type (`kind`) and whether it is encrypted. The default resolver
(`default_field`) assumes the stored shape

    {"_id": <oid>, "type": <type>, "UID": <uid>?, "data": {...as submitted...},
     "created": <ms epoch>, "lastUpdated": <ms epoch>}

    oid -> "_id"          UID -> "UID"           created / createdTime -> "created"
    lastUpdated / lastUpdatedTime -> "lastUpdated"                   data.<p> -> "data.<p>"

and takes a data field's kind from its type suffix (`_i _f _s _t _b _d`). The service wraps it
to add schema types/encryption or to move paths (e.g. `_d` fields to a normalised shadow copy).

Literal typing: a literal must fit the field's kind (spec §4 "type mismatch -> 400006"). Dates
(`_d`) become timezone-aware UTC datetimes, so a `_d` field must be stored as datetimes at its
engine path (normalise with `parse_date`); created/lastUpdated take a number (ms) or a date
string (converted to ms). Fields of unknown kind take any literal as written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What the filter needs to know about one field."""

    path: str  # engine path
    kind: str | None = None  # schema type name (spec §3), "epoch_ms", or None when unknown
    encrypted: bool = False


FieldResolver = Callable[[str], FieldInfo]

INTEGER, LONG, FLOAT, STRING, TEXT, BOOLEAN, DATE, BINARY = (
    "integer",
    "long",
    "float",
    "string",
    "text",
    "boolean",
    "date",
    "binary",
)
EPOCH_MS: Final = "epoch_ms"  # created/lastUpdated: numbers of ms; date literals converted

SUFFIX_KINDS: Final = {"i": LONG, "f": FLOAT, "s": STRING, "t": TEXT, "b": BOOLEAN, "d": DATE}
SYSTEM_FIELDS: Final = {
    "oid": FieldInfo("_id", STRING),
    "UID": FieldInfo("UID", STRING),
    "created": FieldInfo("created", EPOCH_MS),
    "createdTime": FieldInfo("created", EPOCH_MS),
    "lastUpdated": FieldInfo("lastUpdated", EPOCH_MS),
    "lastUpdatedTime": FieldInfo("lastUpdated", EPOCH_MS),
}


def record_path(name: str) -> str:
    """`oid` stays; `data.x` stays; any other bare path lives under `data` (spec §4 [inf])."""
    if name in SYSTEM_FIELDS or name == "data" or name.startswith("data."):
        return name
    return f"data.{name}"


def suffix_kind(path: str) -> str | None:
    """The kind a type suffix gives the last path segment: `age_i` -> long (spec §3)."""
    stem, sep, suffix = path.rpartition(".")[2].rpartition("_")
    return SUFFIX_KINDS.get(suffix) if sep and stem else None


def default_field(path: str) -> FieldInfo:
    """The default resolver: system fields per SYSTEM_FIELDS, data fields kept as they are."""
    return SYSTEM_FIELDS.get(path) or FieldInfo(path, suffix_kind(path))
