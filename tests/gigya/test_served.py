"""Over real HTTP (`doppelgate serve`): a signed SDK-style call and a single Date header."""

from __future__ import annotations

import email.utils
import time
import uuid
from pathlib import Path

import httpx

from tests.gateway.test_cli import announced, get, running
from tests.processes import command

from .helpers import SECRET, form, signed

CONFIG = f"""
[dialects.gigya]
strict = true

[dialects.gigya.apiKeys."3_served"]
secret = "{SECRET}"
"""


def test_signed_store_and_get_over_http(tmp_path: Path) -> None:
    config = tmp_path / "doppelgate.toml"
    config.write_text(CONFIG)
    with running(command("serve", "--port", "0", "--config", str(config))) as server:
        base = announced(server)["gigya"]
        get(base.rsplit("/", 1)[0] + "/_doppelgate/health")  # up
        params = form({"apiKey": "3_served", "type": "t", "oid": "o1", "data": {"ab_s": "x y"}})
        params |= {"format": "json", "httpStatusCodes": "true", "sdk": "python_3.6.0"}
        for method in ("ds.store", "ds.get"):
            url = f"{base}/{method}"
            call = signed(params, url, timestamp=int(time.time()), nonce=uuid.uuid4().hex)
            r = httpx.post(url, data=call, timeout=5)
            assert r.status_code == 200, r.text
            assert r.json()["errorCode"] == 0, r.text
        assert r.json()["data"] == {"ab_s": "x y"}
        dates = r.headers.get_list("date")
        assert len(dates) == 1, dates  # SDKs correct their clock from it (spec §1)
        assert email.utils.parsedate_to_datetime(dates[0]) is not None
        r = httpx.post(f"{base}/ds.get", data={**params, "secret": "wrong"}, timeout=5)
        assert (r.status_code, r.json()["errorCode"]) == (403, 403010)
