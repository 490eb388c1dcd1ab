"""`doppelgate serve`: the four dialects on one port (settings: CLI > DOPPELGATE_* env > TOML)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import SETTINGS_JSON_ENV, ConfigError, Settings, load_settings, settings_to_json

if TYPE_CHECKING:
    import socket

    import uvicorn

HEALTH_PATH = "/_doppelgate/health"  # gateway.HEALTH_PATH, without importing the gateway early
CONSOLE_PATH = "/_doppelgate/console"  # the web console (console/), read-only or off by setting


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
    serve.add_argument("--config", help="TOML settings file (or DOPPELGATE_CONFIG)")
    serve.add_argument("--workers", type=int, help="worker processes (mongodb backend only)")
    serve.add_argument(
        "--log-level", choices=["critical", "error", "warning", "info", "debug", "trace"]
    )
    serve.add_argument(
        "--tls-port", type=int, help="also serve the vendor hosts over TLS (local CA) on this port"
    )
    serve.add_argument("--ca-dir", help="the local CA's directory (~/.local/share/doppelgate/ca)")
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
    if settings.backend == "mongodb":
        problem = check_mongodb(settings)
        if problem is not None:
            return fail(problem, status=1)
    return serve(settings)


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


def announce(settings: Settings, port: int, tls_port: int | None = None) -> None:
    """One line per dialect with its URL, then the health URL, the proxy, CA and TLS lines."""
    from .dialect import load_dialects

    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base = f"http://{host}:{port}"
    lines = [f"{d.name:<10} {base}{d.prefix}" for d in load_dialects()]
    if settings.console != "off":
        note = " (read-only)" if settings.console == "read-only" else ""
        lines.append(f"{'console':<10} {base}{CONSOLE_PATH}{note}")
    lines.append(f"{'health':<10} {base}{HEALTH_PATH}")
    lines.append(f"{'proxy':<10} {base} (HTTP_PROXY/HTTPS_PROXY for the vendor hosts)")
    ca = prepare_ca(settings)
    if ca is not None:
        lines.append(f"{'ca':<10} {ca} (trust it for https:// vendor hosts)")
    if tls_port is not None:
        lines.append(f"{'tls':<10} https://{host}:{tls_port} (vendor hosts, local CA)")
    print("\n".join(lines), flush=True)


def serve(settings: Settings) -> int:
    import uvicorn

    from .gateway import setup_logging

    setup_logging(settings.log_level)
    if settings.workers > 1:
        from uvicorn.supervisors import Multiprocess

        sock = _listening_socket(settings.host, settings.port)
        os.environ[SETTINGS_JSON_ENV] = settings_to_json(settings)  # read by app_from_env
        config = uvicorn.Config(
            "doppelgate.gateway:app_from_env",
            factory=True,
            host=settings.host,
            port=sock.getsockname()[1],
            workers=settings.workers,
            log_level=settings.log_level,
            http=entry_protocol(settings),
        )
        announce(settings, sock.getsockname()[1])
        Multiprocess(config, sockets=[sock]).run()
        return 0
    from .gateway import create_app

    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        lifespan="on",
        http=entry_protocol(settings),
    )
    server = _announcing_server(config, settings)
    server.run()
    return 0 if server.started else 1


def prepare_ca(settings: Settings) -> Path | None:
    """The local CA's certificate, created now if missing, so clients can trust it before their
    first CONNECT; None (and a warning) when it cannot be written: plain HTTP still serves."""
    from .certs import LocalCA

    ca = LocalCA(settings.ca_dir)
    try:
        return ca.ensure()
    except (OSError, ValueError) as exc:
        print(
            f"doppelgate: warning: no HTTPS for vendor hosts: cannot use the CA in {ca.directory}"
            f" ({exc}); set --ca-dir",
            file=sys.stderr,
        )
        return None


def entry_protocol(settings: Settings) -> Any:
    """uvicorn's `http` protocol: h11 behind a first look for CONNECT (tunnel.py)."""
    from .tunnel import EntryProtocolFactory, ProxyContext

    return EntryProtocolFactory(ProxyContext(settings))


def _listening_socket(host: str, port: int) -> socket.socket:
    """The workers' shared socket, bound here so port 0 resolves before the URLs are printed.

    Made with IPPROTO_TCP: asyncio enables TCP_NODELAY only on such sockets, and uvicorn's own
    bind (proto 0) leaves every response waiting ~40 ms on delayed ACKs.
    """
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _announcing_server(config: uvicorn.Config, settings: Settings) -> uvicorn.Server:
    """uvicorn's Server that prints the dialect URLs once its socket is bound (port 0 resolved)."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if not self.started:
                return
            bound = [s.getsockname() for srv in self.servers for s in srv.sockets]
            tls_port = None
            if settings.tls_port is not None:
                tls_port = await self._tls_listener(settings.tls_port)
                if tls_port is None:
                    return
            announce(settings, bound[0][1] if bound else settings.port, tls_port)

        async def _tls_listener(self, port: int) -> int | None:
            """The --tls-port listener: TLS with a certificate per SNI name, then the same
            protocol as the main port. Closed with uvicorn's own servers."""
            import asyncio

            from .certs import LocalCA

            config = self.config
            try:
                sock = _listening_socket(settings.host, port)
                context = LocalCA(settings.ca_dir).sni_context()
            except (OSError, ValueError) as exc:
                print(f"doppelgate: error: cannot serve TLS on port {port}: {exc}", file=sys.stderr)
                self.should_exit = True
                self.started = False
                return None

            def create_protocol() -> asyncio.Protocol:
                return config.http_protocol_class(  # type: ignore[call-arg, no-any-return]
                    config=config, server_state=self.server_state, app_state=self.lifespan.state
                )

            loop = asyncio.get_running_loop()
            server = await loop.create_server(create_protocol, sock=sock, ssl=context)
            self.servers.append(server)
            return int(sock.getsockname()[1])

    return AnnouncingServer(config)
