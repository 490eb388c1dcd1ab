"""The data API for one tenant (spec §1): insert, update by keys, read, delete, get by GSID.

Rows of object X live in ("gainsight", <tenant>, "rows:<x lower-cased>"), one document per row:
{"_id": <Gsid>, "_n": <insertion order>, "Gsid": …, <field name>: <stored value>, …}. Empty
fields are absent (never null), so IS_NULL is `$exists: false` (query.py). A hash index on
`Gsid` (made before every insert: a reset may have dropped it) keeps reads and updates by
Gsid flat as rows grow.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

import msgspec

from doppelgate import clock, nesting
from doppelgate.engine import BackendUnavailable, Collection, Derived, Engine, EngineError

from .auth import Caller
from .catalog import Catalog
from .errors import (
    DELETE_FAILED,
    INVALID_API,
    INVALID_GSID,
    INVALID_VALUE,
    NO_MATCH,
    FieldFailure,
    GainsightError,
    ObjectNotFound,
    field_error,
    invalid_request,
)
from .gsid import is_gsid, new_gsid
from .lookups import consumed_keys, resolve
from .meta import describe_object, list_entry
from .options import GainsightOptions
from .query import Query
from .records import (
    Parsed,
    add_field,
    echo,
    full_row,
    infer_fields,
    parse_record,
    parse_value,
)
from .schema import ObjectSchema, inferred_object
from .standard import DELETE_LOG_DAYS, DELETE_LOG_NAME, READ_ONLY
from .wire import QueryBody, RecordsData, WriteBody, WriteData

DIALECT = "gainsight"
T = TypeVar("T")
MAX_RECORDS = 50  # per insert/update call (spec §1.2, §1.3)
MAX_KEYS = 3
KEY_TYPES = ("STRING", "GSID", "NUMBER", "EMAIL", "LOOKUP")  # spec §1.3 (LOOKUP holds a GSID)
DELETED = "Delete process initiated for 1 records."  # spec §1.5
GSID_INDEX = ["Gsid"]  # unique, as GSIDs are: MongoDB-wire servers use only unique indexes

_last_n = 0


def next_n(count: int) -> int:
    """The first of `count` increasing insertion numbers (µs clock, strictly increasing)."""
    global _last_n
    first = max(time.time_ns() // 1000 * 64, _last_n + 1)
    _last_n = first + count
    return first


class DataService:
    def __init__(
        self,
        engine: Engine,
        options: GainsightOptions,
        caller: Caller,
        known: Derived[ObjectSchema | None] | None = None,
    ) -> None:
        self.engine = engine
        self.options = options
        self.caller = caller
        self.catalog = Catalog(engine, options, caller.tenant, known)
        self.zone = options.zone

    def rows(self, schema: ObjectSchema) -> Collection:
        return self.engine.collection(DIALECT, self.caller.tenant, f"rows:{schema.name.lower()}")

    async def served(self, name: str) -> ObjectSchema | None:
        """The object, if this API serves it; High Volume ones get GSOBJ_1023 (spec §0)."""
        schema = await self.catalog.get(name)
        if schema is not None and not schema.transactional:
            raise GainsightError(INVALID_API)
        return schema

    async def writable(self, name: str) -> ObjectSchema | None:
        if name.lower() in READ_ONLY:
            raise GainsightError(INVALID_API)  # the delete log is read-only (spec §7)
        return await self.served(name)

    # -- insert (spec §1.2) -----------------------------------------------------------------

    async def insert(self, name: str, raw: bytes) -> WriteData:
        schema = await self.writable(name)
        fresh = schema is None
        if schema is None:
            if not self.options.infer_objects:
                raise GainsightError(INVALID_API)
            schema = inferred_object(name)  # inferred on its first insert (README)
        body = decode(raw, WriteBody)
        check_size(body)
        records = body.records
        skip = consumed_keys(schema, body.lookups)
        new_fields = infer_fields(schema, records, skip, self.caller.tenant)
        targets = await self._lookups(schema, body, new_fields)
        parsed = [
            self._with_lookups(parse_record(schema, r, skip, self.zone, require=True), t)
            for r, t in zip(records, targets, strict=True)
        ]
        if fresh or new_fields:
            await self.catalog.infer(schema.name, new_fields)
        now = clock.now_ms()
        first = next_n(len(parsed))
        docs = []
        for i, p in enumerate(parsed):
            gsid = new_gsid(self.caller.tenant, schema.name)
            values = {k: v for k, v in p.values.items() if v is not None}
            docs.append(
                {"_id": gsid, "_n": first + i, "Gsid": gsid, **values, **self._stamp(now, True)}
            )
        await self.rows(schema).ensure_index(GSID_INDEX, unique=True)
        await self._declare_indexes(schema)
        try:
            await self.rows(schema).insert_many(docs)
        except EngineError:  # all-or-nothing (spec §1.2): take back what went in
            await self.rows(schema).delete({"_id": {"$in": [d["_id"] for d in docs]}})
            raise
        output = self.options.date_output_for(read=False)
        out = [echo(schema, d, list(p.values), output) for d, p in zip(docs, parsed, strict=True)]
        return WriteData(count=len(out), errors=None, records=out)

    async def _declare_indexes(self, schema: ObjectSchema) -> None:
        """Insertion order (every read's order) and the GSID-valued fields (lookups: the fields
        joins and key matches read) are indexed, ensured before every insert (the engine
        answers from what it knows, and a reset may have dropped them); Gsid itself has its
        unique index (GSID_INDEX): one index of that name, or MongoDB refuses the second."""
        gsid_valued = (f.name for f in schema.ordered if f.dataType in ("GSID", "LOOKUP"))
        rows = self.rows(schema)
        for path in ["_n", *(name for name in gsid_valued if [name] != GSID_INDEX)]:
            await rows.ensure_index([path])

    async def _lookups(
        self, schema: ObjectSchema, body: WriteBody, new_fields: dict[str, str]
    ) -> list[dict[str, Any]]:
        for target in body.lookups or {}:
            if schema.inferred and schema.field(target) is None:
                # an inferred object's lookup target is a GSID field (README)
                if not add_field(schema, target, "GSID", self.caller.tenant):
                    raise invalid_request(f"Invalid lookup target {target}.")
                new_fields[target] = "GSID"
        return await resolve(schema, body.lookups, body.records, self.served, self.rows, self.zone)

    @staticmethod
    def _with_lookups(parsed: Parsed, targets: dict[str, Any]) -> Parsed:
        for name, value in targets.items():
            parsed.values[name] = value  # the lookup wins over a direct value (spec §4)
        return parsed

    def _stamp(self, now: int, created: bool) -> dict[str, Any]:
        stamp: dict[str, Any] = {"ModifiedDate": now, "ModifiedBy": self.caller.user}
        if created:
            stamp.update(CreatedDate=now, CreatedBy=self.caller.user)
        return stamp

    # -- update (spec §1.3) -----------------------------------------------------------------

    async def update(self, name: str, keys_param: str | None, raw: bytes) -> WriteData:
        schema = await self.writable(name)
        if schema is None:
            raise GainsightError(NO_MATCH)  # an object never written has no rows [I]
        body = decode(raw, WriteBody)
        check_size(body)
        keys = key_fields(schema, keys_param)
        records = body.records
        skip = consumed_keys(schema, body.lookups)
        new_fields = infer_fields(schema, records, skip, self.caller.tenant)
        targets = await self._lookups(schema, body, new_fields)
        plans = []
        for record, target in zip(records, targets, strict=True):
            match = self._key_match(schema, keys, record)
            key_names = {k.lower() for k in record if schema.field(k) in keys}
            rest = {k: v for k, v in record.items() if k.lower() not in key_names}
            parsed = parse_record(schema, rest, skip, self.zone, require=False)
            plans.append((match, self._with_lookups(parsed, target)))
        collection = self.rows(schema)
        matched: list[list[str]] = []
        for match, _ in plans:
            ids = [d["_id"] for d in await collection.find(match, sort=[("_n", 1)])]
            if not ids:
                raise GainsightError(NO_MATCH)  # nothing written (spec §1.3) [I]
            matched.append(ids)
        if schema.inferred and new_fields:
            await self.catalog.infer(schema.name, new_fields)
        now = clock.now_ms()
        for (_, parsed), ids in zip(plans, matched, strict=True):
            to_set, to_unset = parsed.set_and_unset()
            update: dict[str, Any] = {"$set": {**to_set, **self._stamp(now, False)}}
            if to_unset:
                update["$unset"] = to_unset
            # one row: a single-document update, which every backend answers from its key
            await collection.update(by_ids(ids), update, many=len(ids) > 1)
        order = list(dict.fromkeys(i for ids in matched for i in ids))
        docs = {d["_id"]: d for d in await collection.find(by_ids(order))}
        output = self.options.date_output_for(read=False)
        out = [full_row(schema, docs[i], output) for i in order if i in docs]
        return WriteData(count=len(out), errors=None, records=out)

    def _key_match(
        self, schema: ObjectSchema, keys: list[Any], record: dict[str, Any]
    ) -> dict[str, Any]:
        by_lower = {k.lower(): k for k in record}
        match: dict[str, Any] = {}
        for f in keys:
            raw = record.get(by_lower.get(f.name.lower(), f.name))
            if raw is None:  # every record carries every key (spec §1.3)
                raise field_error(FieldFailure(INVALID_VALUE), f.name, None)
            match[f.name] = parse_value(f, raw, self.zone)
        return match

    # -- delete and get (spec §1.5, §1.7) ---------------------------------------------------

    async def delete(self, name: str, gsid: str) -> str:
        schema = await self.writable(name)
        if schema is None or not is_gsid(gsid.strip()):
            raise GainsightError(INVALID_GSID)
        try:
            deleted = await self.rows(schema).delete({"_id": gsid.strip()}, many=False)
        except BackendUnavailable:
            raise GainsightError(DELETE_FAILED) from None  # database failure (spec §1.5)
        if not deleted:
            raise GainsightError(INVALID_GSID)  # unknown GSID [I]
        await self._log_delete(schema, gsid.strip())
        return DELETED

    async def _log_delete(self, schema: ObjectSchema, gsid: str) -> None:
        """Deleted ids stay readable in record_delete_log for 15 days (spec §1.5, §7)."""
        log = await self.catalog.get(DELETE_LOG_NAME)
        assert log is not None
        rows = self.rows(log)
        now = clock.now_ms()
        await rows.delete({"DeletedOn": {"$lt": now - DELETE_LOG_DAYS * 86_400_000}})
        entry = {"RecordId": gsid, "DeletedOn": now, "ObjectName": schema.name}
        log_id = new_gsid(self.caller.tenant, DELETE_LOG_NAME)
        stamp = self._stamp(now, True)
        await rows.insert({"_id": log_id, "_n": next_n(1), "Gsid": log_id, **entry, **stamp})

    async def read(self, name: str, raw: bytes) -> RecordsData:
        schema = await self.served(name)
        body = decode(raw, QueryBody)
        output = self.options.date_output_for(read=True)
        if schema is None:  # an object never written: no rows (spec §1.4) [I]
            return RecordsData([])
        return await Query(self.served, self.rows, self.zone, output).run(schema, body)

    async def object_list(self) -> list[dict[str, Any]]:
        found = [await self.catalog.get(n) for n in await self.catalog.names()]
        return [list_entry(self.caller.tenant, s) for s in found if s is not None]

    async def describe(self, names: list[str]) -> list[dict[str, Any]]:
        out = []
        for name in names:
            schema = await self.catalog.get(name)
            if schema is None:
                raise ObjectNotFound(name)
            out.append(describe_object(self.caller.tenant, schema))
        return out

    async def get(self, name: str, gsid: str) -> RecordsData:
        schema = await self.served(name)
        doc = None
        if schema is not None and is_gsid(gsid):
            doc = await self.rows(schema).find_one({"_id": gsid})
        if schema is None or doc is None:
            raise GainsightError(INVALID_GSID)
        return RecordsData([full_row(schema, doc, self.options.date_output_for(read=True))])


def decode(raw: bytes, kind: type[T]) -> T:
    """The JSON body (spec §1.8: after the object check); malformed or nested deeper than
    doppelgate's limit (README) -> GSOBJ_1002 (README)."""
    try:
        return nesting.decode(raw or b"null", type=kind)
    except msgspec.ValidationError as exc:
        raise invalid_request(f"Invalid request body: {exc}.") from None
    except msgspec.DecodeError:
        raise invalid_request("Malformed JSON request body.") from None
    except nesting.TooDeep as exc:
        raise invalid_request(f"Invalid request body: {exc}.") from None


def by_ids(ids: list[str]) -> dict[str, Any]:
    """Rows by `_id`: one id as an equality, which every backend answers from its key."""
    return {"_id": ids[0]} if len(ids) == 1 else {"_id": {"$in": ids}}


def check_size(body: WriteBody) -> None:
    if not body.records:
        raise invalid_request("records must hold at least one record.")
    if len(body.records) > MAX_RECORDS:
        raise invalid_request(f"A maximum of {MAX_RECORDS} records is allowed per call.")


def key_fields(schema: ObjectSchema, keys_param: str | None) -> list[Any]:
    """`?keys=F1,F2,F3`: 1-3 String, GSID, Number or Email fields, ANDed (spec §1.3)."""
    names = [k.strip() for k in (keys_param or "").split(",") if k.strip()]
    if not names:
        raise invalid_request("keys is required.")
    if len(names) > MAX_KEYS:
        raise invalid_request(f"A maximum of {MAX_KEYS} keys is allowed.")
    fields = []
    for name in names:
        f = schema.field(name)
        if f is None:
            raise invalid_request(f"Unknown key field {name}.")
        if f.dataType not in KEY_TYPES:
            raise invalid_request(f"Key field {name} must be String, GSID, Number or Email.")
        if f not in fields:
            fields.append(f)
    return fields
