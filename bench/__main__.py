"""`python -m bench`: the engine, HTTP and test-harness benchmarks, with the same options.

python -m bench [--quick] [--only engine|http|dialects|testing|proxy|console|mongo|gainsight|query]
                [--backend mongodb --mongo-url URL] [--json-dir DIR]

The MongoDB benchmark (bench/mongo_bench.py: doppelgate on the MongoDB backend, 1 and 2 workers,
against raw PyMongo) runs with `--only mongo` (on --mongo-url, else on the suite's MongoDB-wire
server started for it) and after the other two with `--backend mongodb`.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence

from bench import (
    console_bench,
    dialect_bench,
    engine_bench,
    gainsight_bench,
    http_bench,
    mongo_bench,
    proxy_bench,
    query_bench,
    testing_bench,
)
from bench.common import add_backend_args, check_backend_args, line_buffered_stdout


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the doppelgate benchmarks (engine, then HTTP); every figure comes with "
        "its ratio to a baseline measured in the same run.",
    )
    parser.add_argument("--quick", action="store_true", help="short run (about 30 s)")
    parser.add_argument(
        "--only",
        choices=(
            "engine",
            "http",
            "dialects",
            "testing",
            "proxy",
            "console",
            "mongo",
            "gainsight",
            "query",
        ),
        help="run one benchmark",
    )
    parser.add_argument("--json-dir", metavar="DIR", help="write the results as JSON files here")
    add_backend_args(parser)
    args = parser.parse_args(argv)
    if args.only != "mongo":
        check_backend_args(parser, args)
    line_buffered_stdout()
    common: list[str] = ["--backend", args.backend]
    if args.mongo_url:
        common += ["--mongo-url", args.mongo_url]
    if args.quick:
        common.append("--quick")
    started = time.perf_counter()
    if args.only in (None, "engine"):
        extra = ["--json", os.path.join(args.json_dir, "engine.json")] if args.json_dir else []
        engine_bench.main([*common, *extra])
    if args.only in (None, "http"):
        extra = ["--json", os.path.join(args.json_dir, "http.json")] if args.json_dir else []
        http_bench.main([*common, *extra])
    if args.only in (None, "testing"):  # in-process respx routing: per-call overhead
        extra = ["--json", os.path.join(args.json_dir, "testing.json")] if args.json_dir else []
        testing_bench.main([*(["--quick"] if args.quick else []), *extra])
    if args.only in (None, "proxy"):  # the HTTP(S) proxy path against a direct call
        extra = ["--json", os.path.join(args.json_dir, "proxy.json")] if args.json_dir else []
        proxy_bench.main([*(["--quick"] if args.quick else []), *extra])
    if args.only in (None, "console"):  # the web console's API at 100,000 documents
        extra = ["--json", os.path.join(args.json_dir, "console.json")] if args.json_dir else []
        console_bench.main([*common, *extra])
    if args.only == "dialects":  # each dialect's point read and write; needs wrk
        extra = ["--json", os.path.join(args.json_dir, "dialects.json")] if args.json_dir else []
        dialect_bench.main([*common, *extra])
    if args.only == "gainsight":  # key look-ups as rows grow; minutes: run on its own
        extra = ["--json", os.path.join(args.json_dir, "gainsight.json")] if args.json_dir else []
        gainsight_bench.main([*common, *extra])
    if args.only == "query":  # dialect-shaped queries as the collection grows (memory backend)
        extra = ["--json", os.path.join(args.json_dir, "query.json")] if args.json_dir else []
        query_bench.main([*(["--quick"] if args.quick else []), *extra])
    if args.only == "mongo" or (args.only is None and args.backend == "mongodb"):
        extra = ["--json", os.path.join(args.json_dir, "mongo.json")] if args.json_dir else []
        if args.mongo_url:
            extra += ["--mongo-url", args.mongo_url]
        mongo_bench.main([*(["--quick"] if args.quick else []), *extra])
    print(f"\nall benchmarks took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
