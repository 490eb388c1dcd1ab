"""`doppelgate serve --id-seed N`: two server processes, one after the other, answer the same
calls with byte-identical responses (Date aside), however often the harness polled their health."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.backends import BACKENDS
from tests.processes import serve_backend, serving

from .helpers import SECRET


def scenario(origin: str) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    seen = []
    with httpx.Client(base_url=origin, timeout=10) as http:
        http.get("/_doppelgate/health")  # control-plane calls draw no seeded id
        assert http.post("/_doppelgate/clock/freeze", json={"at": 1_900_000_000}).is_success
        auth = {"apiKey": "3_served", "secret": SECRET, "type": "t", "data": "{}"}
        calls = [
            http.build_request("POST", "/gigya/ds.store", data={**auth, "oid": "auto"}),
            http.build_request("POST", "/gigya/ds.store", data={**auth, "oid": "auto"}),
            http.build_request(
                "POST",
                "/spid/oauth/token",
                data={"grant_type": "client_credentials", "client_id": "app"},
            ),
            http.build_request(
                "POST",
                "/gainsight/v1/data/objects/Company",
                json={"records": [{"Name": "A"}]},
                headers={"Accesskey": "k"},
            ),
        ]
        for call in calls:
            r = http.send(call)
            assert r.is_success, r.text
            headers = [(k, v) for k, v in r.headers.multi_items() if k != "date"]
            seen.append((r.status_code, headers, r.content))
    return seen


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_served_runs_are_byte_identical(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    runs = []
    for run in range(2):
        args, env = serve_backend(backend, request, "ids")  # a fresh database each run
        with serving([*args, "--id-seed", "42"], env, tmp_path / f"{run}.log", "gigya") as origin:
            runs.append(scenario(origin))
    assert runs[0] == runs[1]
    assert httpx.Response(200, content=runs[0][0][2]).json()["oid"] != "auto"
