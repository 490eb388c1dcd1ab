"""Credentials (spec §2): permissive by default, strict when configured, real signatures."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import msgspec
import pytest
from doppelgate.dialects.gigya.auth import query_signature, signature

from .conftest import GigyaFactory
from .helpers import SECRET, Gigya, form, signed

API_KEY = "3_abc"
USER_SECRET = base64.b64encode(b"user-key-secret").decode()
PARTNER_SECRET = base64.b64encode(b"partner-wide").decode()
STRICT: dict[str, Any] = {
    "strict": True,
    "apiKeys": {
        API_KEY: {"secret": SECRET, "userKeys": {"AK1": USER_SECRET}},
        "3_noDS": {"secret": SECRET, "dataStore": False},
    },
    "userKeys": {"AKP": PARTNER_SECRET},
}
STORE = {"type": "todo", "oid": "auto", "data": {"title_s": "a b", "n_i": 1}}


def test_spec_test_vectors() -> None:
    params = form({"apiKey": "3_abc", "userKey": "AK1", **STORE, "format": "json"})
    params |= {"httpStatusCodes": "false", "timestamp": "1700000000", "nonce": "1700000000000_42"}
    params["data"] = '{"title_s":"a b","n_i":1}'
    url = "https://ds.us1.gigya.com/ds.store"
    assert signature(SECRET, url, params) == "T1/9oiEzhpvxXhSiFjnhsbp3IPk="
    assert signature(SECRET, "HTTPS://DS.US1.GIGYA.COM:443/ds.store", params) == (
        "T1/9oiEzhpvxXhSiFjnhsbp3IPk="
    )
    assert query_signature(SECRET, "SELECT * FROM todo", "1700000060000") == (
        "Ykp0IDFnDXEXWeETtuwgPw7cwFs="
    )


async def post(client: Gigya, method: str, params: dict[str, str], path: str = "/gigya") -> Any:
    r = await client.http.post(f"{path}/{method}", data=params)
    return r.json()


def nonce() -> str:
    return uuid.uuid4().hex


# -- permissive ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "credentials",
    [
        {"secret": "anything"},
        {"userKey": "AK9", "secret": "anything"},
        {"userKey": "AK9", "timestamp": "1", "nonce": "n", "sig": "not checked"},
    ],
)
async def test_permissive_accepts_any_server_credential(
    gigya_factory: GigyaFactory, credentials: dict[str, str]
) -> None:
    client = gigya_factory(credentials=credentials)
    await client.ok("ds.search", query="SELECT * FROM t")


async def test_permissive_bearer(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(credentials={})
    token = _jwt({"alg": "RS256", "kid": "AK1"})
    r = await client.http.post(
        "/gigya/ds.search",
        data=client.params({"query": "SELECT * FROM t"}),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.json()["errorCode"] == 0, r.text


async def test_api_key_names_the_tenant(gigya_factory: GigyaFactory) -> None:
    a = gigya_factory(api_key="3_one")
    b = gigya_factory(api_key="3_two")
    await a.store("t", {"x_i": 1}, oid="1")
    await b.error("ds.get", 404000, type="t", oid="1")
    assert (await gigya_factory(api_key="3_one").ok("ds.get", type="t", oid="1"))["oid"] == "1"


async def test_api_key_only_is_a_client_call(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(credentials={})
    await client.error("ds.search", 403000, query="SELECT * FROM t")
    await client.error("ds.store", 400020, type="t", oid="1", UID="u", data={"x_s": "1"})


# -- strict: keys and secrets ----------------------------------------------------------------


async def test_strict_unknown_or_missing_api_key(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(STRICT, api_key="3_other", credentials={"secret": SECRET})
    body = await client.error("ds.get", 400093, type="t", oid="1")
    assert body["errorMessage"] == "Invalid ApiKey parameter"
    body = await post(client, "ds.get", {"secret": SECRET, "type": "t", "oid": "1"})
    assert body["errorCode"] == 400093


async def test_strict_secret(gigya_factory: GigyaFactory) -> None:
    good = gigya_factory(STRICT, api_key=API_KEY, credentials={"secret": SECRET})
    await good.store("t", {"a_i": 1})
    bad = gigya_factory(STRICT, api_key=API_KEY, credentials={"secret": "wrong"})
    body = await bad.error("ds.store", 403010, **STORE)
    assert body["errorMessage"] == "Invalid Secret"


async def test_strict_user_key_and_secret(gigya_factory: GigyaFactory) -> None:
    for user_key, secret in (("AK1", USER_SECRET), ("AKP", PARTNER_SECRET)):
        client = gigya_factory(
            STRICT, api_key=API_KEY, credentials={"userKey": user_key, "secret": secret}
        )
        await client.store("t", {"a_i": 1})
    wrong = gigya_factory(STRICT, api_key=API_KEY, credentials={"userKey": "AK1", "secret": SECRET})
    await wrong.error("ds.store", 403010, **STORE)
    unknown = gigya_factory(
        STRICT, api_key=API_KEY, credentials={"userKey": "AKX", "secret": SECRET}
    )
    await unknown.error("ds.store", 403007, **STORE)


async def test_strict_data_store_not_enabled(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(STRICT, api_key="3_noDS", credentials={"secret": SECRET})
    body = await client.error("ds.store", 403036, **STORE)
    assert body["errorMessage"] == "Unauthorized partner"


async def test_secret_over_http(gigya_factory: GigyaFactory) -> None:
    options = {**STRICT, "requireHttps": True}
    plain = gigya_factory(options, api_key=API_KEY, credentials={"secret": SECRET})
    body = await plain.error("ds.store", 403006, **STORE)
    assert body["errorMessage"] == "Secret Sent Over Http"
    tls = gigya_factory(
        options, api_key=API_KEY, credentials={"secret": SECRET}, base_url="https://testserver"
    )
    await tls.store("t", {"a_i": 1})


# -- strict: signatures ------------------------------------------------------------------------


def sdk_params(method_params: dict[str, Any], user_key: str | None = None) -> dict[str, str]:
    """What the official SDKs send before signing (spec §8)."""
    params = form({"apiKey": API_KEY, **method_params})
    params |= {"format": "json", "httpStatusCodes": "false", "sdk": "python_3.6.0"}
    if user_key:
        params["userKey"] = user_key
    return params


@pytest.fixture
def strict(gigya_factory: GigyaFactory) -> Gigya:
    return gigya_factory(STRICT, api_key=API_KEY, credentials={})


@pytest.mark.parametrize(
    "signed_url",
    [
        "http://testserver/gigya/ds.store",  # Python/Java/PHP sign http:// by default (spec §2)
        "https://testserver/gigya/ds.store",
        "HTTPS://TestServer/gigya/ds.store",
    ],
)
async def test_signed_request(strict: Gigya, signed_url: str) -> None:
    params = signed(sdk_params(STORE), signed_url, timestamp=int(time.time()), nonce=nonce())
    body = await post(strict, "ds.store", params)
    assert body["errorCode"] == 0, body


async def test_signed_with_user_key(strict: Gigya) -> None:
    url = "https://testserver/gigya/ds.store"
    params = signed(
        sdk_params(STORE, "AK1"), url, USER_SECRET, timestamp=int(time.time()), nonce=nonce()
    )
    assert (await post(strict, "ds.store", params))["errorCode"] == 0
    params = signed(
        sdk_params(STORE, "AK1"), url, SECRET, timestamp=int(time.time()), nonce=nonce()
    )
    assert (await post(strict, "ds.store", params))["errorCode"] == 403003


async def test_signed_via_vendor_host_with_port(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(
        STRICT, api_key=API_KEY, credentials={}, base_url="https://ds.us1.gigya.com:8443"
    )
    for url in ("https://ds.us1.gigya.com/ds.store", "https://ds.us1.gigya.com:8443/ds.store"):
        params = signed(sdk_params(STORE), url, timestamp=int(time.time()), nonce=nonce())
        r = await client.http.post("/ds.store", data=params)
        assert r.json()["errorCode"] == 0, (url, r.text)


async def test_npm_gigya_signs_milliseconds_and_empty_false(strict: Gigya) -> None:
    # npm `gigya`: timestamp=Date.now() (ms); (v || '').toString() signs `false` as "" (spec §8)
    params = form({"apiKey": API_KEY, "userKey": "AK1", **STORE, "format": "json"})
    params |= {"openFlag": "false", "timestamp": str(int(time.time() * 1000)), "nonce": nonce()}
    as_signed = {**params, "openFlag": ""}
    params["sig"] = signature(USER_SECRET, "https://testserver/gigya/ds.store", as_signed)
    body = await post(strict, "ds.store", params)
    assert body["errorCode"] == 0, body


async def test_bad_signature(strict: Gigya) -> None:
    params = signed(
        sdk_params(STORE),
        "https://testserver/gigya/ds.store",
        timestamp=int(time.time()),
        nonce=nonce(),
    )
    params["oid"] = "tampered"
    body = await post(strict, "ds.store", params)
    assert (body["errorCode"], body["errorMessage"]) == (403003, "Invalid request signature")
    params = signed(
        sdk_params(STORE),
        "https://testserver/gigya/ds.get",
        timestamp=int(time.time()),
        nonce=nonce(),
    )
    assert (await post(strict, "ds.store", params))["errorCode"] == 403003  # another path


@pytest.mark.parametrize("skew", [-200, 200, -200_000])
async def test_expired_timestamp(strict: Gigya, skew: int) -> None:
    stamp = int(time.time()) + skew if skew > -1000 else int(time.time() * 1000) + skew * 1000
    params = signed(
        sdk_params(STORE), "https://testserver/gigya/ds.store", timestamp=stamp, nonce=nonce()
    )
    body = await post(strict, "ds.store", params)
    assert (body["errorCode"], body["errorMessage"]) == (403002, "Request has expired")


async def test_timestamp_window_is_configurable(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory({**STRICT, "timestampWindow": 600}, api_key=API_KEY, credentials={})
    params = signed(
        sdk_params(STORE),
        "https://testserver/gigya/ds.store",
        timestamp=int(time.time()) - 300,
        nonce=nonce(),
    )
    assert (await post(client, "ds.store", params))["errorCode"] == 0


async def test_nonce_reuse(strict: Gigya) -> None:
    used = nonce()
    url = "https://testserver/gigya/ds.store"
    params = signed(sdk_params(STORE), url, timestamp=int(time.time()), nonce=used)
    assert (await post(strict, "ds.store", params))["errorCode"] == 0
    body = await post(strict, "ds.store", params)
    assert (body["errorCode"], body["errorMessage"]) == (403004, "Duplicate nonce")


async def test_strict_bearer(strict: Gigya) -> None:
    for kid, code in (("AK1", 0), ("AKX", 403007)):
        r = await strict.http.post(
            "/gigya/ds.search",
            data={"apiKey": API_KEY, "query": "SELECT * FROM t"},
            headers={"Authorization": f"Bearer {_jwt({'alg': 'RS256', 'kid': kid})}"},
        )
        assert r.json()["errorCode"] == code, r.text


def _jwt(header: dict[str, str]) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(msgspec.json.encode(value)).decode().rstrip("=")

    return f"{part(header)}.{part({'iat': int(time.time()), 'jti': nonce()})}.c2ln"


# -- client-side ds.search with querySig ---------------------------------------------------------


async def test_query_sig(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(STRICT, api_key=API_KEY, credentials={})
    query = "SELECT * FROM todo"
    exp = str(int(time.time() * 1000) + 60_000)
    good = query_signature(SECRET, query, exp)
    await client.ok("ds.search", query=query, querySig=good, expTime=exp)
    body = await client.error("ds.search", 403003, query=query, querySig="bad", expTime=exp)
    assert "querySig" in body["errorDetails"]
    old = str(int(time.time() * 1000) - 1)
    sig = query_signature(SECRET, query, old)
    await client.error("ds.search", 403002, query=query, querySig=sig, expTime=old)
    await client.error(
        "ds.search", 400006, query=query, querySig=good, expTime=exp, openCursor="true"
    )
    await client.error("ds.search", 403000, query=query)


async def test_query_sig_permissive(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(credentials={})
    exp = str(int(time.time() * 1000) + 60_000)
    await client.ok("ds.search", query="SELECT * FROM t", querySig="unchecked", expTime=exp)


# -- data centers ------------------------------------------------------------------------------


async def test_invalid_data_center(gigya_factory: GigyaFactory) -> None:
    options = {"apiKeys": {"3_eu": {"dataCenter": "eu1"}}}
    wrong = gigya_factory(options, api_key="3_eu", base_url="https://ds.us1.gigya.com")
    r = await wrong.http.post("/ds.store", data=wrong.params(STORE))
    body = r.json()
    assert (body["errorCode"], body["errorMessage"]) == (301001, "Invalid data center")
    assert body["apiDomain"] == "eu1.gigya.com"
    assert body["location"] == "https://ds.eu1.gigya.com/ds.store"
    right = gigya_factory(options, api_key="3_eu", base_url="https://ds.eu1.gigya.com")
    assert (await right.http.post("/ds.store", data=right.params(STORE))).json()["errorCode"] == 0
    prefixed = gigya_factory(options, api_key="3_eu")  # /gigya/... names no DC: served
    await prefixed.store("t", {"a_i": 1})


async def test_get_requests_may_sign_get(strict: Gigya) -> None:
    url = "https://testserver/gigya/ds.get"
    params = sdk_params({"type": "t", "oid": "none"})
    params |= {"timestamp": str(int(time.time())), "nonce": nonce()}
    from doppelgate.dialects.gigya.auth import base_string, hmac_sha1

    params["sig"] = hmac_sha1(SECRET, base_string(url, params, "GET"))
    body = (await strict.http.get("/gigya/ds.get", params=params)).json()
    assert body["errorCode"] == 404000, body  # authenticated, then not found


async def test_malformed_bearer(gigya_factory: GigyaFactory) -> None:
    client = gigya_factory(credentials={})
    for header in ("Bearer ", "Bearer !!!", "Bearer a.b.c"):
        r = await client.http.post(
            "/gigya/ds.getTypes", data=client.params({}), headers={"Authorization": header}
        )
        assert r.json()["errorCode"] == 400001, (header, r.text)
