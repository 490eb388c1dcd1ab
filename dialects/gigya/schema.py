"""Per-type schemas (spec §6): what ds.setSchema declares and what writes teach it.

Stored as one document per type in ("gigya", apiKey, "schemas"): `_id` = type; field paths are
kept with ":" for "." (dots cannot be field names on every backend); `_rev` guards concurrent
changes (compare-and-replace, retried by the caller).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from doppelgate.engine import Collection, DuplicateKey
from doppelgate.engine.budget import BoundedPattern, bounded

from .errors import INVALID_PARAMETER_VALUE, GigyaError, invalid
from .fields import TYPE_NAMES, check_name, suffix_type

WRITE_ACCESS = ("serverOnly", "clientCreate", "clientModify")
FIELD_PROPERTIES = {"type", "writeAccess", "format", "encrypt", "languages", "required"}
MAX_LANGUAGES = 4
_REGEX_FORMAT = re.compile(r"^regex\((['\"])(.*)\1\)$", re.DOTALL)


class FieldSpec(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str | None = None
    writeAccess: str | None = None  # None: serverOnly, the default (spec §6)
    format: str | None = None
    encrypt: str | None = None
    languages: list[str] = msgspec.field(default_factory=list)
    required: bool | None = None
    explicit: bool = False  # declared through ds.setSchema
    hasData: bool = False  # ever received data: then no type change, no deletion (spec §6)

    @property
    def access(self) -> str:
        return self.writeAccess or "serverOnly"

    def pattern(self) -> BoundedPattern | None:
        """The format's regex, time-limited per match: RegexTimeout instead of a frozen server."""
        m = _REGEX_FORMAT.match(self.format or "")
        return bounded(m.group(2)) if m else None


class Schema(msgspec.Struct, kw_only=True):
    fields: dict[str, FieldSpec] = msgspec.field(default_factory=dict)
    unique: list[list[str]] = msgspec.field(default_factory=list)
    dynamicSchema: bool = True
    rev: int = 0

    def field_type(self, path: str) -> str | None:
        spec = self.fields.get(path)
        return spec.type if spec is not None and spec.type else suffix_type(path)

    def encrypted_paths(self) -> set[str]:
        return {path for path, spec in self.fields.items() if spec.encrypt}


async def load_schema(schemas: Collection, type_: str) -> Schema:
    doc = await schemas.find_one({"_id": type_})
    if doc is None:
        return Schema()
    fields = {k.replace(":", "."): v for k, v in doc.get("fields", {}).items()}
    return msgspec.convert(
        {
            "fields": fields,
            "unique": doc.get("unique", []),
            "dynamicSchema": doc.get("dynamicSchema", True),
            "rev": doc.get("_rev", 0),
        },
        Schema,
    )


async def save_schema(schemas: Collection, type_: str, schema: Schema) -> bool:
    """Compare-and-replace on `_rev`; False when another writer got there first."""
    doc = {
        "_id": type_,
        "fields": {
            k.replace(".", ":"): msgspec.to_builtins(v) for k, v in sorted(schema.fields.items())
        },
        "unique": schema.unique,
        "dynamicSchema": schema.dynamicSchema,
        "_rev": schema.rev + 1,
    }
    if schema.rev == 0:
        try:
            await schemas.insert(doc)
        except DuplicateKey:
            return False
        return True
    result = await schemas.replace({"_id": type_, "_rev": schema.rev}, doc)
    return result.matched == 1


def apply_data_schema(schema: Schema, data_schema: Any) -> list[list[str]]:
    """ds.setSchema's incremental change, in place; returns the new unique constraints (§6)."""
    if not isinstance(data_schema, dict):
        raise invalid("Invalid parameter value: dataSchema must be a JSON object")
    unknown = set(data_schema) - {"fields", "unique", "dynamicSchema"}
    if unknown:
        raise invalid(f"Invalid parameter value: unknown dataSchema keys {sorted(unknown)}")
    fields = data_schema.get("fields") or {}
    if not isinstance(fields, dict):
        raise invalid("Invalid parameter value: dataSchema.fields must be an object")
    for path, change in fields.items():
        _apply_field(schema, path, change)
    added = _add_unique(schema, data_schema.get("unique"))
    if "dynamicSchema" in data_schema:
        dynamic = data_schema["dynamicSchema"]
        if isinstance(dynamic, str) and dynamic.lower() in ("true", "false"):
            dynamic = dynamic.lower() == "true"
        if not isinstance(dynamic, bool):
            raise invalid("Invalid parameter value: dynamicSchema must be a boolean")
        schema.dynamicSchema = dynamic
    return added


def _check_path(path: Any) -> str:
    if not isinstance(path, str) or not path:
        raise invalid(f"Invalid parameter value: bad field path {path!r}")
    for name in path.split("."):
        check_name(name, path)
    return path


def _apply_field(schema: Schema, path: str, change: Any) -> None:
    _check_path(path)
    current = schema.fields.get(path)
    if change is None:
        if current is None:
            return
        if not current.hasData and not current.type:  # never held data, no type: gone (§6)
            del schema.fields[path]
        else:
            current.writeAccess = None  # otherwise only writeAccess resets (§6)
        return
    if not isinstance(change, dict):
        raise invalid(f"Invalid parameter value: field '{path}' must be an object or null")
    unknown = set(change) - FIELD_PROPERTIES
    if unknown:
        raise invalid(f"Invalid parameter value: field '{path}' has unknown {sorted(unknown)}")
    spec = current or FieldSpec()
    if change.get("type") is not None:
        new_type = change["type"]
        if new_type not in TYPE_NAMES:
            raise invalid(f"Invalid parameter value: '{new_type}' is not a field type")
        if spec.hasData and spec.type and spec.type != new_type:
            raise invalid(f"Invalid parameter value: field '{path}' holds data; type is fixed")
        spec.type = new_type
    if change.get("writeAccess") is not None:
        if change["writeAccess"] not in WRITE_ACCESS:
            raise invalid(f"Invalid parameter value: writeAccess {change['writeAccess']!r}")
        spec.writeAccess = change["writeAccess"]
    if "format" in change:
        _set_format(spec, path, change["format"])
    if "encrypt" in change:
        _set_encrypt(spec, path, change["encrypt"])
    if change.get("languages") is not None:
        _add_languages(spec, path, change["languages"])
    if isinstance(change.get("required"), bool):
        spec.required = change["required"]
    spec.explicit = True
    effective = spec.type or suffix_type(path)
    if spec.encrypt and effective not in (None, "string", "text"):
        raise invalid(f"Invalid parameter value: only string/text fields encrypt ('{path}')")
    schema.fields[path] = spec


def _set_format(spec: FieldSpec, path: str, value: Any) -> None:
    if value is None:
        spec.format = None
        return
    m = _REGEX_FORMAT.match(value) if isinstance(value, str) else None
    if m is None:
        raise invalid(f"Invalid parameter value: format of '{path}' must be regex('...')")
    try:
        bounded(m.group(2))
    except ValueError as exc:
        raise invalid(f"Invalid parameter value: bad regex for '{path}': {exc}") from None
    spec.format = value


def _set_encrypt(spec: FieldSpec, path: str, value: Any) -> None:
    if value in (None, "", False):
        if spec.encrypt:  # once set it cannot be removed (spec §6)
            raise invalid(f"Invalid parameter value: encryption of '{path}' cannot be removed")
        return
    if value != "AES":
        raise invalid(f"Invalid parameter value: encrypt must be AES, not {value!r}")
    spec.encrypt = "AES"


def _add_languages(spec: FieldSpec, path: str, value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"Invalid parameter value: languages of '{path}' must be strings")
    unsupported = [v for v in value if v != "ja"]  # only Japanese is supported (spec §6)
    if unsupported:
        raise invalid(f"Invalid parameter value: unsupported languages {unsupported}")
    merged = list(dict.fromkeys([*spec.languages, *value]))
    if len(merged) > MAX_LANGUAGES:
        raise GigyaError(INVALID_PARAMETER_VALUE, f"Too many languages for '{path}'")
    spec.languages = merged


def _add_unique(schema: Schema, value: Any) -> list[list[str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(group, list) and group for group in value):
        raise invalid("Invalid parameter value: unique must be an array of field-name arrays")
    added = []
    for group in value:
        paths = [_check_path(p) for p in group]
        for path in paths:
            _check_primitive(schema, path)
        if paths not in schema.unique:
            schema.unique.append(paths)
            added.append(paths)
    return added


def _check_primitive(schema: Schema, path: str) -> None:
    """ "Only regular primitive data fields can be defined as unique." (seed 001, spec §6)"""
    inside = path + "."
    if any(field.startswith(inside) for field in schema.fields):
        raise invalid(
            f"Invalid parameter value: unique field '{path}' is an object; only regular "
            "primitive data fields can be defined as unique"
        )


def public_schema(schema: Schema, mode: str) -> dict[str, Any]:
    """ds.getSchema's view: `full`, `explicitOnly` or `clientOnly` (spec §6)."""
    fields: dict[str, Any] = {}
    for path, spec in sorted(schema.fields.items()):
        if mode == "explicitOnly" and not spec.explicit:
            continue
        if mode == "clientOnly":
            if spec.access == "serverOnly":
                continue
            shown = {"type": spec.type or suffix_type(path), "format": spec.format}
            shown["required"] = spec.required
        else:
            shown = {
                "type": spec.type or suffix_type(path),
                "writeAccess": spec.access,
                "format": spec.format,
                "encrypt": spec.encrypt,
                "languages": spec.languages or None,
                "required": spec.required,
            }
        fields[path] = {k: v for k, v in shown.items() if v is not None}
    out: dict[str, Any] = {"fields": fields}
    if mode != "clientOnly":
        out["unique"] = schema.unique
        out["dynamicSchema"] = schema.dynamicSchema
    return out
