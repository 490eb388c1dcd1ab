"""The envelope, headers, vendor Host routing, unknown routes, internal errors (spec §0, §6)."""

from __future__ import annotations

from typing import Any

import pytest
from doppelgate.dialects.gainsight import service

from .helpers import UUID4, Gainsight


async def test_envelope_and_headers(gs: Gainsight) -> None:
    r = await gs.raw("POST", "/query/Company", {"select": ["Name"]})
    body = r.json()
    assert list(body) == ["result", "errorCode", "errorDesc", "requestId", "data", "message"]
    assert UUID4.match(body["requestId"])
    assert r.headers["x-gs-request-id"] == r.headers["x-request-id"] == body["requestId"]
    assert r.headers["content-type"] == "application/json"


async def test_vendor_host(gs_factory: Any) -> None:
    gs = gs_factory(base_url="https://acme.gainsightcloud.com", prefix="/v1/data/objects")
    [row] = await gs.insert("Company", {"Name": "A"})
    assert (await gs.ok("GET", f"/Company/{row['Gsid']}"))["records"][0]["Name"] == "A"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/gainsight/v2/nothing"), ("PUT", "/gainsight/v1/data/objects/query/Company/x"),
     ("GET", "/gainsight/v1/data/objects/Company/x/y")],
)  # fmt: skip
async def test_unknown_route(gs: Gainsight, method: str, path: str) -> None:
    r = await gs.http.request(method, path, headers=gs.headers)
    assert r.status_code == 404
    body = r.json()
    assert (body["errorCode"], body["errorDesc"], body["message"]) == (
        "GS_APIG_1000",
        "Not Found",
        "Not Found",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/data/objects/query/Company"), ("PUT", "/v1/data/objects/query/Company"),
     ("PATCH", "/v1/data/objects/Company"), ("GET", "/v1/data/objects/Company"),
     ("POST", "/v1/data/objects/Company/1P02ABC"), ("PUT", "/v1/data/objects/Company/1P02ABC"),
     ("GET", "/v1/data/objects/Company/"), ("POST", "/v1/meta/services/objects/list"),
     ("GET", "/v1/meta/services/objects/describe"),
     ("DELETE", "/v1/meta/services/objects/Company/describe")],
)  # fmt: skip
async def test_wrong_method_on_a_known_route(gs: Gainsight, method: str, path: str) -> None:
    # issue 15.9: GET .../query/Company is not "row Company of object query" (GSOBJ_1004)
    for headers in (gs.headers, {}):  # checked with the route, before the Accesskey
        r = await gs.http.request(method, "/gainsight" + path, headers=headers)
        assert r.status_code == 405, r.text
        body = gs.envelope(r)
        assert (body["result"], body["errorCode"], body["errorDesc"]) == (
            False,
            "GSOBJ_1023",
            "Invalid API called, please refer to API documentation",
        )
    await gs.ok("POST", "/query/Company", {"select": ["Name"]})  # the right method still works


async def test_internal_error(gs: Gainsight, monkeypatch: pytest.MonkeyPatch) -> None:
    async def boom(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(service.DataService, "read", boom)
    r = await gs.raw("POST", "/query/Company", {"select": ["Name"]})
    assert r.status_code == 500
    body = r.json()
    assert body["errorCode"] == "GU_1101" and body["errorDesc"] == "Oops, something went wrong."
    assert "bug" not in r.text and "Traceback" not in r.text


async def test_delete_database_failure(gs: Gainsight, monkeypatch: pytest.MonkeyPatch) -> None:
    [row] = await gs.insert("Company", {"Name": "A"})

    monkeypatch.setattr(
        service.DataService,
        "rows",
        lambda self, schema: _Failing(),
    )
    env = await gs.error("DELETE", f"/Company/{row['Gsid']}", None, "GSOBJ_1003", 500)
    assert env["errorDesc"] == "Failed to delete data"


class _Failing:
    async def delete(self, *args: Any, **kw: Any) -> int:
        from doppelgate.engine import BackendUnavailable

        raise BackendUnavailable("down")


def test_catalogue_matches_the_spec() -> None:
    from doppelgate.dialects.gainsight.errors import CATALOGUE

    table = {c.code: (c.desc, c.status) for c in CATALOGUE}
    assert table == {
        "GSOBJ_1001": ("Field exceeds maximum allowed length", 400),
        "GSOBJ_1002": ("Invalid field, please re-check data mapping", 400),
        "GSOBJ_1003": ("Failed to delete data", 500),
        "GSOBJ_1004": (
            "Either the Gainsight ID is invalid or missing, please re-check your request.",
            400,
        ),
        "GSOBJ_1005": ("Invalid dateTime format", 400),
        "GSOBJ_1006": ("Invalid dateTime format", 400),
        "GSOBJ_1007": ("Invalid field value", 400),
        "GSOBJ_1008": ("Invalid field value", 400),
        "GSOBJ_1011": (
            "No entity matches the given criteria, please re-check your request",
            400,
        ),
        "GSOBJ_1012": ("Invalid/Inactive value provided for picklist.", 400),
        "GSOBJ_1023": ("Invalid API called, please refer to API documentation", 400),
        "GSOBJ_1024": ("Invalid authorization headers, please re-check your API request", 400),
        "GS_APIG_1000": ("Not Found", 404),
        "GS_APIG_2401": ("Unauthorized", 401),
        "GS_APIG_2402": ("IP Address does not lie in range of whitelisted ips", 403),
        "GS_APIG_2404": ("Rate limit exceeded", 429),
        "GU_1101": ("Oops, something went wrong.", 500),
    }
