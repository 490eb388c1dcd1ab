"""One record of a write call, validated field by field in request order (spec §1.2, §1.8):
unknown field, nullability, type parse, length, dropdown item. The first failure stops the call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .datatypes import infer_type, parse, render
from .errors import INVALID_FIELD, INVALID_VALUE, FieldFailure, field_error
from .options import DateOutput
from .schema import SYSTEM, FieldSchema, ObjectSchema, field_from_decl


@dataclass(slots=True)
class Parsed:
    """A record's stored values (None = clear the field) in request order."""

    values: dict[str, Any] = field(default_factory=dict)

    def set_and_unset(self) -> tuple[dict[str, Any], dict[str, str]]:
        to_set = {k: v for k, v in self.values.items() if v is not None}
        to_unset = {k: "" for k, v in self.values.items() if v is None}
        return to_set, to_unset


def infer_fields(
    schema: ObjectSchema, records: list[dict[str, Any]], skip: set[str], tenant: str
) -> dict[str, str]:
    """New fields of an inferred object, typed by their first non-null value (README)."""
    if not schema.inferred:
        return {}
    new: dict[str, str] = {}
    for record in records:
        for name, value in record.items():
            if name in skip or schema.field(name) is not None or name.lower() in SYSTEM:
                continue
            kind = infer_type(value)
            if kind is not None and add_field(schema, name, kind, tenant):
                new[name] = kind  # an impossible field name stays unknown: GSOBJ_1002 later
    return new


def add_field(schema: ObjectSchema, name: str, kind: str, tenant: str) -> bool:
    try:
        schema.add(field_from_decl(tenant, schema.name, name, kind))
    except ValueError:
        return False
    return True


def parse_record(
    schema: ObjectSchema,
    record: dict[str, Any],
    skip: set[str],
    zone: dt.tzinfo,
    *,
    require: bool,
) -> Parsed:
    parsed = Parsed()
    for name, raw in record.items():
        if name in skip:
            continue
        f = schema.field(name)
        if f is None:
            if schema.inferred and raw is None:
                continue  # a null for a field never seen: nothing to store or infer
            raise field_error(FieldFailure(INVALID_FIELD), name, raw)
        if f.readOnly:
            continue  # system fields are set by the server (spec §5)
        parsed.values[f.name] = parse_value(f, raw, zone)
    if require:
        for f in schema.ordered:  # non-nillable fields must be supplied (spec §1.2)
            if not f.nillable and not f.readOnly and parsed.values.get(f.name) is None:
                raise field_error(FieldFailure(INVALID_VALUE), f.name, None)
    return parsed


def parse_value(f: FieldSchema, raw: Any, zone: dt.tzinfo) -> Any:
    try:
        if raw is None:
            if not f.nillable:
                raise FieldFailure(INVALID_VALUE)  # null into a non-nillable field (spec §1.2)
            return None
        return parse(f, raw, zone)
    except FieldFailure as failure:
        raise field_error(failure, f.name, raw) from None


def full_row(schema: ObjectSchema, doc: dict[str, Any], output: DateOutput) -> dict[str, Any]:
    """Every field of the object, null where empty (spec §1.3): GSID first, audit fields last."""
    fields = sorted(schema.ordered, key=lambda f: f.readOnly and f.name != "Gsid")
    return {f.name: render(f, doc.get(f.name), output) for f in fields}


def echo(
    schema: ObjectSchema, doc: dict[str, Any], names: list[str], output: DateOutput
) -> dict[str, Any]:
    """The insert response's record: GSID, the submitted fields, the dates (spec §1.2)."""
    out = {"Gsid": doc["Gsid"]}
    for name in names:
        f = schema.field(name)
        if f is not None and not f.readOnly:
            out[f.name] = render(f, doc.get(f.name), output)
    out["CreatedDate"] = render(schema.field("CreatedDate"), doc["CreatedDate"], output)
    out["ModifiedDate"] = render(schema.field("ModifiedDate"), doc["ModifiedDate"], output)
    return out
