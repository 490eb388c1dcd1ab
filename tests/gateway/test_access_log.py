"""The access log: one line per request with id, dialect, operation, tenant and duration, no
secret from the query string or headers; X-Request-Id in and out (a real served process)."""

from __future__ import annotations

import queue
import re
import subprocess
import time

import httpx

from doppelgate.accesslog import redact_query
from tests.processes import command

from .test_cli import announced, get, running


def test_redact_query_hides_every_credential() -> None:
    query = "apiKey=3_a&secret=s3cr3t&sig=abc&oauth_token=t0k&userKey=AK1&type=x&Accesskey=k"
    redacted = redact_query(query)
    assert "s3cr3t" not in redacted and "abc" not in redacted and "t0k" not in redacted
    assert "apiKey=3_a" in redacted and "type=x" in redacted and "userKey=AK1" in redacted
    assert "secret=***" in redacted and "Accesskey=***" in redacted


def drain(errors: queue.Queue[str], until: str, seconds: float = 10) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while not any(until in line for line in lines) and time.monotonic() < deadline:
        try:
            lines.append(errors.get(timeout=0.2))
        except queue.Empty:
            pass
    return lines


def test_served_access_lines_and_request_ids() -> None:
    args = command("serve", "--port", "0", "--log-level", "debug")
    with running(args, stderr=subprocess.STDOUT) as server:
        _, lines = server
        urls = announced(server)
        get(urls["health"])
        base = urls["gigya"]
        r = httpx.post(
            f"{base}/ds.store?secret=TOPSECRET&apiKey=3_log",
            data={"type": "t", "oid": "o1", "data": '{"a_s":"x"}'},
            headers={"X-Request-Id": "client-req-42", "Authorization": "Bearer HEADERSECRET"},
            timeout=5,
        )
        assert r.json()["errorCode"] == 0
        assert r.headers["x-request-id"] == "client-req-42"  # the client's id comes back
        assert r.json()["callId"] == "client-req-42"  # and is the request's id throughout
        other = httpx.get(f"{base}/ds.get?apiKey=3_log&secret=x&type=t&oid=o1", timeout=5)
        generated = other.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated) and other.json()["callId"] == generated
        bad = httpx.get(urls["health"], headers={"X-Request-Id": "no spaces allowed"}, timeout=5)
        assert bad.headers["x-request-id"] != "no spaces allowed"  # unusable: a fresh one
        logged = drain(lines, generated)
    text = "".join(logged)
    assert "TOPSECRET" not in text and "HEADERSECRET" not in text, text
    (store,) = [line for line in logged if "rid=client-req-42" in line and "ds.store" in line]
    assert '"POST /gigya/ds.store?secret=***&apiKey=3_log" 200' in store
    assert "dialect=gigya op=ds.store tenant=3_log" in store
    assert re.search(r" 200 \d+\.\d ms ", store)
    assert any("headers" in line and "'authorization': '***'" in line for line in logged), text
