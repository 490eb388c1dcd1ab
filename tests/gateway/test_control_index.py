"""The control plane describes itself: an index, JSON 404 and 405, an OpenAPI document, and
Prometheus metrics of the vendor requests served."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from doppelgate.testing import Emulator


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_index_404_405_and_openapi() -> None:
    with Emulator() as emu, emu.sync_client() as client:
        index = client.get("/_doppelgate/").json()
        assert index["dialects"]["gigya"] == "/gigya"
        paths = {(r["path"], m) for r in index["routes"] for m in r["methods"]}
        assert ("/_doppelgate/faults", "POST") in paths and ("/_doppelgate/metrics", "GET") in paths
        assert client.get("/_doppelgate").json() == index
        for route in index["routes"]:  # every listed GET answers (none is a 404)
            if "GET" in route["methods"] and "{" not in route["path"]:
                assert client.get(route["path"]).status_code == 200, route
        missing = client.get("/_doppelgate/nope")
        assert missing.status_code == 404
        assert missing.json() == {
            "error": "no control-plane route /_doppelgate/nope; the index is /_doppelgate/",
            "index": "/_doppelgate/",
        }
        wrong = client.delete("/_doppelgate/seed")
        assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")
        assert wrong.json()["allowed"] == ["POST"]
        document = client.get("/_doppelgate/openapi.json").json()
        assert document["openapi"] == "3.1.0"
        assert set(document["paths"]["/_doppelgate/snapshot"]) == {"get", "put", "post"}
        assert {p for p, _ in paths} == set(document["paths"])


def test_metrics_count_requests_faults_and_documents() -> None:
    form = {"apiKey": "3_metrics", "secret": "x", "type": "t", "oid": "o1", "data": '{"a_s":"1"}'}
    with Emulator() as emu, emu.sync_client() as client:
        for _ in range(3):
            assert client.post("/gigya/ds.store", data=form).json()["errorCode"] == 0
        client.post("/gigya/ds.random-name-1", data=form)  # unknown: no new label value
        client.post("/gigya/ds.random-name-2", data=form)
        emu.fault("gigya", "ds.get", error="500001", times=1)
        client.post("/gigya/ds.get", data=form)
        response = client.get("/_doppelgate/metrics")
        assert response.headers["content-type"].startswith("text/plain; version=")
        found = samples(response.text)
    store = (("dialect", "gigya"), ("operation", "ds.store"), ("status", "200"))
    other = (("dialect", "gigya"), ("operation", "other"), ("status", "200"))
    assert found[("doppelgate_requests_total", store)] == 3
    assert found[("doppelgate_requests_total", other)] == 2
    fired = (("dialect", "gigya"), ("operation", "ds.get"))
    assert found[("doppelgate_faults_fired_total", fired)] == 1
    assert found[("doppelgate_request_duration_seconds_count", (("dialect", "gigya"),))] == 6
    assert found[("doppelgate_documents", (("dialect", "gigya"),))] >= 1
    assert found[("doppelgate_documents", (("dialect", "spid"),))] == 0
