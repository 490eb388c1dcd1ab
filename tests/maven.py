"""Maven projects the tests run (the MongoDB-wire server, the lightblue Java client): built once.

A project's jar is cached as target/<name>-<hash of pom.xml and sources>.jar, so a process
started from it keeps its jar even if the sources change and another test run rebuilds (under a
file lock). Offline first, then online. A failed build fails the test: it never skips it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests import markers
from tests.processes import run_captured

BUILD_TIMEOUT_S = 600  # a cold build downloads Maven plugins and dependencies


def _sources(project: Path) -> list[Path]:
    return [project / "pom.xml", *sorted((project / "src").rglob("*.java"))]


def build_jar(project: Path, name: str, what: str, marker: str = "maven") -> Path:
    """`project`'s target/<name>.jar for the current sources (cached copy), built with Maven;
    the test asking for it must carry `marker` (tests/markers.py)."""
    markers.require(marker, what)
    jar = project / "target" / f"{name}.jar"
    digest = hashlib.sha256()
    for path in _sources(project):
        digest.update(path.relative_to(project).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    cached = jar.with_name(f"{name}-{digest.hexdigest()[:12]}.jar")
    if cached.exists():
        return cached
    mvn = shutil.which("mvn")
    if mvn is None:
        pytest.fail(f"Maven (mvn) is not installed: cannot build {what}")
    jar.parent.mkdir(exist_ok=True)
    with (jar.parent / ".build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be building the same jar
        if cached.exists():
            return cached
        failures = []
        for args in ([mvn, "-q", "-o", "package"], [mvn, "-q", "package"]):  # offline first
            done = run_captured(args, BUILD_TIMEOUT_S, cwd=project)
            if done is None:
                failures.append(f"{' '.join(args)}: timed out after {BUILD_TIMEOUT_S} s")
                continue
            if done.returncode == 0 and jar.exists():
                partial = cached.with_suffix(".part")
                shutil.copyfile(jar, partial)
                os.replace(partial, cached)
                return cached
            failures.append(f"{' '.join(args)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    pytest.fail(f"cannot build {what}:\n" + "\n".join(failures)[-4000:])
