"""The steps every data operation shares: entity, access, indexes, how a document shows (§2, §6)."""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate.engine import Collection, Derived, Engine

from . import errors as E
from .access import Caller
from .calls import Outcome, requested
from .documents import HIDDEN, numbers_out
from .errors import LightblueError
from .metastore import MetadataStore
from .paging import sort_spec
from .projection import EVERYTHING, Projection
from .query import Query, engine_path
from .schema import Field, Schema, split
from .wire import Request


def doc_version(doc: dict[str, Any]) -> str:
    """`<_id>:<opaque version>`, changed by every write (§5)."""
    hidden = doc.get(HIDDEN)
    version = hidden.get("docver") if isinstance(hidden, dict) else None
    return f"{doc.get('_id')}:{version or ''}"


class DataService:
    """One caller against one tenant's entities: what the operations (reads.py, writes.py,
    searches.py) are composed from; operations.py names which operation runs."""

    def __init__(self, engine: Engine, caller: Caller, schemas: Derived[Schema]) -> None:
        self.engine = engine
        self.caller = caller
        self.store = MetadataStore(engine, caller.tenant, schemas)

    async def open(
        self, out: Outcome, body: Request, version: str | None, *ops: str, label: str = ""
    ) -> Schema:
        """Resolve entity and version, check entity access, prepare the collection."""
        entity, wanted = requested(body, out.entity, version)
        out.version = wanted
        schema = await self.store.resolve(entity, wanted)
        out.use(schema)
        if not all(self.caller.may(schema, op) for op in ops):
            raise LightblueError(E.NO_ACCESS, f"{label or '/'.join(ops)} {schema.name}")
        await self.ensure_indexes(schema)
        return schema

    def query(self, schema: Schema) -> Query:
        """A find's query translator: fields the caller cannot find are refused (§2.4)."""
        return Query(schema, lambda field: self.caller.may_field(schema, field, "find"))

    def collection(self, schema: Schema) -> Collection:
        return self.store.data(schema)

    async def ensure_indexes(self, schema: Schema) -> None:
        # every call: the engine answers an index it has without I/O, and notices a reset's drop
        coll = self.collection(schema)
        for keys, unique in schema.derived("indexes", declared_indexes):
            await coll.ensure_index(keys, unique=unique)

    def projection(self, schema: Schema, spec: Any) -> Projection | None:
        if spec is msgspec.UNSET or spec is None:
            return None
        query = self.query(schema)
        projection = Projection(
            spec,
            make_filter=query.element_predicate,
            make_sort=lambda s, base: sort_spec(schema, s, base),
        )
        for rule in projection.rules:  # array rules need an array field (§4)
            if rule.is_array_rule and schema.field(rule.pattern).type != "array":
                raise LightblueError(E.INVALID_PROJECTION, ".".join(rule.pattern))
        return projection

    def visible(self, schema: Schema, doc: dict[str, Any]) -> dict[str, Any]:
        """A stored document as a caller sees it: numbers restored, marker fields filled,
        fields the caller may not find removed (§4, §6)."""
        out = numbers_out(schema.root, doc)
        for name, whole in schema.derived("markers", marker_fields):
            out[name] = doc_version(doc) if whole else {"documentVersion": doc_version(doc)}
        return hide(self.caller, schema, schema.root, out)

    def shown(self, schema: Schema, projection: Projection | None, doc: dict[str, Any]) -> Any:
        """A stored document as `processed` shows it: visible, then projected."""
        if projection is None:
            return {}
        return projection.apply(self.visible(schema, doc))

    def whole(self, schema: Schema, doc: dict[str, Any]) -> Any:
        return Projection(EVERYTHING).apply(self.visible(schema, doc))


def marker_fields(schema: Schema) -> list[tuple[str, bool]]:
    """Top-level fields the server fills: (name, True) a documentVersion, (name, False) a
    resultMetadata (§6)."""
    markers = []
    for field in schema.root.fields.values():
        if field.spec.get("documentVersion") is True:
            markers.append((field.name, True))
        elif field.spec.get("resultMetadata") is True:
            markers.append((field.name, False))
    return markers


def declared_indexes(schema: Schema) -> list[tuple[list[tuple[str, int]], bool]]:
    """(keys, unique) of each index the metadata declares: unique ones are constraints, every
    one serves queries (§6); `_id` alone is the engine's own."""
    declared = []
    for index in schema.info.get("indexes") or []:
        if not isinstance(index, dict):
            continue
        fields = [f for f in index.get("fields") or [] if isinstance(f, dict)]
        keys = [(_index_path(f), -1 if f.get("dir") == "$desc" else 1) for f in fields]
        if keys and keys != [("_id", 1)]:
            declared.append((keys, index.get("unique") is True))
    return declared


def _index_path(spec: dict[str, Any]) -> str:
    path = engine_path(split(str(spec.get("field"))))
    # a caseInsensitive field is indexed through its hidden lower-cased copy (§6)
    return f"{HIDDEN}.{path}" if spec.get("caseInsensitive") is True else path


def hide(caller: Caller, schema: Schema, node: Field, doc: dict[str, Any]) -> dict[str, Any]:
    """Fields the caller may not find are silently removed (§4)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        field = node.fields.get(key)
        if (
            field is not None
            and "find" in field.access
            and not caller.may_field(schema, field, "find")
        ):
            continue
        if field is not None and field.type == "object" and isinstance(value, dict):
            value = hide(caller, schema, field, value)
        out[key] = value
    return out
