"""Each dialect's own envelopes for an unknown route and for any failure (the error boundary)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Message

from doppelgate.dialect import Dialect, DialectContext, load_dialects
from doppelgate.engine import BackendUnavailable

from .conftest import AppFactory
from .helpers import client_for, make_settings, with_routes

SECRET = "secret boom detail"
CALL_ID = re.compile(r"^[0-9a-f]{32}$")
GIGYA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def chunks() -> AsyncIterator[bytes]:
    yield b"first chunk;"
    raise RuntimeError(SECRET)


async def midstream(request: Request) -> Response:
    return StreamingResponse(chunks(), media_type="text/plain")


def failing_routes(d: Dialect) -> list[BaseRoute]:
    """Test-only routes that fail in the ways a dialect's code can."""

    async def boom(request: Request) -> Response:
        raise RuntimeError(SECRET)

    async def down(request: Request) -> Response:
        raise BackendUnavailable(f"{SECRET}: connection refused")

    async def not_allowed(request: Request) -> Response:
        raise HTTPException(405)

    async def bad_request(request: Request) -> Response:
        raise HTTPException(400, SECRET)  # e.g. starlette's own form parser

    return [
        Route("/boom", boom, methods=["GET", "POST"]),
        Route("/down", down, methods=["GET", "POST"]),
        Route("/metadata/boom", boom),
        Route("/rest/metadata/boom", boom),
        Route("/not-allowed", not_allowed),
        Route("/bad-request", bad_request),
        Route("/midstream", midstream),
    ]


@pytest.fixture
async def client(app_factory: AppFactory) -> AsyncIterator[httpx.AsyncClient]:
    app = await app_factory(dialects=with_routes(failing_routes))
    async with client_for(app) as c:
        yield c


def logged_request_id(caplog: pytest.LogCaptureFixture) -> str:
    records = [r for r in caplog.records if r.name == "doppelgate"]
    assert len(records) == 1, [r.getMessage() for r in records]
    found = re.search(r"request ([0-9a-f]{32})", records[0].getMessage())
    assert found, records[0].getMessage()
    return found.group(1)


def assert_clean(r: httpx.Response) -> None:
    assert SECRET not in r.text
    assert "Traceback" not in r.text
    assert "RuntimeError" not in r.text


# --- unknown routes ---------------------------------------------------------------------------


async def test_gigya_unknown_method(client: httpx.AsyncClient) -> None:
    r = await client.post("/gigya/ds.frobnicate", data={"apiKey": "k"})
    assert r.status_code == 200  # httpStatusCodes defaults to false (docs/gigya.md §1)
    body = r.json()
    assert list(body) == [
        "callId",
        "errorCode",
        "errorDetails",
        "errorMessage",
        "apiVersion",
        "statusCode",
        "statusReason",
        "time",
    ]
    assert CALL_ID.match(body["callId"])
    assert GIGYA_TIME.match(body["time"])
    assert body["errorCode"] == 404000
    assert body["errorMessage"] == "Not found"
    assert "ds.frobnicate" in body["errorDetails"]
    assert (body["apiVersion"], body["statusCode"], body["statusReason"]) == (2, 404, "Not Found")


async def test_gigya_http_status_codes_context_and_jsonp(client: httpx.AsyncClient) -> None:
    r = await client.get("/gigya/ds.x", params={"httpStatusCodes": "True", "context": "R1"})
    assert r.status_code == 404
    assert r.json()["context"] == "R1"
    r = await client.get("/gigya/ds.x", params={"format": "jsonp", "callback": "gigya.callback"})
    assert r.text.startswith('gigya.callback({"callId":') and r.text.endswith("});")


async def test_spid_unknown_endpoint_is_the_vendor_404_body(client: httpx.AsyncClient) -> None:
    r = await client.get("/spid/api/2/no/such/thing")
    assert r.status_code == 404
    assert r.json() == {
        "name": "SPP Container",
        "version": "0.2",
        "api": 2,
        "object": "Utility",
        "type": "error",
        "code": 404,
        "request": {"reset": 3600, "limit": 0, "remaining": 0},
        "debug": {
            "route": {
                "name": "Fallback - 404",
                "url": "/api/*",
                "controller": "Api/2/Utility.notFound",
            },
            "params": {"options": [], "where": []},
        },
        "meta": None,
        "error": {"code": 404, "type": "ApiException", "description": "No such endpoint."},
        "data": None,
    }


async def test_gainsight_unknown_route(client: httpx.AsyncClient) -> None:
    r = await client.delete("/gainsight/v1/nothing/here")
    assert r.status_code == 404
    body = r.json()
    assert body == {
        "result": False,
        "errorCode": "GS_APIG_1000",
        "errorDesc": "Not Found",
        "requestId": body["requestId"],
        "data": None,
        "message": "Not Found",
    }
    assert uuid.UUID(body["requestId"]).version == 4
    assert r.headers["x-gs-request-id"] == body["requestId"]


async def test_lightblue_unknown_data_path(client: httpx.AsyncClient) -> None:
    r = await client.post("/lightblue/data/frobnicate/country", json={})
    assert r.status_code == 404
    assert r.json()["status"] == "ERROR"
    (error,) = r.json()["errors"]
    assert error["objectType"] == "error"
    assert error["errorCode"] == "rest-crud:RestError"
    assert "/data/frobnicate/country" in error["msg"]


async def test_lightblue_unknown_metadata_path_is_a_bare_error(client: httpx.AsyncClient) -> None:
    r = await client.get("/lightblue/rest/metadata/a/b/c/d/e")
    assert r.status_code == 404
    assert r.json()["objectType"] == "error"
    assert r.json()["errorCode"] == "rest-metadata:RestError"


@pytest.mark.parametrize("name", ["gigya", "spid", "gainsight", "lightblue"])
async def test_wrong_http_method_gets_the_not_found_envelope(
    client: httpx.AsyncClient, name: str
) -> None:
    r = await client.get(f"/{name}/not-allowed", params={"httpStatusCodes": "true"})
    assert r.status_code == 404
    assert "Method Not Allowed" not in r.text


# --- internal errors --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/boom", "/down"])
async def test_gigya_internal_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        r = await client.post(f"/gigya{path}", data={"apiKey": "k"})
    assert r.status_code == 200
    body = r.json()
    assert body["errorCode"] == 500001
    assert body["errorMessage"] == "General Server error"
    assert (body["statusCode"], body["statusReason"], body["apiVersion"]) == (
        500,
        "Internal Server Error",
        2,
    )
    assert GIGYA_TIME.match(body["time"])
    assert body["callId"] == logged_request_id(caplog)
    assert_clean(r)


async def test_gigya_internal_error_with_http_status_codes(client: httpx.AsyncClient) -> None:
    r = await client.get("/gigya/boom", params={"httpStatusCodes": "true"})
    assert r.status_code == 500
    assert r.json()["errorCode"] == 500001


@pytest.mark.parametrize("path", ["/boom", "/down"])
async def test_spid_internal_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        r = await client.get(f"/spid{path}")
    assert r.status_code == 500
    body = r.json()
    assert (body["name"], body["type"], body["code"], body["data"]) == (
        "SPP Container",
        "error",
        500,
        None,
    )
    assert body["error"]["code"] == 500
    assert body["error"]["type"] == "ApiException"
    assert logged_request_id(caplog) in body["error"]["description"]
    assert_clean(r)


@pytest.mark.parametrize("path", ["/boom", "/down"])
async def test_gainsight_internal_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        r = await client.get(f"/gainsight{path}")
    assert r.status_code == 500
    body = r.json()
    assert body["result"] is False
    assert body["errorCode"] == "GU_1101"
    assert body["errorDesc"] == "Oops, something went wrong."
    assert uuid.UUID(body["requestId"]).hex == logged_request_id(caplog)
    assert r.headers["x-gs-request-id"] == body["requestId"]
    assert_clean(r)


@pytest.mark.parametrize("path", ["/boom", "/down"])
async def test_lightblue_internal_error(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        r = await client.get(f"/lightblue{path}")
    assert r.status_code == 500
    assert r.json()["status"] == "ERROR"
    (error,) = r.json()["errors"]
    assert (error["objectType"], error["errorCode"]) == ("error", "rest-crud:RestError")
    assert logged_request_id(caplog) in error["msg"]
    assert_clean(r)


@pytest.mark.parametrize("path", ["/metadata/boom", "/rest/metadata/boom"])
async def test_lightblue_metadata_failure_is_http_200(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(f"/lightblue{path}")
    assert r.status_code == 200  # metadata endpoints always answer 200 (docs/lightblue.md §1.2)
    assert r.json()["errorCode"] == "rest-metadata:RestError"
    assert_clean(r)


async def test_a_crash_is_logged_with_its_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        await client.get("/spid/boom")
    (record,) = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "spid GET /spid/boom" in record.getMessage()


async def test_backend_unavailable_is_logged_without_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        await client.get("/gainsight/down")
    (record,) = caplog.records
    assert record.exc_info is None
    assert "backend unavailable" in record.getMessage()


async def test_other_http_exceptions_are_internal_errors(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        r = await client.get("/gainsight/bad-request")
    assert (r.status_code, r.json()["errorCode"]) == (500, "GU_1101")
    assert uuid.UUID(r.json()["requestId"]).hex == logged_request_id(caplog)
    assert_clean(r)


async def test_vendor_host_requests_go_through_the_boundary(app_factory: AppFactory) -> None:
    app = await app_factory(dialects=with_routes(failing_routes))
    async with client_for(app, base_url="https://login.schibsted.com") as client:
        r = await client.get("/boom")
    assert (r.status_code, r.json()["name"]) == (500, "SPP Container")


async def test_failure_after_the_response_started_is_not_answered_twice(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Mid-stream, the boundary can only log and stop: the server then cuts the connection."""
    app = await app_factory(dialects=with_routes(failing_routes))
    sent: list[Message] = []

    async def receive() -> Message:
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/gainsight/midstream",
        "headers": [],
        "query_string": b"",
    }
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        await app(scope, receive, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["body"] == b"first chunk;" and sent[1]["more_body"] is True
    logged_request_id(caplog)


async def test_a_broken_error_builder_still_gives_json(app_factory: AppFactory) -> None:
    def broken(request: Request, request_id: str) -> Response:
        raise ValueError("builder bug")

    def routes(ctx: DialectContext) -> list[BaseRoute]:
        return failing_routes(gigya)

    gigya = load_dialects(["gigya"])[0]
    dialect = dataclasses.replace(gigya, routes=routes, internal_error=broken)
    app = await app_factory(dialects=[dialect])
    async with client_for(app) as client:
        r = await client.get("/gigya/boom")
    assert r.status_code == 500
    assert len(r.json()["request_id"]) == 32
    assert_clean(r)


async def test_a_failing_too_large_builder_still_gives_the_internal_error(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The body limit's answer is built inside the error boundary: when its builder fails, the
    dialect's internal-error envelope goes out, not a bare 500 or a cut connection."""

    def broken(request: Request, limit: int) -> Response:
        raise RuntimeError(SECRET)

    (gigya,) = load_dialects(["gigya"])
    settings = make_settings(max_body_bytes=16)
    app = await app_factory(settings, dialects=(dataclasses.replace(gigya, too_large=broken),))

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(8):
            yield b"x" * 8

    for body in (b"x" * 64, streamed()):  # declared too large, then found too large
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="doppelgate"):
            async with client_for(app) as client:
                r = await client.post("/gigya/ds.get", content=body)
        assert r.status_code == 200 and r.json()["errorCode"] == 500001
        assert SECRET not in r.text
        assert r.json()["callId"] == logged_request_id(caplog)


async def test_a_failing_operation_namer_still_gives_the_internal_error(
    app_factory: AppFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """The operation is named inside the error boundary (it is the fault layer's first step)."""

    def broken(method: str, path: str) -> str | None:
        raise RuntimeError(SECRET)

    (spid,) = load_dialects(["spid"])
    app = await app_factory(dialects=(dataclasses.replace(spid, operation_of=broken),))
    with caplog.at_level(logging.ERROR, logger="doppelgate"):
        async with client_for(app) as client:
            r = await client.get("/spid/api/2/me")
    assert (r.status_code, r.json()["name"]) == (500, "SPP Container")
    assert SECRET not in r.text
    logged_request_id(caplog)
