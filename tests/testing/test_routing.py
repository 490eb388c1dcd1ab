"""respx routing: each vendor host family, from the dialects' own host patterns, async and sync."""

from __future__ import annotations

import httpx
import pytest
from respx.models import AllMockedAssertionError

from doppelgate.config import Settings
from doppelgate.dialect import load_dialects
from doppelgate.hosts import HostTable
from doppelgate.testing import Emulator

from .helpers import basic, gigya_get, gigya_store

GIGYA_HOSTS = ["ds.us1.gigya.com", "accounts.eu1.gigya.com", "cn1.gigya-api.cn", "cn1.sapcdm.cn"]
SPID_HOSTS = ["login.schibsted.com", "payment.schibsted.no", "identity-pre.schibsted.com"]


def sample_hosts() -> list[tuple[str, str]]:
    """(dialect, a host) for every pattern the dialects declare: `*.x` -> `tenant1.x`."""
    return [(d.name, p.replace("*", "tenant1")) for d in load_dialects() for p in d.hosts]


def test_every_declared_host_pattern_is_covered_here() -> None:
    declared = {h for _, h in sample_hosts()}
    assert declared <= {
        *GIGYA_HOSTS,
        *SPID_HOSTS,
        "tenant1.gigya.com",
        "tenant1.gigya-api.cn",
        "tenant1.sapcdm.cn",
        "tenant1.gainsightcloud.com",
    }


@pytest.mark.parametrize(("dialect", "host"), sample_hosts())
async def test_each_declared_host_reaches_its_dialect(dialect: str, host: str) -> None:
    async with Emulator() as emu:
        with emu.router():
            async with httpx.AsyncClient() as client:
                await client.get(f"https://{host}/no/such/route")
        assert [e.dialect for e in emu.journal()] == [dialect]
        assert emu.journal()[0].host == host


@pytest.mark.parametrize("host", GIGYA_HOSTS)
async def test_gigya_hosts_async(host: str) -> None:
    async with Emulator() as emu, emu.router():
        async with httpx.AsyncClient(base_url=f"https://{host}") as client:
            assert (await client.post("/ds.store", data=gigya_store("3_a"))).json()[
                "errorCode"
            ] == 0
            got = await client.get("/ds.get", params=gigya_get("3_a"))
    assert got.json()["data"] == {"n_i": 1}


@pytest.mark.parametrize("host", GIGYA_HOSTS)
def test_gigya_hosts_sync(host: str) -> None:
    with Emulator() as emu, emu.router(), httpx.Client(base_url=f"https://{host}") as client:
        assert client.post("/ds.store", data=gigya_store("3_s")).json()["errorCode"] == 0
        assert client.get("/ds.get", params=gigya_get("3_s")).json()["data"] == {"n_i": 1}


@pytest.mark.parametrize("host", SPID_HOSTS)
def test_spid_hosts(host: str) -> None:
    with Emulator() as emu, emu.router(), httpx.Client(base_url=f"https://{host}") as client:
        headers = {"Authorization": "Bearer c1"}
        r = client.post("/api/2/user/42/dataobject/k", data={"value": "v"}, headers=headers)
        assert r.status_code == 201, r.text
        r = client.get("/api/2/user/42/dataobject/k", headers=headers)
    assert r.json()["data"]["value"] == "v"


async def test_gainsight_subdomains() -> None:
    async with Emulator() as emu, emu.router():
        async with httpx.AsyncClient(base_url="https://acme.gainsightcloud.com") as client:
            r = await client.post(
                "/v1/data/objects/company",
                json={"records": [{"Name": "Acme"}]},
                headers={"Accesskey": "k1"},
            )
    assert r.status_code == 200 and r.json()["result"] is True, r.text


async def test_lightblue_configured_host_and_base_url() -> None:
    settings = Settings(dialects={"lightblue": {"hosts": ["lightblue.internal.test"]}})
    base_urls = {"lightblue": "https://apps.example.test/lightblue-svc"}
    async with Emulator(settings) as emu, emu.router(base_urls):
        async with httpx.AsyncClient() as client:
            by_host = await client.get("https://lightblue.internal.test/rest/data/health")
            by_url = await client.get("https://apps.example.test/lightblue-svc/rest/data/health")
            with pytest.raises(httpx.ConnectError):  # not under the base URL: passed through
                await client.get("https://apps.example.test/other/rest/data/health")
        with httpx.Client() as sync_client:
            by_url_sync = sync_client.get(  # noqa: ASYNC212 - a sync client, on purpose
                "https://apps.example.test/lightblue-svc/rest/data/health", headers=basic("u")
            )
    for r in (by_host, by_url, by_url_sync):
        assert r.json() == {"engine": {"healthy": True, "message": "ok"}}
    assert [e.operation for e in emu.journal()] == ["GET /rest/data/health"] * 3


def test_configured_hosts_of_any_dialect_are_routed() -> None:
    """[dialects.<name>] hosts reach the router too: a Gigya custom domain, a SPiD one."""
    settings = Settings(
        dialects={
            "gigya": {"hosts": ["cdc.example.test"]},
            "spid": {"hosts": ["*.id.example.test"]},
        }
    )
    with Emulator(settings) as emu, emu.router(), httpx.Client() as client:
        stored = client.post("https://cdc.example.test/ds.store", data=gigya_store("3_c"))
        got = client.get("https://cdc.example.test/ds.get", params=gigya_get("3_c"))
        spid = client.get("https://login.id.example.test/api/2/nothing")
    assert stored.json()["errorCode"] == 0 and got.json()["data"] == {"n_i": 1}
    assert [(e.dialect, e.host) for e in emu.journal()] == [
        ("gigya", "cdc.example.test"),
        ("gigya", "cdc.example.test"),
        ("spid", "login.id.example.test"),
    ]
    assert spid.status_code == 404


async def test_other_hosts_are_not_mocked_and_own_routes_compose() -> None:
    async with Emulator() as emu:
        router = emu.router(pass_through=False)
        router.get("https://api.example.test/ping").respond(204)
        with router:
            async with httpx.AsyncClient() as client:
                assert (await client.get("https://api.example.test/ping")).status_code == 204
                with pytest.raises(AllMockedAssertionError):
                    await client.get("https://gigya.com.evil.test/ds.get")
    assert emu.journal() == []


async def test_other_hosts_pass_through_to_their_own_transport() -> None:
    """ASGI apps, `testserver` and the emulator's own clients are not the router's business."""

    async def other_app(scope: dict, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 203, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"other"})  # type: ignore[operator]

    async with Emulator() as emu:
        with emu.router():
            asgi = httpx.ASGITransport(app=other_app)  # type: ignore[arg-type]
            async with httpx.AsyncClient(transport=asgi, base_url="http://testserver") as c:
                r = await c.get("/anything")
            assert (r.status_code, r.text) == (203, "other")
            async with emu.client("gigya") as own:  # the emulator's own client still works
                assert (await own.post("ds.get", data={"apiKey": "3_x"})).status_code == 200
            with pytest.raises(httpx.ConnectError):  # a real host: really sent, nowhere to go
                async with httpx.AsyncClient() as client:
                    await client.get("http://127.0.0.1:9/unrouted")


def test_the_router_reads_host_patterns_with_the_gateways_table() -> None:
    table = HostTable([("*.gigya.com", "/gigya"), ("login.schibsted.com", "/spid")])
    assert table.is_vendor("ds.us1.gigya.com") and table.is_vendor("login.schibsted.com")
    assert not table.is_vendor("gigya.com") and not table.is_vendor("xlogin.schibsted.com")
    assert not table.is_vendor("ds.gigya.com.evil.test")


def test_a_base_url_at_a_host_root_keeps_the_query() -> None:
    base_urls = {"lightblue": "http://lb.example.test:8081"}
    with Emulator() as emu, emu.router(base_urls, pass_through=False), httpx.Client() as client:
        r = client.get("http://lb.example.test:8081/rest/data/find/x?Q=a:b")
        with pytest.raises(AllMockedAssertionError):
            client.get("http://lb.example.test/rest/data/health")  # another port
    assert r.status_code in (200, 404, 500)
    (entry,) = emu.journal()
    assert (entry.dialect, entry.path, entry.operation) == (
        "lightblue",
        "/rest/data/find/x",
        "GET /rest/data/find/{entity}",
    )
