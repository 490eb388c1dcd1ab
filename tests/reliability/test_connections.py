"""Idle, slowloris and stalled-body connections (issue 13 point 6), on a real process whose
descriptors are limited (RLIMIT_NOFILE): they are closed, and a new client is still served."""

from __future__ import annotations

import os
import resource
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import port_of, served, wait_for

NOFILE = 256  # the server's descriptor limit: max_connections fits under it
CONFIG = "header_timeout = 1.0\nbody_timeout = 1.0\nkeep_alive_timeout = 1.0\n"


def limit_descriptors() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def closed_by_server(sock: socket.socket) -> bool:
    """True once the server has closed its end (EOF or reset); never blocks."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(4096, socket.MSG_PEEK) == b""
    except OSError:  # reset
        return True


@pytest.fixture
def opened() -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


def connect(port: int, first: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if first:
        sock.sendall(first)
    return sock


def test_idle_slow_and_stalled_connections_are_closed(
    tmp_path: Path, opened: list[socket.socket]
) -> None:
    with served(tmp_path, CONFIG, preexec_fn=limit_descriptors) as ((proc, _), base):
        port = port_of(base)
        baseline = descriptors(proc.pid)
        slowloris = b"GET /_doppelgate/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: "
        stalled = (
            b"POST /gigya/ds.store HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nab"
        )
        kinds = [b""] * 2 * NOFILE + [slowloris] * 50 + [stalled] * 50  # twice the descriptors
        for first in kinds:
            opened.append(connect(port, first))
        # a new client is served at once: the longest-idle connection made room for it
        assert httpx.get(f"{base}/_doppelgate/health", timeout=5).status_code == 200
        # and every idle, slow or stalled one is closed by the server within its timeout
        wait_for(lambda: all(closed_by_server(s) for s in opened), 10, "all closed")
        wait_for(lambda: descriptors(proc.pid) <= baseline + 2, 5, "descriptors released")
        assert httpx.get(f"{base}/_doppelgate/health", timeout=5).status_code == 200
        assert proc.poll() is None


def test_a_keep_alive_client_keeps_working_between_requests(tmp_path: Path) -> None:
    with served(tmp_path, CONFIG) as (_, base), httpx.Client(timeout=5) as client:
        for _ in range(3):  # one connection, requests within the keep-alive time
            assert client.get(f"{base}/_doppelgate/health").status_code == 200
        r = client.post(f"{base}/gigya/ds.store", data={"apiKey": "k" * 100_000})
        assert r.status_code == 200  # a whole body in time is read, however large
