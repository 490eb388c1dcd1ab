"""lightblue's data endpoints under /rest/data and /data (§1.1, §1.3)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from doppelgate.dialect import DialectContext
from doppelgate.engine import Derived

from . import errors as E
from .access import caller_of
from .bulk import bulk
from .errors import LightblueError
from .locks import Lock
from .metaroutes import metadata_routes, root_routes
from .operations import call
from .reads import Generate
from .schema import Schema
from .searches import SavedSearch
from .simple import PAGING, simple_find
from .values import show
from .wire import (
    Envelope,
    FailedCall,
    LockRequest,
    LockResult,
    decode_plain,
    encode,
    respond,
)


def _version(request: Request) -> str | None:
    version: str | None = request.path_params.get("version")
    return version


def _options(ctx: DialectContext) -> dict[str, Any]:
    return ctx.settings.dialects.get("lightblue") or {}


async def _search_parameters(request: Request) -> dict[str, str]:
    """From the query string (GET) or a flat JSON object body (POST) (§1.1)."""
    if request.method == "GET":
        return {k: v for k, v in request.query_params.items() if k not in ("P", "S", *PAGING)}
    raw = await request.body()
    try:
        given = decode_plain(raw) if raw.strip() else {}
    except msgspec.DecodeError as exc:
        raise LightblueError(E.SAVED_SEARCH_ERROR, str(exc)) from None
    if not isinstance(given, dict):
        raise LightblueError(E.SAVED_SEARCH_ERROR, "parameters must be a JSON object")
    return {str(k): v if isinstance(v, str) else show(v) for k, v in given.items()}


def streamed(body: Envelope | FailedCall) -> bytes:
    """?stream=true: the envelope without documents, then one object per document, the last
    marked `"last": true` (§1.1); with no document the envelope carries the mark [inf]."""
    if not isinstance(body, Envelope) or not isinstance(body.processed, list):
        return encode(body)
    docs, versions = body.processed, body.resultMetadata
    head = msgspec.structs.replace(body, processed=msgspec.UNSET, resultMetadata=msgspec.UNSET)
    parts = [encode(head if docs else {**msgspec.to_builtins(head), "last": True})]
    for i, doc in enumerate(docs):
        item: dict[str, Any] = {"processed": doc}
        if isinstance(versions, list):
            item["resultMetadata"] = versions[i]
        if i == len(docs) - 1:
            item["last"] = True
        parts.append(encode(item))
    return b"".join(parts)


def data_routes(ctx: DialectContext) -> list[Route]:
    options = _options(ctx)
    schemas: Derived[Schema] = Derived()  # what data calls resolve, while metadata is unchanged

    def operation(op: str, method: str = "POST") -> Any:
        async def endpoint(request: Request) -> Response:
            caller = caller_of(request, options)
            entity = request.path_params["entity"]
            version = _version(request)
            raw: Any = (
                simple_find(request.query_params) if method == "GET" else await request.body()
            )
            body = await call(ctx.engine, schemas, caller, op, entity, version, raw)
            if op == "find" and request.query_params.get("stream") == "true":
                return Response(streamed(body), media_type="application/json")
            return respond(body)

        return endpoint

    async def search(request: Request) -> Response:
        """Saved searches: list them, or run one with parameters (§1.1)."""
        caller = caller_of(request, options)
        p = request.path_params
        overrides = simple_find(request.query_params, default_projection=msgspec.UNSET)
        search = SavedSearch(p.get("name"), await _search_parameters(request), overrides)
        return respond(
            await call(ctx.engine, schemas, caller, "search", p["entity"], p.get("version"), search)
        )

    async def generate(request: Request) -> Response:
        """GET /generate/{e}[/{v}]/{field}?n=N: values of the field's generator (§1.1)."""
        caller = caller_of(request, options)
        p = request.path_params
        text = request.query_params.get("n", "1")
        if not text.isdigit():
            raise LightblueError(E.REST_GENERATE_ERROR, text)
        asked = Generate(p["field"], max(int(text), 1))
        answer = await call(
            ctx.engine, schemas, caller, "generate", p["entity"], _version(request), asked
        )
        return respond(answer)

    async def lock(request: Request) -> Response:
        """Lock calls; a failure is `{"errors":[...],"status":"ERROR"}` with a trail
        `rest/<Command>/<resource>`, as lightblue-rest's CallStatus renders it (§1.1)."""
        caller = caller_of(request, options)
        p = request.path_params
        if request.method == "POST":
            try:
                spec = msgspec.json.decode(await request.body(), type=LockRequest)
            except (msgspec.DecodeError, msgspec.ValidationError):  # in lightblue's words
                raise LightblueError(E.REST_ERROR, "Error parsing lock request", "rest") from None
            op, args, ttl = spec.operation, (spec.domain, spec.callerId, spec.resourceId), spec.ttl
        else:
            ttl_text = request.query_params.get("ttl")
            ttl = int(ttl_text) if ttl_text and ttl_text.lstrip("-").isdigit() else None
            args = (p["domain"], p["caller"], p["resource"])
            op = {"PUT": "acquire", "DELETE": "release", "GET": "count"}[request.method]
            op = "ping" if request.url.path.endswith("/ping") else op
        lock = Lock(ctx.engine, caller.tenant, options.get("lockingDomains"), op, *args)
        return respond(LockResult(await lock.run(ttl)))

    async def health(request: Request) -> Response:
        try:
            await ctx.engine.ping()
            check = {"healthy": True, "message": "ok"}
        except Exception as exc:  # the report itself: health tells what failed (§1.1)
            check = {"healthy": False, "message": str(exc)}
        return respond({"engine": check})

    async def bulk_endpoint(request: Request) -> Response:
        caller = caller_of(request, options)
        return respond(await bulk(ctx.engine, schemas, caller, await request.body()))

    def both(path: str, endpoint: Any, methods: list[str]) -> list[Route]:
        return [
            Route(path, endpoint, methods=methods),
            Route(f"{path}/{{version}}", endpoint, methods=methods),
        ]

    lock_path = "/lock/{domain}/{caller}/{resource}"
    return [
        Route("/health", health, methods=["GET"]),
        Route("/diagnostics", health, methods=["GET"]),
        Route("/bulk", bulk_endpoint, methods=["POST"]),
        Route("/lock/", lock, methods=["POST"]),
        Route("/lock", lock, methods=["POST"]),
        Route(f"{lock_path}/ping", lock, methods=["PUT"]),
        Route(lock_path, lock, methods=["PUT", "DELETE", "GET"]),
        Route("/search/{entity}", search, methods=["GET"]),
        Route("/search/{entity}/{name}", search, methods=["GET", "POST"]),
        Route("/search/{entity}/{version}/{name}", search, methods=["GET", "POST"]),
        Route("/generate/{entity}/{field}", generate, methods=["GET"]),
        Route("/generate/{entity}/{version}/{field}", generate, methods=["GET"]),
        *both("/insert/{entity}", operation("insert"), ["PUT"]),
        *both("/save/{entity}", operation("save"), ["POST"]),
        *both("/update/{entity}", operation("update"), ["POST"]),
        *both("/delete/{entity}", operation("delete"), ["POST"]),
        *both("/find/{entity}", operation("find"), ["POST"]),
        *both("/find/{entity}", operation("find", "GET"), ["GET"]),
        *both("/explain/{entity}", operation("explain"), ["POST"]),
        *both("/explain/{entity}", operation("explain", "GET"), ["GET"]),
        *both("/{entity}", operation("insert"), ["PUT"]),  # deprecated alias of insert (§1.1)
    ]


def _under(base: str, routes: list[Route]) -> list[BaseRoute]:
    """The routes at `base` + their path (full paths keep vendor_path whole for errors)."""
    out: list[BaseRoute] = []
    for route in routes:
        path = base + route.path if route.path != "/" else base + "/"
        out.append(Route(path, route.endpoint, methods=sorted(route.methods or ())))
    return out


def routes(ctx: DialectContext) -> list[BaseRoute]:
    data, metadata = data_routes(ctx), metadata_routes(ctx)
    # clients take base URLs .../rest/data and .../rest/metadata; the docs write /data (§1)
    return [
        *root_routes(ctx),
        *_under("/rest/data", data),
        *_under("/data", data),
        *_under("/rest/metadata", metadata),
        *_under("/metadata", metadata),
    ]
