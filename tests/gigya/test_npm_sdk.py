"""The real npm `gigya` SDK against a real `doppelgate serve` process (spec §8).

tests/gigya/npm/ pins the SDK (package.json + package-lock.json); the test installs it with
`npm ci` when node_modules is missing or stale, so a fresh machine needs only Node and npm (their
absence fails the test, it never skips). ds-roundtrip.js drives ds.store / ds.get / ds.search /
ds.store(arrayPush) / ds.delete through the SDK's own transport, its code unchanged and nothing
preloaded: its `https://ds.<dc>.gigya.com/...` requests go through HTTPS_PROXY (the server itself,
answering CONNECT with TLS under its local CA). The SDK pins its own CA bundle
(gigya/assets/cacert.pem, passed as `ca`), so NODE_EXTRA_CA_CERTS cannot make it trust another
CA: as a user would, the test appends doppelgate's CA to that bundle, in a copy of the installed
tree (tests/gigya/npm stays as npm installed it). Each run starts its
own server (memory or MongoDB backend), permissive, or strict with the SDK's signed mode
(userKey + secret: HMAC-SHA1, ms timestamps, nonces) verified by the server.
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

from doppelgate.certs import LocalCA
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


def node_env(**extra: str) -> dict[str, str]:
    """The environment without proxies or doppelgate settings, plus `extra`."""
    proxies = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "node_extra_ca_certs"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in proxies and not k.startswith(("DOPPELGATE_", "GIGYA_"))
    }
    return {**env, **extra}


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


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One local CA for every server of this module (as one user keeps one)."""
    directory = tmp_path_factory.mktemp("gigya-npm-ca")
    LocalCA(directory).ensure()
    return directory


@pytest.fixture(scope="module")
def sdk_dir(node: str, ca_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/gigya/npm whose SDK trusts the local CA too: its pinned bundle + ours."""
    target = tmp_path_factory.mktemp("gigya-npm") / "npm"
    shutil.copytree(NPM_DIR, target, symlinks=True)
    bundle = target / "node_modules" / "gigya" / "assets" / "cacert.pem"
    bundle.write_bytes(bundle.read_bytes().rstrip(b"\n") + b"\n" + (ca_dir / "ca.pem").read_bytes())
    return target


def run_sdk(node: str, sdk: Path, origin: str, log: Path, *args: str) -> dict[str, Any]:
    """ds-roundtrip.js's one JSON line; the SDK reaches the server only as its HTTPS proxy."""
    command = [node, str(sdk / SCRIPT.name), *args]
    done = run_captured(command, RUN_TIMEOUT_S, cwd=sdk, env=node_env(HTTPS_PROXY=origin))
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


def check_roundtrip(
    result: dict[str, Any], data_center: str, auth: str, origin: str, api_key: str
) -> None:
    assert result["sdkVersion"] == pinned_version()
    assert result["auth"] == auth
    assert result["proxy"] == origin
    steps: dict[str, dict[str, Any]] = result["steps"]
    bad = failures(steps, {"getAfterDelete": NOT_FOUND})
    assert not bad, "SDK calls failed:\n" + "\n".join(bad)
    # every call reached this server through the proxy, under the vendor's host
    journal = httpx.get(f"{origin}/_doppelgate/journal", params={"tenant": api_key}).json()
    calls = [e for e in journal["entries"] if e["host"] == f"ds.{data_center}.gigya.com"]
    assert len(calls) >= CALLS, journal
    assert {e["operation"] for e in calls} >= {"ds.store", "ds.get", "ds.search", "ds.delete"}

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
    node: str,
    sdk_dir: Path,
    ca_dir: Path,
    backend: str,
    mode: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    api_key = f"3_npm_{uuid.uuid4().hex[:12]}"  # a tenant of its own
    args, env = serve_backend(backend, request, "npm")
    args += ["--ca-dir", str(ca_dir)]
    if mode == "strict":
        config = tmp_path / "doppelgate.toml"
        config.write_text(strict_config(api_key))
        args += ["--config", str(config)]
    log = tmp_path / "server.log"
    with serving(args, env, log, "gigya") as origin:
        assert httpx.get(f"{origin}/_doppelgate/health").json()["backend"] == backend
        if mode == "permissive":
            # the SDK's partner-secret mode: apiKey + secret as params, nothing signed
            result = run_sdk(
                node, sdk_dir, origin, log, "--api-key", api_key, "--secret", PARTNER_SECRET
            )
            check_roundtrip(result, "us1", "partnerSecret", origin, api_key)
            return
        # the SDK's signed mode: userKey + sig (HMAC-SHA1 over https://ds.eu1.gigya.com/...),
        # ms timestamp, nonce; verified by the server
        signed = ["--api-key", api_key, "--user-key", USER_KEY, "--data-center", "eu1"]
        result = run_sdk(node, sdk_dir, origin, log, *signed, "--secret", USER_SECRET)
        check_roundtrip(result, "eu1", "signed", origin, api_key)
        # the same calls signed with a wrong secret are refused: verification is real
        forged = run_sdk(node, sdk_dir, origin, log, *signed, "--secret", WRONG_SECRET)
        codes = {name: step["errorCode"] for name, step in forged["steps"].items()}
        assert set(codes.values()) == {INVALID_SIGNATURE}, codes
        # partner secret in strict mode: checked against the configured one
        partner = ["--api-key", api_key, "--secret", PARTNER_SECRET, "--type", "npmpartner"]
        result = run_sdk(node, sdk_dir, origin, log, *partner)
        check_roundtrip(result, "us1", "partnerSecret", origin, api_key)


def test_the_sdk_pins_its_bundle_so_extra_node_cas_do_not_reach_it(
    node: str, ca_dir: Path, tmp_path: Path
) -> None:
    """Why the roundtrip appends the CA to the SDK's bundle: NODE_EXTRA_CA_CERTS alone is not
    enough for this SDK (README, Node recipe); the installed SDK refuses doppelgate's TLS."""
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    with serving(["--ca-dir", str(ca_dir)], env, log, "gigya") as origin:
        command = [node, str(SCRIPT), "--api-key", "3_pinned", "--secret", PARTNER_SECRET]
        pinned_env = node_env(HTTPS_PROXY=origin, NODE_EXTRA_CA_CERTS=str(ca_dir / "ca.pem"))
        done = run_captured(command, RUN_TIMEOUT_S, cwd=NPM_DIR, env=pinned_env)
    assert done is not None, "ds-roundtrip.js timed out"
    steps = json.loads(done.stdout.strip().splitlines()[-1])["steps"]
    errors = {str(step.get("error", "")).split("\n")[0] for step in steps.values()}
    assert errors == {"Error: self-signed certificate in certificate chain"}, errors
