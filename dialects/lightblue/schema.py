"""An entity version's field tree: types, constraints, access, and lightblue path lookup (§6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import errors as E
from .errors import LightblueError

T = TypeVar("T")

SIMPLE_TYPES = frozenset(
    {"string", "integer", "double", "boolean", "date", "biginteger", "bigdecimal", "binary"}
    | {"uid", "any"}
)
CONTAINER_TYPES = frozenset({"object", "array", "reference"})
# ordering ops are refused on these (§3)
UNORDERED = frozenset({"bigdecimal", "biginteger", "binary", "any", "object", "array", "reference"})
STATUSES = ("active", "deprecated", "disabled")
VERSION = re.compile(r"^\d+\.\d+\.\d+(-.*)?$")  # metadata:InvalidVersionNumber otherwise (§2.4)


@dataclass(slots=True)
class Field:
    name: str
    path: str  # absolute, `*` for array elements
    type: str
    spec: dict[str, Any]
    fields: dict[str, Field] = field(default_factory=dict)  # object (and array-of-object) children
    items: Field | None = None  # an array's element
    parent: Field | None = None

    @property
    def constraints(self) -> dict[str, Any]:
        found = self.spec.get("constraints")
        return found if isinstance(found, dict) else {}

    @property
    def access(self) -> dict[str, Any]:
        found = self.spec.get("access")
        return found if isinstance(found, dict) else {}

    @property
    def generator(self) -> dict[str, Any] | None:
        found = self.spec.get("valueGenerator")
        return found if isinstance(found, dict) else None

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINER_TYPES


def _build(name: str, path: str, spec: Any, parent: Field | None) -> Field:
    if not isinstance(spec, dict):
        raise LightblueError(E.ILL_FORMED_METADATA, path)
    kind = spec.get("type")
    if kind not in SIMPLE_TYPES and kind not in CONTAINER_TYPES:
        raise LightblueError(E.INVALID_TYPE, f"{path}:{kind}")
    node = Field(name, path, kind, spec, parent=parent)
    if kind == "object":
        node.fields = _build_fields(spec.get("fields"), path, node)
    elif kind == "array":
        items = spec.get("items")
        if not isinstance(items, dict):
            raise LightblueError(E.PARSE_MISSING_ELEMENT, f"{path}.items")
        node.items = _build("*", f"{path}.*", items, node)
    return node


def _build_fields(specs: Any, path: str, parent: Field | None) -> dict[str, Field]:
    if not isinstance(specs, dict) or not specs:
        raise LightblueError(E.PARSE_MISSING_ELEMENT, f"{path}.fields" if path else "fields")
    out: dict[str, Field] = {}
    for name, spec in specs.items():
        if not name or "." in name or name.startswith("$"):
            raise LightblueError(E.ILL_FORMED_METADATA, name)
        out[name] = _build(name, f"{path}.{name}" if path else name, spec, parent)
    return out


def add_predefined(fields: dict[str, Any]) -> dict[str, Any]:
    """`_id`, `objectType` and one `<array>#` count per array, as create adds them (§6)."""
    out = dict(fields)
    out.setdefault("_id", {"type": "string"})
    out["objectType"] = {
        "type": "string",
        "constraints": {"required": True, "minLength": 1},
        "access": {"find": ["anyone"], "update": ["noone"]},
    }
    return _with_counts(out)


def _with_counts(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if not isinstance(spec, dict):
            out[name] = spec
            continue
        spec = dict(spec)
        if spec.get("type") == "object" and isinstance(spec.get("fields"), dict):
            spec["fields"] = _with_counts(spec["fields"])
        if spec.get("type") == "array" and isinstance(spec.get("items"), dict):
            items = dict(spec["items"])
            if items.get("type") == "object" and isinstance(items.get("fields"), dict):
                items["fields"] = _with_counts(items["fields"])
            spec["items"] = items
        out[name] = spec
        if spec.get("type") == "array" and not name.endswith("#"):
            out[f"{name}#"] = {"type": "integer", "access": {"find": ["anyone"]}}
    return out


class Schema:
    """One entity version: {entityInfo, schema} parsed for lookups and validation."""

    def __init__(self, metadata: dict[str, Any]) -> None:
        self.metadata = metadata
        self.info: dict[str, Any] = metadata["entityInfo"]
        self.schema: dict[str, Any] = metadata["schema"]
        self.name: str = self.info["name"]
        self.version: str = self.schema["version"]["value"]
        self.status: str = self.schema["status"]["value"]
        self.root = Field("", "", "object", {"fields": self.schema["fields"]})
        self.root.fields = _build_fields(self.schema["fields"], "", self.root)
        self.enums = _enums(self.info.get("enums"))
        self.access: dict[str, Any] = self.schema.get("access") or {}
        # what the operations derive from this version, once: a Schema never changes once parsed
        self.memo: dict[str, Any] = {}

    def derived(self, name: str, derive: Callable[[Schema], T]) -> T:
        """What `derive` makes of this version, made once (`memo`)."""
        if name not in self.memo:
            self.memo[name] = derive(self)
        return self.memo[name]  # type: ignore[no-any-return]

    @property
    def collection(self) -> str:
        store = self.info.get("datastore") or {}
        name = store.get("collection") if isinstance(store, dict) else None
        return name if isinstance(name, str) and name else self.name

    def identity(self) -> list[str]:
        """Paths of `identity` fields (the save key), else ["_id"] (§5)."""
        found = [f.path for f in self.walk() if f.constraints.get("identity") is True]
        return found or ["_id"]

    def case_insensitive(self) -> list[str]:
        """Paths of index fields marked caseInsensitive (kept lower-cased, hidden) (§6)."""
        out = []
        for index in self.info.get("indexes") or []:
            for f in index.get("fields") or [] if isinstance(index, dict) else []:
                if isinstance(f, dict) and f.get("caseInsensitive") is True:
                    out.append(str(f.get("field")))
        return out

    def walk(self, node: Field | None = None) -> list[Field]:
        node = node or self.root
        out: list[Field] = []
        for child in node.fields.values():
            out.append(child)
            out += self.walk(child) if child.type == "object" else []
            if child.items is not None:
                out.append(child.items)
                out += self.walk(child.items) if child.items.type == "object" else []
        return out

    def field(self, path: str | list[str]) -> Field:
        """The field an absolute path names: numeric steps and `*` cross arrays (§3)."""
        steps = split(path) if isinstance(path, str) else path
        text = ".".join(steps)
        node = self.root
        for step in steps:
            if node.type == "array":
                if step != "*" and not is_index(step):
                    raise LightblueError(E.INVALID_ARRAY_REFERENCE, text)
                assert node.items is not None
                node = node.items
            elif node.type == "object" and step in node.fields:
                node = node.fields[step]
            else:
                raise LightblueError(E.INVALID_FIELD_REFERENCE, f"{step} in {text}")
        return node

    def enum_values(self, name: str) -> list[Any] | None:
        return self.enums.get(name)


def _enums(specs: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for spec in specs if isinstance(specs, list) else []:
        if isinstance(spec, dict) and isinstance(spec.get("name"), str):
            values = list(spec.get("values") or [])
            values += [
                a.get("name") for a in spec.get("annotatedValues") or [] if isinstance(a, dict)
            ]
            out[spec["name"]] = values
    return out


def is_index(step: str) -> bool:
    return step.lstrip("-").isdigit() and step not in ("-", "")


def split(path: str) -> list[str]:
    return [s for s in path.split(".")] if path else []


def absolute(path: str, context: list[str]) -> list[str]:
    """A path in a context (elemMatch, $foreach): `$this` stays, `$parent` steps up (§3)."""
    out = list(context)
    for step in split(path):
        if step == "$this":
            continue
        if step == "$parent":
            if not out:
                raise LightblueError(E.INVALID_FIELD_REFERENCE, path)
            out.pop()
            continue
        out.append(step)
    return out
