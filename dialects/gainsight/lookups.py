"""Import lookups (spec §4): fill a GSID field of every record from a row of another object
found by matching request-only columns, with onNoMatch and multiMatchOption."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from doppelgate.engine import Collection

from .errors import TYPE_VALIDATION, FieldFailure, field_error, invalid_request
from .schema import ObjectSchema
from .wire import Lookup

NO_VALUE: Any = object()  # the record gives none of the lookup's source columns
NO_MATCH = "No match found for lookup"  # [I] (spec §4)
MULTIPLE = "Multiple matches found for lookup"

Objects = Callable[[str], Awaitable[ObjectSchema | None]]
Rows = Callable[[ObjectSchema], Collection]


def consumed_keys(schema: ObjectSchema, lookups: dict[str, Lookup] | None) -> set[str]:
    """Source columns that are not fields of the object: consumed, never stored (spec §1.2)."""
    keys: set[str] = set()
    for config in (lookups or {}).values():
        keys.update(k for k in config.fields if schema.field(k) is None)
    return keys


async def resolve(
    schema: ObjectSchema,
    lookups: dict[str, Lookup] | None,
    records: list[dict[str, Any]],
    objects: Objects,
    rows: Rows,
    zone: dt.tzinfo,
) -> list[dict[str, Any]]:
    """Per record, {target field name: GSID or None}; lookup failures raise (spec §4)."""
    found: list[dict[str, Any]] = [{} for _ in records]
    for target_name, config in (lookups or {}).items():
        target = schema.field(target_name)
        if target is None or target.dataType not in ("GSID", "LOOKUP") or target.readOnly:
            raise invalid_request(f"Lookup target {target_name} must be a GSID field.")
        source = await objects(config.objectName)
        if source is None:
            raise invalid_request(f"Unknown lookup object {config.objectName}.")
        pairs = []
        for column, field_name in config.fields.items():
            f = source.field(field_name)
            if f is None:
                raise invalid_request(f"Unknown lookup field {config.objectName}.{field_name}.")
            pairs.append((column, f))
        copy = source.field(config.lookupField)
        if copy is None or not pairs:
            raise invalid_request(f"Invalid lookupField {config.lookupField}.")
        collection = rows(source)
        for i, record in enumerate(records):
            if not any(column in record for column, _ in pairs):
                continue  # nothing to look up with: the target is left alone
            match: dict[str, Any] = {}
            for column, f in pairs:
                raw = record.get(column)
                match[f.name] = {"$exists": False} if raw is None else _parsed(f, raw, zone)
            value = await _one(collection, match, config, target.name, copy.name)
            if value is NO_VALUE:
                value = target.defaultValue
            found[i][target.name] = value
    return found


def _parsed(f: Any, raw: Any, zone: dt.tzinfo) -> Any:
    from .datatypes import parse

    try:
        return parse(f, raw, zone)
    except FieldFailure:
        return {"$in": []}  # a value the field cannot hold matches no row


async def _one(
    collection: Collection, match: dict[str, Any], config: Lookup, target: str, copy: str
) -> Any:
    # "first" = earliest-created row (spec §4)
    candidates = await collection.find(match, sort=[("_n", 1), ("_id", 1)], limit=2)
    if not candidates:
        if config.onNoMatch == "ERROR":
            raise field_error(FieldFailure(TYPE_VALIDATION, NO_MATCH), target, None)
        return NO_VALUE if config.onNoMatch == "DEFAULTVALUE" else None
    if len(candidates) > 1 and config.multiMatchOption == "MARKASERROR":
        raise field_error(FieldFailure(TYPE_VALIDATION, MULTIPLE), target, None)
    return candidates[0].get(copy)
