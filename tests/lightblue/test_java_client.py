"""The real lightblue Java client (5.11.0, Maven Central) against a real `doppelgate serve`.

tests/lightblue/java/ is a Maven project pinning lightblue-client-core and -http; the fixture
builds it once per source hash (tests/maven.py: a build failure fails the test). ClientRun makes
metadata calls (create, names, versions, get, default, status, roles, remove), data calls
(insert, find, typed find, update, save, bulk, streaming find, generate, delete) and lock calls
(re-entrant acquire, count, ping, release, release/count/ping of an unheld lock) through the
client's own HTTP transport and prints one JSON line per call; the assertions are here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests import maven
from tests.processes import run_captured, serve_backend, serving

from .helpers import ANYONE, OBJECT_ID

PROJECT = Path(__file__).resolve().parent / "java"
RUN_TIMEOUT_S = 180
INVALID_LOCK = "com.redhat.lightblue.client.response.lock.InvalidLockException"

pytestmark = pytest.mark.maven  # Java + Maven even on the memory backend (tests/markers.py)


def entity(name: str) -> dict[str, Any]:
    return {
        "entityInfo": {
            "name": name,
            "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": name},
        },
        "schema": {
            "name": name,
            "version": {"value": "1.0.0", "changelog": "java client"},
            "status": {"value": "active"},
            "access": ANYONE,
            "fields": {
                "name": {"type": "string", "constraints": {"required": True}},
                "age": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "address": {"type": "object", "fields": {"city": {"type": "string"}}},
                "number": {
                    "type": "string",
                    "valueGenerator": {
                        "type": "IntSequence",
                        "configuration": {"name": f"{name}Number", "initialValue": "100"},
                    },
                },
            },
        },
    }


@pytest.fixture(scope="module")
def client_jar() -> Path:
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: cannot run the lightblue Java client")
    return maven.build_jar(PROJECT, "lightblue-client-run", "the lightblue Java client project")


def run_client(jar: Path, origin: str, log: Path) -> dict[str, dict[str, Any]]:
    """ClientRun's lines, by step."""
    base = f"{origin}/lightblue/rest"
    metadata = [json.dumps(entity("client")), json.dumps(entity("scratch"))]
    command = ["java", "-jar", str(jar), f"{base}/data", f"{base}/metadata", *metadata]
    done = run_captured(command, RUN_TIMEOUT_S)
    if done is None:
        pytest.fail(f"the Java client timed out after {RUN_TIMEOUT_S} s; server log:\n{tail(log)}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        pytest.fail(
            f"the Java client failed (exit {done.returncode}):\n{done.stdout}{done.stderr}\n"
            f"server log:\n{tail(log)}"
        )
    return {line.pop("step"): line for line in lines}


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


def result(steps: dict[str, dict[str, Any]], name: str) -> Any:
    step = steps[name]
    assert "error" not in step, f"{name}: {step}"
    return step["result"]


def check_metadata(steps: dict[str, dict[str, Any]]) -> None:
    created = result(steps, "createMetadata")
    assert created["schema"]["fields"]["objectType"]["type"] == "string"  # predefined fields
    assert "tags#" in created["schema"]["fields"]
    assert result(steps, "entityNames") == {"entities": ["client"]}
    [version] = result(steps, "versions")
    assert (version["version"], version["status"]) == ("1.0.0", "active")
    assert result(steps, "getMetadata")["schema"]["version"]["value"] == "1.0.0"
    assert result(steps, "setDefault")["entityInfo"]["defaultVersion"] == "1.0.0"
    status = result(steps, "setStatus")["schema"]["status"]
    assert status["value"] == "deprecated" and status["log"][-1]["comment"] == "from java"
    roles = {r["role"]: r for r in result(steps, "roles")["processed"]}
    assert roles["anyone"]["delete"] == ["client"]
    assert roles["noone"] == {"role": "noone", "update": ["client.objectType"]}
    assert result(steps, "disableScratch")["schema"]["status"]["value"] == "disabled"
    # lightblue-rest answers a removal with an empty body, which the client cannot parse
    assert steps["removeScratch"]["error"].endswith("LightblueParseException")
    assert result(steps, "namesAfterRemove") == {"entities": ["client"]}


def check_data(steps: dict[str, dict[str, Any]]) -> None:
    inserted = result(steps, "insert")
    assert inserted["modifiedCount"] == 3 and inserted["json"]["status"] == "COMPLETE"
    assert [d["name"] for d in inserted["processed"]] == ["alice", "bob", "carol"]
    assert all(OBJECT_ID.match(d["_id"]) for d in inserted["processed"])
    found = result(steps, "find")
    assert found["matchCount"] == 2
    carol, bob = found["processed"]
    assert (carol["name"], carol["age"], carol["tags"], carol["tags#"]) == ("carol", 50, ["c"], 1)
    assert bob["address"] == {"city": "bobville"} and bob["objectType"] == "client"
    assert {carol["number"], bob["number"]} == {"101", "102"}  # IntSequence, as the field type
    assert result(steps, "findTyped") == [{"name": "alice", "age": 30}]
    updated = result(steps, "update")
    assert (updated["matchCount"], updated["modifiedCount"]) == (1, 1)
    [alice] = updated["processed"]
    assert (alice["age"], alice["address"]) == (31, {"city": "Paris"})
    saved = result(steps, "save")
    assert saved["modifiedCount"] == 1
    [bob_saved] = saved["processed"]
    assert bob_saved["age"] == 41 and "address" not in bob_saved  # replaced whole
    insert, find = result(steps, "bulk")
    assert insert["processed"] == [{"name": "dave"}]
    assert find["processed"] == [{"name": "carol"}, {"name": "dave"}]
    streamed = result(steps, "streamingFind")
    assert streamed["sawLast"] is True
    assert [d["name"] for d in streamed["docs"]] == ["alice", "bob", "carol", "dave"]
    generated = result(steps, "generate")
    assert generated["status"] == "COMPLETE" and len(generated["processed"]) == 3
    assert [int(n) for n in generated["processed"]] == sorted(
        int(n) for n in generated["processed"]
    )
    assert result(steps, "delete")["modifiedCount"] == 2  # alice (31) and bob (41)
    assert result(steps, "findAfterDelete")["processed"] == [{"name": "carol"}, {"name": "dave"}]
    unknown = steps["findUnknownEntity"]
    assert unknown["error"].endswith("LightblueResponseException")
    assert unknown["errorCodes"] == ["crud:UnknownEntity"]


def check_locks(steps: dict[str, dict[str, Any]]) -> None:
    assert [result(steps, s) for s in ("acquire", "acquireAgain", "count", "ping")] == [
        True,
        True,
        2,
        True,
    ]
    assert result(steps, "release") is False  # the re-entrant count dropped
    assert result(steps, "releaseLast") is True  # the lock is gone
    # an unheld lock: the client's own InvalidLockException, naming the resource
    assert steps["releaseUnheld"] == {"error": INVALID_LOCK, "message": "res-1"}
    assert steps["countUnheld"] == {"error": INVALID_LOCK, "message": "free-res"}
    assert steps["pingUnheld"] == {"error": INVALID_LOCK, "message": "free-res"}
    assert result(steps, "acquireHeld") is False  # held by another caller


@pytest.mark.parametrize("backend", ["memory", "mongodb"])
def test_lightblue_java_client(
    client_jar: Path, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    args, env = serve_backend(backend, request, "java")
    log = tmp_path / "server.log"
    with serving(args, env, log, "lightblue") as origin:
        steps = run_client(client_jar, origin, log)
    check_metadata(steps)
    check_data(steps)
    check_locks(steps)
