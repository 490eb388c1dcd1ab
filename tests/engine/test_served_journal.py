"""A full disk loses no acknowledged write (issue 13.2), on a real `doppelgate serve --data-file`.

The "disk" is the server's file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored: a write past it is
cut short, then fails with EFBIG, as on a full disk); it is raised again ("the disk grows") with
prlimit on the running process. After kill -9 and a restart, every write answered errorCode 0
is there and the refused one is not.
"""

from __future__ import annotations

import resource
import signal
from pathlib import Path

import httpx

from tests.mongodb.helpers import GigyaClient, Served, serving_with

API_KEY = "3_journal"  # one tenant across restarts
LIMIT = 64 * 1024  # bytes any file of the server may reach: the data file's journal fills it
VALUE = "x" * 4000  # ~4 KiB per stored object: the limit falls inside a frame


def small_disk() -> None:
    """In the server process before exec: files stop growing at LIMIT (soft), raisable later."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))


def grow_disk(server: Served) -> None:
    resource.prlimit(
        server.proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    )


def health(server: Served) -> httpx.Response:
    return httpx.get(f"{server.base}/_doppelgate/health", timeout=10)


def test_a_full_disk_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data.dg"
    args = ["--backend", "memory", "--data-file", str(data)]
    acknowledged: dict[str, int] = {}
    with serving_with(args, tmp_path, preexec_fn=small_disk) as server:
        with GigyaClient(server.base, API_KEY) as gigya:
            refused = None
            for i in range(100):
                body = gigya.call("ds.store", type="t", oid=f"o{i}", data={"n_i": i, "v": VALUE})
                if body["errorCode"] != 0:
                    refused = body
                    break
                acknowledged[f"o{i}"] = i
            assert refused is not None, "the limit was never reached"
            assert refused["errorCode"] == 500001 and refused["statusCode"] == 500, refused
            failed_oid = f"o{len(acknowledged)}"
            assert health(server).status_code == 503  # the failure shows on health
            assert len(acknowledged) * 4000 < LIMIT

            grow_disk(server)
            for i in range(1000, 1050):  # the 50 more, each answered 0
                gigya.store("t", f"o{i}", {"n_i": i, "v": VALUE})
                acknowledged[f"o{i}"] = i
            assert health(server).status_code == 200
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)

    with serving_with(args, tmp_path) as server, GigyaClient(server.base, API_KEY) as gigya:
        for oid, n in acknowledged.items():
            assert gigya.get("t", oid)["n_i"] == n, oid
        assert gigya.call("ds.get", type="t", oid=failed_oid)["errorCode"] == 404000


def test_fsync_always_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data.dg"
    args = ["--backend", "memory", "--data-file", str(data), "--fsync", "always"]
    with serving_with(args, tmp_path) as server, GigyaClient(server.base, API_KEY) as gigya:
        for i in range(20):
            gigya.store("t", f"o{i}", {"n_i": i})
        server.proc.send_signal(signal.SIGKILL)
        server.proc.wait(timeout=10)
    with serving_with(args, tmp_path) as server, GigyaClient(server.base, API_KEY) as gigya:
        assert [gigya.get("t", f"o{i}")["n_i"] for i in range(20)] == list(range(20))
