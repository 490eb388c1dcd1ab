"""`doppelgate serve` once its settings are valid: sockets, uvicorn, the start-up banner.

Every socket is bound before uvicorn starts, so a port in use is one line and exit 1 (StartError),
not uvicorn's start-up log followed by the bind error.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from typing import Any

import uvicorn

from . import __version__
from .config import SETTINGS_JSON_ENV, Settings, ca_cert_path, settings_to_json
from .connections import guard_connections

HEALTH_PATH = "/_doppelgate/health"
CONSOLE_PATH = "/_doppelgate/"
WEB_CONSOLE_PATH = "/_doppelgate/console"  # console/: read-only or off by setting
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


class StartError(Exception):
    """The server cannot start: one line for stderr, exit status 1."""


def serve(settings: Settings, app: Any) -> int:
    """Serve `app` (or, with --workers N, one app per worker process) until stopped."""
    sock = listening_socket(settings.host, settings.port)
    tls_sock = (
        None if settings.tls_port is None else listening_socket(settings.host, settings.tls_port)
    )
    ports = (sock.getsockname()[1], None if tls_sock is None else tls_sock.getsockname()[1])
    common: dict[str, Any] = {
        "log_level": settings.log_level,
        "access_log": False,  # accesslog.py writes one line per request, secrets redacted
        "http": entry_protocol(settings),
    }
    if settings.workers > 1:
        from uvicorn.supervisors import Multiprocess

        os.environ[SETTINGS_JSON_ENV] = settings_to_json(settings)  # read by app_from_env
        config = uvicorn.Config(
            "doppelgate.gateway:app_from_env", factory=True, workers=settings.workers, **common
        )
        guard_connections(config, settings)
        if settings.seed:  # once, before the workers start: they share the database
            asyncio.run(seed_once(settings, app))
        announce(settings, *ports)
        Multiprocess(config, sockets=[sock]).run()
        return 0
    config = guard_connections(uvicorn.Config(app, lifespan="on", **common), settings)
    server = AnnouncingServer(config, settings=settings, tls_sock=tls_sock, app=app)
    server.run(sockets=[sock])
    if server.seed_error is not None:
        raise StartError(server.seed_error)
    return 0 if server.started else 1


async def apply_seeds(app: Any, files: tuple[str, ...], done: list[str]) -> str | None:
    """Each --seed file through the app's control plane (a banner line each in `done`): None,
    or what went wrong (one line)."""
    from pathlib import Path

    from .control.seed import SeedError

    for path in files:
        try:
            report = await app.state.control.seed(Path(path), app)
        except SeedError as exc:
            return f"seed file {path}: {' '.join(str(exc).split())}"
        done.append(f"{'seeded':<10} {path}: {report.calls} calls, {report.documents} documents")
    return None


async def seed_once(settings: Settings, app: Any) -> None:
    """--workers: the seeds go in through a short-lived app of the parent process."""
    done: list[str] = []
    async with app.router.lifespan_context(app):
        problem = await apply_seeds(app, settings.seed, done)
    if problem is not None:
        raise StartError(problem)
    print("\n".join(done), flush=True)


def entry_protocol(settings: Settings) -> Any:
    """uvicorn's `http` protocol: h11 behind a first look for CONNECT (tunnel.py)."""
    from .tunnel import EntryProtocolFactory, ProxyContext

    return EntryProtocolFactory(ProxyContext(settings))


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound socket (port 0 resolves here, before the URLs are printed).

    Made with IPPROTO_TCP: asyncio enables TCP_NODELAY only on such sockets, and uvicorn's own
    bind (proto 0) leaves every response waiting ~40 ms on delayed ACKs.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise StartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


class AnnouncingServer(uvicorn.Server):
    """uvicorn's Server, plus the --tls-port listener and the banner once both listen."""

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        settings: Settings,
        tls_sock: socket.socket | None,
        app: Any,
    ) -> None:
        super().__init__(config)
        self.settings = settings
        self.tls_sock = tls_sock
        self.app = app
        self.seed_error: str | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        seeded: list[str] = []
        self.seed_error = await apply_seeds(self.app, self.settings.seed, seeded)
        if self.seed_error is not None:
            self.should_exit = True
            return
        bound = [s.getsockname() for srv in self.servers for s in srv.sockets]
        if self.tls_sock is not None:
            await self._tls_listener(self.tls_sock)
        tls_port = None if self.tls_sock is None else self.tls_sock.getsockname()[1]
        announce(self.settings, bound[0][1] if bound else self.settings.port, tls_port)
        if seeded:
            print("\n".join(seeded), flush=True)

    async def _tls_listener(self, sock: socket.socket) -> None:
        """TLS with a certificate per SNI name, then the same protocol as the main port; closed
        with uvicorn's own servers."""
        from .certs import LocalCA

        config = self.config
        context = LocalCA(self.settings.ca_dir).sni_context()

        def create_protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg, no-any-return]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        loop = asyncio.get_running_loop()
        self.servers.append(await loop.create_server(create_protocol, sock=sock, ssl=context))


def announce(settings: Settings, port: int, tls_port: int | None = None) -> None:
    """The URLs (one per dialect, health, proxy, CA, TLS), then what is being served."""
    from .dialect import load_dialects

    shown = "127.0.0.1" if settings.host in WILDCARD_HOSTS else settings.host
    shown = f"[{shown}]" if ":" in shown else shown
    base = f"http://{shown}:{port}"
    lines = [f"{d.name:<10} {base}{d.prefix}" for d in load_dialects()]
    if settings.console != "off":
        note = " (read-only)" if settings.console == "read-only" else ""
        lines.append(f"{'console':<10} {base}{WEB_CONSOLE_PATH}{note}")
    lines.append(f"{'health':<10} {base}{HEALTH_PATH}")
    lines.append(f"{'control':<10} {base}{CONSOLE_PATH} (the control plane's index)")
    lines.append(f"{'proxy':<10} {base} (HTTP_PROXY/HTTPS_PROXY for the vendor hosts)")
    ca = ca_cert_path(settings)
    lines.append(f"{'ca':<10} {ca} (`doppelgate ca` makes it; trust it for https)")
    if tls_port is not None:
        lines.append(f"{'tls':<10} https://{shown}:{tls_port} (vendor hosts, local CA)")
    lines.append(f"{'serving':<10} {summary(settings)}")
    print("\n".join(lines), flush=True)


def summary(settings: Settings) -> str:
    """One line: version, backend and where the data lives, config file, interfaces."""
    if settings.backend == "mongodb":
        from .engine.mongodb import _redact

        data = (
            f"mongodb backend at {_redact(settings.mongo_url)}, database {settings.mongo_database}"
        )
    elif settings.data_file:
        data = f"memory backend, kept in {settings.data_file}"
    else:
        data = "memory backend, not kept (lost on exit; --data-file PATH keeps it)"
    config = f"config {settings.config_file}" if settings.config_file else "no config file"
    where = (
        f"on all interfaces ({settings.host or '0.0.0.0'})"
        if settings.host in WILDCARD_HOSTS
        else f"on {settings.host}"
    )
    return f"doppelgate {__version__}: {data}; {config}; listening {where}"


def interrupted() -> int:
    """Ctrl-C: uvicorn has shut down cleanly and re-raised the signal; one line, exit 130."""
    print("doppelgate: stopped (interrupted)", file=sys.stderr)
    return 130
