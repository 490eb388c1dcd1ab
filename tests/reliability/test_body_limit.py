"""The request-body limit (issue 13 point 4): refused up front or while streaming, in each
vendor's own "too large" envelope, and the server stays responsive."""

from __future__ import annotations

import json
import select
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .helpers import port_of, request_head, send_until_answered, served

HUGE = 200 * 1024 * 1024  # declared, never sent
LIMIT = 1024 * 1024

# name -> (path, method, headers): a call each dialect would otherwise accept
CASES: dict[str, tuple[str, str, dict[str, str]]] = {
    "gigya": ("/gigya/ds.store?httpStatusCodes=true", "POST", {}),
    "spid": ("/spid/api/2/user/1/dataobject/k", "POST", {}),
    "gainsight": ("/gainsight/v1/data/objects/Company", "POST", {"Accesskey": "k1"}),
    "lightblue": ("/lightblue/rest/data/insert/country", "PUT", {}),
    "control": ("/_doppelgate/seed", "POST", {}),
}


def check_envelope(name: str, status: int, body: bytes, limit: int) -> None:
    doc = json.loads(body)
    assert status == 413, (name, body)
    if name == "gigya":
        assert (doc["errorCode"], doc["statusCode"]) == (413003, 413)
        assert doc["errorMessage"] == "Object too large"
    elif name == "spid":
        assert doc["type"] == "error" and doc["error"]["code"] == 413
        assert str(limit) in doc["error"]["description"]
    elif name == "gainsight":
        assert doc["result"] is False and doc["errorCode"] == "GSOBJ_1002"
        assert str(limit) in doc["errorDesc"]
    elif name == "lightblue":
        assert doc["status"] == "ERROR"
        assert doc["errors"][0]["errorCode"] == "rest-crud:RestError"
    else:
        assert "max_body_bytes" in doc["error"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("limit"), f"max_body_bytes = {LIMIT}\n") as (_, base):
        yield base


@pytest.mark.parametrize("name", CASES)
def test_a_declared_length_over_the_limit_is_refused_unread(server: str, name: str) -> None:
    path, method, extra = CASES[name]
    headers = {**extra, "Content-Type": "application/json", "Content-Length": str(HUGE)}
    reply = send_until_answered(port_of(server), request_head(method, path, headers), [])
    check_envelope(name, reply.status, reply.body, LIMIT)


@pytest.mark.parametrize("name", CASES)
def test_a_chunked_body_is_cut_off_once_past_the_limit(server: str, name: str) -> None:
    path, method, extra = CASES[name]
    headers = {**extra, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    chunk = b"x" * 65536
    framed = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = (framed for _ in range(64))  # 4 MiB at most: the answer comes after ~1 MiB
    reply = send_until_answered(port_of(server), request_head(method, path, headers), sent)
    check_envelope(name, reply.status, reply.body, LIMIT)
    assert httpx.get(f"{server}/_doppelgate/health", timeout=5).status_code == 200


def test_a_body_under_the_limit_still_works(server: str) -> None:
    seed = {"documents": [{"dialect": "spid", "tenant": "c", "collection": "d", "documents": [
        {"key": "k", "value": "v" * (LIMIT // 2)}]}]}  # fmt: skip
    r = httpx.post(f"{server}/_doppelgate/seed", json=seed, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"calls": 0, "documents": 1}


def test_the_default_limit_is_32_mib(tmp_path: Path) -> None:
    default = 32 * 1024 * 1024
    with served(tmp_path) as (_, base):
        over = request_head("POST", "/gigya/ds.store", {"Content-Length": str(default + 1)})
        reply = send_until_answered(port_of(base), over, [])
        assert json.loads(reply.body)["errorCode"] == 413003
        exact = request_head("POST", "/gigya/ds.store", {"Content-Length": str(default)})
        with socket.create_connection(("127.0.0.1", port_of(base)), timeout=5) as sock:
            sock.sendall(exact)
            readable, _, _ = select.select([sock], [], [], 0.5)
            assert not readable  # not refused: the server waits for the body
