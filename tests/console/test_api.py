"""The console's JSON API on both engine backends: browsing, paging, and writes that go through
each dialect's own vendor API (its validation and errors apply); the journal's bounded,
redacted capture; read-only and off modes; the banner line."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from doppelgate.config import Settings
from doppelgate.control.capture import BODY_LIMIT, REDACTED
from doppelgate.gateway import create_app
from doppelgate.serving import announce
from tests.backends import BACKENDS, make_engine
from tests.lightblue.helpers import country_metadata

API = "/_doppelgate/console/api"
LB_AUTH = {"Authorization": "Basic " + base64.b64encode(b"alice:pw").decode()}
COUNTRY = country_metadata()  # name: required, at most 20 characters


async def client_for(settings: Settings, request: pytest.FixtureRequest, backend: str) -> Any:
    engine = await make_engine(backend, request)
    app = create_app(settings, engine)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver")


@pytest.fixture(params=BACKENDS)
async def http(request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    app, client = await client_for(Settings(backend=request.param), request, request.param)
    async with app.router.lifespan_context(app), client:
        yield client


async def gigya(http: httpx.AsyncClient, method: str, **params: Any) -> dict[str, Any]:
    form = {"apiKey": "3_t", "secret": "s3cr3t"}
    form.update({k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()})
    return dict((await http.post(f"/gigya/{method}", data=form)).json())


async def seed_one(http: httpx.AsyncClient, dialect: str) -> tuple[str, str]:
    """One document stored through the vendor API: (tenant, view label)."""
    if dialect == "gigya":
        assert (await gigya(http, "ds.store", type="tracks", oid="t1", data={"name": "a"}))[
            "errorCode"
        ] == 0
        return "3_t", "tracks"
    if dialect == "spid":
        r = await http.post(
            "/spid/api/2/user/42/dataobject/name",
            data={"value": "a"},
            headers={"Authorization": "Bearer c1"},
        )
        assert r.status_code == 201, r.text
        return "c1", "data objects"
    if dialect == "gainsight":
        r = await http.post(
            "/gainsight/v1/data/objects/Company",
            json={"records": [{"Name": "a"}]},
            headers={"Accesskey": "k1"},
        )
        assert r.json()["result"] is True, r.text
        return "k1", "Company"
    r = await http.put("/lightblue/rest/metadata/country/1.0.0", json=COUNTRY, headers=LB_AUTH)
    assert r.status_code == 200, r.text
    body = {"data": [{"objectType": "country", "name": "a"}]}
    r = await http.put("/lightblue/rest/data/insert/country", json=body, headers=LB_AUTH)
    assert r.json()["status"] == "COMPLETE", r.text
    return "alice", "country"


async def vendor_name(http: httpx.AsyncClient, dialect: str) -> str:
    """The stored document's name/value, read back through the vendor API."""
    if dialect == "gigya":
        return str((await gigya(http, "ds.get", type="tracks", oid="t1"))["data"]["name"])
    if dialect == "spid":
        r = await http.get(
            "/spid/api/2/user/42/dataobject/name", headers={"Authorization": "Bearer c1"}
        )
        return str(r.json()["data"]["value"])
    if dialect == "gainsight":
        r = await http.post(
            "/gainsight/v1/data/objects/query/Company",
            json={"select": ["Name"]},
            headers={"Accesskey": "k1"},
        )
        return str(r.json()["data"]["records"][0]["Name"])
    body = {
        "query": {"field": "objectType", "op": "=", "rvalue": "country"},
        "projection": {"field": "*", "recursive": True},
    }
    r = await http.post("/lightblue/rest/data/find/country", json=body, headers=LB_AUTH)
    return str(r.json()["processed"][0]["name"])


def renamed(dialect: str, editable: dict[str, Any], name: Any) -> dict[str, Any]:
    return {
        **editable,
        ("value" if dialect == "spid" else "Name" if dialect == "gainsight" else "name"): name,
    }


async def view_of(http: httpx.AsyncClient, dialect: str, tenant: str, label: str) -> dict[str, Any]:
    r = await http.get(f"{API}/views", params={"dialect": dialect, "tenant": tenant})
    assert r.status_code == 200, r.text
    return next(v for v in r.json()["views"] if v["label"] == label)


async def page(
    http: httpx.AsyncClient, dialect: str, tenant: str, view: dict[str, Any], **more: Any
) -> Any:
    params = {"dialect": dialect, "tenant": tenant, "collection": view["collection"], **more}
    if view["target"]:
        params["target"] = view["target"]
    r = await http.get(f"{API}/documents", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("dialect", ["gigya", "spid", "gainsight", "lightblue"])
async def test_browse_edit_add_delete_through_the_vendor_api(
    http: httpx.AsyncClient, dialect: str
) -> None:
    tenant, label = await seed_one(http, dialect)
    tenants = (await http.get(f"{API}/tenants", params={"dialect": dialect})).json()["tenants"]
    assert tenant in [t["tenant"] for t in tenants]
    view = await view_of(http, dialect, tenant, label)
    assert view["vendor"] and view["count"] == 1
    doc = (await page(http, dialect, tenant, view))["documents"][0]
    where = {
        "dialect": dialect,
        "tenant": tenant,
        "collection": view["collection"],
        "target": view["target"],
    }
    r = await http.get(f"{API}/document", params={**where, "id": json.dumps(doc["_id"])})
    one = r.json()
    assert one["vendor"]["status"] == 200 and '"a"' in json.dumps(one["vendor"]["body"])
    # edit: through the vendor's write, read back through the vendor's read
    edited = renamed(dialect, one["editable"], "b")
    r = await http.post(
        f"{API}/document/store", json={**where, "id": doc["_id"], "document": edited}
    )
    assert r.status_code == 200 and r.json()["status"] < 300, r.text
    assert await vendor_name(http, dialect) == "b"
    # the vendor's validation applies: each dialect refuses something of its own
    bad = {
        "gigya": [1],  # data must be an object (gigya 400006 envelope)
        "spid": {"value": "x" * 70000},  # longer than 65535 bytes
        "gainsight": {"NoSuchField": 1},
        "lightblue": {"objectType": "country", "name": "x" * 30},  # maxLength 20
    }[dialect]
    r = await http.post(f"{API}/document/store", json={**where, "id": doc["_id"], "document": bad})
    answer = r.json()
    refused = (
        r.status_code == 400
        or answer["status"] >= 400
        or answer["body"].get("errorCode")
        or answer["body"].get("status") == "ERROR"
    )
    assert refused, answer
    assert await vendor_name(http, dialect) == "b"
    # add, then delete the first one
    new = {
        "gigya": {"oid": "t2", "data": {"name": "c"}},
        "spid": {"userId": "43", "key": "name", "value": "c"},
        "gainsight": {"Name": "c"},
        "lightblue": {"objectType": "country", "name": "c"},
    }[dialect]
    r = await http.post(f"{API}/document/add", json={**where, "document": new})
    assert r.json()["status"] < 300, r.text
    r = await http.post(f"{API}/document/delete", json={**where, "id": doc["_id"]})
    assert r.json()["status"] < 300, r.text
    docs = (await page(http, dialect, tenant, view))["documents"]
    assert [d["_id"] for d in docs] != [doc["_id"]] and len(docs) == 1
    assert '"c"' in json.dumps(docs[0])


async def test_pages_walk_every_document_once_in_id_order(http: httpx.AsyncClient) -> None:
    for i in range(120):
        await gigya(http, "ds.store", type="tracks", oid=f"t{i:03}", data={"n_i": i})
    view = await view_of(http, "gigya", "3_t", "tracks")
    assert view["count"] == 120
    seen: list[str] = []
    after = None
    while True:
        more = {"limit": 50, **({"offset": after} if after is not None else {})}
        got = await page(http, "gigya", "3_t", view, **more)
        assert len(got["documents"]) <= 50
        seen += [d["_id"] for d in got["documents"]]
        after = got["next"]
        if after is None:
            break
    assert len(seen) == 120 and seen == sorted(set(seen))
    filtered = await page(
        http, "gigya", "3_t", view, filter=json.dumps({"data.n_i": {"$gte": 100}})
    )
    assert len(filtered["documents"]) == 20


@pytest.mark.parametrize(
    ("dialect", "tenant", "target", "text", "expect"),
    [
        ("gigya", "3_t", "", "SELECT * FROM tracks WHERE name = 'a'", '"results"'),
        ("spid", "c1", "42", "key=name", '"value": "a"'),
        ("gainsight", "k1", "Company", '{"select": ["Name"], "limit": 5}', '"Name": "a"'),
        (
            "lightblue",
            "alice",
            "country/1.0.0",
            json.dumps(
                {
                    "query": {"field": "name", "op": "=", "rvalue": "a"},
                    "projection": {"field": "name"},
                }
            ),
            '"name": "a"',
        ),
    ],
)
async def test_the_query_box_answers_in_the_vendors_language(
    http: httpx.AsyncClient, dialect: str, tenant: str, target: str, text: str, expect: str
) -> None:
    await seed_one(http, dialect)
    r = await http.post(
        f"{API}/query", json={"dialect": dialect, "tenant": tenant, "target": target, "text": text}
    )
    answer = r.json()
    assert answer["status"] == 200 and expect in json.dumps(answer["body"]), answer
    assert answer["ms"] > 0
    # a malformed query gets the vendor's own error
    r = await http.post(
        f"{API}/query", json={"dialect": "gigya", "tenant": "3_t", "text": "SELEKT"}
    )
    assert r.json()["body"]["errorCode"] == 400006


async def test_the_journal_keeps_bounded_redacted_bodies(http: httpx.AsyncClient) -> None:
    await gigya(http, "ds.store", type="big", oid="b1", data={"text_s": "x" * (2 * BODY_LIMIT)})
    r = await http.post(
        "/spid/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "c1", "client_secret": "hush"},
    )
    entries = (await http.get("/_doppelgate/journal")).json()["entries"]
    store, token = entries[-2], entries[-1]
    got = (await http.get(f"/_doppelgate/journal/{store['seq']}")).json()["exchange"]
    assert got["request_truncated"] and len(got["request_body"].encode()) <= BODY_LIMIT + 100
    assert f"secret={REDACTED}" in got["request_body"] and "s3cr3t" not in json.dumps(got)
    assert '"errorCode":0' in got["response_body"] and not got["response_truncated"]
    got = (await http.get(f"/_doppelgate/journal/{token['seq']}")).json()["exchange"]
    assert "hush" not in got["request_body"] and f"client_secret={REDACTED}" in got["request_body"]
    if r.status_code == 200:
        assert r.json()["access_token"] not in got["response_body"]
        assert f'"access_token":"{REDACTED}"' in got["response_body"].replace(" ", "")
    # polling: only entries after a seq
    newer = (await http.get("/_doppelgate/journal", params={"after": store["seq"]})).json()[
        "entries"
    ]
    assert [e["seq"] for e in newer] == [token["seq"]]
    assert (await http.get("/_doppelgate/journal/999999")).status_code == 404


async def test_fault_form_offers_the_dialects_real_operations_and_codes(
    http: httpx.AsyncClient,
) -> None:
    meta = (await http.get(f"{API}/meta")).json()
    dialects = {d["name"]: d for d in meta["dialects"]}
    assert "ds.search" in dialects["gigya"]["operations"]
    assert "POST /v1/data/objects/query/{object}" in dialects["gainsight"]["operations"]
    assert "POST /rest/data/find/{entity}" in dialects["lightblue"]["operations"]
    for d in dialects.values():
        for code in d["errors"]:
            r = await http.post(
                "/_doppelgate/faults", json={"dialect": d["name"], "error": code, "times": 1}
            )
            assert r.status_code == 201, (d["name"], code, r.text)
    # a fault named from the list fires on that operation
    await http.delete("/_doppelgate/faults")
    spec = {
        "dialect": "gainsight",
        "operation": "POST /v1/data/objects/query/{object}",
        "error": "GU_1101",
    }
    assert (await http.post("/_doppelgate/faults", json=spec)).status_code == 201
    r = await http.post(
        "/gainsight/v1/data/objects/query/Company", json={}, headers={"Accesskey": "k1"}
    )
    assert r.json()["errorCode"] == "GU_1101"


async def test_each_dialect_declares_its_fault_codes_and_schemas(http: httpx.AsyncClient) -> None:
    # from each dialect's own console adapter (Dialect.console): its errors.py catalogue
    meta = (await http.get(f"{API}/meta")).json()
    dialects = {d["name"]: d for d in meta["dialects"]}
    assert {"400006", "403048", "500001"} <= set(dialects["gigya"]["errors"])
    assert {"RATE_LIMITED", "NO_SUCH_ENDPOINT", "invalid_token"} <= set(dialects["spid"]["errors"])
    assert {"GSOBJ_1002", "GU_1101"} <= set(dialects["gainsight"]["errors"])
    assert "rest-crud:RestFindError" in dialects["lightblue"]["errors"]
    assert all(d["query_hint"] for d in dialects.values())
    assert [name for name, d in dialects.items() if d["schemas"]] == ["gainsight"]
    # only a dialect that describes schemas answers the schema request
    tenant, view = await seed_one(http, "gainsight")
    q = {"dialect": "gainsight", "tenant": tenant, "target": view}
    described = (await http.get(f"{API}/schema", params=q)).json()
    assert described["status"] == 200 and "describe" in described["request"]["path"]
    r = await http.get(f"{API}/schema", params={"dialect": "gigya", "tenant": "3_t"})
    assert r.status_code == 400 and "schemas" in r.json()["error"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_read_only_console_refuses_changes(
    request: pytest.FixtureRequest, backend: str
) -> None:
    app, http = await client_for(Settings(backend=backend, console="read-only"), request, backend)
    async with app.router.lifespan_context(app), http:
        tenant, label = await seed_one(http, "gigya")  # the vendor APIs still take writes
        assert (await http.get(f"{API}/meta")).json()["read_only"] is True
        view = await view_of(http, "gigya", tenant, label)
        doc = (await page(http, "gigya", tenant, view))["documents"][0]
        where = {"dialect": "gigya", "tenant": tenant, "collection": "objects", "target": "tracks"}
        r = await http.post(f"{API}/document/delete", json={**where, "id": doc["_id"]})
        assert r.status_code == 403
        for method, path, body in [
            ("POST", "/_doppelgate/reset", {}),
            ("POST", "/_doppelgate/seed", {}),
            ("PUT", "/_doppelgate/snapshot", {}),
            ("POST", "/_doppelgate/faults", {"dialect": "gigya"}),
            ("DELETE", "/_doppelgate/faults/f1", None),
            ("DELETE", "/_doppelgate/journal", None),
        ]:
            r = await http.request(method, path, json=body)
            assert r.status_code == 403, (method, path, r.text)
        assert (await gigya(http, "ds.get", type="tracks", oid="t1"))["errorCode"] == 0
        assert (await http.get("/_doppelgate/snapshot")).status_code == 200
        query = {"dialect": "gigya", "tenant": tenant, "text": "SELECT * FROM tracks"}
        r = await http.post(f"{API}/query", json=query)  # a read, sent as POST
        assert r.status_code == 200 and r.json()["body"]["totalCount"] == 1, r.text
        assert (await http.get("/_doppelgate/console")).status_code == 200


async def test_console_off_and_the_index(request: pytest.FixtureRequest) -> None:
    app, http = await client_for(Settings(console="off"), request, "memory")
    async with app.router.lifespan_context(app), http:
        assert (await http.get("/_doppelgate/console")).status_code == 404
        index = (await http.get("/_doppelgate/")).json()
        assert "/_doppelgate/journal/{seq}" in [r["path"] for r in index["routes"]]
    app, http = await client_for(Settings(), request, "memory")
    async with app.router.lifespan_context(app), http:
        index = (await http.get("/_doppelgate")).json()
        assert "/_doppelgate/console" in [r["path"] for r in index["routes"]]
        page = await http.get("/_doppelgate/console")
        assert page.headers["content-type"].startswith("text/html")
        for src in ("console.js", "console.css"):
            assert f"/_doppelgate/console/static/{src}" in page.text
            assert (await http.get(f"/_doppelgate/console/static/{src}")).status_code == 200
        assert "//" not in page.text.replace("http://", "").replace("/_doppelgate", "")  # no CDN


def test_the_banner_links_the_console(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    announce(Settings(ca_dir=str(tmp_path)), 8123)
    lines = dict(line.split(maxsplit=1) for line in capsys.readouterr().out.splitlines())
    assert lines["console"] == "http://127.0.0.1:8123/_doppelgate/console"
    announce(Settings(ca_dir=str(tmp_path), console="read-only"), 8123)
    assert "/_doppelgate/console (read-only)" in capsys.readouterr().out
    announce(Settings(ca_dir=str(tmp_path), console="off"), 8123)
    assert "console" not in capsys.readouterr().out
    msgspec.json.encode(Settings(console="read-only"))  # the setting round-trips to workers


async def test_with_a_control_token_the_page_loads_and_the_api_needs_the_token(
    request: pytest.FixtureRequest,
) -> None:
    app, http = await client_for(Settings(control_token="t0ken"), request, "memory")
    async with app.router.lifespan_context(app), http:
        assert (await http.get("/_doppelgate/console")).status_code == 200  # no data in it
        assert (await http.get("/_doppelgate/console/static/console.js")).status_code == 200
        assert (await http.get(f"{API}/meta")).status_code == 401
        assert (await http.get("/_doppelgate/journal")).status_code == 401
        token = {"X-Doppelgate-Token": "t0ken"}
        assert (await http.get(f"{API}/meta", headers=token)).status_code == 200


async def test_a_raw_document_without_its_vendor_key_is_a_console_error(
    http: httpx.AsyncClient,
) -> None:
    tenant, _ = await seed_one(http, "spid")
    app_engine = http._transport.app.state.engine  # type: ignore[attr-defined]
    await app_engine.collection("spid", tenant, "dataobjects").insert({"_id": "raw", "n": 1})
    where = {"dialect": "spid", "tenant": tenant, "collection": "dataobjects"}
    r = await http.get(f"{API}/document", params={**where, "target": "dataobjects", "id": '"raw"'})
    assert r.status_code == 400 and "lacks" in r.json()["error"], r.text
    r = await http.get(
        f"{API}/documents", params={**where, "target": "dataobjects", "filter": "{not json"}
    )
    assert r.status_code == 400 and "filter" in r.json()["error"]
    r = await http.get(f"{API}/views", params={"dialect": "nope"})
    assert r.status_code == 400 and "unknown dialect" in r.json()["error"]
