"""One uvicorn worker for the HTTP benchmark: the doppelgate app, or a bare Starlette app.

Both serve GET {PREFIX}/read/{i} and POST {PREFIX}/write/{i} (body {"n": <int>}):

- doppelgate: `create_app(settings, engine)` with one extra dialect, "bench", passed through
  create_app's `dialects=` next to the four real ones, so a benchmark request takes the path a
  vendor request takes: the vendor-Host middleware, the app router, the dialect's Mount, its
  error boundary (request id) and its router. read = engine find_one by `_id`; write =
  find_one_and_update with $set; both return the document encoded with msgspec.
- bare: a plain Starlette app on the same uvicorn settings; the endpoints return the JSON bytes of
  one such document, encoded once at start-up (write reads the body first).

Binds 127.0.0.1 on a free port, seeds the engine once the app has started, then prints
"READY <port>" on stdout. Ends on SIGTERM/SIGINT. Started by bench/http_bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bench.common import (
    DIALECT,
    INDEXED_FIELD,
    add_backend_args,
    bench_tenant,
    check_backend_args,
    doc_id,
    doc_json,
    insert_batch,
    make_doc,
    make_engine,
    make_settings,
)

PREFIX = "/_bench"
READ_PATH = PREFIX + "/read/{i:int}"
WRITE_PATH = PREFIX + "/write/{i:int}"
JSON = "application/json"
NOT_FOUND = b'{"error":"no such document"}'


class SetBody(msgspec.Struct, forbid_unknown_fields=True):
    n: int


_set_body = msgspec.json.Decoder(SetBody)


def bare_app(size: int) -> Starlette:
    body = doc_json(size // 2)

    async def read(request: Request) -> Response:
        return Response(body, media_type=JSON)

    async def write(request: Request) -> Response:
        await request.body()
        return Response(body, media_type=JSON)

    return Starlette(
        routes=[Route(READ_PATH, read, methods=["GET"]), Route(WRITE_PATH, write, methods=["POST"])]
    )


class Answer(msgspec.Struct):
    """One route of the bare app for bench/dialect_bench.py: doppelgate's sampled answer."""

    method: str
    route: str
    status: int
    content_type: str
    body: str


def answering_app(path: str) -> Starlette:
    """A bare app answering each route with the bytes doppelgate answered (the body read first,
    as every vendor endpoint reads it)."""

    def endpoint(answer: Answer) -> Callable[[Request], Awaitable[Response]]:
        body = answer.body.encode()

        async def respond(request: Request) -> Response:
            await request.body()
            return Response(body, answer.status, media_type=answer.content_type)

        return respond

    with open(path, "rb") as file:
        answers = msgspec.json.decode(file.read(), type=list[Answer])
    return Starlette(routes=[Route(a.route, endpoint(a), methods=[a.method]) for a in answers])


def doppelgate_app(args: argparse.Namespace, tenant: str) -> tuple[Starlette, Any]:
    from doppelgate.dialect import Dialect, DialectContext, load_dialects
    from doppelgate.gateway import create_app

    settings = make_settings(args.backend, args.mongo_url)
    engine = make_engine(args.backend, args.mongo_url)
    encode = msgspec.json.encode

    def routes(ctx: DialectContext) -> list[BaseRoute]:
        coll = ctx.engine.collection(DIALECT, tenant, "http")

        async def read(request: Request) -> Response:
            doc = await coll.find_one({"_id": doc_id(request.path_params["i"])})
            if doc is None:
                return Response(NOT_FOUND, 404, media_type=JSON)
            return Response(encode(doc), media_type=JSON)

        async def write(request: Request) -> Response:
            change = _set_body.decode(await request.body())
            doc = await coll.find_one_and_update(
                {"_id": doc_id(request.path_params["i"])}, {"$set": {"n": change.n}}
            )
            if doc is None:
                return Response(NOT_FOUND, 404, media_type=JSON)
            return Response(encode(doc), media_type=JSON)

        return [
            Route("/read/{i:int}", read, methods=["GET"]),
            Route("/write/{i:int}", write, methods=["POST"]),
        ]

    def internal_error(request: Request, rid: str) -> Response:
        return Response(
            encode({"error": "internal error", "request_id": rid}), 500, media_type=JSON
        )

    def not_found(request: Request) -> Response:
        return Response(NOT_FOUND, 404, media_type=JSON)

    bench = Dialect(
        name="bench",
        prefix=PREFIX,
        hosts=(),
        routes=routes,
        internal_error=internal_error,
        not_found=not_found,
    )
    app = create_app(settings, engine, dialects=(*load_dialects(), bench))
    return app, engine


async def seed(engine: Any, tenant: str, size: int) -> None:
    coll = engine.collection(DIALECT, tenant, "http")
    await coll.ensure_index([INDEXED_FIELD], unique=True)
    batch = insert_batch(engine.backend)
    for first in range(0, size, batch):
        await coll.insert_many([make_doc(i) for i in range(first, min(size, first + batch))])


class BenchServer(uvicorn.Server):
    """uvicorn's Server that drops the benchmark's data (on a shared MongoDB) before the lifespan
    shutdown closes the engine."""

    cleanup: Callable[[], Awaitable[Any]] | None = None

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.cleanup is not None:
            try:
                await self.cleanup()
            except Exception as exc:  # the data is test data; a failed drop must not hang the bench
                print(f"bench server: cleanup failed: {exc!r}", file=sys.stderr)
        await super().shutdown(sockets=sockets)


async def serve(args: argparse.Namespace) -> None:
    tenant = bench_tenant()
    engine = None
    if args.kind == "doppelgate":
        app, engine = doppelgate_app(args, tenant)
    elif args.responses:
        app = answering_app(args.responses)
    else:
        app = bare_app(args.docs)
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        backlog=1024,
        timeout_keep_alive=30,
    )
    server = BenchServer(config)
    if engine is not None and args.backend != "memory":
        server.cleanup = lambda: engine.reset(DIALECT, tenant)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # lifespan start-up (opens the engine) then the listening socket
        if task.done():
            await task
            raise SystemExit(f"{args.kind} server did not start")
        await asyncio.sleep(0.02)
    if engine is not None:
        await seed(engine, tenant, args.docs)
    print(f"READY {port}", flush=True)
    parent = os.getppid()
    while not task.done():  # never outlive the benchmark that started this server
        await asyncio.wait({task}, timeout=1.0)
        if os.getppid() != parent:
            server.should_exit = True
    await task


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.http_server")
    parser.add_argument("--kind", choices=("doppelgate", "bare"), required=True)
    parser.add_argument("--docs", type=int, default=10_000, help="documents seeded")
    parser.add_argument("--responses", help="bare: answer these routes (bench/dialect_bench.py)")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
