"""A real doppelgate server on a free loopback port, in a background thread of the test process.

For what cannot run in-process: subprocesses, other languages' clients, SDKs that hard-code
`https://<vendor host>`. `proxy_env()` is what such a process needs to reach the vendor hosts
through doppelgate unchanged: HTTP(S)_PROXY pointing here and the local CA in each ecosystem's
trust variable (the CA bundle keeps the public roots, so other HTTPS still verifies).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import certifi
import uvicorn

from ..certs import LocalCA
from ..config import Settings
from ..gateway import create_app
from ..tunnel import EntryProtocolFactory, ProxyContext

START_TIMEOUT_S = 15.0


class ServedEmulator:
    """Every dialect served for real: `url`, `proxy_url`, `ca_path`, `ca_bundle`, `proxy_env()`."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings if settings is not None else Settings()
        self.app = create_app(self.settings)
        self.ca = LocalCA(self.settings.ca_dir)
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    proxy_url = url

    @property
    def ca_path(self) -> Path:
        return self.ca.ensure()

    @property
    def ca_bundle(self) -> Path:
        """The public roots (certifi) plus the local CA, for variables that replace the roots."""
        bundle = self.ca.directory / "bundle.pem"
        if not bundle.exists():
            roots = Path(certifi.where()).read_bytes()
            bundle.write_bytes(roots.rstrip(b"\n") + b"\n" + self.ca.cert_pem())
        return bundle

    def proxy_env(self) -> dict[str, str]:
        """Environment variables that send a subprocess's vendor calls here, trusted."""
        bundle, ca = str(self.ca_bundle), str(self.ca_path)
        env = {"NO_PROXY": "localhost,127.0.0.1,::1", "no_proxy": "localhost,127.0.0.1,::1"}
        for name in ("HTTP_PROXY", "HTTPS_PROXY"):
            env[name] = env[name.lower()] = self.url
        for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
            env[name] = bundle
        env["NODE_EXTRA_CA_CERTS"] = ca  # Node adds it to its own roots
        return env

    def start(self) -> ServedEmulator:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="on",
            http=EntryProtocolFactory(ProxyContext(self.settings)),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, name="doppelgate", daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"doppelgate did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(START_TIMEOUT_S)
        self.server = self.thread = None

    def __enter__(self) -> ServedEmulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
