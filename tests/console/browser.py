"""Debian's chromium + chromium-driver for the console's browser tests: installed with apt-get
when missing (CI runs as root on a clean machine); a failed install fails the tests, never skips."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMEDRIVER = Path("/usr/bin/chromedriver")
PACKAGES = ("chromium", "chromium-driver")
APT_TIMEOUT_S = 900


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_chromium() -> tuple[str, str]:
    """(chromium, chromedriver) paths, apt-get installing both first when either is missing."""
    binary = chromium_binary()
    if binary and CHROMEDRIVER.exists():
        return binary, str(CHROMEDRIVER)
    if os.geteuid() != 0:
        pytest.fail(f"chromium/chromedriver missing and not root: apt-get install {PACKAGES}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES],
    ):
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, env=env, timeout=APT_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.fail(f"{' '.join(args)} failed: {exc}")
        if done.returncode != 0:
            pytest.fail(f"{' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}")
    binary = chromium_binary()
    if binary is None or not CHROMEDRIVER.exists():
        pytest.fail(f"apt-get installed {PACKAGES} but chromium/chromedriver are still missing")
    return binary, str(CHROMEDRIVER)


if __name__ == "__main__":
    print(ensure_chromium())
