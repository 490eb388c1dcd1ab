"""Each dialect's point read and write over HTTP against a bare Starlette endpoint that returns the
same bytes (issue 16 point 5: the gateway and dialect path should keep >= 0.7x of it).

Two uvicorn workers side by side (bench/http_server.py): the doppelgate app, seeded through the
vendor APIs, and a bare Starlette app with one route per case at the same path and method that
reads the request body and answers the bytes doppelgate answered to that request (status and
content type included), captured once after seeding. The same wrk script (a random document per
request, a random value per write) loads both, in alternating 1 s slices; the ratio to track is
doppelgate/bare of req/s, p50 and p99, per case, from this one run.

    python -m bench.dialect_bench [--quick] [--only gigya,spid] [--backend mongodb --mongo-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from bench.common import (
    add_backend_args,
    check_backend_args,
    environment,
    fmt_ns,
    line_buffered_stdout,
    median,
    ratio,
    stop_servers_on_sigterm,
    table,
    write_json,
)
from bench.http_bench import MARK, Server, run_wrk, slice_totals

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
GIGYA_KEY = "bench-key"
GIGYA_TYPE = "bench"
SPID_CLIENT = "client-bench"
SPID_USER = "42"
GAINSIGHT_KEY = "bench-access-key"
GAINSIGHT_OBJECT = "Bench__gc"
LIGHTBLUE_ENTITY = "bench"


@dataclass(frozen=True)
class Case:
    """One request shape. In `path` and `body`: @I@ is a random document number, @R@ a random
    value, @ID@ the vendor id of document @I@ (from the ids the seeding collected)."""

    dialect: str
    op: str  # "read" | "write"
    name: str
    method: str
    path: str
    route: str  # the bare app's route template serving `path`
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


CASES = (
    Case(
        "gigya", "read", "ds.get", "POST", "/gigya/ds.get", "/gigya/ds.get", {"Content-Type": FORM},
        f"apiKey={GIGYA_KEY}&secret=any&type={GIGYA_TYPE}&oid=o@I@",
    ),
    Case(
        "gigya", "write", "ds.store", "POST", "/gigya/ds.store", "/gigya/ds.store",
        {"Content-Type": FORM},
        f"apiKey={GIGYA_KEY}&secret=any&type={GIGYA_TYPE}&oid=o@I@&data=%7B%22n%22%3A@R@%7D",
    ),
    Case(
        "spid", "read", "GET dataobject", "GET",
        f"/spid/api/2/user/{SPID_USER}/dataobject/k@I@",
        "/spid/api/2/user/{user}/dataobject/{key}",
        {"Authorization": f"Bearer {SPID_CLIENT}"},
    ),
    Case(
        "spid", "write", "POST dataobject", "POST",
        f"/spid/api/2/user/{SPID_USER}/dataobject/k@I@",
        "/spid/api/2/user/{user}/dataobject/{key}",
        {"Authorization": f"Bearer {SPID_CLIENT}", "Content-Type": FORM}, "value=v@R@",
    ),
    Case(
        "gainsight", "read", "query Gsid EQ", "POST",
        f"/gainsight/v1/data/objects/query/{GAINSIGHT_OBJECT}",
        f"/gainsight/v1/data/objects/query/{GAINSIGHT_OBJECT}",
        {"Accesskey": GAINSIGHT_KEY, "Content-Type": JSON},
        '{"select":["Gsid","Name","N__gc"],"where":{"conditions":[{"name":"Gsid","alias":"A",'
        '"operator":"EQ","value":["@ID@"]}]},"limit":1}',
    ),
    Case(
        "gainsight", "write", "insert", "POST",
        f"/gainsight/v1/data/objects/{GAINSIGHT_OBJECT}",
        f"/gainsight/v1/data/objects/{GAINSIGHT_OBJECT}",
        {"Accesskey": GAINSIGHT_KEY, "Content-Type": JSON},
        '{"records":[{"Name":"w@R@","N__gc":@R@}]}',
    ),
    Case(
        "lightblue", "read", "find by _id", "POST",
        f"/lightblue/rest/data/find/{LIGHTBLUE_ENTITY}",
        f"/lightblue/rest/data/find/{LIGHTBLUE_ENTITY}",
        {"Content-Type": JSON},
        '{"query":{"field":"_id","op":"=","rvalue":"@ID@"},'
        '"projection":{"field":"*","recursive":true}}',
    ),
    Case(
        "lightblue", "write", "insert", "PUT",
        f"/lightblue/rest/data/insert/{LIGHTBLUE_ENTITY}",
        f"/lightblue/rest/data/insert/{LIGHTBLUE_ENTITY}",
        {"Content-Type": JSON},
        '{"data":{"name":"w@R@","n":@R@,"email":"w@R@@example.com"},'
        '"projection":{"field":"*","recursive":true}}',
    ),
)  # fmt: skip
DIALECTS = tuple(dict.fromkeys(c.dialect for c in CASES))

WRK_SCRIPT = """
local docs = %(docs)d
local ids = { %(ids)s }
local method = "%(method)s"
local path = "%(path)s"
local body = "%(body)s"
local headers = { %(headers)s }

local function fill(text, i, r)
  text = string.gsub(text, "@I@", tostring(i))
  text = string.gsub(text, "@R@", tostring(r))
  if #ids > 0 then
    text = string.gsub(text, "@ID@", ids[i + 1])
  end
  return text
end

request = function()
  local i = math.random(0, docs - 1)
  local r = math.random(1, 1000000000)
  local b = nil
  if #body > 0 then
    b = fill(body, i, r)
  end
  return wrk.format(method, fill(path, i, r), headers, b)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"bytes":%%d,"errors_connect":%%d,' ..
    '"errors_read":%%d,"errors_write":%%d,"errors_status":%%d,"errors_timeout":%%d,' ..
    '"p50_us":%%.1f,"p99_us":%%.1f,"mean_us":%%.1f,"max_us":%%.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
"""


def _lua(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def wrk_script(case: Case, docs: int, ids: Sequence[str]) -> str:
    return WRK_SCRIPT % {
        "docs": docs,
        "ids": ", ".join(f'"{_lua(i)}"' for i in ids),
        "method": case.method,
        "path": _lua(case.path),
        "body": _lua(case.body),
        "headers": ", ".join(f'["{_lua(k)}"] = "{_lua(v)}"' for k, v in case.headers.items()),
        "mark": MARK,
    }


# -- seeding and the sample answers ------------------------------------------------------------


def _profile(i: int) -> dict[str, Any]:
    return {"name": f"User {i}", "email": f"user{i}@example.com", "n": i, "active": i % 3 != 0}


LIGHTBLUE_METADATA: dict[str, Any] = {
    "entityInfo": {
        "name": LIGHTBLUE_ENTITY,
        "defaultVersion": "1.0.0",
        "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "bench"},
    },
    "schema": {
        "name": LIGHTBLUE_ENTITY,
        "version": {"value": "1.0.0", "changelog": "bench"},
        "status": {"value": "active"},
        "access": {a: ["anyone"] for a in ("find", "insert", "update", "delete")},
        "fields": {
            "name": {"type": "string"},
            "email": {"type": "string"},
            "n": {"type": "integer"},
            "active": {"type": "boolean"},
        },
    },
}


async def seed(port: int, dialect: str, docs: int) -> list[str]:
    """Store `docs` documents through the dialect's own API; the vendor ids when a case needs
    them (Gainsight Gsids, lightblue _ids), else []."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:

        async def ok(r: httpx.Response) -> Any:
            if r.status_code >= 300 or (dialect == "gigya" and r.json()["errorCode"] != 0):
                raise RuntimeError(f"seeding {dialect} failed: {r.status_code} {r.text[:300]}")
            return r.json()

        if dialect == "gigya":
            for i in range(docs):
                form = {"apiKey": GIGYA_KEY, "secret": "any", "type": GIGYA_TYPE, "oid": f"o{i}"}
                form["data"] = msgspec.json.encode(_profile(i)).decode()
                await ok(await http.post("/gigya/ds.store", data=form))
            return []
        if dialect == "spid":
            auth = {"Authorization": f"Bearer {SPID_CLIENT}"}
            for i in range(docs):
                path = f"/spid/api/2/user/{SPID_USER}/dataobject/k{i}"
                await ok(await http.post(path, data={"value": f"v{i}"}, headers=auth))
            return []
        if dialect == "gainsight":
            gsids: list[str] = []
            for start in range(0, docs, 50):  # the Insert API's limit per call
                records = [
                    {"Name": f"n{i}", "N__gc": i} for i in range(start, min(docs, start + 50))
                ]
                body = await ok(
                    await http.post(
                        f"/gainsight/v1/data/objects/{GAINSIGHT_OBJECT}",
                        json={"records": records},
                        headers={"Accesskey": GAINSIGHT_KEY},
                    )
                )
                gsids += [rec["Gsid"] for rec in body["data"]["records"]]
            return gsids
        await ok(
            await http.put(
                f"/lightblue/rest/metadata/{LIGHTBLUE_ENTITY}/1.0.0", json=LIGHTBLUE_METADATA
            )
        )
        ids: list[str] = []
        for start in range(0, docs, 100):
            data = [_profile(i) for i in range(start, min(docs, start + 100))]
            body = await ok(
                await http.put(
                    f"/lightblue/rest/data/insert/{LIGHTBLUE_ENTITY}",
                    json={"data": data, "projection": {"field": "_id"}},
                )
            )
            ids += [d["_id"] for d in body["processed"]]
        return ids


def _fill(text: str, ids: Sequence[str]) -> str:
    return text.replace("@I@", "0").replace("@R@", "7").replace("@ID@", ids[0] if ids else "")


async def sample(port: int, case: Case, ids: Sequence[str]) -> dict[str, Any]:
    """doppelgate's answer to the case's request for document 0: what the bare app returns."""
    import httpx

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        r = await http.request(
            case.method,
            _fill(case.path, ids),
            headers=case.headers,
            content=_fill(case.body, ids).encode() or None,
        )
    if r.status_code >= 300:
        raise RuntimeError(f"{case.dialect} {case.name}: {r.status_code} {r.text[:300]}")
    return {
        "method": case.method,
        "route": case.route,
        "status": r.status_code,
        "content_type": r.headers.get("content-type", JSON),
        "body": r.text,
    }


# -- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Per case: warm-up, then slices rotating over the servers (bare, doppelgate and, with
    --baseline, the baseline checkout's doppelgate), so the machine's noise falls on all."""
    cases = [c for c in CASES if c.dialect in args.dialects]
    kinds = ["bare", "doppelgate", *(["baseline"] if args.baseline else [])]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory(prefix="doppelgate-bench-") as tmp:
        logs = Path(tmp)
        servers: dict[str, Server] = {}
        try:
            servers["doppelgate"] = Server("doppelgate", args, logs, ["--docs", "1"])
            if args.baseline:
                servers["baseline"] = Server(
                    "doppelgate", args, logs, ["--docs", "1"], Path(args.baseline).resolve()
                )
            ids: dict[str, dict[str, list[str]]] = {}
            for kind in kinds[1:]:
                servers[kind].wait_ready(args.startup_timeout)
                ids[kind] = {
                    d: asyncio.run(seed(servers[kind].port, d, args.docs)) for d in args.dialects
                }
            port = servers["doppelgate"].port
            answers = [asyncio.run(sample(port, c, ids["doppelgate"][c.dialect])) for c in cases]
            responses = logs / "responses.json"
            responses.write_bytes(msgspec.json.encode(answers))
            servers["bare"] = Server("bare", args, logs, ["--responses", str(responses)])
            servers["bare"].wait_ready(args.startup_timeout)
            print(f"  seeded {args.docs} documents per dialect", file=sys.stderr, flush=True)
            for case in cases:
                key = f"{case.dialect} {case.name}"
                results[key] = {kind: [] for kind in kinds}
                scripts = {}
                for kind in kinds:  # the bare app answers any id: the doppelgate run's do
                    scripts[kind] = logs / f"case-{kind}.lua"
                    own = ids.get(kind, ids["doppelgate"])[case.dialect]
                    scripts[kind].write_text(wrk_script(case, args.docs, own))
                if args.warmup > 0:
                    for kind, server in servers.items():
                        run_wrk(args, server.port, scripts[kind], args.warmup, key)
                for n in range(args.slices):
                    order = kinds[n % len(kinds) :] + kinds[: n % len(kinds)]
                    for kind in order:
                        results[key][kind].append(
                            run_wrk(args, servers[kind].port, scripts[kind], args.slice, key)
                        )
                last = {k: v[-1] for k, v in results[key].items()}
                print(
                    f"  {key:<28} "
                    + "  ".join(f"{k} {r['rps']:>6,.0f} req/s" for k, r in last.items()),
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            for server in servers.values():
                server.stop()
    return results


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for key, runs in results.items():
        entry: dict[str, Any] = {}
        for kind in runs:
            entry[kind] = slice_totals(runs[kind])
        pairs = list(zip(runs["doppelgate"], runs["bare"], strict=True))
        per_slice = [ratio(d["rps"], b["rps"]) for d, b in pairs]
        entry["ratio_rps"] = ratio(entry["doppelgate"]["rps"], entry["bare"]["rps"])
        entry["ratio_rps_range"] = [min(per_slice), max(per_slice)]
        entry["ratio_p50_us"] = median([ratio(d["p50_us"], b["p50_us"]) for d, b in pairs])
        if "baseline" in runs:
            entry["baseline_ratio_rps"] = ratio(entry["baseline"]["rps"], entry["bare"]["rps"])
        summary[key] = entry
    return summary


def print_summary(args: argparse.Namespace, summary: dict[str, Any]) -> None:
    print(
        f"\n== dialect point operations: doppelgate ({args.backend}) vs a bare Starlette endpoint "
        f"returning the same bytes; wrk, {args.connections} connections, "
        f"{args.slices} x {args.slice} s slices per server, interleaved =="
    )
    rows = []
    for key, s in summary.items():
        low, high = s["ratio_rps_range"]
        errors = s["bare"]["errors"] + s["doppelgate"]["errors"]
        rows.append(
            [
                key,
                f"{s['bare']['rps']:,.0f}",
                f"{s['doppelgate']['rps']:,.0f}",
                f"{s['ratio_rps']:.2f} ({low:.2f}-{high:.2f})",
                fmt_ns(s["doppelgate"]["p50_us"] * 1e3),
                f"{s['ratio_p50_us']:.2f}",
                str(errors),
            ]
        )
        errors += s.get("baseline", {}).get("errors", 0)
        rows[-1][-1] = str(errors)
    headers = ["case", "bare req/s", "doppelgate req/s", "ratio (slices)", "p50", "p50 x bare"]
    if args.baseline:
        headers.append("baseline ratio")
        for row, s in zip(rows, summary.values(), strict=True):
            row.insert(-1, f"{s['baseline_ratio_rps']:.2f}")
    print(table([*headers, "errors"], rows))
    if any(s["bare"]["errors"] or s["doppelgate"]["errors"] for s in summary.values()):
        print("WARNING: some requests failed (non-2xx, timeouts or socket errors)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.dialect_bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="3 x 1 s slices per case and server")
    parser.add_argument("--duration", type=int, help="seconds per case and server (default 6)")
    parser.add_argument("--slice", type=int, default=1, help="seconds per interleaved slice")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per case")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--docs", type=int, default=1000, help="documents seeded per dialect")
    parser.add_argument("--only", help="comma-separated dialects (default: all four)")
    parser.add_argument(
        "--baseline",
        metavar="DIR",
        help="also serve the doppelgate of this source checkout (e.g. `git worktree add DIR "
        "<commit>`, with this bench/ copied in) in the same rotation: before/after in one run",
    )
    parser.add_argument("--startup-timeout", type=float, default=120.0, help=argparse.SUPPRESS)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    check_backend_args(parser, args)
    if not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk)")
    args.client = "wrk"
    args.dialects = tuple(args.only.split(",")) if args.only else DIALECTS
    unknown = set(args.dialects) - set(DIALECTS)
    if unknown:
        parser.error(f"unknown dialects: {', '.join(sorted(unknown))}")
    if args.duration is None:
        args.duration = 3 if args.quick else 6
    args.slices = max(1, args.duration // args.slice)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    line_buffered_stdout()
    stop_servers_on_sigterm()
    started = time.perf_counter()
    summary = summarize(run(args))
    print_summary(args, summary)
    print(f"\ndialect bench took {time.perf_counter() - started:.0f} s")
    write_json(
        args.json,
        {
            "environment": environment(),
            "backend": args.backend,
            "connections": args.connections,
            "slices": args.slices,
            "summary": summary,
        },
    )


if __name__ == "__main__":
    main()
