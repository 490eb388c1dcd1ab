"""Each dialect's fault builder speaks its vendor's error vocabulary (its errors.py catalogue);
a dialect without one answers injected faults with its internal-error envelope."""

from __future__ import annotations

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from doppelgate.dialect import Dialect, DialectContext
from doppelgate.testing import Emulator

SPID_AUTH = {"Authorization": "Bearer client1"}


async def test_spid_by_name_status_and_oauth_code(doppelgate: Emulator) -> None:
    doppelgate.fault("spid", "GET /api/2/user/{id}/dataobject/{key}", error="RATE_LIMITED", times=1)
    doppelgate.fault("spid", "GET /api/2/user/{id}/dataobject/{key}", error="500", times=1)
    doppelgate.fault("spid", error="expired_token", times=1)
    async with doppelgate.client("spid") as spid:
        limited = await spid.get("/api/2/user/1/dataobject/k", headers=SPID_AUTH)
        internal = await spid.get("/api/2/user/1/dataobject/k", headers=SPID_AUTH)
        expired = await spid.get("/api/2/dataobjects", headers=SPID_AUTH)
        real = await spid.get("/api/2/user/1/dataobject/k", headers=SPID_AUTH)
    assert limited.status_code == 420
    assert limited.json()["error"] == {
        "code": 420,
        "type": "ApiException",
        "description": "Request Ratelimit exceeded",
    }
    assert limited.json()["name"] == "SPP Container"
    assert internal.status_code == 500 and internal.json()["type"] == "error"
    assert expired.status_code == 401 and expired.json()["error"] == "expired_token"
    assert real.status_code == 404
    with pytest.raises(ValueError, match="not a SPiD error"):
        doppelgate.fault("spid", error="NO_SUCH_THING")


async def test_gainsight_codes(doppelgate: Emulator) -> None:
    doppelgate.fault("gainsight", "POST /v1/data/objects/{object}", error="GS_APIG_2404")
    doppelgate.fault("gainsight", "GET /v1/data/objects/{object}/{gsid}", error="GSOBJ_1003")
    async with doppelgate.client("gainsight") as gs:
        headers = {"Accesskey": "k"}
        limited = await gs.post("/v1/data/objects/company", json={"records": []}, headers=headers)
        failed = await gs.get("/v1/data/objects/company/x", headers=headers)
    assert limited.status_code == 429
    assert (limited.json()["errorCode"], limited.json()["result"]) == ("GS_APIG_2404", False)
    assert limited.headers["x-gs-request-id"] == limited.json()["requestId"]
    assert failed.status_code == 500 and failed.json()["errorCode"] == "GSOBJ_1003"
    with pytest.raises(ValueError, match="not a Gainsight error code"):
        doppelgate.fault("gainsight", error="500")


def toy_dialect() -> Dialect:
    async def hello(request: Request) -> Response:
        return JSONResponse({"hello": True})

    def routes(ctx: DialectContext) -> list[Route]:
        return [Route("/hello/{name}", hello)]

    return Dialect(
        name="toy",
        prefix="/toy",
        hosts=(),
        routes=routes,
        internal_error=lambda request, rid: JSONResponse({"oops": rid}, 503),
        not_found=lambda request: JSONResponse({"missing": True}, 404),
    )


async def test_a_dialect_without_a_fault_builder() -> None:
    async with Emulator(dialects=[toy_dialect()]) as emu:
        emu.fault("toy", "GET /hello/{name}", error="anything", times=1)
        async with emu.client("toy") as client:
            faulted = await client.get("/hello/x")
            real = await client.get("/hello/x")
        assert faulted.status_code == 503
        assert faulted.json() == {"oops": emu.journal()[0].request_id}
        assert real.json() == {"hello": True}
        assert [e.operation for e in emu.journal()] == ["GET /hello/{name}"] * 2


async def test_lightblue_codes_on_data_and_metadata(doppelgate: Emulator) -> None:
    doppelgate.fault("lightblue", "POST /rest/data/find/{entity}", error="crud:NoAccess")
    doppelgate.fault("lightblue", error="mongo-crud:ConcurrentUpdate", times=1)
    async with doppelgate.client("lightblue") as lb:
        denied = await lb.post("/rest/data/find/country", json={})
        metadata = await lb.get("/rest/metadata/country")
    assert denied.status_code == 403
    assert denied.json()["errors"][0]["errorCode"] == "crud:NoAccess"
    assert metadata.status_code == 200
    assert metadata.json()["errorCode"] == "mongo-crud:ConcurrentUpdate"
    with pytest.raises(ValueError, match="not a lightblue error code"):
        doppelgate.fault("lightblue", error="crud:Nope")
