"""Saved searches (§1.1 /search): documents of the `savedSearch` entity, run as finds.

A saved search is `{name, entity, versions: [v | null], parameters: [{name, type, optional,
defaultValue}], query, projection, sort, range}`; `query`/`projection`/`sort` are JSON or
JSON text with `${param}` placeholders. The best version match wins: the exact version, then
the longest dotted prefix ("1.0" for 1.0.3), then a search for every version (null / none).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec

from . import errors as E
from .calls import Outcome
from .errors import LightblueError
from .query import Query
from .reads import find
from .schema import Field
from .service import DataService
from .values import cast, show
from .wire import FindRequest, decode_plain

SAVED_SEARCH = "savedSearch"  # the entity holding the searches (lightblue's default)
INVALID_TYPE = "crud:saved-search:invalidType"
NO_DEFAULT = "crud:saved-search:noDefaultValue"
MISSING = "crud:saved-search:missing"
# failures before the find runs: a bare {errors, status} (§2.2)
SAVED_SEARCH_CODES = frozenset({E.SAVED_SEARCH_ERROR, INVALID_TYPE, NO_DEFAULT, MISSING})
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_TYPES = ("string", "integer", "double", "boolean", "date", "biginteger", "bigdecimal", "uid")


def _prefix_length(version: str, candidate: str | None) -> int:
    """How much of `version` the candidate names: whole, or up to a dot; 0 when it does not."""
    if candidate is None:
        return 0
    if candidate == version:
        return len(version)
    if version.startswith(candidate) and version[len(candidate)] == ".":
        return len(candidate)
    return 0


def best_match(searches: list[dict[str, Any]], version: str) -> dict[str, Any] | None:
    best, best_length = None, 0
    for search in searches:
        versions = search.get("versions")
        for candidate in versions if isinstance(versions, list) and versions else [None]:
            if candidate is None:  # for every version: only while nothing better matched
                best = search if best is None else best
                continue
            length = _prefix_length(version, str(candidate))
            if length > best_length:
                best, best_length = search, length
    return best


def parameter_values(search: dict[str, Any], given: dict[str, str]) -> dict[str, str]:
    """Given values cast to their declared types, defaults for optional ones (as text)."""
    out: dict[str, str] = {}
    for spec in search.get("parameters") or []:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            continue
        name, kind = spec["name"], spec.get("type", "string")
        if kind not in _TYPES:
            raise LightblueError(INVALID_TYPE, str(kind))
        field = Field(name, name, kind, {})
        if name in given:
            value = cast(field, given[name])
        elif spec.get("optional") is True:
            if "defaultValue" not in spec:
                raise LightblueError(NO_DEFAULT, name)
            value = cast(field, spec["defaultValue"])
        else:
            raise LightblueError(MISSING, name)
        out[name] = (
            "null" if value is None else show(value) if not isinstance(value, str) else value
        )
    return out


def _substitute_text(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1).strip(), m.group(0)), text)


def bind(part: Any, values: dict[str, str]) -> Any:
    """A search component with its placeholders filled: JSON text is parsed afterwards."""
    if isinstance(part, str):
        try:
            return decode_plain(_substitute_text(part, values))
        except msgspec.DecodeError:
            raise LightblueError(E.SAVED_SEARCH_ERROR, part) from None
    return _bind_json(part, values)


def _bind_json(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _bind_json(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_bind_json(v, values) for v in node]
    if isinstance(node, str):
        return _substitute_text(node, values)
    return node


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """GET|POST /search/{e}[/{v}][/{name}]: which search (none: list them), its parameter
    values, and the find fields the query string overrides (§1.1)."""

    name: str | None
    given: dict[str, str]
    overrides: FindRequest


async def saved_search(
    service: DataService, out: Outcome, body: SavedSearch, version: str | None
) -> None:
    if body.name is None:
        await list_searches(service, out, body.overrides)
    else:
        await run_search(service, out, body.name, version, body.given, body.overrides)


async def _searches(service: DataService, query: dict[str, Any]) -> list[dict[str, Any]]:
    schema = await service.store.resolve(SAVED_SEARCH, None)
    if not service.caller.may(schema, "find"):
        raise LightblueError(E.NO_ACCESS, f"find {SAVED_SEARCH}")
    found = await service.collection(schema).find(Query(schema).filter(query))
    return [service.whole(schema, d) for d in found]


async def run_search(
    service: DataService,
    out: Outcome,
    name: str,
    version: str | None,
    given: dict[str, str],
    overrides: FindRequest,
) -> None:
    """GET|POST /search/{e}[/{v}]/{name}: the saved search as a find on {e} (§1.1)."""
    target = await service.store.resolve(out.entity, version)
    wanted = version or target.version
    terms = [
        {"field": "name", "op": "=", "rvalue": name},
        {"field": "entity", "op": "=", "rvalue": out.entity},
    ]
    search = best_match(await _searches(service, {"$and": terms}), wanted)
    if search is None:
        raise LightblueError(E.SAVED_SEARCH_ERROR, f"{name}:{out.entity}:{version}")
    values = parameter_values(search, given)
    body = FindRequest(entityVersion=version)
    body.query = bind(search.get("query"), values) if search.get("query") else None
    projection = bind(search["projection"], values) if search.get("projection") else None
    if overrides.projection is not msgspec.UNSET and overrides.projection is not None:
        extra = overrides.projection
        rules = projection if isinstance(projection, list) else [projection] if projection else []
        projection = [*rules, *(extra if isinstance(extra, list) else [extra])]
    body.projection = projection if projection is not None else msgspec.UNSET
    body.sort = overrides.sort
    if body.sort is msgspec.UNSET and search.get("sort"):
        body.sort = bind(search["sort"], values)
    if isinstance(search.get("range"), list) and len(search["range"]) == 2:
        body.from_, body.to = search["range"]
    for attr in ("from_", "to", "maxResults"):
        if getattr(overrides, attr) is not msgspec.UNSET:
            setattr(body, attr, getattr(overrides, attr))
    await find(service, out, body, version)


async def list_searches(service: DataService, out: Outcome, overrides: FindRequest) -> None:
    """GET /search/{e}: the entity's saved searches, sorted by name by default (§1.1)."""
    entity = out.entity
    out.entity = SAVED_SEARCH
    body = FindRequest(query={"field": "entity", "op": "=", "rvalue": entity})
    body.projection = overrides.projection
    body.sort = overrides.sort if overrides.sort is not msgspec.UNSET else {"name": "$asc"}
    await find(service, out, body, None)
