"""Tokens (spec §5.3): where they come from, the permissive convention, strict configuration
(client/merchant/user, expiry, scope, IP allow-list, context client, endpoint allow-list)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from doppelgate.dialects.spid.options import spid_options

from doppelgate.config import ConfigError, Settings
from doppelgate.engine import Engine
from doppelgate.gateway import create_app

from .conftest import SpidFactory
from .helpers import Spid

CLIENT = "52f8e3d9efd04bb749000000"
OTHER = "52f8e3d9efd04bb749000001"  # same merchant
FOREIGN = "52f8e3d9efd04bb749000002"  # another merchant
STRICT: dict[str, Any] = {
    "strict": True,
    "clients": {
        CLIENT: {"merchantId": "47000"},
        OTHER: {"merchantId": "47000"},
        FOREIGN: {"merchantId": "46001"},
    },
    "tokens": {
        "server-token": {"clientId": CLIENT},
        "user-token": {"clientId": CLIENT, "userId": "238342"},
        "admin-user-token": {"clientId": CLIENT, "userId": "1", "isAdmin": True},
        "expired-token": {"clientId": CLIENT, "expires": 1_000_000_000},
        "other-server-token": {"clientId": OTHER},
    },
}
ADMIN = "Your client doesn't have administration rights for this client."
ADMIN_USER = "You don't have administration rights for this client."
NOT_ALLOWED = (
    "Client is not authorized to access this API endpoint. Contact SPiD to request access."
)
NOT_YOURS = "Token is not authorized to access this user"


# -- where the token comes from ------------------------------------------------------------


async def test_missing_token_is_a_bare_oauth_401(spid: Spid) -> None:
    r = await spid.http.get("/api/2/dataobjects")
    assert r.status_code == 401
    assert r.json() == {
        "error": "invalid_request",
        "error_code": 401,
        "type": "OAuthException",
        "error_description": '401 Unauthorized access! Reason: "invalid_request" '
        '(OAuth realm: "Service", Scope: "")',
    }
    assert r.headers["www-authenticate"].startswith('OAuth realm="Service"')


@pytest.mark.parametrize("where", ["header", "query", "body"])
async def test_token_from_header_query_or_body(spid: Spid, where: str) -> None:
    token = "client-x"
    kwargs: dict[str, Any] = {"data": {"value": "v"}}
    if where == "header":
        kwargs["headers"] = {"Authorization": f"Bearer {token}"}
    elif where == "query":
        kwargs["params"] = {"oauth_token": token}
    else:
        kwargs["data"]["oauth_token"] = token
    r = await spid.http.post("/api/2/user/1/dataobject/k", **kwargs)
    assert r.status_code == 201 and r.json()["data"]["clientId"] == token


async def test_header_wins_over_the_parameter(spid: Spid) -> None:
    r = await spid.raw(
        "POST", "/user/1/dataobject/k", data={"value": "v", "oauth_token": "someone-else"}
    )
    assert r.json()["data"]["clientId"] == spid.token


# -- permissive convention -------------------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["a b", "@client", "238342@", CLIENT, "x" * 1025, "tab\there", "ünïcode"]
)
async def test_malformed_tokens_are_invalid(spid: Spid, token: str) -> None:
    r = await spid.http.get("/api/2/dataobjects", params={"oauth_token": token})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


async def test_user_token_convention(spid: Spid) -> None:
    user = spid.user("238342")
    await user.put("238342", "k", "v")
    await user.error("GET", "/user/1/dataobjects", 403, NOT_YOURS)
    await user.error("GET", "/user/1/dataobject/k", 403, NOT_YOURS)
    await user.error("POST", "/user/1/dataobject/k", 403, NOT_YOURS, data={"value": "v"})
    await user.error("DELETE", "/user/1/dataobject/k", 503, NOT_YOURS)  # sic (spec §3.5)
    await user.error("GET", "/dataobjects", 403, "Access token rejected")


async def test_configured_tokens_work_in_permissive_mode(spid_factory: SpidFactory) -> None:
    options = {
        "tokens": {
            "t1": {"clientId": "app", "userId": "5"},
            "old": {"clientId": "app", "expires": 1},
        }
    }
    spid = spid_factory(options, token="t1")
    created = await spid.put("5", "k", "v")
    assert created["clientId"] == "app"
    await spid.error("GET", "/user/6/dataobject/k", 403, NOT_YOURS)
    await spid.as_token("old").oauth("GET", "/dataobjects", "expired_token")
    assert (await spid.as_token("app").get("5", "k"))["value"] == "v"  # convention: client app


async def test_permissive_context_client_acts_for_that_client(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    r = await spid.raw("GET", "/user/1/dataobject/k", params={"contextClientId": "other-app"})
    assert r.status_code == 404
    r = await spid.raw(
        "POST", "/user/1/dataobject/k", data={"value": "v", "contextClientId": "other-app"}
    )
    assert r.json()["data"]["clientId"] == "other-app"
    assert (await spid.as_token("other-app").get("1", "k"))["value"] == "v"


# -- strict ----------------------------------------------------------------------------------


@pytest.fixture
def strict(spid_factory: SpidFactory) -> Spid:
    return spid_factory(STRICT, token="server-token")


@pytest.mark.parametrize("token", ["unknown", "my-client", "1@my-client"])
async def test_strict_accepts_configured_tokens_only(strict: Spid, token: str) -> None:
    await strict.as_token(token).oauth("GET", "/dataobjects", "invalid_token")


async def test_strict_tokens_name_client_merchant_and_user(strict: Spid) -> None:
    created = await strict.put("238342", "k", "v")
    assert (created["clientId"], created["merchantId"]) == (CLIENT, "47000")
    user = strict.as_token("user-token")
    assert await user.get("238342", "k") == created
    await user.error("GET", "/user/1/dataobject/k", 403, NOT_YOURS)
    await user.error("GET", "/dataobjects", 403, "Access token rejected")


async def test_expired_token(strict: Spid) -> None:
    body = await strict.as_token("expired-token").oauth("GET", "/dataobjects", "expired_token")
    assert "Scope" in body["error_description"]


async def test_scope(spid_factory: SpidFactory) -> None:
    options = {
        **STRICT,
        "requiredScope": "dataobjects",
        "tokens": {
            "narrow": {"clientId": CLIENT, "scope": "profile"},
            "wide": {"clientId": CLIENT, "scope": "profile dataobjects"},
        },
    }
    spid = spid_factory(options, token="narrow")
    body = await spid.oauth("GET", "/dataobjects", "insufficient_scope")
    assert 'Scope: "profile"' in body["error_description"]
    await spid.as_token("wide").error("GET", "/dataobjects", 404, "No data objects found")


def ip_options(whitelist: list[str]) -> dict[str, Any]:
    clients = {**STRICT["clients"], CLIENT: {"merchantId": "47000", "ipWhitelist": whitelist}}
    return {**STRICT, "clients": clients}


@pytest.mark.parametrize("whitelist", [["127.0.0.1"], ["127.0.0.0/8"], ["10.0.0.1", "127.0.0.1"]])
async def test_whitelisted_ip_passes(spid_factory: SpidFactory, whitelist: list[str]) -> None:
    spid = spid_factory(ip_options(whitelist), token="server-token")
    await spid.error("GET", "/dataobjects", 404, "No data objects found")


async def test_ip_not_whitelisted(spid_factory: SpidFactory) -> None:
    spid = spid_factory(ip_options(["10.0.0.0/8"]), token="server-token")
    await spid.error("GET", "/dataobjects", 403, "Requesting IP is not whitelisted")
    # the allow-list is the client's: another client's token is not restricted
    await spid.as_token("other-server-token").error(
        "GET", "/dataobjects", 404, "No data objects found"
    )


async def test_unidentifiable_ip_is_500(engine: Engine) -> None:
    app = create_app(Settings(dialects={"spid": ip_options(["127.0.0.1"])}), engine)
    transport = httpx.ASGITransport(app, client=("unknown", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://t/spid") as http:
        spid = Spid(http, "server-token")
        await spid.error("GET", "/dataobjects", 500, "Unable to identify the requesting IP")


async def test_context_client_strict(spid_factory: SpidFactory) -> None:
    clients = {**STRICT["clients"], CLIENT: {"merchantId": "47000", "adminOf": [FOREIGN]}}
    spid = spid_factory({**STRICT, "clients": clients}, token="server-token")

    async def as_context(token: str, context: str) -> httpx.Response:
        return await spid.as_token(token).raw(
            "GET", "/dataobjects", params={"contextClientId": context}
        )

    r = await as_context("server-token", "nobody")
    assert (r.status_code, r.json()["error"]["description"]) == (404, "Unknown client ID")
    r = await as_context("other-server-token", FOREIGN)  # another merchant's client
    assert (r.status_code, r.json()["error"]["description"]) == (401, ADMIN)  # issue 15.7
    r = await as_context("other-server-token", CLIENT)
    assert (r.status_code, r.json()["error"]["description"]) == (401, ADMIN)
    r = await spid.as_token("user-token").raw(
        "GET", "/user/238342/dataobjects", params={"contextClientId": OTHER}
    )
    assert (r.status_code, r.json()["error"]["description"]) == (401, ADMIN_USER)
    # administered clients: act for them
    await spid.as_token("other-server-token").put("1", "k", "v")
    r = await spid.as_token("admin-user-token").raw(
        "GET", "/user/1/dataobject/k", params={"contextClientId": OTHER}
    )
    assert r.status_code == 200 and r.json()["data"]["clientId"] == OTHER
    r = await as_context("server-token", FOREIGN)
    assert (r.status_code, r.json()["error"]["description"]) == (404, "No data objects found")
    r = await spid.raw(
        "POST", "/user/1/dataobject/k", data={"value": "x", "contextClientId": CLIENT}
    )
    assert r.json()["data"]["clientId"] == CLIENT  # itself: no context switch


async def test_endpoint_allow_list(spid_factory: SpidFactory) -> None:
    allowed = ["Api/2/DataObject.user_dataobject"]
    clients = {**STRICT["clients"], CLIENT: {"merchantId": "47000", "endpoints": allowed}}
    spid = spid_factory({**STRICT, "clients": clients}, token="server-token")
    await spid.put("1", "k", "v")
    await spid.error("GET", "/dataobjects", 403, NOT_ALLOWED)
    await spid.error("GET", "/user/1/dataobjects", 403, NOT_ALLOWED)


async def test_post_2019_contact_text(spid_factory: SpidFactory) -> None:
    options = {"clients": {"blocked": {"endpoints": []}}, "contact": "Schibsted account"}
    blocked = spid_factory(options, token="blocked")
    text = "Client is not authorized to access this API endpoint. "
    text += "Contact Schibsted account to request access."
    await blocked.error("GET", "/dataobjects", 403, text)
    await blocked.user("1").error("GET", "/user/1/dataobjects", 403, text)


async def test_delete_status_for_another_user_is_configurable(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"deleteUserMismatchStatus": 403}, token="app")
    await spid.user("1").error("DELETE", "/user/2/dataobject/k", 403, NOT_YOURS)


@pytest.mark.parametrize(
    "options",
    [
        {"strict": "maybe"},
        {"tokens": {"t": {"userId": "1"}}},
        {"clients": {"c": {"nope": 1}}},
        {"timezone": "Mars/Olympus"},
        {"ratePeriod": 0},
        {"clients": {"c": {"ipWhitelist": ["not-an-ip"]}}},
        {"deleteUserMismatchStatus": 200},
        {"users": {"u": {"password": "x"}}},
        {"unknown": 1},
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        spid_options(Settings(dialects={"spid": options}))
