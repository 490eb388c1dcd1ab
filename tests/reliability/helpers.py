"""A `doppelgate serve` process with settings, and raw HTTP/1.1 over a socket to it."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tests.gateway.test_cli import Server, announced, get, running
from tests.processes import command


@contextlib.contextmanager
def served(
    tmp_path: Path, config: str = "", *args: str, **popen: Any
) -> Iterator[tuple[Server, str]]:
    """A server on a free port with this TOML config: (the process, http://127.0.0.1:<port>).
    Its stderr goes to tmp_path/stderr.log."""
    path = tmp_path / "doppelgate.toml"
    path.write_text(config)
    args = ("serve", "--port", "0", "--config", str(path), *args)
    with (
        (tmp_path / "stderr.log").open("w") as log,
        running(command(*args), log, **popen) as server,
    ):
        url = announced(server)["health"].removesuffix("/_doppelgate/health")
        base = "http://127.0.0.1:" + url.rsplit(":", 1)[1]  # also when bound to 0.0.0.0
        assert get(f"{base}/_doppelgate/health").status_code == 200
        yield server, base


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


class Reply:
    """A raw HTTP response: status, lower-cased headers, body."""

    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)
        }


def read_reply(sock: socket.socket, timeout: float = 10) -> Reply:
    """One response with a Content-Length body (what doppelgate sends), within `timeout`."""
    sock.settimeout(timeout)
    raw = b""
    while b"\r\n\r\n" not in raw:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full response: {raw!r}")
        raw += chunk
    reply = Reply(raw)
    length = int(reply.headers.get("content-length", "0"))
    while len(reply.body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        reply.body += chunk
    return reply


def request_head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def send_until_answered(port: int, head: bytes, chunks: Iterable[bytes]) -> Reply:
    """Send the head, then body chunks until the server answers (or the chunks run out)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        for chunk in chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
        return read_reply(sock)


def wait_for(condition: object, seconds: float, what: str) -> None:
    """Poll `condition()` every 50 ms until true; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)
