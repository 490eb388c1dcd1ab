"""The data service's writes: insert, save, update and delete (§5), each document on its own."""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate.engine import Collection, DocumentTooLarge, DuplicateKey, InvalidDocument
from doppelgate.engine.core import clone, new_id

from . import errors as E
from .calls import Outcome
from .documents import HIDDEN, hidden, set_counts, typed, validate
from .errors import LightblueError
from .generators import fill
from .paging import limits, page
from .projection import Projection
from .query import Query, engine_path
from .schema import Schema, split
from .service import DataService, doc_version
from .update_expressions import Updater, changed
from .values import show
from .wire import DeleteRequest, Error, InsertRequest, Request, SaveRequest, UpdateRequest

MAX_RETRIES = 20  # rounds lost to concurrent writers of one document before giving up


def _documents(data: Any) -> list[Any]:
    if data is msgspec.UNSET or data is None:
        raise LightblueError(E.INVALID_ENTITY, "data")
    return data if isinstance(data, list) else [data]


def stripped(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != HIDDEN}


def allowed_versions(body: SaveRequest | UpdateRequest) -> set[str] | None:
    """onlyIfCurrent: the document versions that may be written (§5)."""
    if body.onlyIfCurrent is not True:
        return None
    given = body.documentVersions
    return {str(v) for v in given} if isinstance(given, list) else set()


Bounds = tuple[int, int] | None


def write_page(body: Request, code: str) -> Bounds:
    """A write's range fields, checked before anything is written (§2.1)."""
    try:
        return limits(*page(body))
    except ValueError:
        raise LightblueError(code, "Request is not valid") from None


def paged(out: Outcome, bounds: Bounds) -> None:
    """Range fields on a write limit `processed` as on a find (§2.1)."""
    if out.processed is None or bounds == (0, 0):
        return
    skip, limit = bounds if bounds is not None else (0, -1)
    end = None if limit == 0 else skip + max(limit, 0)
    out.processed, out.versions = out.processed[skip:end], out.versions[skip:end]


def with_new_id(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` with a generated `_id` first, replacing an absent or null one (§5)."""
    return {"_id": new_id(), **{k: v for k, v in doc.items() if k != "_id"}}


# -- preparing and writing one document ----------------------------------------------------


def _typed(schema: Schema, raw: Any, out: Outcome) -> tuple[dict[str, Any], list[Error]]:
    if not isinstance(raw, dict):
        raise LightblueError(E.INVALID_ENTITY, show(raw))
    if raw.get("objectType") not in (None, schema.name):  # request-level (§5)
        raise LightblueError(E.INVALID_ENTITY, str(raw.get("objectType")))
    errors: list[Error] = []
    doc = typed(schema, raw, errors, out.context)
    doc["objectType"] = schema.name
    return doc, errors


def _checked(
    service: DataService, schema: Schema, doc: dict[str, Any], out: Outcome, op: str
) -> list[Error]:
    set_counts(schema, doc)
    errors = validate(schema, doc, out.context)
    code = E.INSERT_NO_FIELD_ACCESS if op == "insert" else E.UPDATE_NO_FIELD_ACCESS
    for field in schema.walk():
        if field.path in ("objectType", "_id") or field.path.endswith("#"):
            continue
        if op in field.access and not service.caller.may_field(schema, field, op):
            if _present(doc, split(field.path)):
                errors.append(Error(errorCode=code, msg=field.path, context=out.context))
    return errors


async def _insert_one(
    schema: Schema, coll: Collection, doc: dict[str, Any], raw: Any, out: Outcome
) -> dict[str, Any] | None:
    doc[HIDDEN] = hidden(schema, doc)
    try:
        await coll.insert(doc)
    # the engine refused this document only: its dataError, the others go on (§5)
    except DuplicateKey as exc:
        out.data_error(raw, [Error(errorCode=E.DUPLICATE, msg=str(exc), context=out.context)])
        return None
    except (InvalidDocument, DocumentTooLarge) as exc:
        out.data_error(raw, [Error(errorCode=E.SAVE_ERROR, msg=str(exc), context=out.context)])
        return None
    out.modified += 1
    return doc


async def _swap(
    schema: Schema,
    coll: Collection,
    current: dict[str, Any],
    new: dict[str, Any],
    out: Outcome,
    code: str,
) -> bool | Error:
    """Replace `current` by `new` if no one wrote it since (its version is unchanged)."""
    old = (current.get(HIDDEN) or {}).get("docver")
    new[HIDDEN] = hidden(schema, new)
    try:
        result = await coll.replace({"_id": current["_id"], f"{HIDDEN}.docver": old}, new)
    # the engine refused this document only: the caller makes it its dataError (§5)
    except DuplicateKey as exc:
        return Error(errorCode=E.DUPLICATE, msg=str(exc), context=out.context)
    except (InvalidDocument, DocumentTooLarge) as exc:
        return Error(errorCode=code, msg=str(exc), context=out.context)
    if result.matched:
        out.modified += 1
    return bool(result.matched)


# -- insert ------------------------------------------------------------------------------


async def insert(
    service: DataService, out: Outcome, body: InsertRequest, version: str | None
) -> None:
    schema = await service.open(out, body, version, "insert")
    bounds = write_page(body, E.REST_INSERT_ERROR)
    projection = service.projection(schema, body.projection)
    raws = _documents(body.data)
    prepared = [_typed(schema, raw, out) for raw in raws]  # request-level errors first
    coll = service.collection(schema)
    out.processed = []
    for raw, (doc, errors) in zip(raws, prepared, strict=True):
        if doc.get("_id") is None:  # absent or null: 24-hex ObjectId text (§5)
            doc = with_new_id(doc)
        await fill(schema, doc, service.store.coll)
        errors += _checked(service, schema, doc, out, "insert")
        if errors:
            out.data_error(raw, errors)
            continue
        stored = await _insert_one(schema, coll, doc, raw, out)
        if stored is not None:
            out.processed.append(service.shown(schema, projection, stored))
            out.versions.append(doc_version(stored))
    paged(out, bounds)


# -- save --------------------------------------------------------------------------------


async def save(service: DataService, out: Outcome, body: SaveRequest, version: str | None) -> None:
    # needs update access, and insert access to upsert: msg "insert/update <entity>"
    ops = ("insert", "update") if body.upsert is True else ("update",)
    schema = await service.open(out, body, version, *ops, label="insert/update")
    bounds = write_page(body, E.REST_SAVE_ERROR)
    projection = service.projection(schema, body.projection)
    raws = _documents(body.data)
    prepared = [_typed(schema, raw, out) for raw in raws]
    allowed = allowed_versions(body)
    coll = service.collection(schema)
    identity = schema.identity()
    out.processed = []
    for raw, (doc, errors) in zip(raws, prepared, strict=True):
        if errors:
            out.data_error(raw, errors)
            continue
        key = {engine_path(split(p)): _value_at(doc, p) for p in identity}
        found = None
        if all(v is not None for v in key.values()):
            found = await coll.find_one({"$and": [{"objectType": schema.name}, key]})
        if found is None:
            if body.upsert is not True:
                msg = show({k: v for k, v in key.items()})
                err = Error(errorCode=E.NO_UPSERT, msg=msg, context=out.context)
                out.data_error(raw, [err])
                continue
            if doc.get("_id") is None:
                doc = with_new_id(doc)  # the store's id for an upserted document
            await fill(schema, doc, service.store.coll)
            errors = _checked(service, schema, doc, out, "insert")
            if errors:
                out.data_error(raw, errors)
                continue
            stored = await _insert_one(schema, coll, doc, raw, out)
        else:
            stored = await _replace(service, schema, coll, found, doc, raw, allowed, out)
        if stored is not None:
            out.processed.append(service.shown(schema, projection, stored))
            out.versions.append(doc_version(stored))
    paged(out, bounds)


async def _replace(
    service: DataService,
    schema: Schema,
    coll: Collection,
    found: dict[str, Any],
    doc: dict[str, Any],
    raw: Any,
    allowed: set[str] | None,
    out: Outcome,
) -> dict[str, Any] | None:
    for _ in range(MAX_RETRIES):
        if allowed is not None and doc_version(found) not in allowed:
            err = Error(errorCode=E.CONCURRENT_UPDATE, msg=str(found["_id"]), context=out.context)
            out.data_error(raw, [err])
            return None
        # fields unknown to the metadata and hidden fields survive; `_id` is kept (§5)
        kept = {k: v for k, v in found.items() if k not in schema.root.fields}
        new = {**kept, **doc, "_id": found["_id"]}
        errors = _checked(service, schema, new, out, "update")
        if errors:
            out.data_error(raw, errors)
            return None
        swapped = await _swap(schema, coll, found, new, out, E.SAVE_ERROR)
        if isinstance(swapped, Error):
            out.data_error(raw, [swapped])
            return None
        if swapped:
            return new
        again = await coll.find_one({"_id": found["_id"]})
        if again is None:
            break
        found = again
    err = Error(errorCode=E.CONCURRENT_UPDATE, msg=str(found["_id"]), context=out.context)
    out.data_error(raw, [err])
    return None


# -- update ------------------------------------------------------------------------------


async def update(
    service: DataService, out: Outcome, body: UpdateRequest, version: str | None
) -> None:
    schema = await service.open(out, body, version, "update")
    bounds = write_page(body, E.REST_UPDATE_ERROR)
    if body.query is msgspec.UNSET or body.query is None:
        raise LightblueError(E.NULL_QUERY, "query")
    if body.update is msgspec.UNSET or body.update is None:
        raise LightblueError(E.INVALID_UPDATE, "update")
    spec = Query(schema).filter(body.query)
    updater = Updater(schema, body.update)
    updater.check()  # path and shape errors fail the request before any write
    projection = service.projection(schema, body.projection)
    allowed = allowed_versions(body)
    coll = service.collection(schema)
    docs = await coll.find(spec)
    out.matched = len(docs)
    out.processed = []
    for doc in docs:
        stored = await _update_one(
            service, schema, coll, spec, updater, doc, allowed, projection, out
        )
        if stored is not None:
            shown = (
                service.shown(schema, projection, stored)
                if projection
                else service.whole(schema, stored)
            )
            out.processed.append(shown)
            out.versions.append(doc_version(stored))
    paged(out, bounds)


async def _update_one(
    service: DataService,
    schema: Schema,
    coll: Collection,
    spec: dict[str, Any],
    updater: Updater,
    doc: dict[str, Any],
    allowed: set[str] | None,
    projection: Projection | None,
    out: Outcome,
) -> dict[str, Any] | None:
    def failed(errors: list[Error], current: dict[str, Any]) -> None:
        # data: projected by the request projection, or just `_id` (§5)
        data = service.shown(schema, projection, current) if projection else {"_id": current["_id"]}
        out.data_error(data, errors)

    async with coll.exclusive(doc["_id"]):  # this process's writers of it take turns
        for _ in range(MAX_RETRIES):
            if allowed is not None and doc_version(doc) not in allowed:
                error = Error(
                    errorCode=E.CONCURRENT_UPDATE, msg=str(doc["_id"]), context=out.context
                )
                failed([error], doc)
                return None
            new = updater.apply(clone(doc))
            errors = list(updater.errors) + _checked_update(service, schema, doc, new, updater, out)
            if errors:
                failed(errors, doc)
                return None
            if stripped(new) == stripped(doc):
                return doc  # matched, unchanged: not written (§5)
            swapped = await _swap(schema, coll, doc, new, out, E.UPDATE_ERROR)
            if isinstance(swapped, Error):
                failed([swapped], doc)
                return None
            if swapped:
                return new
            again = await coll.find_one({"$and": [spec, {"_id": doc["_id"]}]})
            if again is None:
                return None  # changed by another writer so that it no longer matches
            doc = again
    failed([Error(errorCode=E.CONCURRENT_UPDATE, msg=str(doc["_id"]), context=out.context)], doc)
    return None


def _checked_update(
    service: DataService,
    schema: Schema,
    old: dict[str, Any],
    new: dict[str, Any],
    updater: Updater,
    out: Outcome,
) -> list[Error]:
    set_counts(schema, new)
    errors = validate(schema, new, out.context)
    for steps in updater.touched:  # fields whose value the update changed
        if not changed(old, new, steps):
            continue
        if not service.caller.may_field(schema, schema.field(steps), "update"):
            msg = ".".join(steps)
            errors.append(Error(errorCode=E.UPDATE_NO_FIELD_ACCESS, msg=msg, context=out.context))
    return errors


# -- delete ------------------------------------------------------------------------------


async def delete(
    service: DataService, out: Outcome, body: DeleteRequest, version: str | None
) -> None:
    schema = await service.open(out, body, version, "delete")
    if body.query is msgspec.UNSET or body.query is None:
        raise LightblueError(E.NULL_QUERY, "query")
    spec = Query(schema).filter(body.query)  # find access: only for finds
    out.modified = await service.collection(schema).delete(spec, many=True)


def _value_at(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for step in split(path):
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return node


def _present(doc: dict[str, Any], steps: list[str]) -> bool:
    nodes: list[Any] = [doc]
    for step in steps:
        nxt: list[Any] = []
        for node in nodes:
            if step == "*" and isinstance(node, list):
                nxt.extend(node)
            elif isinstance(node, dict) and step in node:
                nxt.append(node[step])
        nodes = nxt
    return any(n is not None for n in nodes)
