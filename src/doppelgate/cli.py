"""`doppelgate serve`: the four dialects on one port (settings: CLI > DOPPELGATE_* env > TOML)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ConfigError, Settings, load_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="doppelgate",
        description="Gigya DS, SPiD dataobjects, Gainsight custom objects and lightblue, emulated.",
    )
    parser.add_argument("--version", action="version", version=f"doppelgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve every dialect on one port",
        description="Serve every dialect on one port. Each option can also come from its "
        "DOPPELGATE_* environment variable (DOPPELGATE_PORT, ...) or the TOML config file.",
    )
    serve.add_argument("--host", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on, 0 for any free one (8080)")
    serve.add_argument("--backend", choices=["memory", "mongodb"], help="document store (memory)")
    serve.add_argument("--mongo-url", help="MongoDB URL for --backend mongodb")
    serve.add_argument("--data-file", help="memory backend: keep the data in this file")
    serve.add_argument(
        "--fsync",
        choices=["never", "always"],
        help="data file: flush every write to disk before answering (never)",
    )
    serve.add_argument(
        "--max-time-ms", type=int, help="time limit of one query or write, in ms (30000)"
    )
    serve.add_argument("--config", help="TOML settings file (or DOPPELGATE_CONFIG)")
    serve.add_argument(
        "--seed",
        action="append",
        metavar="FILE",
        help="apply this seed file (JSON/YAML) once the server is up; repeatable",
    )
    serve.add_argument("--workers", type=int, help="worker processes (mongodb backend only)")
    serve.add_argument(
        "--log-level", choices=["critical", "error", "warning", "info", "debug", "trace"]
    )
    serve.add_argument(
        "--insecure-control-plane",
        action="store_true",
        default=None,
        help="on a non-loopback --host without control_token: leave /_doppelgate/ open to anyone",
    )
    serve.add_argument(
        "--tls-port", type=int, help="also serve the vendor hosts over TLS (local CA) on this port"
    )
    serve.add_argument("--ca-dir", help="the local CA's directory (~/.local/share/doppelgate/ca)")
    serve.add_argument("--id-seed", type=int, help="generate ids from this seed (repeatable runs)")
    serve.add_argument(
        "--console",
        choices=["on", "read-only", "off"],
        help="the web console at /_doppelgate/console (on); read-only also refuses control-plane "
        "changes (shared servers)",
    )
    ca = commands.add_parser(
        "ca",
        help="print the path of the local CA certificate (created on first use)",
        description="The local CA that signs doppelgate's certificates for the vendor hosts "
        "(HTTPS proxy and --tls-port). Trust its certificate in your clients once.",
    )
    ca.add_argument("--ca-dir", help="the CA's directory (or DOPPELGATE_CA_DIR)")
    ca.add_argument("--export", metavar="FILE", help="write the CA certificate (PEM) to FILE")
    from .contract import cli as contract_cli

    contract_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status: 0 stopped, 1 cannot start (port, database, data file), 2 bad command line
    or configuration, 130 interrupted (Ctrl-C). Every failure is one line on stderr."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        from .serving import interrupted

        return interrupted()


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "contract":
        from .contract import cli as contract_cli

        return contract_cli.main(args)
    if args.command == "ca":
        return ca_command(args.ca_dir, args.export)
    if args.command != "serve":
        parser.print_help(sys.stderr)
        return 2
    overrides = {k: v for k, v in vars(args).items() if k not in ("command", "config")}
    try:
        settings = load_settings(overrides, config_path=args.config)
    except ConfigError as exc:
        return fail(str(exc))
    if settings.workers > 1 and settings.backend == "memory":
        return fail(
            f"--workers {settings.workers} needs a shared backend: the memory backend keeps its "
            "data inside one process (use --backend mongodb, or --workers 1)"
        )
    if settings.tls_port is not None and settings.workers > 1:
        return fail("--tls-port serves from one process: use it with --workers 1")
    if settings.id_seed is not None and settings.workers > 1:  # each would draw the same ids
        return fail("--id-seed seeds one process's ids: use it with --workers 1")
    for path in settings.seed:  # unreadable or malformed seeds: before anything starts
        problem = check_seed(path)
        if problem is not None:
            return fail(problem)
    mongodb = settings.backend == "mongodb"
    problem = check_mongodb(settings) if mongodb else check_data_file(settings)
    if problem is not None:
        return fail(problem, status=1)
    from .gateway import create_app, setup_logging
    from .guard import secure_control_plane
    from .serving import StartError, serve

    setup_logging(settings.log_level)
    settings = secure_control_plane(settings)  # a non-loopback bind: warn, require a token
    try:
        app = create_app(settings)  # the dialects read their [dialects.*] tables here
    except ConfigError as exc:
        where = f" (in {settings.config_file})" if settings.config_file else ""
        return fail(f"{exc}{where}")
    try:
        return serve(settings, app)
    except StartError as exc:
        return fail(str(exc), status=1)


def ca_command(ca_dir: str | None, export: str | None) -> int:
    """`doppelgate ca [--export FILE]`: the CA certificate's path, or a copy of it in FILE."""
    from .certs import LocalCA

    try:
        ca = LocalCA(ca_dir or os.environ.get("DOPPELGATE_CA_DIR") or None)
        path = ca.ensure()
        if export is not None:
            with open(export, "wb") as out:
                out.write(ca.cert_pem())
            path = Path(export)
    except (OSError, ValueError) as exc:
        return fail(f"cannot use the CA: {exc}", status=1)
    print(path.resolve())
    return 0


def fail(message: str, *, status: int = 2) -> int:
    print(f"doppelgate: error: {message}", file=sys.stderr)
    return status


def check_seed(path: str) -> str | None:
    from .control.seed import SeedError, parse_seed

    if not Path(path).is_file():
        return f"seed file {path} does not exist"
    try:
        parse_seed(Path(path))
    except SeedError as exc:
        return f"seed file {path}: {exc}"
    return None


def check_data_file(settings: Settings) -> str | None:
    """Why the memory backend's --data-file cannot be used, or None; cheap checks only (the
    whole file is read once, by the server)."""
    if not settings.data_file:
        return None
    path = Path(settings.data_file)
    if path.is_dir():
        return f"data file {path} is a directory: name a file (it is created if missing)"
    if not path.parent.is_dir():
        return f"data file {path}: its directory {path.parent} does not exist"
    if path.exists():
        from .engine.persist import FORMAT

        try:
            with path.open("rb") as f:
                head = f.read(256)
        except OSError as exc:
            return f"cannot read data file {path}: {exc.strerror or exc}"
        if head and FORMAT.encode() not in head:
            return f"{path} is not a doppelgate data file (use another path, or remove it)"
    if not os.access(path.parent, os.W_OK):
        return f"data file {path}: cannot write in {path.parent}"
    return None


def check_mongodb(settings: Settings) -> str | None:
    """Ping the configured MongoDB once, within its timeout: None, or why it cannot be used.

    Run before uvicorn starts, so an unreachable database is one clear line (and exit 1), not
    a traceback out of the lifespan of every worker. Imports pymongo: MongoDB start-up only.
    """
    import asyncio
    import re

    from .engine import BackendUnavailable
    from .engine.mongodb import MongoEngine, _redact

    engine = MongoEngine.from_settings(settings)

    async def probe() -> None:
        try:
            await asyncio.wait_for(engine.ping(), 2 * settings.mongo_timeout_ms / 1000 + 1)
        finally:
            await engine.close()

    try:
        asyncio.run(probe())
    except BackendUnavailable as exc:
        reason = str(exc)
        if reason.startswith("cannot use the MongoDB URL"):  # raised before any connection
            return " ".join(reason.split())
        if reason.startswith("MongoDB rejected the request: "):  # reached, but refused
            return f"MongoDB at {_redact(settings.mongo_url)} refused: " + " ".join(
                reason.removeprefix("MongoDB rejected the request: ").split()
            )
        reason = reason.removeprefix("MongoDB unavailable: ")
        # PyMongo's server-selection message: the cause, then timeouts and a topology dump
        reason = re.split(r" \(configured timeouts|, Timeout: ", reason)[0]
        reason = " ".join(reason.split()) or "no answer"
    except TimeoutError:
        reason = "no answer"
    else:
        return None
    return (
        f"cannot reach MongoDB at {_redact(settings.mongo_url)}: {reason} "
        f"(gave up after {settings.mongo_timeout_ms} ms)"
    )
