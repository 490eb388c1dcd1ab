"""The quick loop's split (tests/markers.py): `-m "not mongodb and not maven"` needs no Java."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests import markers
from tests.conftest import ROOT

MONGODB_ID = re.compile(r"[\[-]mongodb[\]-]")  # a "mongodb" parameter in a test id


def test_the_quick_loop_selects_nothing_that_needs_java() -> None:
    expression = "not mongodb and not maven"
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, "-m", expression], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    assert len(ids) > 1000  # the loop still runs most of the suite
    java = [
        i
        for i in ids
        if MONGODB_ID.search(i) or i.startswith("tests/mongodb/") or "test_java_client" in i
    ]
    assert java == []
    assert any(i.startswith("tests/engine/") and i.endswith("[memory]") for i in ids)


def test_an_unmarked_test_that_reaches_the_server_fails(request: pytest.FixtureRequest) -> None:
    markers.current[:] = [request.node]  # this test: marked neither mongodb nor maven
    with pytest.raises(pytest.fail.Exception, match="not marked 'mongodb'"):
        markers.require("mongodb", "the MongoDB-wire server")
    with pytest.raises(pytest.fail.Exception, match="not marked 'maven'"):
        markers.require("maven", "the lightblue Java client project")


def test_a_marked_test_may(request: pytest.FixtureRequest) -> None:
    request.node.add_marker(pytest.mark.mongodb)  # marked here: the quick loop still runs it
    markers.current[:] = [request.node]
    markers.require("mongodb", "the MongoDB-wire server")  # no failure
