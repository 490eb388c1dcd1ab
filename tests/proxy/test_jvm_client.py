"""A JVM client through doppelgate as its HTTPS proxy: -Dhttps.proxyHost/-Dhttps.proxyPort and a
PKCS12 truststore holding the local CA (made with the JDK's keytool), no code change.
Both the JDK's HttpsURLConnection and java.net.http.HttpClient are driven."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.processes import clean_env

from .conftest import VENDOR_CALLS, Served
from .test_proxy_clients import assert_vendor_answer

PROGRAM = Path(__file__).resolve().parent / "java" / "ProxyClient.java"
JAVA_TIMEOUT_S = 120


def spec(method: str, target: str, kwargs: dict[str, Any]) -> str:
    headers = dict(kwargs.get("headers", {}))
    body = ""
    if "data" in kwargs:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(kwargs["data"])
    elif "json" in kwargs:
        headers["Content-Type"] = "application/json"
        body = json.dumps(kwargs["json"])
    header_text = ";".join(f"{k}={v}" for k, v in headers.items())
    return f"{method}|https://{target}|{header_text}|{body}"


def test_jdk_clients_through_the_https_proxy(served: Served, tmp_path: Path) -> None:
    java, keytool = shutil.which("java"), shutil.which("keytool")
    if java is None or keytool is None:
        pytest.fail("a JDK (java and keytool on PATH) is needed for the JVM proxy test")
    truststore = tmp_path / "truststore.p12"
    subprocess.run(
        [keytool, "-importcert", "-noprompt", "-alias", "doppelgate", "-file", str(served.ca),
         "-keystore", str(truststore), "-storetype", "PKCS12", "-storepass", "changeit"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    command = [
        java,
        "-Dhttps.proxyHost=127.0.0.1",
        f"-Dhttps.proxyPort={served.port}",
        f"-Djavax.net.ssl.trustStore={truststore}",
        "-Djavax.net.ssl.trustStorePassword=changeit",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        str(PROGRAM),
        *(spec(method, target, kwargs) for _, method, target, kwargs in VENDOR_CALLS),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=JAVA_TIMEOUT_S, env=clean_env()
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 * len(VENDOR_CALLS), done.stdout
    for i, line in enumerate(lines):
        client, status, body = line.split(" ", 2)
        assert client == ("urlconnection", "httpclient")[i % 2]
        assert_vendor_answer(VENDOR_CALLS[i // 2][0], int(status), json.loads(body))
