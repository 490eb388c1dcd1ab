"""The data service's reads: find, explain and generate, composed from service.py (§1.1, §2, §4)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import msgspec

from . import errors as E
from .calls import Outcome
from .dates import dates_to_text
from .errors import LightblueError
from .generators import generate as generated
from .paging import limits, page, sort_spec
from .projection import Projection
from .query import Query
from .references import bound, join
from .schema import Field, Schema
from .service import DataService, doc_version
from .wire import FindRequest, Request


@dataclass(frozen=True, slots=True)
class Generate:
    """GET /generate/{e}[/{v}]/{field}?n=N: which field's generator, how many values (§1.1)."""

    field: str
    count: int


def parse_find(
    service: DataService, schema: Schema, body: FindRequest
) -> tuple[dict[str, Any], Projection | None, list[tuple[str, int]]]:
    """Filter, projection and sort of a find; parse errors masked as RestFindError (§2.4)."""
    try:
        query = None if body.query is msgspec.UNSET else body.query
        spec = service.query(schema).filter(query)
        projection = service.projection(schema, body.projection)
        sort = [] if body.sort in (msgspec.UNSET, None) else sort_spec(schema, body.sort)
    except LightblueError as exc:  # logic, not a response: lightblue masks these codes (§2.4)
        if exc.code not in E.PARSE_ERRORS:
            raise
        error = LightblueError(E.REST_FIND_ERROR, "Error during the parse of the request")
        raise error from None
    return spec, projection, sort


async def find(service: DataService, out: Outcome, body: FindRequest, version: str | None) -> None:
    schema = await service.open(out, body, version, "find")
    spec, projection, sort = parse_find(service, schema, body)
    try:
        bounds = limits(*page(body))
    except ValueError:  # the range's own check, reported in lightblue's words (§2.1)
        raise LightblueError(E.REST_FIND_ERROR, "Request is not valid") from None
    coll = service.collection(schema)
    docs: list[dict[str, Any]] = []
    if bounds is not None:  # the page and matchCount from one planned query
        skip, limit = bounds
        docs, out.matched = await coll.find_with_count(spec, sort=sort, skip=skip, limit=limit)
    else:
        out.matched = await coll.count(spec)
    versions = [doc_version(d) for d in docs]
    docs = await join(schema, body.projection, docs, partial(_referenced, service))
    out.processed = [service.shown(schema, projection, d) for d in docs]
    out.versions = versions
    limit = service.caller.max_result_bytes
    if limit is not None and len(msgspec.json.encode(out.processed)) > limit:
        out.processed, out.versions = None, []
        raise LightblueError(E.RESULT_SIZE_TOO_LARGE, str(limit))  # §4 Range


async def _referenced(service: DataService, field: Field, holder: dict[str, Any]) -> list[Any]:
    """The documents a reference field joins to, with its projection and sort (§6)."""
    spec = field.spec
    target = await service.store.resolve(str(spec.get("entity")), spec.get("versionValue"))
    if not service.caller.may(target, "find"):
        return []
    query = bound(spec.get("query"), holder)
    sort = sort_spec(target, spec["sort"]) if spec.get("sort") else []
    found = await service.collection(target).find(Query(target).filter(query), sort=sort)
    inner = service.projection(target, spec.get("projection"))
    return [
        service.whole(target, d) if inner is None else service.shown(target, inner, d)
        for d in found
    ]


async def explain(
    service: DataService, out: Outcome, body: FindRequest, version: str | None
) -> None:
    """`processed` holds the plan: the engine filter and sort the find would run (§1.1)."""
    schema = await service.open(out, body, version, "find")
    spec, _, sort = parse_find(service, schema, body)
    plan = {
        "backend": service.engine.backend,
        "collection": schema.collection,
        "query": dates_to_text(spec),
        "sort": [{path: "$asc" if d > 0 else "$desc"} for path, d in sort],
        # which index served it and how many documents it examined (engine explain)
        "execution": await service.collection(schema).explain(spec, sort=sort),
    }
    out.processed = [plan]


async def generate(service: DataService, out: Outcome, body: Generate, version: str | None) -> None:
    schema = await service.open(out, Request(), version, "find")
    field: Field = schema.field(body.field)
    values = await generated(field, body.count, service.store.coll)
    if values:
        out.processed = dates_to_text(values)
