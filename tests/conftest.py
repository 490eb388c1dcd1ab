"""Session fixtures shared by every suite: the real MongoDB-wire server the mongodb backend runs on.

`mongo_url` is $DOPPELGATE_TEST_MONGO_URL when set (a real `mongo:7`, Atlas...), otherwise the
URL of `mongo_server`: mongo-java-server with its H2 backend (tools/mongo-wire-server), built
once with Maven if its jar is missing or stale and started on a free loopback port. A server that
cannot be built or started fails the tests that need it: it never skips them.

`mongo_server` is always that local server, so outage tests can stop and restart it (same port,
same data file) whatever `mongo_url` points at.

Markers (README "Development"): every test that runs on the MongoDB backend or reaches the wire
server is marked `mongodb` here, at collection (a backend parameter "mongodb", a MongoDB fixture,
tests/mongodb/), so `pytest -m "not mongodb"` is a quick loop that never builds or starts the
server; `maven` marks the other tests that build a Maven project. Without `-m` everything runs.
A test that reaches the server or Maven unmarked fails (tests/markers.py): the split stays exact.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from doppelgate.config import Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app
from tests import markers, maven
from tests.backends import BACKENDS, AppClient, make_engine

ROOT = Path(__file__).resolve().parents[1]
WIRE_SERVER = ROOT / "tools" / "mongo-wire-server"
URL_ENV = "DOPPELGATE_TEST_MONGO_URL"

START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
# the suite is short-lived: C1 compiles at once (C2 would still be warming up) and one GC thread
# leaves the other core to the tests; together they run the mongodb suite about twice as fast
JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
# a long-running server (bench/): the full JIT; C1 alone makes its scans about 3x slower
SERVER_JVM_OPTIONS = ("-XX:+UseSerialGC",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    markers.mark_items(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    markers.current[:] = [item]  # the test a session fixture set up now is built for


def build_jar() -> Path:
    """The wire server's jar for the current sources, built with Maven once (tests/maven.py)."""
    return maven.build_jar(
        WIRE_SERVER, "mongo-wire-server", "the MongoDB-wire server jar", marker="mongodb"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MongoWireServer:
    """One mongo-java-server process on a fixed loopback port and data file; stop and restart."""

    def __init__(
        self,
        jar: Path,
        data_file: Path,
        port: int,
        log_dir: Path,
        jvm_options: tuple[str, ...] = JVM_OPTIONS,
    ) -> None:
        self.jar = jar
        self.jvm_options = jvm_options
        self.data_file = data_file
        self.port = port
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the server (same port, same data) and wait until it accepts connections."""
        if self.running:
            return
        java = shutil.which("java")
        if java is None:
            pytest.fail("Java is not installed: cannot start the MongoDB-wire server")
        self.starts += 1
        log = self.log_dir / f"server-{self.starts}.log"
        command = [java, *self.jvm_options, "-jar", str(self.jar), "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--file", str(self.data_file)]
        command += ["--exit-with", str(os.getpid())]  # no orphan if this run is killed
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if b"mongo-wire-server ready" in log.read_bytes() and self._accepts():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.kill()
        pytest.fail(
            f"the MongoDB-wire server did not start on port {self.port} within "
            f"{START_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-4000:]}"
        )

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Stop gracefully (SIGTERM: the data file is committed and closed)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """Stop abruptly (SIGKILL), as a crash would: writes of the last second may be lost."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The server is down inside the block and back up (same port and data) after it."""
        self.stop()
        try:
            yield
        finally:
            self.start()


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoWireServer]:
    jar = build_jar()
    work = tmp_path_factory.mktemp("mongo-wire-server")
    for attempt in range(3):
        server = MongoWireServer(jar, work / "data.mv", free_port(), work)
        try:
            server.start()
            break
        except pytest.fail.Exception:  # e.g. the free port was taken meanwhile: another one
            if attempt == 2:
                raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mongo_url(request: pytest.FixtureRequest) -> str:
    markers.require("mongodb", "the test MongoDB")
    external = os.environ.get(URL_ENV)
    if external:
        return external
    server: MongoWireServer = request.getfixturevalue("mongo_server")
    return server.url


# every engine and dialect suite runs each test once per backend (tests/backends.py)
@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[Engine]:
    eng = await make_engine(request.param, request)
    try:
        yield eng
    finally:
        await eng.close()


@pytest.fixture
async def app_client(engine: Engine) -> AsyncIterator[AppClient]:
    """httpx clients of in-process apps on the test's engine, one per call:
    app_client(dialect, options, base_url, **httpx_kwargs), [dialects.<dialect>] = options."""
    clients: list[httpx.AsyncClient] = []

    def make(
        dialect: str, options: dict[str, Any] | None, base_url: str, **kwargs: Any
    ) -> httpx.AsyncClient:
        app = create_app(Settings(dialects={dialect: options or {}}), engine)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base_url, **kwargs)
        clients.append(http)
        return http

    yield make
    for http in clients:
        await http.aclose()
