"""No request freezes the server (issue 13.1), on a real `doppelgate serve` of each backend.

Runaway vendor regexes answer at once: on RE2 wherever the pattern means the same there (Gigya
REGEX always; format, lightblue regex and `matches` for ASCII values) with the true answer, else
on the time-limited engine with the vendor's error. A long scan runs off the event loop, so
health answers within 100 ms meanwhile (the one timing assertion the issue asks for; a rare probe
delayed by the OS scheduler on a loaded machine is tolerated, a frozen loop is not), and a scan
past --max-time-ms stops with the vendor's error instead of running on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.backends import drop_database
from tests.mongodb.helpers import GigyaClient, Served, database_name, serving_with

CATASTROPHIC = "(a|aa)+b"  # exponential backtracking on a run of a's without a b: RE2 runs it
BACKTRACKING = "(a|aa)+(?=b)"  # the same with a lookahead: only a backtracking engine runs it
RUNAWAY_VALUE = "a" * 49  # the value: about half an hour of backtracking CPU
SLOW_VALUE = "a" * 19  # ms of backtracking each for BACKTRACKING: under the per-match slice
HTTP_TIMEOUT_S = 20  # far below what an unbounded match would take
ANYONE = {"find": ["anyone"], "insert": ["anyone"], "update": ["anyone"], "delete": ["anyone"]}


@pytest.fixture(params=["memory", "mongodb"])
def backend_args(request: pytest.FixtureRequest) -> Iterator[tuple[list[str], dict[str, str]]]:
    if request.param == "memory":
        yield ["--backend", "memory"], {}
        return
    url: str = request.getfixturevalue("mongo_url")
    name = database_name()
    yield ["--backend", "mongodb", "--mongo-url", url], {"DOPPELGATE_MONGO_DATABASE": name}
    drop_database(url, name)


@pytest.fixture
def served(backend_args: tuple[list[str], dict[str, str]], tmp_path: Path) -> Iterator[Served]:
    args, env = backend_args
    with serving_with(args, tmp_path, env) as server:
        yield server


def entity_metadata(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """lightblue metadata of an entity `name` version 1.0.0 that anyone may use."""
    return {
        "entityInfo": {
            "name": name,
            "defaultVersion": "1.0.0",
            "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": name},
        },
        "schema": {
            "name": name,
            "version": {"value": "1.0.0", "changelog": "test"},
            "status": {"value": "active"},
            "access": ANYONE,
            "fields": fields,
        },
    }


class Lightblue:
    """Synchronous lightblue calls on a served process: one entity `re` of strings."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=f"{base}/lightblue/rest", timeout=HTTP_TIMEOUT_S)

    def create_entity(self) -> None:
        fields = {
            "name": {"type": "string"},
            "code": {"type": "string", "constraints": {"matches": CATASTROPHIC}},
        }
        r = self.http.put("/metadata/re/1.0.0", json=entity_metadata("re", fields))
        assert r.status_code == 200 and "errorCode" not in r.json(), r.text

    def insert(self, docs: list[dict[str, Any]]) -> dict[str, Any]:
        body = {"data": docs, "projection": {"field": "_id"}}
        reply: dict[str, Any] = self.http.put("/data/insert/re", json=body).json()
        return reply

    def find_regex(self, pattern: str) -> dict[str, Any]:
        body = {"query": {"field": "name", "regex": pattern}, "projection": {"field": "name"}}
        reply: dict[str, Any] = self.http.post("/data/find/re", json=body).json()
        return reply


def health_seconds(http: httpx.Client, base: str) -> float:
    """One health call's time on a kept-alive connection: the server's latency alone."""
    start = time.monotonic()
    r = http.get(f"{base}/_doppelgate/health", timeout=HTTP_TIMEOUT_S)
    elapsed = time.monotonic() - start
    assert r.status_code == 200, r.text
    return elapsed


def test_runaway_regexes_answer_at_once_with_the_vendor_codes(served: Served) -> None:
    with GigyaClient(served.base, timeout_s=HTTP_TIMEOUT_S) as gigya:
        gigya.store("re", "r1", {"name_s": RUNAWAY_VALUE})
        # REGEX is Lucene syntax on RE2: linear time, so simply no match
        found = gigya.ok(
            "ds.search", query=f"SELECT * FROM re WHERE name_s = regex('{CATASTROPHIC}')"
        )
        assert found["totalCount"] == 0, found
        found = gigya.ok("ds.search", query="SELECT * FROM re WHERE name_s = regex('a+')")
        assert found["totalCount"] == 1, found
        # a schema `format`: on RE2 where it can (so: not valid), else time-limited (504001)
        for type_, pattern, code in (("f1", CATASTROPHIC, 400026), ("f2", BACKTRACKING, 504001)):
            schema = {"fields": {"code_s": {"format": f"regex('{pattern}')"}}}
            gigya.ok("ds.setSchema", type=type_, dataSchema=schema)
            body = gigya.call("ds.store", type=type_, oid="o", data={"code_s": RUNAWAY_VALUE})
            assert body["errorCode"] == code, body
            assert gigya.call("ds.get", type=type_, oid="o")["errorCode"] == 404000

    lightblue = Lightblue(served.base)
    lightblue.create_entity()
    assert lightblue.insert([{"name": RUNAWAY_VALUE}])["status"] == "COMPLETE"
    reply = lightblue.find_regex(CATASTROPHIC)  # RE2: no match, at once
    assert reply["status"] == "COMPLETE" and reply["matchCount"] == 0, reply
    reply = lightblue.find_regex(BACKTRACKING)  # time-limited: a query error, at once
    assert reply["status"] == "ERROR", reply
    assert reply["errors"][0]["errorCode"] == "query-api:InvalidQuery", reply
    assert "too expensive" in reply["errors"][0]["msg"], reply
    for value in (RUNAWAY_VALUE, RUNAWAY_VALUE + "\u00e9"):  # RE2, then time-limited (not ASCII)
        reply = lightblue.insert([{"name": "x", "code": value}])  # `matches`: not valid
        assert reply["status"] == "ERROR", reply
        assert reply["dataErrors"][0]["errors"][0]["errorCode"] == "crud:InvalidEntity", reply
    with httpx.Client() as http:
        assert health_seconds(http, served.base) < HTTP_TIMEOUT_S and served.alive()


def test_health_answers_within_100_ms_while_a_long_scan_runs(served: Served) -> None:
    lightblue = Lightblue(served.base)
    lightblue.create_entity()
    for _ in range(4):
        assert lightblue.insert([{"name": SLOW_VALUE}] * 50)["status"] == "COMPLETE"
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(lightblue.find_regex(BACKTRACKING)))
    worker.start()
    latencies = []
    with httpx.Client() as http:
        while worker.is_alive():
            latencies.append(health_seconds(http, served.base))
            time.sleep(0.02)
    worker.join()
    assert result["status"] == "COMPLETE" and result["matchCount"] == 0, result
    assert len(latencies) >= 20, "the scan ended before health was probed: make it longer"
    # within 100 ms; on a shared, loaded machine the OS alone delays a rare probe beyond that
    # (an idle server next to a CPU-bound process: up to ~70 ms), never by a frozen loop
    slow = [t for t in latencies if t >= 0.1]
    assert len(slow) <= len(latencies) // 50 and max(latencies) < 0.5, sorted(latencies)[-5:]


def test_a_scan_past_max_time_stops_with_the_vendor_error(
    backend_args: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    args, env = backend_args
    with serving_with([*args, "--max-time-ms", "300"], tmp_path, env) as server:
        lightblue = Lightblue(server.base)
        lightblue.create_entity()
        for _ in range(4):
            assert lightblue.insert([{"name": SLOW_VALUE}] * 50)["status"] == "COMPLETE"
        reply = lightblue.find_regex(BACKTRACKING)
        assert reply["status"] == "ERROR", reply
        assert "time limit" in reply["errors"][0]["msg"], reply
        with GigyaClient(server.base, timeout_s=HTTP_TIMEOUT_S) as gigya:
            for i in range(200):
                gigya.store("t", f"o{i}", {"notes_t": f"word {i} " * 2000})
            query = 'SELECT * FROM t WHERE notes_t CONTAINS "absent" ORDER BY notes_t'
            body = gigya.call("ds.search", query=query)
            assert body["errorCode"] == 504001, body
