"""lightblue's metadata endpoints under /rest/metadata and /metadata (§1.2).

Every answer is HTTP 200; a failure is a bare error object (§1.2).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.dialect import DialectContext

from . import errors as E
from .access import caller_of
from .errors import LightblueError
from .metastore import MetadataStore
from .schema import Schema
from .wire import Error, decode_plain, respond

Handler = Callable[[MetadataStore, Request], Awaitable[Any]]
_EMPTY = object()


async def _json(request: Request) -> Any:
    raw = await request.body()
    try:
        return decode_plain(raw) if raw.strip() else None
    except msgspec.DecodeError as exc:  # in lightblue's words, raised where it happens
        raise LightblueError(E.METADATA_REST_ERROR, str(exc)) from None


async def names(store: MetadataStore, request: Request) -> Any:
    return {"entities": await store.entity_names()}


async def entity_get(store: MetadataStore, request: Request) -> Any:
    entity: str = request.path_params["entity"]
    if entity.startswith("s="):  # GET /s={statuses} (§1.2)
        statuses = [s.strip().lower() for s in entity[2:].split(",") if s.strip()]
        return {"entities": await store.entity_names(statuses)}
    return await store.versions(entity)


async def metadata_get(store: MetadataStore, request: Request) -> Any:
    p = request.path_params
    return await store.metadata(p["entity"], p["version"])


async def create(store: MetadataStore, request: Request) -> Any:
    p = request.path_params
    body = await _json(request)
    version: str = p["version"]
    if version.startswith("schema="):  # PUT /{e}/schema={v} (§1.2)
        return await store.add_schema(p["entity"], version[len("schema=") :], body)
    return await store.create(p["entity"], version, body)


async def update_info(store: MetadataStore, request: Request) -> Any:
    return await store.update_info(request.path_params["entity"], await _json(request))


async def set_status(store: MetadataStore, request: Request) -> Any:
    p = request.path_params
    comment = request.query_params.get("comment")
    return await store.set_status(p["entity"], p["version"], p["status"].lower(), comment)


async def set_default(store: MetadataStore, request: Request) -> Any:
    p = request.path_params
    return await store.set_default(p["entity"], p["version"])


async def clear_default(store: MetadataStore, request: Request) -> Any:
    return await store.clear_default(request.path_params["entity"])


async def remove(store: MetadataStore, request: Request) -> Any:
    await store.delete(request.path_params["entity"])
    return _EMPTY


OPERATIONS = ("find", "insert", "update", "delete")
FIELD_OPERATIONS = ("find", "insert", "update")


async def roles(store: MetadataStore, request: Request) -> Any:
    """Per role, the `entity` and `entity.field` paths each operation grants (§1.2), as
    lightblue-mongo's getAccess: an entity without metadata (no default version) is a dataError
    `{"name": ...}`; status PARTIAL when some failed, ERROR when nothing was found."""
    p = request.path_params
    if "entity" in p:
        entities, version = [p["entity"]], p.get("version")
    else:
        entities, version = await store.entity_names(), None  # every default version
    found: dict[str, dict[str, list[str]]] = {}

    def grant(access: dict[str, Any], ops: tuple[str, ...], path: str) -> None:
        for op in ops:
            for role in access.get(op) or []:
                found.setdefault(role, {}).setdefault(op, []).append(path)

    errors = []
    for name in entities:
        try:
            schema = Schema(await store.metadata(name, version or "default"))
        except LightblueError as exc:  # logic: one entity's failure is its dataError (PARTIAL)
            data = {"name": name, **({"version": version} if version else {})}
            msg = f"Could not get metadata for given input. Error message: {exc}"
            errors.append({"data": data, "errors": [Error(errorCode=E.NO_METADATA, msg=msg)]})
            continue
        grant(schema.access, OPERATIONS, name)
        for field in schema.walk():
            grant(field.access, FIELD_OPERATIONS, f"{name}.{field.path}")
    status = "ERROR" if not found else "PARTIAL" if errors else "COMPLETE"
    body: dict[str, Any] = {"status": status, "modifiedCount": 0, "matchCount": 0}
    if found:
        body["processed"] = [{"role": role, **ops} for role, ops in sorted(found.items())]
    if errors:
        body["dataErrors"] = errors
    return body


async def diff(store: MetadataStore, request: Request) -> Any:
    """GET /{e}/{v1}/diff/{v2}: lightblue's JsonCompare deltas (§1.2): a changed value is
    `{"-path": old, "+path": new}`, an added or removed field or element one delta holding
    the whole node."""
    p = request.path_params
    old = await store.metadata(p["entity"], p["version"])
    new = await store.metadata(p["entity"], p["other"])
    return _deltas(old, new, "")


def _deltas(old: Any, new: Any, path: str) -> list[dict[str, Any]]:
    def at(key: str | int) -> str:
        return f"{path}.{key}" if path else str(key)

    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key, value in old.items():
            out += _deltas(value, new[key], at(key)) if key in new else [{f"-{at(key)}": value}]
        return out + [{f"+{at(key)}": value} for key, value in new.items() if key not in old]
    if isinstance(old, list) and isinstance(new, list):
        out = []
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            out += _deltas(a, b, at(i))
        out += [{f"-{at(i)}": v} for i, v in enumerate(old) if i >= len(new)]
        return out + [{f"+{at(i)}": v} for i, v in enumerate(new) if i >= len(old)]
    return [] if old == new and type(old) is type(new) else [{f"-{path}": old, f"+{path}": new}]


async def dependencies(store: MetadataStore, request: Request) -> Any:
    """lightblue-mongo's getDependencies throws UnsupportedOperationException, which
    GetDependenciesCommand reports as rest-metadata:RestError with its trail (§1.2)."""
    p = request.path_params
    trail = "/".join(["GetDependenciesCommand", *(p[k] for k in ("entity", "version") if k in p)])
    msg = "java.lang.UnsupportedOperationException: Not supported yet."
    raise LightblueError(E.METADATA_REST_ERROR, msg, trail)


def _wrapper(ctx: DialectContext) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    options = ctx.settings.dialects.get("lightblue") or {}

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            store = MetadataStore(ctx.engine, caller_of(request, options).tenant)
            result = await handler(store, request)  # errors: errors.lightblue_error (§1.2)
            if result is _EMPTY:
                return Response(b"", 200)
            return respond(result, 200)

        return endpoint

    return wrap


def root_routes(ctx: DialectContext) -> list[BaseRoute]:
    """GET /rest/metadata (no trailing slash) lists the entities too."""
    wrap = _wrapper(ctx)
    return [Route(p, wrap(names), methods=["GET"]) for p in ("/rest/metadata", "/metadata")]


def metadata_routes(ctx: DialectContext) -> list[Route]:
    wrap = _wrapper(ctx)
    return [
        Route("/", wrap(names), methods=["GET"]),
        Route("/roles", wrap(roles), methods=["GET"]),
        Route("/dependencies", wrap(dependencies), methods=["GET"]),
        Route("/{entity}/roles", wrap(roles), methods=["GET"]),
        Route("/{entity}/dependencies", wrap(dependencies), methods=["GET"]),
        Route("/{entity}/{version}/roles", wrap(roles), methods=["GET"]),
        Route("/{entity}/{version}/dependencies", wrap(dependencies), methods=["GET"]),
        Route("/{entity}/{version}/diff/{other}", wrap(diff), methods=["GET"]),
        Route("/{entity}/default", wrap(clear_default), methods=["DELETE"]),
        Route("/{entity}/{version}/default", wrap(set_default), methods=["POST"]),
        Route("/{entity}", wrap(entity_get), methods=["GET"]),
        Route("/{entity}", wrap(update_info), methods=["PUT"]),
        Route("/{entity}", wrap(remove), methods=["DELETE"]),
        Route("/{entity}/{version}", wrap(metadata_get), methods=["GET"]),
        Route("/{entity}/{version}", wrap(create), methods=["PUT"]),
        Route("/{entity}/{version}/{status}", wrap(set_status), methods=["PUT"]),
    ]
