"""Real clients reach the vendor hosts through doppelgate as a proxy, unchanged (issue: proxy/TLS).

curl with --proxy (absolute-form plain HTTP, and HTTPS through CONNECT), Python's requests and
httpx configured only by HTTPS_PROXY and the CA variables, and --tls-port with curl --resolve;
a non-vendor host is refused and nothing is forwarded.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import certifi
import pytest

from tests.processes import clean_env, command

from .conftest import VENDOR_CALLS, Served, serve_with_proxy

CURL_TIMEOUT_S = 20


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=CURL_TIMEOUT_S,
        env=clean_env(),
        check=False,
    )


def curl_args(method: str, kwargs: dict[str, Any]) -> list[str]:
    args = ["-X", method]
    for name, value in kwargs.get("headers", {}).items():
        args += ["-H", f"{name}: {value}"]
    for name, value in kwargs.get("data", {}).items():
        args += ["--data-urlencode", f"{name}={value}"]
    if "json" in kwargs:
        args += ["-H", "Content-Type: application/json", "--data", json.dumps(kwargs["json"])]
    return args


def assert_vendor_answer(dialect: str, status: int, body: dict[str, Any]) -> None:
    """The dialect's own envelope, and a success where the call can succeed."""
    if dialect == "gigya":
        assert (status, body["errorCode"], body["statusReason"]) == (200, 0, "OK"), body
    elif dialect == "spid":  # the object does not exist yet: the SPP Container's 404
        assert (status, body["name"], body["code"]) == (404, "SPP Container", 404), body
    elif dialect == "gainsight":
        assert (status, body["result"], body["data"]) == (200, True, {"records": []}), body
    else:
        assert status == 200 and body["engine"]["healthy"] is True, body


def split(done: subprocess.CompletedProcess[str]) -> tuple[int, dict[str, Any]]:
    assert done.returncode == 0, done.stderr
    text, _, code = done.stdout.rpartition("\n")
    return int(code), json.loads(text)


@pytest.mark.parametrize(("dialect", "method", "target", "kwargs"), VENDOR_CALLS)
def test_curl_absolute_form_plain_http(
    served: Served, dialect: str, method: str, target: str, kwargs: dict[str, Any]
) -> None:
    done = curl("--proxy", served.origin, *curl_args(method, kwargs), f"http://{target}")
    assert_vendor_answer(dialect, *split(done))


@pytest.mark.parametrize(("dialect", "method", "target", "kwargs"), VENDOR_CALLS)
def test_curl_https_through_connect(
    served: Served, dialect: str, method: str, target: str, kwargs: dict[str, Any]
) -> None:
    args = ["--proxy", served.origin, "--cacert", str(served.ca), *curl_args(method, kwargs)]
    assert_vendor_answer(dialect, *split(curl(*args, f"https://{target}")))


@pytest.mark.parametrize(("dialect", "method", "target", "kwargs"), VENDOR_CALLS)
def test_curl_tls_port_with_resolve(
    served: Served, dialect: str, method: str, target: str, kwargs: dict[str, Any]
) -> None:
    """--tls-port: the vendor name resolved to 127.0.0.1 (/etc/hosts style), its cert by SNI."""
    host, _, path = target.partition("/")
    resolve = f"{host}:{served.tls_port}:127.0.0.1"
    args = ["--resolve", resolve, "--cacert", str(served.ca), *curl_args(method, kwargs)]
    done = curl(*args, f"https://{host}:{served.tls_port}/{path}")
    assert_vendor_answer(dialect, *split(done))


CLIENT_SCRIPT = """
import json, sys
import httpx, requests
calls = json.loads(sys.argv[1])
out = []
for dialect, method, target, kwargs in calls:
    r = requests.request(method, "https://" + target, timeout=10, **kwargs)
    out.append([dialect, "requests", r.status_code, r.json()])
    with httpx.Client(timeout=10) as client:  # trust_env: HTTPS_PROXY and SSL_CERT_FILE
        r = client.request(method, "https://" + target, **kwargs)
    out.append([dialect, "httpx", r.status_code, r.json()])
print(json.dumps(out))
"""


def test_python_requests_and_httpx_through_https_proxy_env(served: Served, tmp_path: Path) -> None:
    """The README recipe: only HTTPS_PROXY and the CA variables, no code change."""
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + served.ca.read_bytes())
    env = clean_env(
        HTTPS_PROXY=served.origin,
        REQUESTS_CA_BUNDLE=str(bundle),
        SSL_CERT_FILE=str(bundle),
        NO_PROXY="localhost,127.0.0.1",
    )
    done = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, json.dumps(VENDOR_CALLS)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answers = json.loads(done.stdout)
    assert [(a[0], a[1]) for a in answers] == [
        (d, client) for d, *_ in VENDOR_CALLS for client in ("requests", "httpx")
    ]
    for dialect, _, status, body in answers:
        if dialect == "gigya" and body.get("errorCode") == 0:
            continue  # the store ran twice: the second replaced the first, also errorCode 0
        assert_vendor_answer(dialect, status, body)


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_connect_to_a_non_vendor_host_is_refused(served: Served) -> None:
    answer = raw_exchange(served.port, b"CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 403 "), answer
    refusal = json.loads(body)
    assert refusal["error"] == "not a vendor host" and refusal["host"] == "example.com"
    assert "forwards nothing" in refusal["message"] and "*.gigya.com" in refusal["vendor_hosts"]
    done = curl("--proxy", served.origin, "--cacert", str(served.ca), "https://example.com/")
    assert done.returncode != 0 and "403" in done.stderr, done


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_absolute_form_for_a_non_vendor_host_is_refused(served: Served, method: str) -> None:
    done = curl("--proxy", served.origin, "-X", method, "http://example.com/ds.store")
    status, body = split(done)
    assert status == 403 and body["host"] == "example.com", body


def test_absolute_form_addressed_to_doppelgate_itself_is_served(served: Served) -> None:
    done = curl("--proxy", served.origin, f"{served.origin}/_doppelgate/health")
    status, body = split(done)
    assert (status, body["status"]) == (200, "ok")


def test_malformed_or_slow_connect_never_reaches_the_app(served: Served) -> None:
    answer = raw_exchange(served.port, b"CONNECT\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    # the server still answers everyone else
    status, body = split(curl(f"{served.origin}/_doppelgate/health"))
    assert status == 200 and body["status"] == "ok"


def test_the_ca_is_created_once_and_kept(tmp_path: Path) -> None:
    ca_dir = tmp_path / "ca"
    first = subprocess.run(
        command("ca", "--ca-dir", str(ca_dir)), capture_output=True, text=True, timeout=30
    )
    assert first.returncode == 0, first.stderr
    path = Path(first.stdout.strip())
    assert path == (ca_dir / "ca.pem").resolve() and path.read_bytes().startswith(b"-----BEGIN")
    pem = path.read_bytes()
    assert oct((ca_dir / "ca-key.pem").stat().st_mode & 0o777) == "0o600"
    export = tmp_path / "exported.pem"
    done = subprocess.run(
        command("ca", "--ca-dir", str(ca_dir), "--export", str(export)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0 and export.read_bytes() == pem
    # a server started on that directory keeps the CA: its certificates chain to that file
    for served in serve_with_proxy(tmp_path, ca_dir):
        assert (ca_dir / "ca.pem").read_bytes() == pem
        target = "https://x.gainsightcloud.com/v1/data/objects/query/Company"
        _, _, _, kwargs = VENDOR_CALLS[2]
        args = ["--proxy", served.origin, "--cacert", str(path), *curl_args("POST", kwargs)]
        assert_vendor_answer("gainsight", *split(curl(*args, target)))
