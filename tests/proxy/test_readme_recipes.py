"""The README's proxy recipes (curl, Python, Java), run as written against a served doppelgate:
only the port differs (the README says 127.0.0.1:8080; the test's server has a free port)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.processes import clean_env

from .conftest import Served
from .test_jvm_client import PROGRAM

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Any client, unchanged: proxy and TLS"


def recipe(comment: str) -> str:
    """The ```sh block of the proxy section that starts with `# <comment>`."""
    text = README.read_text()
    section = text[text.index(SECTION) : text.index("\n## ", text.index(SECTION) + 1)]
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        if block.startswith(f"# {comment}"):
            return str(block)
    raise AssertionError(f"no '# {comment}' recipe in the README's proxy section")


def run(script: str, served: Served, cwd: Path) -> subprocess.CompletedProcess[str]:
    script = script.replace("127.0.0.1:8080", f"127.0.0.1:{served.port}")
    script = script.replace("proxyPort=8080", f"proxyPort={served.port}")
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = clean_env(DOPPELGATE_CA_DIR=str(served.ca_dir), PATH=path)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_curl_recipe(served: Served, tmp_path: Path) -> None:
    done = run(recipe("curl"), served, tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"errorCode":404000' in done.stdout, done.stdout


APP = """
import requests
r = requests.get("https://ds.us1.gigya.com/ds.get", timeout=10,
                 params={"apiKey": "3_readme", "secret": "c2VjcmV0", "type": "t", "oid": "x"})
print(r.json()["errorCode"], r.json()["statusReason"])
"""


def test_python_recipe(served: Served, tmp_path: Path) -> None:
    (tmp_path / "your_app.py").write_text(APP)
    done = run(recipe("Python"), served, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "404000 Not Found"


def test_java_recipe(served: Served, tmp_path: Path) -> None:
    """The keytool and java lines as written; the app is the JVM test's client, not a jar."""
    call = "GET|https://ds.us1.gigya.com/ds.get?apiKey=3_readme&secret=c2VjcmV0&type=t&oid=x||"
    script = recipe("Java").replace("-jar your-app.jar", f"{PROGRAM} '{call}'")
    done = run(script, served, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["urlconnection", "200"],  # Gigya answers 200 unless httpStatusCodes=true
        ["httpclient", "200"],
    ]
    assert all('"errorCode":404000' in line for line in lines)
