"""POST /oauth/token (spec §5.3): the grants SDKs use to fetch their own tokens."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from doppelgate.engine import Engine

from .conftest import SpidFactory
from .helpers import Spid

STRICT: dict[str, Any] = {
    "strict": True,
    "clients": {"52f8e3d9efd04bb749000000": {"merchantId": "47000", "secret": "s3cret"}},
    "users": {"jane@example.com": {"userId": "238342", "password": "pw"}},
}
CLIENT = "52f8e3d9efd04bb749000000"


async def token(spid: Spid, **form: str) -> httpx.Response:
    return await spid.http.post("/oauth/token", data=form)


async def issued(spid: Spid, **form: str) -> dict[str, Any]:
    r = await token(spid, **form)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_client_credentials_gives_a_server_token(spid: Spid) -> None:
    body = await issued(spid, grant_type="client_credentials", client_id=CLIENT, client_secret="x")
    assert len(body["access_token"]) == 40 and body["access_token"] != body["refresh_token"]
    assert (body["expires_in"], body["user_id"], body["is_admin"]) == (604800, False, False)
    assert isinstance(body["server_time"], int) and body["scope"] == ""
    server = spid.as_token(body["access_token"])
    created = await server.put("1", "k", "v")
    assert created["clientId"] == CLIENT
    assert list(await server.list()) == [created["dataObjectId"]]


@pytest.mark.parametrize(("username", "userId"), [("238342", "238342"), ("jane@example.com", None)])
async def test_password_grant_gives_a_user_token(
    spid: Spid, username: str, userId: str | None
) -> None:
    body = await issued(
        spid, grant_type="password", client_id="app", username=username, password="any"
    )
    assert isinstance(body["user_id"], str) and body["user_id"].isdigit()
    if userId is not None:
        assert body["user_id"] == userId
    user = spid.as_token(body["access_token"])
    assert (await user.put(body["user_id"], "k", "v"))["clientId"] == "app"
    await user.error(
        "GET", "/user/0/dataobjects", 403, "Token is not authorized to access this user"
    )
    await user.error("GET", "/dataobjects", 403, "Access token rejected")


async def test_authorization_code_and_refresh(spid: Spid) -> None:
    first = await issued(spid, grant_type="authorization_code", client_id="app", code="777")
    assert first["user_id"] == "777"
    again = await issued(
        spid, grant_type="refresh_token", client_id="app", refresh_token=first["refresh_token"]
    )
    assert again["user_id"] == "777" and again["access_token"] != first["access_token"]
    await spid.as_token(again["access_token"]).put("777", "k", "v")
    r = await token(
        spid, grant_type="refresh_token", client_id="other", refresh_token=first["refresh_token"]
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    r = await token(spid, grant_type="refresh_token", client_id="app", refresh_token="nope")
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"grant_type": "client_credentials"}, 400, "invalid_request"),
        ({"grant_type": "magic", "client_id": "app"}, 400, "unsupported_grant_type"),
        ({"client_id": "app"}, 400, "unsupported_grant_type"),
        ({"grant_type": "password", "client_id": "app"}, 400, "invalid_request"),
        ({"grant_type": "authorization_code", "client_id": "app"}, 400, "invalid_grant"),
    ],
)
async def test_token_request_errors(
    spid: Spid, form: dict[str, str], status: int, error: str
) -> None:
    r = await token(spid, **form)
    assert r.status_code == status
    assert r.json()["error"] == error and r.json()["type"] == "OAuthException"


async def test_expired_issued_token(spid: Spid, engine: Engine) -> None:
    body = await issued(spid, grant_type="client_credentials", client_id="app")
    tokens = engine.collection("spid", "", "tokens")
    await tokens.update({"_id": body["access_token"]}, {"$set": {"expires": 1}})
    await spid.as_token(body["access_token"]).oauth("GET", "/dataobjects", "expired_token")


async def test_strict_client_secret(spid_factory: SpidFactory) -> None:
    spid = spid_factory(STRICT)
    for secret in ("wrong", ""):
        r = await token(
            spid, grant_type="client_credentials", client_id=CLIENT, client_secret=secret
        )
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    r = await token(
        spid, grant_type="client_credentials", client_id="other", client_secret="s3cret"
    )
    assert r.status_code == 401
    body = await issued(
        spid, grant_type="client_credentials", client_id=CLIENT, client_secret="s3cret"
    )
    created = await spid.as_token(body["access_token"]).put("1", "k", "v")
    assert (created["clientId"], created["merchantId"]) == (CLIENT, "47000")


async def test_strict_password_and_code_grants(spid_factory: SpidFactory) -> None:
    spid = spid_factory(STRICT)
    base = {"client_id": CLIENT, "client_secret": "s3cret"}
    body = await issued(
        spid, grant_type="password", username="jane@example.com", password="pw", **base
    )
    assert body["user_id"] == "238342"
    await spid.as_token(body["access_token"]).put("238342", "k", "v")
    r = await token(spid, grant_type="password", username="jane@example.com", password="x", **base)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")
    r = await token(spid, grant_type="authorization_code", code="1", **base)
    assert (r.status_code, r.json()["error"]) == (400, "invalid_grant")


async def test_issued_tokens_carry_the_required_scope(spid_factory: SpidFactory) -> None:
    spid = spid_factory({"requiredScope": "data"})
    body = await issued(spid, grant_type="client_credentials", client_id="app")
    assert body["scope"] == "data"
    await spid.as_token(body["access_token"]).error(
        "GET", "/dataobjects", 404, "No data objects found"
    )
    narrow = await issued(spid, grant_type="client_credentials", client_id="app", scope="profile")
    await spid.as_token(narrow["access_token"]).oauth("GET", "/dataobjects", "insufficient_scope")


async def test_broken_json_body_is_a_400(spid: Spid) -> None:
    r = await spid.http.post(
        "/oauth/token", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")
    r = await spid.http.post(
        "/oauth/token", json={"grant_type": "client_credentials", "client_id": "a"}
    )
    assert r.status_code == 200


async def test_http_basic_client_authentication(spid_factory: SpidFactory) -> None:
    # the vendor's recommended client authentication (issue 15.5; RFC 6749 §2.3.1)
    spid = spid_factory(STRICT)
    auth = httpx.BasicAuth(CLIENT, "s3cret")
    r = await spid.http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=auth)
    assert r.status_code == 200, r.text
    created = await spid.as_token(r.json()["access_token"]).put("1", "k", "v")
    assert created["clientId"] == CLIENT
    wrong = httpx.BasicAuth(CLIENT, "wrong")
    r = await spid.http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=wrong)
    assert (r.status_code, r.json()["error"]) == (401, "invalid_client")
    # the header wins over body credentials
    body = {"grant_type": "client_credentials", "client_id": CLIENT, "client_secret": "s3cret"}
    r = await spid.http.post("/oauth/token", data=body, auth=wrong)
    assert r.status_code == 401
    for header in ("Basic !!!", "Basic " + "bm9jb2xvbg=="):  # not base64; no colon
        r = await spid.http.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": header},
        )
        assert (r.status_code, r.json()["error"]) == (401, "invalid_client")


async def test_http_basic_permissive_names_the_client(spid: Spid) -> None:
    # the id and secret are form-urlencoded before base64 (RFC 6749 §2.3.1)
    auth = httpx.BasicAuth("my%20app", "x")
    r = await spid.http.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=auth)
    assert r.status_code == 200, r.text
    assert (await spid.as_token(r.json()["access_token"]).put("1", "k", "v"))[
        "clientId"
    ] == "my app"
