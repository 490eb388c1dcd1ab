"""The vendor's order of checks (spec §5.3): endpoint exists -> token present -> token known ->
expired -> scope -> IP -> rate limit -> context client -> endpoint allowed -> endpoint-level."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import SpidFactory
from .helpers import Spid

CLIENT = "client-a"


def options(**client: Any) -> dict[str, Any]:
    return {
        "strict": True,
        "requiredScope": "data",
        "clients": {CLIENT: {"merchantId": "1", **client}, "client-b": {"merchantId": "2"}},
        "tokens": {
            "ok": {"clientId": CLIENT, "scope": "data"},
            "user": {"clientId": CLIENT, "userId": "1", "scope": "data"},
            "expired": {"clientId": CLIENT, "expires": 1},  # and lacking the scope
            "narrow": {"clientId": CLIENT},
        },
    }


def described(r: httpx.Response) -> tuple[int, str]:
    """(status, the ApiException description or the bare OAuth error code)."""
    body = r.json()
    error = body["error"]
    return r.status_code, error if isinstance(error, str) else error["description"]


async def test_unknown_endpoint_before_everything(spid_factory: SpidFactory) -> None:
    spid = spid_factory(options(ipWhitelist=["10.0.0.1"]), token="nonsense")
    r = await spid.raw("GET", "/dataobjectz")
    assert described(r) == (404, "No such endpoint.")


async def test_token_presence_then_knowledge_then_expiry_then_scope(
    spid_factory: SpidFactory,
) -> None:
    spid = spid_factory(options(ipWhitelist=["10.0.0.1"], rateLimit=1), token="ok")
    r = await spid.http.get("/api/2/user//dataobjects")  # no token, and no id
    assert described(r) == (401, "invalid_request")
    assert described(await spid.as_token("nonsense").raw("GET", "/user//dataobjects")) == (
        401,
        "invalid_token",
    )
    assert described(await spid.as_token("expired").raw("GET", "/dataobjects")) == (
        401,
        "expired_token",
    )
    assert described(await spid.as_token("narrow").raw("GET", "/dataobjects")) == (
        401,
        "insufficient_scope",
    )


async def test_ip_before_rate_limit_and_not_counted(spid_factory: SpidFactory) -> None:
    spid = spid_factory(options(ipWhitelist=["10.0.0.1"], rateLimit=1), token="ok")
    for _ in range(3):
        r = await spid.raw("GET", "/dataobjects")
        assert described(r) == (403, "Requesting IP is not whitelisted")


async def test_rate_limit_before_context_endpoint_and_validation(
    spid_factory: SpidFactory,
) -> None:
    spid = spid_factory(options(rateLimit=1, endpoints=[]), token="ok")
    r = await spid.raw("GET", "/user//dataobjects", params={"contextClientId": "nobody"})
    assert described(r) == (404, "Unknown client ID")  # the one allowed request
    r = await spid.raw("GET", "/user//dataobjects", params={"contextClientId": "nobody"})
    assert described(r) == (420, "Request Ratelimit exceeded")


async def test_context_client_before_endpoint_allow_list(spid_factory: SpidFactory) -> None:
    spid = spid_factory(options(endpoints=[]), token="ok")
    r = await spid.raw("GET", "/dataobjects", params={"contextClientId": "client-b"})
    # another merchant's client: the flow's 401 (spec §5.3; issue 15.7)
    assert described(r) == (401, "Your client doesn't have administration rights for this client.")
    r = await spid.raw("GET", "/dataobjects")
    assert described(r)[0] == 403  # then the endpoint allow-list


async def test_endpoint_allow_list_before_endpoint_validation(spid_factory: SpidFactory) -> None:
    spid = spid_factory(options(endpoints=["Api/2/DataObject.dataobjects"]), token="user")
    r = await spid.raw("GET", "/user//dataobjects")
    assert described(r)[0] == 403 and "API endpoint" in described(r)[1]
    r = await spid.raw("GET", "/dataobjects")  # allowed, but a user token: endpoint-level 403
    assert described(r) == (403, "Access token rejected")


async def test_endpoint_level_order(spid: Spid) -> None:
    user = spid.user("1")
    # missing id/key first, then the user, then the required value, then the lengths
    r = await user.raw("POST", "/user//dataobject/k")
    assert described(r) == (400, "Missing id and/or key parameters")
    r = await user.raw("POST", "/user/2/dataobject/" + "k" * 300)
    assert described(r) == (403, "Token is not authorized to access this user")
    r = await user.raw("POST", "/user/1/dataobject/" + "k" * 300)
    assert described(r) == (400, "One or more required parameters are missing")
    r = await user.raw("POST", "/user/1/dataobject/" + "k" * 300, data={"value": "v"})
    assert described(r) == (400, "The key can not be longer than 255 bytes")
    r = await user.raw("GET", "/user//dataobjects")
    assert described(r) == (400, "Missing ID parameter")
    r = await user.raw("GET", "/user/2/dataobject/none")
    assert described(r) == (403, "Token is not authorized to access this user")
