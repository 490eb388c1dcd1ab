"""dialect_bench's cases in process: CPU time per request of doppelgate over the bare app that
returns the same bytes, through a direct ASGI call loop (no sockets, no uvicorn), and optionally a
cProfile of the doppelgate calls: where the time of issue 16 point 5 goes.

    python -m bench.dialect_inproc [--only gigya,spid] [--calls 2000] [--rounds 5] [--profile N]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from bench.dialect_bench import (
    CASES,
    DIALECTS,
    GAINSIGHT_KEY,
    GAINSIGHT_OBJECT,
    GIGYA_KEY,
    GIGYA_TYPE,
    LIGHTBLUE_ENTITY,
    LIGHTBLUE_METADATA,
    SPID_CLIENT,
    SPID_USER,
    Case,
    _profile,
)


async def call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    """One request through the ASGI app: (status, body)."""
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"host", b"127.0.0.1:8080"), (b"content-length", str(len(body)).encode())]
    path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
        "state": {},
    }
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def seed(app: Any, dialect: str, docs: int) -> list[str]:
    """The documents dialect_bench seeds, through the same vendor calls, in process."""
    form = "application/x-www-form-urlencoded"

    async def ok(method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        status, answer = await call(app, method, path, headers, body)
        if status >= 300:
            raise RuntimeError(f"seeding {dialect}: {status} {answer[:300]!r}")
        return msgspec.json.decode(answer)

    if dialect == "gigya":
        for i in range(docs):
            data = msgspec.json.encode(_profile(i)).decode()
            body = f"apiKey={GIGYA_KEY}&secret=any&type={GIGYA_TYPE}&oid=o{i}&data={data}"
            await ok("POST", "/gigya/ds.store", {"content-type": form}, body.encode())
        return []
    if dialect == "spid":
        auth = {"authorization": f"Bearer {SPID_CLIENT}", "content-type": form}
        for i in range(docs):
            path = f"/spid/api/2/user/{SPID_USER}/dataobject/k{i}"
            await ok("POST", path, auth, f"value=v{i}".encode())
        return []
    json_type = {"content-type": "application/json"}
    if dialect == "gainsight":
        gsids: list[str] = []
        headers = {**json_type, "accesskey": GAINSIGHT_KEY}
        for start in range(0, docs, 50):
            records = [{"Name": f"n{i}", "N__gc": i} for i in range(start, min(docs, start + 50))]
            path = f"/gainsight/v1/data/objects/{GAINSIGHT_OBJECT}"
            answer = await ok("POST", path, headers, msgspec.json.encode({"records": records}))
            gsids += [rec["Gsid"] for rec in answer["data"]["records"]]
        return gsids
    meta = f"/lightblue/rest/metadata/{LIGHTBLUE_ENTITY}/1.0.0"
    await ok("PUT", meta, json_type, msgspec.json.encode(LIGHTBLUE_METADATA))
    ids: list[str] = []
    for start in range(0, docs, 100):
        data = [_profile(i) for i in range(start, min(docs, start + 100))]
        body = msgspec.json.encode({"data": data, "projection": {"field": "_id"}})
        answer = await ok("PUT", f"/lightblue/rest/data/insert/{LIGHTBLUE_ENTITY}", json_type, body)
        ids += [d["_id"] for d in answer["processed"]]
    return ids


def requests_for(case: Case, docs: int, ids: Sequence[str], n: int) -> list[tuple[str, bytes]]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        i, r = rng.randrange(docs), rng.randint(1, 10**9)

        def fill(text: str, i: int = i, r: int = r) -> str:
            text = text.replace("@I@", str(i)).replace("@R@", str(r))
            return text.replace("@ID@", ids[i]) if ids else text

        out.append((fill(case.path), fill(case.body).encode()))
    return out


async def timed(app: Any, case: Case, requests: list[tuple[str, bytes]]) -> float:
    """CPU seconds per request of the loop (every answer checked)."""
    started = time.process_time()
    for path, body in requests:
        status, answer = await call(app, case.method, path, case.headers, body)
        if status >= 300:
            raise RuntimeError(f"{case.dialect} {case.name}: {status} {answer[:300]!r}")
    return (time.process_time() - started) / len(requests)


async def run(args: argparse.Namespace) -> None:
    from bench.http_server import answering_app, doppelgate_app

    server_args = argparse.Namespace(backend="memory", mongo_url=None)
    app, _engine = doppelgate_app(server_args, "bench")
    cases = [c for c in CASES if c.dialect in args.dialects]
    async with app.router.lifespan_context(app):
        ids = {d: await seed(app, d, args.docs) for d in args.dialects}
        answers = []
        for case in cases:
            path, body = requests_for(case, args.docs, ids[case.dialect], 1)[0]
            status, answer = await call(app, case.method, path, case.headers, body)
            answers.append(
                {
                    "method": case.method,
                    "route": case.route,
                    "status": status,
                    "content_type": "application/json",
                    "body": answer.decode(),
                }
            )
        with tempfile.TemporaryDirectory() as tmp:
            responses = Path(tmp) / "responses.json"
            responses.write_bytes(msgspec.json.encode(answers))
            bare = answering_app(str(responses))
        print(f"{'case':<28} {'doppelgate us':>14} {'bare us':>8} {'over bare us':>13}")
        for case in cases:
            requests = requests_for(case, args.docs, ids[case.dialect], args.calls)
            ours, theirs = [], []
            for _ in range(args.rounds):
                ours.append(await timed(app, case, requests))
                theirs.append(await timed(bare, case, requests))
            best, base = min(ours), min(theirs)
            print(
                f"{case.dialect + ' ' + case.name:<28} {best * 1e6:>14.0f} {base * 1e6:>8.0f}"
                f" {(best - base) * 1e6:>13.0f}"
            )
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await timed(app, case, requests)
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(args.sort)
                stats.print_stats(args.profile)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dialect_inproc")
    parser.add_argument("--only", help="comma-separated dialects (default: all four)")
    parser.add_argument("--calls", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the best one counts)")
    parser.add_argument("--docs", type=int, default=1000, help="documents seeded per dialect")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key (tottime, cumulative)")
    args = parser.parse_args(argv)
    args.dialects = tuple(args.only.split(",")) if args.only else DIALECTS
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
