"""The console's JSON API under /_doppelgate/console/api: browse the engine (dialects, tenants,
views, pages of documents by _id), and read/store/add/delete/query through the vendor APIs."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .. import __version__
from ..console_adapter import ConsoleAdapter, ConsoleError, VendorCall, View
from ..control.asgi import http_scope, run_asgi
from ..control.capture import BODY_LIMIT, redact_text
from ..control.http import json_response, problem
from ..control.values import from_json, to_json
from ..engine import BackendUnavailable, EngineError

if TYPE_CHECKING:
    from ..config import Settings
    from ..control.plane import Control

PAGE = 50
MAX_PAGE = 500
CONSOLE_HOST = "doppelgate.console"  # the Host of the console's own vendor calls


class VendorAnswer(msgspec.Struct):
    request: dict[str, Any]  # method, path, headers, body: what was sent
    status: int
    body: Any  # decoded JSON when it is JSON, else text
    ms: float


async def call_vendor(
    request: Request, control: Control, dialect: str, call: VendorCall
) -> VendorAnswer:
    """Send one vendor request through the gateway serving `request`, in process: faults and the
    journal apply."""
    path, body, headers = call.encoded()
    full = control.dialects[dialect].prefix + "/" + path.lstrip("/")
    parts = urlsplit(full)
    headers = {**headers, "host": CONSOLE_HOST, "content-length": str(len(body))}
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    scope = http_scope(
        call.method, "http", CONSOLE_HOST, 80, parts.path.encode(), parts.query.encode(), raw
    )
    clock = time.perf_counter()
    status, _, content = await run_asgi(request.app, scope, body)
    ms = round((time.perf_counter() - clock) * 1000, 3)
    try:
        decoded: Any = msgspec.json.decode(content)
    except msgspec.DecodeError:
        decoded = content.decode("utf-8", errors="replace")
    sent = {"method": call.method, "path": full, "body": redact_text(body.decode(errors="replace"))}
    return VendorAnswer(sent, status, decoded, ms)


class Console:
    """The API's state: the control plane it serves, and whether writes are allowed."""

    def __init__(self, control: Control, settings: Settings, read_only: bool) -> None:
        self.control = control
        self.settings = settings
        self.read_only = read_only
        self._meta: dict[str, Any] | None = None

    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            engine = self.control.engine
            self._meta = {
                "version": __version__,
                "backend": engine.backend,
                "read_only": self.read_only,
                "body_limit": BODY_LIMIT,
                "journal_capacity": self.control.journal.capacity,
                "dialects": [
                    {
                        "name": d.name,
                        "prefix": d.prefix,
                        "operations": list(self.control.operations.get(d.name, ())),
                        "errors": d.console.fault_codes() if d.console else [],
                        "query_hint": d.console.query_hint() if d.console else "",
                        "schemas": bool(d.console and d.console.schemas),
                    }
                    for d in self.control.dialects.values()
                ],
            }
        return self._meta

    def dialect(self, params: Any) -> str:
        name = params.get("dialect")
        if name not in self.control.dialects:
            raise ConsoleError(f"unknown dialect {name!r}")
        return str(name)

    def adapter(self, dialect: str) -> ConsoleAdapter:
        """The dialect's own console adapter (Dialect.console)."""
        adapter = self.control.dialects[dialect].console
        if adapter is None:
            raise ConsoleError(f"{dialect} declares no console adapter")
        return adapter

    async def views(self, dialect: str, tenant: str) -> list[View]:
        names = sorted(a.name for a in await self.control.engine.collections(dialect, tenant))
        return await self.adapter(dialect).views(self.control.engine, tenant, names)

    async def view(self, dialect: str, tenant: str, collection: str, target: str | None) -> View:
        for view in await self.views(dialect, tenant):
            if view.collection == collection and view.target == (target or None):
                return view
        raise ConsoleError(f"no collection {collection!r} ({target or 'raw'}) in {tenant!r}")

    async def stored(self, dialect: str, tenant: str, view: View, doc_id: Any) -> dict[str, Any]:
        coll = self.control.engine.collection(dialect, tenant, view.collection)
        doc = await coll.find_one({"_id": doc_id})
        if doc is None:
            raise ConsoleError(f"no document {doc_id!r} in {view.collection}")
        return doc


def api_routes(console: Console, prefix: str) -> list[BaseRoute]:
    engine = console.control.engine

    def handled(endpoint: Any) -> Any:
        async def run(request: Request) -> Response:
            try:
                return await endpoint(request)
            except ConsoleError as exc:
                return problem(str(exc))
            except BackendUnavailable as exc:
                return problem(f"backend unavailable: {exc}", 503)
            except (EngineError, msgspec.MsgspecError) as exc:
                return problem(f"{type(exc).__name__}: {exc}")
            except (KeyError, TypeError) as exc:  # a stored document without its vendor key
                return problem(f"this document lacks what the vendor API needs: {exc!r}")

        return run

    def writing(endpoint: Any) -> Any:
        async def run(request: Request) -> Response:
            if console.read_only:
                return problem("the console is read-only on this server", 403)
            return await endpoint(request)

        return handled(run)

    async def body_of(request: Request) -> dict[str, Any]:
        body = msgspec.json.decode(await request.body() or b"{}")
        if not isinstance(body, dict):
            raise ConsoleError("send a JSON object")
        return body

    async def meta(request: Request) -> Response:
        return json_response(console.meta())

    async def tenants(request: Request) -> Response:
        dialect = console.dialect(request.query_params)
        counts: dict[str, int] = {}
        for a in await engine.collections(dialect):
            counts[a.tenant] = counts.get(a.tenant, 0) + 1
        return json_response(
            {"tenants": [{"tenant": t, "collections": n} for t, n in sorted(counts.items())]}
        )

    async def views(request: Request) -> Response:
        q = request.query_params
        dialect, tenant = console.dialect(q), q.get("tenant", "")
        out = []
        for v in await console.views(dialect, tenant):
            count = await engine.collection(dialect, tenant, v.collection).count(v.filter)
            out.append({**dataclasses.asdict(v), "count": count})
        return json_response({"views": out})

    async def documents(request: Request) -> Response:
        q = request.query_params
        dialect, tenant = console.dialect(q), q.get("tenant", "")
        view = await console.view(dialect, tenant, q.get("collection", ""), q.get("target"))
        try:
            limit = min(max(int(q.get("limit") or PAGE), 1), MAX_PAGE)
            offset = max(int(q.get("offset") or 0), 0)
            where = msgspec.json.decode(q["filter"]) if q.get("filter") else None
        except (ValueError, msgspec.DecodeError) as exc:
            raise ConsoleError(f"limit and offset are integers, filter JSON: {exc}") from None
        terms = [t for t in (view.filter, from_json(where) if where else None) if t]
        query = terms[0] if len(terms) == 1 else ({"$and": terms} if terms else None)
        coll = engine.collection(dialect, tenant, view.collection)
        # one page in _id order, one more to know whether another follows: the engine sorts
        # (a top-k in memory, an index walk in MongoDB), nothing else crosses into Python
        docs = await coll.find(query, sort=[("_id", 1)], skip=offset, limit=limit + 1)
        following = offset + limit if len(docs) > limit else None
        docs = docs[:limit]
        return json_response({"documents": to_json(docs), "next": following})

    async def document(request: Request) -> Response:
        q = request.query_params
        dialect, tenant = console.dialect(q), q.get("tenant", "")
        view = await console.view(dialect, tenant, q.get("collection", ""), q.get("target"))
        doc = await console.stored(dialect, tenant, view, msgspec.json.decode(q.get("id", "null")))
        out: dict[str, Any] = {"stored": to_json(doc), "vendor": None, "editable": None}
        if view.vendor:
            adapter = console.adapter(dialect)
            out["editable"] = to_json(adapter.editable(view, doc))
            out["vendor"] = await call_vendor(
                request, console.control, dialect, adapter.read(tenant, view, doc)
            )
        return json_response(out)

    async def change(request: Request) -> Response:
        body = await body_of(request)
        dialect, tenant = console.dialect(body), str(body.get("tenant", ""))
        view = await console.view(
            dialect, tenant, str(body.get("collection", "")), body.get("target")
        )
        if not view.vendor:
            raise ConsoleError(
                f"{view.collection} is {dialect}'s bookkeeping: no vendor write path"
            )
        adapter = console.adapter(dialect)
        action = request.path_params["action"]
        if action not in ("add", "store", "delete"):
            raise ConsoleError(f"unknown action {action!r}: add, store or delete")
        if action == "add":
            call = adapter.add(tenant, view, body.get("document"))
        else:
            doc = await console.stored(dialect, tenant, view, body.get("id"))
            if action == "store":
                call = adapter.store(tenant, view, doc, body.get("document"))
            else:
                call = adapter.delete(tenant, view, doc)
        return json_response(await call_vendor(request, console.control, dialect, call))

    async def template(request: Request) -> Response:
        q = request.query_params
        dialect, tenant = console.dialect(q), q.get("tenant", "")
        view = await console.view(dialect, tenant, q.get("collection", ""), q.get("target"))
        return json_response({"template": console.adapter(dialect).template(view)})

    async def query(request: Request) -> Response:
        body = await body_of(request)
        dialect = console.dialect(body)
        adapter = console.adapter(dialect)
        call = adapter.query(
            str(body.get("tenant", "")), str(body.get("target") or ""), str(body.get("text") or "")
        )
        return json_response(await call_vendor(request, console.control, dialect, call))

    async def schema(request: Request) -> Response:
        q = request.query_params
        dialect = console.dialect(q)
        call = console.adapter(dialect).schema(q.get("tenant", ""), q.get("target", ""))
        return json_response(await call_vendor(request, console.control, dialect, call))

    api = f"{prefix}/api"
    return [
        Route(f"{api}/meta", handled(meta), methods=["GET"]),
        Route(f"{api}/tenants", handled(tenants), methods=["GET"]),
        Route(f"{api}/views", handled(views), methods=["GET"]),
        Route(f"{api}/documents", handled(documents), methods=["GET"]),
        Route(f"{api}/document", handled(document), methods=["GET"]),
        Route(f"{api}/template", handled(template), methods=["GET"]),
        Route(f"{api}/schema", handled(schema), methods=["GET"]),
        Route(f"{api}/query", handled(query), methods=["POST"]),
        Route(f"{api}/document/{{action:str}}", writing(change), methods=["POST"]),
    ]
