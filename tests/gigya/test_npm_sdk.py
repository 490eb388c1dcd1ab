"""The real npm `gigya` SDK against a real `doppelgate serve` process (spec §8).

tests/gigya/npm/ pins the SDK (package.json + package-lock.json); the test installs it with
`npm ci` when node_modules is missing or stale, so a fresh machine needs only Node and npm (their
absence fails the test, it never skips). ds-roundtrip.js drives ds.store / ds.get / ds.search /
ds.store(arrayPush) / ds.delete through the SDK's own transport; redirect.js sends its
`https://ds.<dc>.gigya.com/...` requests to the server over plain HTTP, keeping the vendor Host
header that routes them to the gigya dialect. Each run starts its own server (memory or MongoDB
backend), permissive, or strict with the SDK's signed mode (userKey + secret: HMAC-SHA1, ms
timestamps, nonces) verified by the server.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import run_captured, serve_backend, serving

NPM_DIR = Path(__file__).resolve().parent / "npm"
SCRIPT = NPM_DIR / "ds-roundtrip.js"

NPM_CI_TIMEOUT_S = 300
RUN_TIMEOUT_S = 120  # the SDK retries a 500001 up to 5 times, 5 s apart

PARTNER_SECRET = "c2VjcmV0LWtleS0xMjM0NTY="  # base64, as the console shows it
USER_KEY = "AKnpmSdk"
USER_SECRET = "bnBtLXVzZXIta2V5LXNlY3JldA=="
WRONG_SECRET = "d3Jvbmctc2VjcmV0LXh5eg=="
NOT_FOUND = 404000
INVALID_SIGNATURE = 403003
CALLS = 15  # the requests ds-roundtrip.js makes
OID = re.compile(r"^[0-9a-f]{32}$")


def pinned_version() -> str:
    return str(json.loads((NPM_DIR / "package.json").read_text())["dependencies"]["gigya"])


def installed_version() -> str | None:
    manifest = NPM_DIR / "node_modules" / "gigya" / "package.json"
    if not manifest.exists():
        return None
    return str(json.loads(manifest.read_text())["version"])


def node_env() -> dict[str, str]:
    """The environment without proxies (they would bypass the redirect) or doppelgate settings."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
    return {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in proxies and not k.startswith(("DOPPELGATE_", "GIGYA_"))
    }


@pytest.fixture(scope="module")
def node() -> str:
    """Node's path, with the pinned SDK installed in tests/gigya/npm/node_modules."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("Node.js and npm are needed to run the npm `gigya` SDK (node/npm not on PATH)")
    if installed_version() != pinned_version():
        command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"]
        done = run_captured(command, NPM_CI_TIMEOUT_S, cwd=NPM_DIR, env=node_env())
        if done is None:
            pytest.fail(f"`npm ci` in {NPM_DIR} timed out after {NPM_CI_TIMEOUT_S} s")
        if done.returncode != 0 or installed_version() != pinned_version():
            pytest.fail(
                f"`npm ci` in {NPM_DIR} failed (exit {done.returncode}):\n"
                f"{(done.stdout + done.stderr)[-4000:]}"
            )
    return node


def run_sdk(node: str, origin: str, log: Path, *args: str) -> dict[str, Any]:
    """ds-roundtrip.js's one JSON line."""
    command = [node, str(SCRIPT), "--url", origin, *args]
    done = run_captured(command, RUN_TIMEOUT_S, cwd=NPM_DIR, env=node_env())
    if done is None:
        pytest.fail(f"{SCRIPT.name} timed out after {RUN_TIMEOUT_S} s; server log:\n{tail(log)}")
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        pytest.fail(
            f"{SCRIPT.name} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}\n"
            f"server log:\n{tail(log)}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


def failures(steps: dict[str, Any], expect_error: dict[str, int]) -> list[str]:
    """Steps whose errorCode differs from the expected one, with the server's answer."""
    return [
        f"{name}: errorCode {step.get('errorCode')} (expected {expect_error.get(name, 0)}): "
        f"{json.dumps(step.get('response', step.get('error')))}"
        for name, step in steps.items()
        if step.get("errorCode") != expect_error.get(name, 0)
    ]


def check_roundtrip(result: dict[str, Any], data_center: str, auth: str) -> None:
    assert result["sdkVersion"] == pinned_version()
    assert result["auth"] == auth
    steps: dict[str, dict[str, Any]] = result["steps"]
    bad = failures(steps, {"getAfterDelete": NOT_FOUND})
    assert not bad, "SDK calls failed:\n" + "\n".join(bad)
    # every call went through the redirect to this server, under the vendor's host
    assert len(result["redirected"]) == CALLS
    host = f"ds.{data_center}.gigya.com/"
    assert all(r.startswith(host + "ds.") for r in result["redirected"]), result["redirected"]

    submitted = result["submitted"]
    main, others, push = submitted["main"], submitted["others"], submitted["push"]
    assert main["owner"] == {"name_s": "Åse Lee", "address": {"city_s": "Oslo", "zip_i": 150}}
    assert main["unicode_s"] == "æøå \u2013 ✓ 日本語"

    resp = {name: step["response"] for name, step in steps.items()}
    oid = resp["store"]["oid"]
    assert OID.match(oid), oid  # oid=auto: a generated 32-hex id
    assert result["oid"] == oid

    got = resp["get"]
    assert got["oid"] == oid
    assert got["data"] == main  # exactly as submitted: nesting, arrays, typed fields, unicode
    assert isinstance(got["created"], int) and isinstance(got["lastUpdated"], int)
    assert resp["getFields"]["data"] == {
        "title_s": main["title_s"],
        "owner": {"address": main["owner"]["address"]},
    }
    for other in others:
        assert resp[f"store:{other}"]["oid"] == other

    # priority_i >= 3 AND done_b = false, ORDER BY priority_i DESC LIMIT 2: d (7), a (5) of 3
    search = resp["search"]
    assert [r["oid"] for r in search["results"]] == ["npm-d", "npm-a"]
    assert [r["data"] for r in search["results"]] == [others["npm-d"], others["npm-a"]]
    assert search["objectsCount"] == 2
    assert search["totalCount"] == 3
    assert resp["count"]["results"] == [{"count(*)": 3}]
    assert [r["oid"] for r in resp["searchText"]["results"]] == [oid]

    assert resp["push"]["oid"] == oid
    pushed = resp["getAfterPush"]
    assert pushed["data"] == {
        **main,
        "priority_i": push["priority_i"],
        "tags": [*main["tags"], "urgent"],
    }
    assert pushed["data"]["tags"] == ["home", "errand", "urgent"]
    assert pushed["created"] == got["created"]
    assert pushed["lastUpdated"] >= got["lastUpdated"]

    gone = resp["getAfterDelete"]
    assert gone["errorCode"] == NOT_FOUND
    assert gone["statusCode"] == 404
    assert gone["errorMessage"] == "Not found"
    assert resp["countAfterDelete"]["results"] == [{"count(*)": 2}]


def strict_config(api_key: str) -> str:
    return (
        "[dialects.gigya]\nstrict = true\n"
        f'[dialects.gigya.apiKeys."{api_key}"]\n'
        f'secret = "{PARTNER_SECRET}"\n'
        f'userKeys = {{ {USER_KEY} = "{USER_SECRET}" }}\n'
    )


@pytest.mark.parametrize("mode", ["permissive", "strict"])
@pytest.mark.parametrize("backend", ["memory", "mongodb"])
def test_npm_gigya_sdk_roundtrip(
    node: str, backend: str, mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    api_key = f"3_npm_{uuid.uuid4().hex[:12]}"  # a tenant of its own
    args, env = serve_backend(backend, request, "npm")
    if mode == "strict":
        config = tmp_path / "doppelgate.toml"
        config.write_text(strict_config(api_key))
        args += ["--config", str(config)]
    log = tmp_path / "server.log"
    with serving(args, env, log, "gigya") as origin:
        assert httpx.get(f"{origin}/_doppelgate/health").json()["backend"] == backend
        if mode == "permissive":
            # the SDK's partner-secret mode: apiKey + secret as params, nothing signed
            result = run_sdk(node, origin, log, "--api-key", api_key, "--secret", PARTNER_SECRET)
            check_roundtrip(result, "us1", "partnerSecret")
            return
        # the SDK's signed mode: userKey + sig (HMAC-SHA1 over https://ds.eu1.gigya.com/...),
        # ms timestamp, nonce; verified by the server
        signed = ["--api-key", api_key, "--user-key", USER_KEY, "--data-center", "eu1"]
        result = run_sdk(node, origin, log, *signed, "--secret", USER_SECRET)
        check_roundtrip(result, "eu1", "signed")
        # the same calls signed with a wrong secret are refused: verification is real
        forged = run_sdk(node, origin, log, *signed, "--secret", WRONG_SECRET)
        codes = {name: step["errorCode"] for name, step in forged["steps"].items()}
        assert set(codes.values()) == {INVALID_SIGNATURE}, codes
        # partner secret in strict mode: checked against the configured one
        partner = ["--api-key", api_key, "--secret", PARTNER_SECRET, "--type", "npmpartner"]
        check_roundtrip(run_sdk(node, origin, log, *partner), "us1", "partnerSecret")
