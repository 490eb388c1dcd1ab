"""The control plane's gate (issue 13 point 5) on real processes: token, Host check, refusal of
cross-site state changes, and the warning and token a non-loopback bind gets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import served, wait_for

SEED = {"documents": [{"dialect": "spid", "tenant": "c", "collection": "d", "documents": [
    {"key": "k", "value": "v"}]}]}  # fmt: skip


def documents(base: str, **headers: str) -> int:
    r = httpx.get(f"{base}/_doppelgate/snapshot", headers=headers, timeout=5)
    assert r.status_code == 200, r.text
    return sum(len(c["documents"]) for c in r.json()["collections"])


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default: bound to 127.0.0.1, no token."""
    with served(tmp_path_factory.mktemp("local")) as (_, base):
        yield base


def test_loopback_without_token_serves_local_hosts_only(local: str) -> None:
    port = local.rsplit(":", 1)[1]
    for host in ("127.0.0.1", f"localhost:{port}", f"[::1]:{port}", "app.localhost"):
        r = httpx.get(f"{local}/_doppelgate/journal", headers={"Host": host}, timeout=5)
        assert r.status_code == 200, (host, r.text)
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "10.1.2.3"):
        r = httpx.get(f"{local}/_doppelgate/snapshot", headers={"Host": host}, timeout=5)
        assert r.status_code == 403, host  # a DNS-rebound page reads nothing
        assert "control_hosts" in r.json()["error"]
    r = httpx.get(f"{local}/_doppelgate/snapshot", headers={"Host": "ds.us1.gigya.com"}, timeout=5)
    assert r.status_code == 200  # a vendor Host the gateway serves is not an attacker's name
    health = httpx.get(f"{local}/_doppelgate/health", headers={"Host": "evil.example"}, timeout=5)
    assert health.status_code == 200


def test_cross_site_state_changes_are_refused(local: str) -> None:
    assert httpx.post(f"{local}/_doppelgate/seed", json=SEED, timeout=5).status_code == 200
    before = documents(local)
    attacks = [
        {"Origin": "http://evil.example", "Content-Type": "text/plain"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "multipart/form-data; boundary=x"},
    ]
    for headers in attacks:
        r = httpx.post(f"{local}/_doppelgate/reset", headers=headers, content=b"{}", timeout=5)
        assert r.status_code in (403, 415), (headers, r.text)
        assert "error" in r.json()
    assert documents(local) == before  # nothing was wiped
    same = {"Origin": local, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json"}
    r = httpx.post(f"{local}/_doppelgate/reset", headers=same, content=b"{}", timeout=5)
    assert r.status_code == 200, r.text
    assert documents(local) == 0


def test_a_configured_token_is_required(tmp_path: Path) -> None:
    with served(tmp_path, 'control_token = "s3cret"\n') as (_, base):
        r = httpx.get(f"{base}/_doppelgate/snapshot", timeout=5)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Bearer")
        for wrong in ({"Authorization": "Bearer nope"}, {"X-Doppelgate-Token": "s3cre"}):
            assert (
                httpx.get(f"{base}/_doppelgate/snapshot", headers=wrong, timeout=5).status_code
                == 401
            )
        assert documents(base, Authorization="Bearer s3cret") == 0
        assert documents(base, **{"X-Doppelgate-Token": "s3cret"}) == 0
        r = httpx.post(f"{base}/_doppelgate/reset", headers={"Origin": "http://evil.example",
                       "X-Doppelgate-Token": "s3cret"}, timeout=5)  # fmt: skip
        assert r.status_code == 403  # cross-site, token or not
        assert httpx.get(f"{base}/_doppelgate/health", timeout=5).status_code == 200
        assert httpx.get(f"{base}/spid/api/2/endpoints", timeout=5).status_code != 401


def test_a_non_loopback_bind_warns_and_gets_a_random_token(tmp_path: Path) -> None:
    with served(tmp_path, "", "--host", "0.0.0.0") as (_, base):
        log = tmp_path / "stderr.log"
        wait_for(lambda: "needs this token" in log.read_text(), 5, "the token line")
        text = log.read_text()
        assert "warning: listening on 0.0.0.0" in text
        found = re.search(r"needs this token .*: (\S+)$", text, re.M)
        assert found is not None, text
        assert httpx.get(f"{base}/_doppelgate/journal", timeout=5).status_code == 401
        auth = {"Authorization": f"Bearer {found.group(1)}"}
        r = httpx.get(f"{base}/_doppelgate/journal", headers=auth, timeout=5)
        assert r.status_code == 200, r.text


def test_the_token_can_be_explicitly_switched_off(tmp_path: Path) -> None:
    with served(tmp_path, "", "--host", "0.0.0.0", "--insecure-control-plane") as (_, base):
        log = tmp_path / "stderr.log"
        wait_for(lambda: "insecure_control_plane" in log.read_text(), 5, "the warning")
        assert "needs this token" not in log.read_text()
        assert httpx.get(f"{base}/_doppelgate/journal", timeout=5).status_code == 200
        r = httpx.get(f"{base}/_doppelgate/journal", headers={"Host": "evil.example"}, timeout=5)
        assert r.status_code == 403  # no token: the Host check still stands
