"""update (§5): each match modified in memory, re-validated, written only if it changed."""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate.engine import Collection
from doppelgate.engine.core import clone

from . import errors as E
from .calls import Outcome
from .documents import set_counts, validate
from .errors import LightblueError
from .projection import Projection
from .query import Query
from .schema import Schema
from .service import doc_version
from .updates import Updater, changed
from .wire import Error, UpdateRequest
from .writes import MAX_RETRIES, Writes, allowed_versions, paged, stripped, write_page


class Updates(Writes):
    async def update(self, out: Outcome, body: UpdateRequest, version: str | None) -> None:
        schema = await self.open(out, body, version, "update")
        bounds = write_page(body, E.REST_UPDATE_ERROR)
        if body.query is msgspec.UNSET or body.query is None:
            raise LightblueError(E.NULL_QUERY, "query")
        if body.update is msgspec.UNSET or body.update is None:
            raise LightblueError(E.INVALID_UPDATE, "update")
        spec = Query(schema).filter(body.query)
        updater = Updater(schema, body.update)
        updater.check()  # path and shape errors fail the request before any write
        projection = self.projection(schema, body.projection)
        allowed = allowed_versions(body)
        coll = self.collection(schema)
        docs = await coll.find(spec)
        out.matched = len(docs)
        out.processed = []
        for doc in docs:
            stored = await self._update_one(
                schema, coll, spec, updater, doc, allowed, projection, out
            )
            if stored is not None:
                shown = (
                    self.shown(schema, projection, stored)
                    if projection
                    else self.whole(schema, stored)
                )
                out.processed.append(shown)
                out.versions.append(doc_version(stored))
        paged(out, bounds)

    async def _update_one(
        self,
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
            data = (
                self.shown(schema, projection, current) if projection else {"_id": current["_id"]}
            )
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
                errors = list(updater.errors) + self._checked_update(schema, doc, new, updater, out)
                if errors:
                    failed(errors, doc)
                    return None
                if stripped(new) == stripped(doc):
                    return doc  # matched, unchanged: not written (§5)
                swapped = await self._swap(schema, coll, doc, new, out, E.UPDATE_ERROR)
                if isinstance(swapped, Error):
                    failed([swapped], doc)
                    return None
                if swapped:
                    return new
                again = await coll.find_one({"$and": [spec, {"_id": doc["_id"]}]})
                if again is None:
                    return None  # changed by another writer so that it no longer matches
                doc = again
        failed(
            [Error(errorCode=E.CONCURRENT_UPDATE, msg=str(doc["_id"]), context=out.context)], doc
        )
        return None

    def _checked_update(
        self,
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
            if not self.caller.may_field(schema, schema.field(steps), "update"):
                msg = ".".join(steps)
                errors.append(
                    Error(errorCode=E.UPDATE_NO_FIELD_ACCESS, msg=msg, context=out.context)
                )
        return errors
