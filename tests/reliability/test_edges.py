"""The smaller holes of issue 13 point 7, on a real process: a YAML alias bomb on the seed
endpoint, out-of-range numbers on lightblue, and envelopes (not text/plain) for odd methods."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.lightblue.helpers import country_metadata

from .helpers import served


def laughs(levels: int) -> str:
    """A "billion laughs" seed: each level ten aliases of the one before (10**levels strings)."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("edges")) as (_, url):
        yield url


def post_yaml(base: str, text: str) -> httpx.Response:
    headers = {"Content-Type": "application/yaml"}
    return httpx.post(f"{base}/_doppelgate/seed", content=text, headers=headers, timeout=10)


@pytest.mark.parametrize("levels", [6, 8])
def test_a_yaml_alias_bomb_is_refused(base: str, levels: int) -> None:
    bomb = laughs(levels)
    assert len(bomb) < 600
    r = post_yaml(base, bomb)
    assert r.status_code == 400
    assert "aliases expand it to" in r.json()["error"]
    assert httpx.get(f"{base}/_doppelgate/health", timeout=5).status_code == 200


def test_a_self_referencing_alias_is_refused_and_plain_aliases_work(base: str) -> None:
    r = post_yaml(base, "calls: &c [*c]\n")
    assert r.status_code == 400 and "refers to its own anchor" in r.json()["error"]
    docs = "[&d {key: k, value: v}, {<<: *d, key: k2}]"  # an anchor, an alias, a merge key
    ok = f"documents:\n  - {{dialect: spid, tenant: t, collection: c, documents: {docs}}}\n"
    r = post_yaml(base, ok)
    assert r.status_code == 200 and r.json()["documents"] == 2


def test_lightblue_out_of_range_numbers_are_bad_requests(base: str) -> None:
    lb = f"{base}/lightblue/rest"
    r = httpx.put(f"{lb}/data/lock/default/c1/r1?ttl=99999999999999999999", timeout=5)
    assert r.status_code == 500  # every lightblue error but a few is 500 (docs/lightblue.md §1.4)
    (error,) = r.json()["errors"]  # lightblue-rest's lock error envelope (issue 14)
    assert error["errorCode"] == "rest-crud:RestError" and r.json()["status"] == "ERROR"
    assert "is not a long" in error["msg"]
    r = httpx.put(f"{lb}/data/lock/default/c1/r2?ttl=9223372036854775807", timeout=5)
    assert r.json() == {"result": True}  # the largest long: a lock that never expires
    assert httpx.put(f"{lb}/metadata/country/1.0.0", json=country_metadata(), timeout=5).is_success
    doc = {"data": [{"name": "A", "population": 1, "area": 1.5}]}
    assert httpx.put(f"{lb}/data/insert/country", json=doc, timeout=5).json()["modifiedCount"] == 1
    query = {"field": "name", "op": "=", "rvalue": "A"}
    for update, code in [
        ('{"$add": {"population": 1e400}}', "query-api:InvalidSetExpression"),
        ('{"$add": {"area": 1e400}}', "query-api:InvalidSetExpression"),
    ]:
        body = f'{{"query": {json.dumps(query)}, "update": {update}}}'
        r = httpx.post(f"{lb}/data/update/country", content=body, timeout=5)
        assert r.json()["errors"][0]["errorCode"] == code, r.text
        assert "1E+400" in r.json()["errors"][0]["msg"]
    for update in ('{"$set": {"population": 18446744073709551616}}', '{"$set": {"area": 1e400}}'):
        body = f'{{"query": {json.dumps(query)}, "update": {update}}}'
        r = httpx.post(f"{lb}/data/update/country", content=body, timeout=5)
        assert r.status_code == 200, r.text
        errors = r.json()["dataErrors"][0]["errors"]
        assert errors[0]["errorCode"] == "metadata:IncompatibleValue", r.text
    found = httpx.post(f"{lb}/data/find/country", json={"query": query, "projection": {
        "field": "*"}}, timeout=5).json()["processed"]  # fmt: skip
    assert (found[0]["population"], found[0]["area"]) == (1, 1.5)  # unchanged


@pytest.mark.parametrize("method", ["POST", "PUT", "OPTIONS", "GET"])
def test_bare_mounts_answer_the_dialects_envelope(base: str, method: str) -> None:
    for prefix, check in [
        ("/gigya", lambda b: b["errorCode"] == 404000),
        ("/spid", lambda b: b["type"] == "error" and b["code"] == 404),
        ("/gainsight", lambda b: b["errorCode"] == "GS_APIG_1000"),
        ("/lightblue", lambda b: b["errors"][0]["errorCode"] == "rest-crud:RestError"),
    ]:
        r = httpx.request(method, base + prefix, timeout=5)
        assert r.headers["content-type"].startswith("application/json"), (prefix, r.text)
        assert check(r.json()), (prefix, r.text)


def test_wrong_methods_get_a_json_405(base: str) -> None:
    for method, path, allowed in [
        ("PUT", "/_doppelgate/reset", "POST"),
        ("GET", "/_doppelgate/reset", "POST"),
        ("OPTIONS", "/_doppelgate/seed", "POST"),
        ("DELETE", "/_doppelgate/snapshot", "GET, HEAD, POST, PUT"),
        ("POST", "/_doppelgate/faults/abc", "DELETE"),
        ("POST", "/_doppelgate/health", "GET, HEAD"),
    ]:
        r = httpx.request(method, base + path, timeout=5)
        assert r.status_code == 405, (method, path, r.text)
        assert r.headers["allow"] == allowed
        assert r.json()["allowed"] == allowed.split(", ")
    r = httpx.request("PROPFIND", f"{base}/nowhere", timeout=5)
    assert r.status_code == 405 and "error" in r.json()
    r = httpx.post(f"{base}/nowhere", timeout=5)
    assert r.status_code == 404 and r.json()["error"] == "no dialect here"
