"""The Data Store methods (spec §3, §5, §6), in Gigya's words, for one tenant (= apiKey).

Stored shape (the query parser's resolver in search.py maps query fields onto it)
-----------------------------------------------------------------------------------
One engine collection per tenant, ("gigya", <apiKey>, "objects"), one document per object:

    {"_id": '["<type>", "<UID>"|null, "<oid>"]',   # the key is (type, oid, UID) (spec §3)
     "oid": "<oid>", "type": "<type>", "UID": "<uid>" (absent when none),
     "data": {... exactly as submitted, nested objects kept; encrypted values "dgaes1:..."},
     "created": <ms epoch>, "lastUpdated": <ms epoch>,
     "_dates": {"<data path, ':' for '.'>": <datetime or [datetimes]>},   # date fields, for ranges
     "_folded": {"<encrypted data path, ':' for '.'>": <ciphertext of the case-folded value>},
     "_uniq": ["id:<_id>", "u:<hash of a unique constraint's values>", ...],
     "_rev": <write counter, for compare-and-replace>}

So a query field `f` lives at "data.f", `oid` at "oid" (not "_id"), `UID` at "UID",
`created`/`lastUpdated` at themselves, and a date field `d` is compared at "_dates.d".
`_uniq` carries every (compound) unique constraint of the type in one multikey unique index, so
objects lacking the fields never clash (spec §6). Schemas live in ("gigya", <apiKey>, "schemas"),
cursors in "cursors", used nonces in "nonces".
"""

from __future__ import annotations

import functools
from typing import Any

from doppelgate import clock, ids
from doppelgate.engine import Derived, DuplicateKey, Engine

from .auth import Caller
from .crypt import Cipher
from .errors import (
    CONCURRENT_UPDATES,
    FORBIDDEN,
    NOT_FOUND,
    OBJECT_TOO_LARGE,
    SCHEMA_VALIDATION_FAILED,
    UNAUTHORIZED_USER,
    GigyaError,
    invalid,
    missing,
)
from .fields import leaves
from .options import GigyaOptions
from .records import (
    UPDATE_BEHAVIORS,
    merge,
    object_id,
    parse_fields,
    project,
    remove_paths,
    render,
    value_at,
)
from .schema import Schema, apply_data_schema, load_schema, public_schema, save_schema
from .wire import Call
from .writes import (
    WritePlan,
    check_write,
    date_shadow,
    encrypt_submitted,
    folded_shadow,
    unique_keys,
)

DIALECT = "gigya"
MAX_DATA_BYTES = 512 * 1024  # spec §3
MAX_ATTEMPTS = 25  # compare-and-replace retries before 409030 (spec §7)
UNIQUE_INDEX = ["_uniq"]
SCHEMA_MODES = ("full", "explicitOnly", "clientOnly")


def now_ms() -> int:
    return clock.now_ms()


def required(call: Call, name: str) -> str:
    value = call.get(name)
    if value is None or value == "":
        raise missing(name)
    return value


class DataStore:
    def __init__(
        self,
        engine: Engine,
        options: GigyaOptions,
        caller: Caller,
        known: Derived[Schema] | None = None,
    ) -> None:
        self.caller = caller
        self.options = options
        self.objects = engine.collection(DIALECT, caller.api_key, "objects")
        self.schemas = engine.collection(DIALECT, caller.api_key, "schemas")
        self.known = known  # the types' schemas while none changed (None: read every time)
        self.cursors = engine.collection(DIALECT, caller.api_key, "cursors")
        self.cipher = Cipher.for_tenant(options.encryptionKey, caller.api_key)

    # -- helpers ---------------------------------------------------------------------------

    def server_only(self, method: str) -> None:
        if not self.caller.server:  # spec §2: server-only methods
            raise GigyaError(FORBIDDEN, f"Forbidden: {method} is server-side only")

    def user_of(self, call: Call) -> str | None:
        uid = call.get("UID") or None
        if not self.caller.server and uid is None:
            # client-side calls reach only the logged-in user's objects (spec §2)
            raise GigyaError(UNAUTHORIZED_USER, "Unauthorized user: client-side call needs UID")
        return uid

    async def find(self, type_: str, oid: str, uid: str | None) -> dict[str, Any] | None:
        return await self.objects.find_one({"_id": object_id(type_, oid, uid)})

    async def schema(self, type_: str) -> Schema:
        """The type's schema, shared while unchanged: only read, never changed (a change
        starts from load_schema's own copy); every ds.store and search needs it."""
        if self.known is None:
            return await load_schema(self.schemas, type_)
        read = functools.partial(load_schema, self.schemas, type_)
        return await self.known.get(self.schemas, type_, read)

    def plain(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.cipher.decrypt_tree(data)  # type: ignore[no-any-return]

    # -- ds.store --------------------------------------------------------------------------

    async def store(self, call: Call) -> dict[str, Any]:
        data = call.json("data")
        if data is None:
            raise missing("data")
        type_ = required(call, "type")
        oid = required(call, "oid")
        uid = self.user_of(call)
        behavior = call.get("updateBehavior") or "arrayPush"
        if behavior not in UPDATE_BEHAVIORS:
            raise invalid(f"Invalid parameter value: updateBehavior '{behavior}'")
        if not isinstance(data, dict):
            raise invalid("Invalid parameter value: data must be a JSON object")
        if len((call.get("data") or "").encode()) > MAX_DATA_BYTES:
            raise GigyaError(OBJECT_TOO_LARGE, "Object too large: data exceeds 512KB")
        if oid == "auto":  # the server generates it (spec §3)
            oid = ids.uuid_hex()
        # this process's stores of one object take turns: retries only for other processes
        async with self.objects.exclusive(object_id(type_, oid, uid)):
            for _ in range(MAX_ATTEMPTS):
                schema = await self.schema(type_)
                plan = await self._write(schema, type_, oid, uid, data, behavior)
                if plan is not None:
                    await self._learn(type_, schema, plan)
                    return {"oid": oid}
        raise GigyaError(CONCURRENT_UPDATES, "Concurrent updates not allowed")

    async def _write(
        self,
        schema: Schema,
        type_: str,
        oid: str,
        uid: str | None,
        data: dict[str, Any],
        behavior: str,
    ) -> WritePlan | None:
        """Check and write once; None when another writer changed the object meanwhile."""
        key = object_id(type_, oid, uid)
        existing = await self.objects.find_one({"_id": key})
        old_data = existing["data"] if existing else {}
        plan = check_write(schema, data, self.plain(old_data), client=not self.caller.server)
        submitted = encrypt_submitted(data, schema.encrypted_paths(), self.cipher.encrypt_value)
        new_data = merge(old_data, submitted, behavior) if existing else submitted
        plain = self.plain(new_data)
        now = now_ms()
        doc: dict[str, Any] = {"_id": key, "oid": oid, "type": type_}
        if uid is not None:
            doc["UID"] = uid
        doc |= {
            "data": new_data,
            "created": existing["created"] if existing else now,
            "lastUpdated": now,
            **self._shadows(type_, key, schema, plain, plan.learned),
            "_rev": (existing["_rev"] + 1) if existing else 1,
        }
        if existing is None:
            try:
                await self.objects.insert(doc)
            except DuplicateKey as exc:
                if exc.index == "_id_":
                    return None  # created meanwhile: merge into it
                raise
            return plan
        result = await self.objects.replace({"_id": key, "_rev": existing["_rev"]}, doc)
        return plan if result.matched == 1 else None

    def _shadows(
        self, type_: str, key: str, schema: Schema, plain: dict[str, Any], learned: dict
    ) -> dict[str, Any]:
        """The search and uniqueness copies of the object's data (see the stored shape)."""
        return {
            "_dates": date_shadow(schema, plain, learned),
            "_folded": folded_shadow(schema, plain, self.cipher.encrypt),
            "_uniq": [f"id:{key}", *unique_keys(type_, schema, plain)],
        }

    async def _learn(self, type_: str, schema: Schema, plan: WritePlan) -> None:
        """Dynamic schemas add new fields; a field's first value fixes its type (spec §3, §6)."""
        if not plan.changes(schema) and schema.rev:
            return
        for _ in range(MAX_ATTEMPTS):
            schema = await load_schema(self.schemas, type_)  # its own copy: `schema` is shared
            if not plan.changes(schema) and schema.rev:
                return
            plan.apply(schema)
            if await save_schema(self.schemas, type_, schema):
                return

    # -- ds.get ----------------------------------------------------------------------------

    async def get(self, call: Call) -> dict[str, Any]:
        oid = required(call, "oid")
        type_ = required(call, "type")
        paths = parse_fields(call.get("fields"))
        doc = await self.find(type_, oid, self.user_of(call))
        if doc is None:
            raise GigyaError(NOT_FOUND, f"Not found: object {oid} of type {type_}")
        data = self.plain(doc["data"])
        return render(doc, data if paths is None else project(data, paths))

    # -- ds.delete -------------------------------------------------------------------------

    async def delete(self, call: Call) -> dict[str, Any]:
        oid = required(call, "oid")
        type_ = required(call, "type")
        uid = self.user_of(call)
        paths = parse_fields(call.get("fields"))
        key = object_id(type_, oid, uid)
        if paths is None:
            if not self.caller.server:
                doc = await self.objects.find_one({"_id": key})
                if doc is not None:
                    await self._check_client_delete(type_, [p for p, _ in leaves(doc["data"])])
            if await self.objects.delete({"_id": key}, many=False) == 0:
                raise GigyaError(NOT_FOUND, f"Not found: object {oid} of type {type_}")
            return {}
        for _ in range(MAX_ATTEMPTS):
            doc = await self.objects.find_one({"_id": key})
            if doc is None:
                raise GigyaError(NOT_FOUND, f"Not found: object {oid} of type {type_}")
            if not self.caller.server:
                await self._check_client_delete(type_, [".".join(p) for p in paths])
            schema = await self.schema(type_)
            data = remove_paths(doc["data"], paths)
            plain = self.plain(data)
            update = {
                **doc,
                "data": data,
                "lastUpdated": now_ms(),
                **self._shadows(type_, key, schema, plain, {}),
                "_rev": doc["_rev"] + 1,
            }
            result = await self.objects.replace({"_id": key, "_rev": doc["_rev"]}, update)
            if result.matched == 1:
                return {}
        raise GigyaError(CONCURRENT_UPDATES, "Concurrent updates not allowed")

    async def _check_client_delete(self, type_: str, paths: list[str]) -> None:
        """Client-side deletes touch only fields the client may modify (spec §5) [inf]."""
        schema = await self.schema(type_)
        for path in paths:
            spec = schema.fields.get(path)
            if spec is None or spec.access != "clientModify":
                raise GigyaError(
                    SCHEMA_VALIDATION_FAILED,
                    f"Schema validation failed: client-side delete of '{path}' rejected",
                )

    # -- ds.setSchema / ds.getSchema / ds.getTypes -----------------------------------------

    async def set_schema(self, call: Call) -> dict[str, Any]:
        self.server_only("ds.setSchema")
        type_ = required(call, "type")
        data_schema = call.json("dataSchema")
        if data_schema is None:
            raise missing("dataSchema")
        for _ in range(MAX_ATTEMPTS):
            schema = await load_schema(self.schemas, type_)
            added = apply_data_schema(schema, data_schema)
            if await save_schema(self.schemas, type_, schema):
                if added:
                    await self._index_unique(type_, schema)
                return {}
        raise GigyaError(CONCURRENT_UPDATES, "Concurrent updates not allowed")

    async def _index_unique(self, type_: str, schema: Schema) -> None:
        """Unique constraints apply to future writes; existing duplicates stay (spec §6)."""
        await self.objects.ensure_index(UNIQUE_INDEX, unique=True)
        for doc in await self.objects.find({"type": type_}, projection={"data": 1, "_uniq": 1}):
            for k in unique_keys(type_, schema, self.plain(doc["data"])):
                if k in doc.get("_uniq", []):
                    continue
                try:
                    await self.objects.update({"_id": doc["_id"]}, {"$addToSet": {"_uniq": k}})
                except DuplicateKey:
                    pass  # an existing duplicate: left as it is

    async def get_schema(self, call: Call) -> dict[str, Any]:
        self.server_only("ds.getSchema")
        type_ = required(call, "type")
        mode = call.get("filter") or call.get("mode") or "full"  # both names seen (spec §6)
        if mode not in SCHEMA_MODES:
            raise invalid(f"Invalid parameter value: filter '{mode}'")
        schema = await self.schema(type_)
        return {"schema": public_schema(schema, mode)}

    async def get_types(self, call: Call) -> dict[str, Any]:
        self.server_only("ds.getTypes")
        docs = await self.schemas.find({}, projection={"_id": 1}, sort=[("_id", 1)])
        return {"types": [d["_id"] for d in docs]}

    async def delete_schema_fields(self, call: Call) -> dict[str, Any]:
        """Removes the fields from the schema and from every object of the type (spec §3)."""
        self.server_only("ds.deleteSchemaFields")
        type_ = required(call, "type")
        names = call.json("dataSchema") if call.get("dataSchema") else call.json("fields")
        if names is None:
            raise missing("dataSchema")
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise invalid("Invalid parameter value: dataSchema must be an array of field names")
        paths = [n.split(".") for n in names]
        for doc in await self.objects.find({"type": type_}, projection={"_id": 1}):
            key = doc["_id"]
            for _ in range(MAX_ATTEMPTS):
                found = await self.objects.find_one({"_id": key})
                if found is None or not any(value_at(found["data"], n) for n in names):
                    break
                found["data"] = remove_paths(found["data"], paths)
                found["_rev"] += 1
                if (
                    await self.objects.replace({"_id": key, "_rev": found["_rev"] - 1}, found)
                ).matched:
                    break
        for _ in range(MAX_ATTEMPTS):
            schema = await load_schema(self.schemas, type_)
            for name in names:
                schema.fields.pop(name, None)
            if await save_schema(self.schemas, type_, schema):
                return {}
        raise GigyaError(CONCURRENT_UPDATES, "Concurrent updates not allowed")
