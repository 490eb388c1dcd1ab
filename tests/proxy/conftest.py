"""A `doppelgate serve` process with its proxy, --tls-port and its own CA, for the proxy tests."""

from __future__ import annotations

import queue
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.gateway.test_cli import get, running
from tests.processes import command

LIGHTBLUE_HOST = "lightblue.example.test"
# one request per dialect, at the vendor's own host and path; (dialect, method, url, kwargs)
VENDOR_CALLS = [
    (
        "gigya",
        "POST",
        "ds.us1.gigya.com/ds.store",
        {
            "data": {
                "apiKey": "3_proxy",
                "secret": "c2VjcmV0",
                "type": "t",
                "oid": "o1",
                "data": '{"name_s":"via proxy"}',
            }
        },
    ),
    (
        "spid",
        "GET",
        "login.schibsted.com/api/2/user/7/dataobject/color",
        {"headers": {"Authorization": "Bearer 7@proxyclient"}},
    ),
    (
        "gainsight",
        "POST",
        "acme.gainsightcloud.com/v1/data/objects/query/Company",
        {"headers": {"Accesskey": "proxy-key"}, "json": {"select": ["Name"], "limit": 1}},
    ),
    ("lightblue", "GET", f"{LIGHTBLUE_HOST}/rest/data/health", {}),
]


@dataclass
class Served:
    origin: str  # http://127.0.0.1:PORT: also the proxy URL
    port: int
    tls_port: int
    ca_dir: Path

    @property
    def ca(self) -> Path:
        return self.ca_dir / "ca.pem"


def serve_with_proxy(tmp: Path, ca_dir: Path | None = None) -> Iterator[Served]:
    """`doppelgate serve` with --tls-port, a lightblue host and its CA in `ca_dir` (tmp/ca)."""
    config = tmp / "doppelgate.toml"
    config.write_text(f'[dialects.lightblue]\nhosts = ["{LIGHTBLUE_HOST}"]\n')
    ca_dir = ca_dir or tmp / "ca"
    args = ["serve", "--port", "0", "--tls-port", "0", "--ca-dir", str(ca_dir)]
    with running(command(*args, "--config", str(config))) as (proc, lines):
        printed: dict[str, str] = {}
        deadline = time.monotonic() + 15
        while "tls" not in printed:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no tls line within 15 s (exit code {proc.poll()}): {printed}")
            if line.strip():
                name, url = line.split()[:2]
                printed[name] = url
        origin = printed["proxy"]
        get(f"{origin}/_doppelgate/health")
        yield Served(
            origin, int(origin.rsplit(":", 1)[1]), int(printed["tls"].rsplit(":", 1)[1]), ca_dir
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_with_proxy(tmp_path_factory.mktemp("proxy"))
