"""One ds.store checked against its type's schema before anything is written (spec §3, §6)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import msgspec

from .errors import (
    DYNAMIC_FIELDS_VALIDATION,
    INVALID_FORMAT_VALIDATION,
    INVALID_TYPE_VALIDATION,
    SCHEMA_VALIDATION_FAILED,
    GigyaError,
)
from .fields import check_type, containers, detect_type, leaves
from .querytext import parse_date
from .records import value_at
from .schema import FieldSpec, Schema


@dataclass(slots=True)
class WritePlan:
    """What a checked write teaches the schema: types of new fields, fields now holding data."""

    learned: dict[str, str | None] = field(default_factory=dict)  # path -> type (None: unknown)
    touched: set[str] = field(default_factory=set)

    def changes(self, schema: Schema) -> bool:
        for path in self.touched | set(self.learned):
            spec = schema.fields.get(path)
            if spec is None or not spec.hasData or (not spec.type and self.learned.get(path)):
                return True
        return False

    def apply(self, schema: Schema) -> None:
        for path in self.touched | set(self.learned):
            spec = schema.fields.setdefault(path, FieldSpec())
            if not spec.type and self.learned.get(path):
                spec.type = self.learned[path]
            spec.hasData = True


def check_write(
    schema: Schema, data: dict[str, Any], existing: dict[str, Any] | None, client: bool
) -> WritePlan:
    """Raise the vendor's validation error for the first bad field; else what to learn."""
    plan = WritePlan()
    for path in containers(data):
        spec = schema.fields.get(path)
        if spec is not None and spec.type:  # an object where a typed value belongs
            raise GigyaError(
                INVALID_TYPE_VALIDATION,
                f"Invalid type validation: field '{path}' is of type {spec.type}, not an object",
            )
    for path, value in leaves(data):
        spec = schema.fields.get(path)
        if spec is None and not schema.dynamicSchema:  # strict schema (spec §6)
            raise GigyaError(
                DYNAMIC_FIELDS_VALIDATION,
                f"Dynamic fields validation: '{path}' is not in the schema of this type",
            )
        field_type = schema.field_type(path) or plan.learned.get(path) or detect_type(value)
        if field_type is not None:
            check_type(path, field_type, value)
        if path not in plan.learned or plan.learned[path] is None:
            plan.learned[path] = field_type
        plan.touched.add(path)
        _check_format(spec, path, value)
        if client:
            _check_client_access(spec, path, existing)
    return plan


def _check_format(spec: FieldSpec | None, path: str, value: Any) -> None:
    pattern = spec.pattern() if spec is not None else None
    if pattern is not None and value is not None and not pattern.search(str(value)):
        raise GigyaError(
            INVALID_FORMAT_VALIDATION,
            f"Invalid format validation: '{path}' does not match {spec.format if spec else ''}",
        )


def _check_client_access(
    spec: FieldSpec | None, path: str, existing: dict[str, Any] | None
) -> None:
    """Unsigned writes: serverOnly never, clientCreate only while unset (spec §2, §6)."""
    access = spec.access if spec is not None else "serverOnly"
    if access == "clientModify":
        return
    if access == "clientCreate" and not (existing and value_at(existing, path)):
        return
    raise GigyaError(
        SCHEMA_VALIDATION_FAILED,
        f"Schema validation failed: field '{path}' is {access}; client-side write rejected",
    )


def encrypt_submitted(data: Any, encrypted: set[str], encrypt: Any, prefix: str = "") -> Any:
    """The submitted data with values at encrypted paths replaced by their ciphertext."""
    if not encrypted:
        return data
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else key
            if path in encrypted and not isinstance(value, dict):
                out[key] = encrypt(value)
            else:
                out[key] = encrypt_submitted(value, encrypted, encrypt, path)
        return out
    if isinstance(data, list):
        return [encrypt_submitted(item, encrypted, encrypt, prefix) for item in data]
    return data


def unique_keys(type_: str, schema: Schema, plain: dict[str, Any]) -> list[str]:
    """One index key per unique constraint whose fields all hold one primitive (spec §6)."""
    keys = []
    for group in schema.unique:
        values = []
        for path in group:
            found = value_at(plain, path)
            if len(found) != 1 or found[0] is None or isinstance(found[0], dict | list):
                break
            values.append(found[0])
        else:
            blob = msgspec.json.encode([type_, group, values])
            keys.append("u:" + hashlib.sha256(blob).hexdigest())
    return keys


def folded_shadow(schema: Schema, plain: dict[str, Any], encrypt: Any) -> dict[str, Any]:
    """Encrypted fields case-folded, then encrypted: CONTAINS on them ignores case (spec §4).

    `_folded.<path with ':' for '.'>`; AES-SIV is deterministic, so a folded search term
    encrypts to the same ciphertext. Plain (pre-encryption) values get no shadow.
    """
    shadow: dict[str, Any] = {}
    for path in schema.encrypted_paths():
        values = [v.casefold() for v in value_at(plain, path) if isinstance(v, str)]
        if values:
            folded = [encrypt(v) for v in values]
            shadow[path.replace(".", ":")] = folded[0] if len(folded) == 1 else folded
    return shadow


def date_shadow(schema: Schema, plain: dict[str, Any], learned: dict[str, str | None]) -> dict:
    """Date fields as datetimes, for range search: `_dates.<path with ':' for '.'>`."""
    shadow: dict[str, Any] = {}
    seen: set[str] = set()
    for path, _ in leaves(plain):
        if path in seen:
            continue
        seen.add(path)
        if (schema.field_type(path) or learned.get(path)) != "date":
            continue
        values = [parse_date(v) for v in value_at(plain, path) if isinstance(v, str)]
        values = [v for v in values if v is not None]
        if values:
            shadow[path.replace(".", ":")] = values[0] if len(values) == 1 else values
    return shadow
