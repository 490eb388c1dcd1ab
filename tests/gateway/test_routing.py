"""Path-prefix routing on one port, and vendor-Host routing to the vendor's own paths."""

from __future__ import annotations

import httpx
import pytest
import respx
from starlette.applications import Starlette

from .conftest import AppFactory
from .helpers import LIGHTBLUE_HOST, client_for, make_settings, whoami_routes, with_routes

VENDOR_HOSTS = [
    ("ds.us1.gigya.com", "gigya"),
    ("accounts.eu1.gigya.com", "gigya"),
    ("mtls.au1.gigya.com", "gigya"),
    ("cn1.gigya-api.cn", "gigya"),
    ("cn1.sapcdm.cn", "gigya"),
    ("login.schibsted.com", "spid"),
    ("payment.schibsted.no", "spid"),
    ("identity-pre.schibsted.com", "spid"),
    ("acme.gainsightcloud.com", "gainsight"),
    ("customobjectapi.gainsightcloud.com", "gainsight"),
    (LIGHTBLUE_HOST, "lightblue"),
]


@pytest.mark.parametrize("name", ["gigya", "spid", "gainsight", "lightblue"])
async def test_path_prefix_reaches_the_dialect(client: httpx.AsyncClient, name: str) -> None:
    r = await client.get(f"/{name}/whoami")
    assert r.status_code == 200
    assert r.json()["dialect"] == name
    assert r.json()["path"] == "/whoami"  # the dialect sees the vendor's path


@pytest.mark.parametrize(("host", "name"), VENDOR_HOSTS)
async def test_vendor_host_reaches_the_dialect_at_the_vendor_path(
    app: Starlette, host: str, name: str
) -> None:
    async with client_for(app, base_url=f"https://{host}") as client:
        r = await client.get("/whoami")
    assert r.status_code == 200
    assert r.json() == {"dialect": name, "path": "/whoami", "request_id": r.json()["request_id"]}


@pytest.mark.parametrize(
    "host",
    ["DS.US1.GIGYA.COM", "ds.us1.gigya.com:443", "ds.us1.gigya.com.", "ds.us1.gigya.com:8080"],
)
async def test_host_match_ignores_case_port_and_trailing_dot(
    client: httpx.AsyncClient, host: str
) -> None:
    r = await client.get("/whoami", headers={"Host": host})
    assert r.json()["dialect"] == "gigya"


@pytest.mark.parametrize(
    "host", ["testserver", "localhost:8080", "127.0.0.1", "[::1]:8080", "gigya.com", "notgigya.com"]
)
async def test_other_hosts_are_not_rewritten(client: httpx.AsyncClient, host: str) -> None:
    assert (await client.get("/whoami", headers={"Host": host})).status_code == 404
    assert (await client.get("/spid/whoami", headers={"Host": host})).json()["dialect"] == "spid"


async def test_vendor_host_keeps_the_query_string(app: Starlette) -> None:
    async with client_for(app, base_url="https://ds.us1.gigya.com") as client:
        r = await client.get("/ds.nothing", params={"httpStatusCodes": "true", "context": "c1"})
    assert r.status_code == 404
    assert r.json()["context"] == "c1"


async def test_control_plane_answers_on_a_vendor_host(app: Starlette) -> None:
    async with client_for(app, base_url="https://login.schibsted.com") as client:
        r = await client.get("/_doppelgate/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


async def test_lightblue_hosts_come_from_settings(app_factory: AppFactory) -> None:
    settings = make_settings(dialects={"lightblue": {"hosts": ["lb.internal"]}})
    app = await app_factory(settings, dialects=with_routes(whoami_routes))
    async with client_for(app, base_url="http://lb.internal") as client:
        assert (await client.get("/whoami")).json()["dialect"] == "lightblue"
    async with client_for(app, base_url=f"http://{LIGHTBLUE_HOST}") as client:
        assert (await client.get("/whoami")).status_code == 404


async def test_respx_host_routing_works_unchanged(app: Starlette) -> None:
    """Application code keeps calling the vendor's URL; respx hands the request to doppelgate."""
    with respx.mock(assert_all_called=True) as mock:
        mock.route(host="ds.us1.gigya.com").mock(side_effect=respx.ASGIHandler(app))
        mock.route(host="acme.gainsightcloud.com").mock(side_effect=respx.ASGIHandler(app))
        async with httpx.AsyncClient() as plain:
            gigya = await plain.post("https://ds.us1.gigya.com/whoami", data={"apiKey": "k"})
            store = await plain.post("https://ds.us1.gigya.com/ds.nothing", data={"apiKey": "k"})
            gainsight = await plain.get("https://acme.gainsightcloud.com/whoami")
            missing = await plain.get("https://acme.gainsightcloud.com/v1/data/nothing/nope")
    assert gigya.json()["dialect"] == "gigya"
    assert (store.status_code, store.json()["errorCode"]) == (200, 404000)
    assert gainsight.json() == {
        "dialect": "gainsight",
        "path": "/whoami",
        "request_id": gainsight.json()["request_id"],
    }
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "GS_APIG_1000"


async def test_each_request_gets_a_fresh_request_id(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/gigya/whoami")).json()["request_id"] for _ in range(3)}
    assert len(ids) == 3
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
