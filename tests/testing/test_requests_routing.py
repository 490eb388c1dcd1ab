"""`requests` clients under the fixtures: vendor hosts answered in-process, others passed through;
and `doppelgate_server`, a real server whose proxy and CA variables reach subprocesses."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
import requests

from doppelgate.testing import Emulator
from doppelgate.testing.served import ServedEmulator


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that really left the process would hit a closed port through this proxy."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def local_site() -> Iterator[str]:
    """A plain HTTP server on loopback: a non-vendor host that passed-through requests reach."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"the real local site")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_requests_under_the_respx_fixture_never_leaves_the_process(
    doppelgate: Emulator, doppelgate_respx: object, no_network: None
) -> None:
    form = {"apiKey": "3_req", "secret": "c2VjcmV0", "type": "t", "oid": "o1"}
    stored = requests.post(
        "https://ds.us1.gigya.com/ds.store", data={**form, "data": '{"a_s":"x"}'}, timeout=5
    )
    got = requests.get("https://ds.us1.gigya.com/ds.get", params=form, timeout=5)
    assert stored.json()["errorCode"] == 0 and got.json()["data"] == {"a_s": "x"}
    spid = requests.get(
        "https://login.schibsted.com/api/2/user/3/dataobject/k",
        headers={"Authorization": "Bearer 3@c"},
        timeout=5,
    )
    assert (spid.status_code, spid.json()["name"]) == (404, "SPP Container")
    journal = [(e.dialect, e.operation, e.host) for e in doppelgate.journal()]
    assert journal[:2] == [
        ("gigya", "ds.store", "ds.us1.gigya.com"),
        ("gigya", "ds.get", "ds.us1.gigya.com"),
    ]
    assert journal[2][0] == "spid" and len(journal) == 3


def test_requests_to_other_hosts_pass_through(
    doppelgate: Emulator, doppelgate_requests: object, local_site: str
) -> None:
    r = requests.get(f"{local_site}/page", timeout=5, proxies={"http": "", "https": ""})
    assert r.text == "the real local site"
    assert doppelgate.journal() == []  # not the emulator's
    gainsight = requests.post(
        "https://acme.gainsightcloud.com/v1/data/objects/query/Company",
        headers={"Accesskey": "k"},
        json={"select": ["Name"]},
        timeout=5,
    )
    assert gainsight.json()["result"] is True
    assert [e.dialect for e in doppelgate.journal()] == ["gainsight"]


SUBPROCESS_CLIENT = """
import json, requests
r = requests.post("https://ds.us1.gigya.com/ds.store", timeout=10, data={
    "apiKey": "3_served", "secret": "c2VjcmV0", "type": "t", "oid": "o9", "data": '{"n_i": 9}'})
print(json.dumps(r.json()))
"""


def test_doppelgate_server_exports_its_proxy_and_ca_to_subprocesses(
    doppelgate_server: ServedEmulator,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_CLIENT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # os.environ as the fixture left it: HTTPS_PROXY and REQUESTS_CA_BUNDLE
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["errorCode"] == 0
    got = requests.get(
        f"{doppelgate_server.url}/gigya/ds.get",
        params={"apiKey": "3_served", "secret": "c2VjcmV0", "type": "t", "oid": "o9"},
        timeout=5,
    )
    assert got.json()["data"] == {"n_i": 9}
