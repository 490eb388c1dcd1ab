"""Shared state: several doppelgate processes on one MongoDB serve one data set.

Real `doppelgate serve --backend mongodb` processes on the session's MongoDB (`mongo_url`), one
fresh database per test, driven through the gigya dialect over HTTP. (`--workers 2` on the
memory backend refuses to start: tests/gateway/test_cli.py.)
"""

from __future__ import annotations

from pathlib import Path

from .helpers import GigyaClient, serving


def test_two_processes_see_each_others_writes(
    mongo_url: str, database: str, tmp_path: Path
) -> None:
    with (
        serving(mongo_url, database, tmp_path) as one,
        serving(mongo_url, database, tmp_path) as two,
    ):
        assert one.base != two.base
        with (
            GigyaClient(one.base, "3_shared") as a,
            GigyaClient(two.base, "3_shared") as b,
        ):
            a.store("people", "p1", {"name": "Ann", "n": 1})
            assert b.get("people", "p1") == {"name": "Ann", "n": 1}

            b.store("people", "p1", {"n": 2})  # ds.store merges into the stored object
            assert a.get("people", "p1") == {"name": "Ann", "n": 2}

            b.store("people", "p2", {"name": "Bo"})
            found = a.ok("ds.search", query="SELECT * FROM people ORDER BY name")
            assert [r["data"]["name"] for r in found["results"]] == ["Ann", "Bo"]

            a.ok("ds.delete", type="people", oid="p2")
            assert b.call("ds.get", type="people", oid="p2")["errorCode"] == 404000

        with GigyaClient(two.base, "3_other") as other:  # tenants stay apart across processes
            assert other.call("ds.get", type="people", oid="p1")["errorCode"] == 404000


def test_two_workers_serve_one_data_set(mongo_url: str, database: str, tmp_path: Path) -> None:
    with serving(mongo_url, database, tmp_path, workers=2) as server:
        workers = server.workers()
        assert len(workers) == 2, (workers, server.log_tail())
        # a new connection per call: the workers share the listening socket, both get calls
        with GigyaClient(server.base, fresh_connections=True) as gigya:
            for i in range(20):
                gigya.store("items", f"i{i}", {"i": i, "label": f"item {i}"})
            for i in range(20):
                assert gigya.get("items", f"i{i}") == {"i": i, "label": f"item {i}"}
            found = gigya.ok("ds.search", query="SELECT count(*) FROM items")
            assert found["results"] == [{"count(*)": 20}]
        assert server.alive() and server.workers() == workers  # no worker died or restarted

        # and another process on the same database sees every one of those writes
        with (
            serving(mongo_url, database, tmp_path) as single,
            GigyaClient(single.base, gigya.api_key) as reader,
        ):
            for i in range(20):
                assert reader.get("items", f"i{i}")["i"] == i
