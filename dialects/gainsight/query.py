"""The Read API (spec §3): select, where (conditions + expression), orderBy, limit, offset.

Lookup paths in conditions become `$in`/`$nin` on the lookup field, computed from the target
object's rows; orderBy sorts in Python (nulls last asc, first desc; case-sensitive) [I].
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from doppelgate.engine import Collection
from doppelgate.engine.values import compare

from .conditions import canonical, field_filter
from .datatypes import render
from .errors import INVALID_FIELD, GainsightError
from .expression import all_of, combine
from .options import DateOutput
from .paths import FieldRef, Objects, resolve_ref
from .schema import ObjectSchema
from .wire import Condition, QueryBody, RecordsData

MAX_LIMIT = 5000  # spec §3
ORDER = "_n"

Rows = Callable[[ObjectSchema], Collection]


def bad_query(detail: str) -> GainsightError:
    return GainsightError(INVALID_FIELD, f"{INVALID_FIELD.desc}. {detail}")


class Query:
    def __init__(self, objects: Objects, rows: Rows, zone: dt.tzinfo, output: DateOutput) -> None:
        self.objects = objects
        self.rows = rows
        self.zone = zone
        self.output = output
        self.cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    async def run(self, schema: ObjectSchema, body: QueryBody) -> RecordsData:
        if not body.select:
            raise bad_query("select is required.")
        select = [await resolve_ref(schema, s, self.objects) for s in body.select]
        order = await self._order(schema, body.orderBy or {})
        limit = MAX_LIMIT if not body.limit else min(body.limit, MAX_LIMIT)  # clamp [I]
        offset = body.offset or 0
        if limit < 0 or offset < 0:
            raise bad_query("limit and offset must not be negative.")
        filter = await self._where(schema, body)
        rows = self.rows(schema)
        if order:
            docs = await rows.find(filter, sort=[(ORDER, 1), ("_id", 1)])
            docs = await self._sorted(docs, order)
            docs = docs[offset : offset + limit]
        else:  # no orderBy: insertion order [I]
            docs = await rows.find(filter, sort=[(ORDER, 1), ("_id", 1)], skip=offset, limit=limit)
        columns = [await self._values(docs, ref, rendered=True) for ref in select]
        records = [
            {ref.text: column[i] for ref, column in zip(select, columns, strict=True)}
            for i in range(len(docs))
        ]
        return RecordsData(records)

    # -- where ------------------------------------------------------------------------------

    async def _where(self, schema: ObjectSchema, body: QueryBody) -> dict[str, Any]:
        where = body.where
        if where is None or not where.conditions:
            if where is not None and where.expression and where.expression.strip():
                return combine(where.expression, {})  # names an alias that does not exist
            return {}
        filters: dict[str, dict[str, Any]] = {}
        ordered: list[dict[str, Any]] = []
        for condition in where.conditions:
            compiled = await self._condition(schema, condition)
            ordered.append(compiled)
            if condition.alias:
                filters[condition.alias.strip()] = compiled
        if where.expression and where.expression.strip():
            return combine(where.expression, filters)
        return all_of(ordered)  # no expression: AND of all conditions [I]

    async def _condition(self, schema: ObjectSchema, condition: Condition) -> dict[str, Any]:
        op = canonical(condition.operator)
        values = condition.value if isinstance(condition.value, list) else [condition.value]
        ref = await resolve_ref(schema, condition.name, self.objects)
        if ref.lower:
            raise bad_query(f"tolower() is not allowed in conditions: {condition.name}.")
        return await self._through(list(ref.hops), ref, op, values)

    async def _through(self, hops: list[Any], ref: FieldRef, op: str, values: list[Any]) -> Any:
        if not hops:
            return field_filter(ref.field, ref.text, op, values, self.zone)
        hop, rest = hops[0], hops[1:]
        if op == "IS_NULL":  # a null hop makes the whole path null: NOT (path IS_NOT_NULL)
            inner = await self._through(rest, ref, "IS_NOT_NULL", [])
            return {hop.field.name: {"$nin": await self._ids(hop.target, inner)}}
        inner = await self._through(rest, ref, op, values)
        return {hop.field.name: {"$in": await self._ids(hop.target, inner)}}

    async def _ids(self, schema: ObjectSchema, filter: dict[str, Any]) -> list[str]:
        docs = await self.rows(schema).find(filter, projection={"_id": 1})
        return [d["_id"] for d in docs]

    # -- orderBy ----------------------------------------------------------------------------

    async def _order(
        self, schema: ObjectSchema, spec: dict[str, str]
    ) -> list[tuple[FieldRef, bool]]:
        order = []
        for key, direction in spec.items():
            way = str(direction).strip().lower()
            if way not in ("asc", "desc"):
                raise bad_query(f"orderBy {key} must be asc or desc.")
            order.append((await resolve_ref(schema, key, self.objects), way == "desc"))
        return order

    async def _sorted(
        self, docs: list[dict[str, Any]], order: list[tuple[FieldRef, bool]]
    ) -> list[dict[str, Any]]:
        keyed = list(range(len(docs)))
        for ref, descending in reversed(order):  # stable sorts, last key first
            values = await self._values(docs, ref, rendered=False)

            def cmp(a: int, b: int, values: list[Any] = values) -> int:
                x, y = values[a], values[b]
                if x is None or y is None:  # nulls last asc, first desc (PostgreSQL) [I]
                    return (x is None) - (y is None)
                return compare(x, y)

            keyed.sort(key=functools.cmp_to_key(cmp), reverse=descending)
        return [docs[i] for i in keyed]

    # -- values along a path ----------------------------------------------------------------

    async def _values(self, docs: list[dict[str, Any]], ref: FieldRef, rendered: bool) -> list[Any]:
        current: list[dict[str, Any] | None] = list(docs)
        for hop in ref.hops:
            ids = [d.get(hop.field.name) if d else None for d in current]
            found = await self._fetch(hop.target, [i for i in ids if isinstance(i, str)])
            current = [found.get(i) if isinstance(i, str) else None for i in ids]
        out = []
        for d in current:
            value = d.get(ref.field.name) if d is not None and ref.field is not None else None
            if rendered:
                value = render(ref.field, value, self.output)
            if ref.lower and isinstance(value, str):
                value = value.lower()
            out.append(value)
        return out

    async def _fetch(self, schema: ObjectSchema, ids: list[str]) -> dict[str, dict[str, Any]]:
        name = schema.name.lower()
        missing = list(dict.fromkeys(i for i in ids if (name, i) not in self.cache))
        if missing:
            for i in missing:
                self.cache[(name, i)] = None
            for doc in await self.rows(schema).find({"_id": {"$in": missing}}):
                self.cache[(name, doc["_id"])] = doc
        return {i: d for i in ids if (d := self.cache.get((name, i))) is not None}
