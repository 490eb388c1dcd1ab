"""The metadata service: entity info and schema versions kept in the engine (§1.2, §6)."""

from __future__ import annotations

import copy
import functools
from typing import Any

import msgspec

from doppelgate.engine import Collection, Derived, Engine

from . import errors as E
from .dates import format_date, now
from .errors import LightblueError
from .schema import STATUSES, VERSION, Schema, add_predefined

DIALECT = "lightblue"
METADATA = "_metadata"  # the tenant's collection of entityInfo and schema documents


def _info_id(name: str) -> str:
    return f"info:{name}"


def _schema_id(name: str, version: str) -> str:
    return f"schema:{name}:{version}"


def _need(obj: Any, key: str, where: str = "") -> Any:
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None or value == "" or value == {}:
        raise LightblueError(E.PARSE_MISSING_ELEMENT, f"{where}{key}")
    return value


def check_version(version: Any) -> str:
    if not isinstance(version, str) or not VERSION.match(version):
        raise LightblueError(E.INVALID_VERSION_NUMBER, str(version))
    return version


def check_schema(schema: Any, name: str) -> dict[str, Any]:
    """A schema as create/add-version take it; returns it with the predefined fields (§6)."""
    if not isinstance(schema, dict):
        raise LightblueError(E.PARSE_MISSING_ELEMENT, "schema")
    if _need(schema, "name") != name:
        raise LightblueError(E.NO_NAME_MATCH, f"{schema.get('name')}")
    version = _need(schema, "version")
    check_version(_need(version, "value", "version."))
    status = _need(schema, "status")
    if _need(status, "value", "status.") not in STATUSES:
        raise LightblueError(E.ILL_FORMED_METADATA, f"status: {status.get('value')}")
    fields = _need(schema, "fields")
    if not isinstance(fields, dict):
        raise LightblueError(E.ILL_FORMED_METADATA, "fields")
    return {**schema, "fields": add_predefined(fields)}


def check_info(info: Any, name: str | None = None) -> dict[str, Any]:
    if not isinstance(info, dict):
        raise LightblueError(E.PARSE_MISSING_ELEMENT, "entityInfo")
    found = _need(info, "name")
    if name is not None and found != name:
        raise LightblueError(E.NO_NAME_MATCH, f"{found}")
    _need(info, "datastore")
    indexes = info.get("indexes")
    if indexes is not None and not isinstance(indexes, list):
        raise LightblueError(E.ILL_FORMED_METADATA, "indexes")
    return info


def check_enums(schema: Schema) -> None:
    """Enums need a name and values; `enum` constraints must name one (§6)."""
    for spec in schema.info.get("enums") or []:
        ok = isinstance(spec, dict) and isinstance(spec.get("name"), str)
        if not ok or not (spec.get("values") or spec.get("annotatedValues")):
            raise LightblueError(E.METADATA_INVALID_ENUM, str(spec))
    for field in schema.walk():
        enum = field.constraints.get("enum")
        if enum is not None and schema.enum_values(str(enum)) is None:
            raise LightblueError(E.METADATA_INVALID_ENUM, f"{field.path}:{enum}")


def _with_id_index(info: dict[str, Any]) -> dict[str, Any]:
    # create adds a unique `_id` index (§6)
    indexes = list(info.get("indexes") or [])
    if not any(_index_paths(i) == ["_id"] for i in indexes if isinstance(i, dict)):
        indexes.append({"unique": True, "fields": [{"field": "_id", "dir": "$asc"}]})
    return {**info, "indexes": indexes}


def _pack(value: dict[str, Any]) -> str:
    # kept as JSON text: metadata may hold `$`-keys (reference queries) documents cannot
    return msgspec.json.encode(value).decode()


def _unpack(text: str) -> dict[str, Any]:
    value: dict[str, Any] = msgspec.json.decode(text)
    return value


def _parsed(info_text: str, schema_text: str) -> Schema:
    """The Schema of two stored metadata texts (the same texts parse to the same Schema, never
    changed once built: MetadataStore keeps it by them)."""
    return Schema({"entityInfo": _unpack(info_text), "schema": _unpack(schema_text)})


def _index_paths(index: dict[str, Any]) -> list[str]:
    return [f.get("field") for f in index.get("fields") or [] if isinstance(f, dict)]


class MetadataStore:
    """One tenant's metadata: what both the metadata and the data service read."""

    def __init__(self, engine: Engine, tenant: str, schemas: Derived[Schema] | None = None) -> None:
        self.engine = engine
        self.tenant = tenant
        self.coll: Collection = engine.collection(DIALECT, tenant, METADATA)
        self.resolved = schemas  # resolved schemas while the metadata is unchanged (None: read)

    def data(self, schema: Schema) -> Collection:
        return self.engine.collection(DIALECT, self.tenant, f"data.{schema.collection}")

    # -- reads -------------------------------------------------------------------------------

    async def info(self, name: str) -> dict[str, Any] | None:
        doc = await self.coll.find_one({"_id": _info_id(name)})
        return _unpack(doc["entityInfo"]) if doc else None

    async def schemas(self, name: str) -> list[dict[str, Any]]:
        docs = await self.coll.find({"kind": "schema", "name": name})
        return [_unpack(d["schema"]) for d in docs]

    async def schema(self, name: str, version: str) -> dict[str, Any] | None:
        doc = await self.coll.find_one({"_id": _schema_id(name, version)})
        return _unpack(doc["schema"]) if doc else None

    async def entity_names(self, statuses: list[str] | None = None) -> list[str]:
        docs = await self.coll.find({"kind": "schema"})
        names = {d["name"] for d in docs if statuses is None or d["status"] in statuses}
        return sorted(names)

    async def versions(self, name: str) -> list[dict[str, Any]]:
        info = await self.info(name)
        default = info.get("defaultVersion") if info else None
        out = []
        for schema in await self.schemas(name):
            version = schema["version"]
            out.append(
                {
                    "version": version["value"],
                    "changelog": version.get("changelog"),
                    "extendsVersions": version.get("extendVersions") or [],
                    "status": schema["status"]["value"],
                    "defaultVersion": version["value"] == default,
                }
            )
        return out

    async def metadata(self, name: str, version: str) -> dict[str, Any]:
        """GET /{e}/{v} (`default` allowed) (§1.2)."""
        info = await self.info(name)
        if info is None:
            raise LightblueError(E.NO_ENTITY_VERSION, f"{name}:{version}")
        if version == "default":
            version = info.get("defaultVersion") or ""
            if not version:
                raise LightblueError(E.NO_ENTITY_VERSION, f"{name}:default")
        schema = await self.schema(name, version)
        if schema is None:
            raise LightblueError(E.UNKNOWN_VERSION, f"{name}:{version}")
        return {"entityInfo": info, "schema": schema}

    async def resolve(self, name: str, version: str | None) -> Schema:
        """The schema a data call runs against (§1, §2.4); read again only once the tenant's
        metadata changed (every data call resolves one)."""
        if self.resolved is None:
            schema = await self._resolve(name, version)
        else:
            read = functools.partial(self._resolve, name, version)
            schema = await self.resolved.get(self.coll, (name, version), read)
        if schema.status == "disabled":
            raise LightblueError(E.DISABLED_VERSION, f"{name}:{schema.version}")
        return schema

    async def _resolve(self, name: str, version: str | None) -> Schema:
        info_doc = await self.coll.find_one({"_id": _info_id(name)})
        if info_doc is None:
            raise LightblueError(E.UNKNOWN_ENTITY, f"{name}:{version}" if version else name)
        if not version:
            version = _unpack(info_doc["entityInfo"]).get("defaultVersion")
        if not version:
            raise LightblueError(E.NO_VERSION, "version")
        schema_doc = await self.coll.find_one({"_id": _schema_id(name, version)})
        if schema_doc is None:
            raise LightblueError(E.UNKNOWN_VERSION, f"{name}:{version}")
        texts = (info_doc["entityInfo"], schema_doc["schema"])
        if self.resolved is None:
            return _parsed(*texts)
        # every data call resolves one: parsed once per text, on any backend
        return self.resolved.built(texts, functools.partial(_parsed, *texts))

    # -- writes ------------------------------------------------------------------------------

    async def create(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """PUT /{e}/{v}: a new entity, or a new version of one (entityInfo replaced)."""
        if not isinstance(body, dict):
            raise LightblueError(E.PARSE_MISSING_ELEMENT, "entityInfo")
        info = check_info(body.get("entityInfo"), name)
        schema = check_schema(body.get("schema"), name)
        if schema["version"]["value"] != version:
            raise LightblueError(E.META_NO_VERSION_MATCH, schema["version"]["value"])
        await self._check_default(info, name, {version: schema})
        check_enums(Schema({"entityInfo": info, "schema": schema}))
        await self._put_schema(name, version, schema)
        await self._put_info(name, _with_id_index(info))
        return await self.metadata(name, version)

    async def add_schema(self, name: str, version: str, body: Any) -> dict[str, Any]:
        """PUT /{e}/schema={v}: a version of an existing entity; body schema or metadata."""
        info = await self.info(name)
        if info is None:
            raise LightblueError(E.MISSING_ENTITY_INFO, name)
        if isinstance(body, dict) and "schema" in body and "fields" not in body:
            body = body["schema"]
        schema = check_schema(body, name)
        if schema["version"]["value"] != version:
            raise LightblueError(E.META_NO_VERSION_MATCH, schema["version"]["value"])
        await self._put_schema(name, version, schema)
        return await self.metadata(name, version)

    async def update_info(self, name: str, body: Any) -> dict[str, Any]:
        """PUT /{e}: replace entityInfo; returns it (§1.2)."""
        if isinstance(body, dict) and "entityInfo" in body and "name" not in body:
            body = body["entityInfo"]
        info = check_info(body, name)
        if await self.info(name) is None:
            raise LightblueError(E.MISSING_ENTITY_INFO, name)
        await self._check_default(info, name, {})
        info = _with_id_index(info)
        await self._put_info(name, info)
        return info

    async def set_status(
        self, name: str, version: str, status: str, comment: str | None
    ) -> dict[str, Any]:
        if status not in STATUSES:
            raise LightblueError(E.ILL_FORMED_METADATA, f"status: {status}")
        current = await self.metadata(name, version)
        if status == "disabled" and current["entityInfo"].get("defaultVersion") == version:
            raise LightblueError(E.DISABLED_DEFAULT_VERSION, f"{name}:{version}")
        schema = copy.deepcopy(current["schema"])
        entry: dict[str, Any] = {"date": format_date(now()), "value": status}
        if comment:
            entry["comment"] = comment
        schema["status"] = {**schema["status"], "value": status}
        schema["status"]["log"] = [*(schema["status"].get("log") or []), entry]
        await self._put_schema(name, version, schema, overwrite=True)
        return await self.metadata(name, version)

    async def set_default(self, name: str, version: str) -> dict[str, Any]:
        current = await self.metadata(name, version)
        if current["schema"]["status"]["value"] == "disabled":
            raise LightblueError(E.DISABLED_DEFAULT_VERSION, f"{name}:{version}")
        await self._put_info(name, {**current["entityInfo"], "defaultVersion": version})
        return await self.metadata(name, version)

    async def clear_default(self, name: str) -> dict[str, Any]:
        info = await self.info(name)
        if info is None:
            raise LightblueError(E.MISSING_ENTITY_INFO, name)
        info = {k: v for k, v in info.items() if k != "defaultVersion"}
        await self._put_info(name, info)
        return info

    async def delete(self, name: str) -> None:
        """DELETE /{e}: only when every version is disabled; the data stays (§1.2)."""
        if await self.info(name) is None:
            raise LightblueError(E.MISSING_ENTITY_INFO, name)
        if any(s["status"]["value"] != "disabled" for s in await self.schemas(name)):
            raise LightblueError(E.CANNOT_DELETE_ENTITY, name)
        await self.coll.delete({"name": name})

    async def _check_default(
        self, info: dict[str, Any], name: str, adding: dict[str, dict[str, Any]]
    ) -> None:
        default = info.get("defaultVersion")
        if default is None:
            return
        schema = adding.get(default) or await self.schema(name, default)
        if schema is None:
            raise LightblueError(E.INVALID_DEFAULT_VERSION, f"{name}:{default}")
        if schema["status"]["value"] == "disabled":
            raise LightblueError(E.DISABLED_DEFAULT_VERSION, f"{name}:{default}")

    async def _put_schema(
        self, name: str, version: str, schema: dict[str, Any], overwrite: bool = False
    ) -> None:
        key = _schema_id(name, version)
        if not overwrite and "SNAPSHOT" not in version and await self.schema(name, version):
            raise LightblueError(E.DUPLICATE_METADATA, f"{name}:{version}")  # §2.4
        Schema({"entityInfo": {"name": name}, "schema": schema})  # field types checked here
        status = schema["status"]["value"]
        doc = {
            "_id": key,
            "kind": "schema",
            "name": name,
            "status": status,
            "schema": _pack(schema),
        }
        await self.coll.replace({"_id": key}, doc, upsert=True)

    async def _put_info(self, name: str, info: dict[str, Any]) -> None:
        key = _info_id(name)
        doc = {"_id": key, "kind": "info", "name": name, "entityInfo": _pack(info)}
        await self.coll.replace({"_id": key}, doc, upsert=True)
