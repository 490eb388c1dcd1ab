"""Who is calling (spec §2): the apiKey names the tenant; strict mode checks every credential.

Permissive (default): any apiKey is a tenant; `secret`, `userKey`+`secret`, a signature or a
Bearer token make a server-side call without being checked. Strict (`strict = true` in
[dialects.gigya], see options.py): only configured apiKeys, secrets and userKeys; signatures,
timestamps and nonces verified as the vendor does. Either way a call with no credential but the
apiKey is client-side (writeAccess rules, no server-only methods).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import random
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import msgspec

from doppelgate import clock
from doppelgate.engine import DuplicateKey, Engine

from .errors import (
    DUPLICATE_NONCE,
    INVALID_API_KEY,
    INVALID_DATA_CENTER,
    INVALID_REQUEST_FORMAT,
    INVALID_SECRET,
    INVALID_SIGNATURE,
    PERMISSION_DENIED,
    REQUEST_EXPIRED,
    SECRET_OVER_HTTP,
    UNAUTHORIZED_PARTNER,
    GigyaError,
)
from .options import GigyaOptions
from .wire import Call

DIALECT = "gigya"
NONCES = "nonces"


@dataclass(frozen=True, slots=True)
class Caller:
    api_key: str  # the tenant
    server: bool  # signed / secret / bearer: a server-side call; else client-side (spec §2)
    user_key: str = ""


def pct(value: str) -> str:
    """RFC 3986 percent-encoding: unreserved kept, the rest %XX upper-case (spec §2 step 3)."""
    return quote(value, safe="-_.~")


def base_string(url: str, params: dict[str, str], http_method: str = "POST") -> str:
    """The signed text: METHOD&pct(url)&pct(sorted query string) (spec §2 steps 1-5)."""
    qs = "&".join(f"{key}={pct(params[key])}" for key in sorted(params) if key != "sig")
    return f"{http_method.upper()}&{pct(url)}&{pct(qs)}"


def hmac_sha1(secret: str, text: str) -> str:
    """base64(HMAC-SHA1(base64decode(secret), UTF-8(text))) (spec §2 step 6)."""
    key = base64.b64decode(secret)
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha1).digest()).decode()


def signature(secret: str, url: str, params: dict[str, str]) -> str:
    return hmac_sha1(secret, base_string(normalize_url(url), params))


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, the port only when not the scheme's default (spec §2 step 4)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(scheme)
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{scheme}://{host}{port}{parts.path}"


def candidate_urls(url: str, vendor_path: str) -> list[str]:
    """Clients sign the URL they think they called: either scheme, with or without the port and
    the mount prefix (spec §2 verification)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    hosts = [host] + ([f"{host}:{parts.port}"] if parts.port else [])
    paths = list(dict.fromkeys([parts.path, vendor_path]))
    return list(
        dict.fromkeys(
            normalize_url(f"{scheme}://{h}{path}")
            for scheme in ("https", "http")
            for h in hosts
            for path in paths
        )
    )


def _npm_variant(params: dict[str, str]) -> dict[str, str]:
    # npm `gigya` signs (v || '').toString(): false and 0 become "" (spec §8) [inf: leniency]
    return {k: "" if v in ("false", "0") else v for k, v in params.items()}


def _valid_base64(secret: str) -> bool:
    try:
        base64.b64decode(secret, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def data_center_of(url: str) -> str | None:
    """The DC a vendor host names: ds.us1.gigya.com -> us1, cn1.sapcdm.cn -> cn1 (spec §1)."""
    labels = (urlsplit(url).hostname or "").lower().split(".")
    if len(labels) >= 3 and labels[-2:] == ["gigya", "com"]:
        return labels[-3]
    if len(labels) == 3 and labels[-2:] in (["gigya-api", "cn"], ["sapcdm", "cn"]):
        return labels[0]
    return None


def check_data_center(url: str, home: str, method: str) -> None:
    """An apiKey served by another DC: 301001 with where to go instead (spec §7) [inf shape]."""
    called = data_center_of(url)
    if called is None or called == home.lower():
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().replace(f".{called}.", f".{home.lower()}.")
    raise GigyaError(
        INVALID_DATA_CENTER,
        f"Invalid data center: this apiKey is served by {home}",
        apiDomain=f"{home.lower()}.gigya.com",
        location=f"https://{host}/{method}",
    )


class Authenticator:
    def __init__(self, options: GigyaOptions, engine: Engine) -> None:
        self.options = options
        self.engine = engine

    async def authenticate(self, call: Call, vendor_path: str) -> Caller:
        api_key = call.get("apiKey") or ""
        if not api_key:
            raise GigyaError(INVALID_API_KEY, "Invalid ApiKey parameter: apiKey is missing")
        strict = self.options.strict
        site = self.options.apiKeys.get(api_key)
        if strict and site is None:
            raise GigyaError(INVALID_API_KEY, f"Invalid ApiKey parameter: {api_key}")
        if site is not None and not site.dataStore:
            raise GigyaError(UNAUTHORIZED_PARTNER, "Data Store is not enabled for this site")
        if site is not None and site.dataCenter:
            check_data_center(call.url, site.dataCenter, call.method)
        user_key = call.get("userKey") or ""
        if call.get("sig") is not None:
            if strict:
                await self._check_signed(call, api_key, user_key, vendor_path)
            return Caller(api_key, server=True, user_key=user_key)
        if call.get("secret") is not None:
            if self.options.requireHttps and not call.secure:
                raise GigyaError(SECRET_OVER_HTTP, "Secret Sent Over Http")
            if strict:
                self._check_secret(api_key, user_key, call.get("secret") or "")
            return Caller(api_key, server=True, user_key=user_key)
        if call.authorization.lower().startswith("bearer "):
            return Caller(api_key, server=True, user_key=self._bearer_kid(call.authorization))
        return Caller(api_key, server=False)

    def secret_for(self, api_key: str, user_key: str) -> str | None:
        """The HMAC key of a signed call: the userKey's secret, else the site's (spec §2)."""
        if user_key:
            return self.options.user_key_secret(api_key, user_key)
        site = self.options.apiKeys.get(api_key)
        return site.secret if site is not None and site.secret else None

    def _check_secret(self, api_key: str, user_key: str, given: str) -> None:
        expected = self.secret_for(api_key, user_key)
        if user_key and expected is None:
            raise GigyaError(PERMISSION_DENIED, f"Permission denied: unknown userKey {user_key}")
        if expected is None or not hmac.compare_digest(expected.encode(), given.encode()):
            raise GigyaError(INVALID_SECRET, "Invalid Secret")

    async def _check_signed(self, call: Call, api_key: str, user_key: str, path: str) -> None:
        secret = self.secret_for(api_key, user_key)
        if secret is None:
            if user_key:
                raise GigyaError(
                    PERMISSION_DENIED, f"Permission denied: unknown userKey {user_key}"
                )
            raise GigyaError(INVALID_SIGNATURE, "Invalid request signature: no secret for apiKey")
        self._check_timestamp(call.get("timestamp"))
        nonce = call.get("nonce")
        if not nonce:
            raise GigyaError(INVALID_REQUEST_FORMAT, "Invalid request format: nonce is missing")
        given = call.get("sig") or ""
        if not self._signature_matches(secret, call, path, given):
            raise GigyaError(INVALID_SIGNATURE, "Invalid request signature")
        await self._use_nonce(api_key, user_key, nonce)

    def _check_timestamp(self, raw: str | None) -> None:
        try:
            stamp = float(raw or "")
        except ValueError:
            stamp = math.nan
        if not math.isfinite(stamp):
            raise GigyaError(REQUEST_EXPIRED, "Request has expired: bad timestamp")
        if stamp > 1e11:  # npm `gigya` sends Date.now() milliseconds (spec §2)
            stamp /= 1000
        if abs(clock.now() - stamp) > self.options.timestampWindow:
            raise GigyaError(REQUEST_EXPIRED, "Request has expired")

    def _signature_matches(self, secret: str, call: Call, path: str, given: str) -> bool:
        if not _valid_base64(secret):
            return False
        variants = [call.params]
        npm = _npm_variant(call.params)
        if npm != call.params:
            variants.append(npm)
        methods = dict.fromkeys(["POST", call.http_method])  # SDKs always sign POST (§2)
        for url in candidate_urls(call.url, path):
            for params in variants:
                for method in methods:
                    expected = hmac_sha1(secret, base_string(url, params, method))
                    if hmac.compare_digest(expected.encode(), given.encode()):
                        return True
        return False

    async def _use_nonce(self, api_key: str, user_key: str, nonce: str) -> None:
        """A nonce may be used once while its timestamp is valid (spec §2)."""
        nonces = self.engine.collection(DIALECT, api_key, NONCES)
        now_ms = clock.now_ms()
        expires = now_ms + int(2 * self.options.timestampWindow * 1000)
        try:
            await nonces.insert({"_id": f"{user_key}:{nonce}", "expires": expires})
        except DuplicateKey:
            raise GigyaError(DUPLICATE_NONCE, "Duplicate nonce") from None
        if random.random() < 0.02:  # sweep expired nonces now and then
            await nonces.delete({"expires": {"$lt": now_ms}})

    def _bearer_kid(self, header: str) -> str:
        """The JWT header's `kid` (= userKey); its RS256 signature is not verified [inf]."""
        token = header[len("bearer ") :].strip()
        try:
            head = token.split(".")[0]
            decoded = msgspec.json.decode(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        except (ValueError, binascii.Error, msgspec.DecodeError):
            raise GigyaError(INVALID_REQUEST_FORMAT, "Invalid request format: bad bearer") from None
        kid = decoded.get("kid") if isinstance(decoded, dict) else None
        if self.options.strict and (not isinstance(kid, str) or kid not in self._all_user_keys()):
            raise GigyaError(PERMISSION_DENIED, "Permission denied: unknown bearer key")
        return kid if isinstance(kid, str) else ""

    def _all_user_keys(self) -> set[str]:
        keys = set(self.options.userKeys)
        for site in self.options.apiKeys.values():
            keys.update(site.userKeys)
        return keys


def query_signature(secret: str, query: str, exp_time: str) -> str:
    """ds.search's client-side querySig: HMAC-SHA1 over `query_expTime` (spec §2)."""
    return hmac_sha1(secret, f"{query}_{exp_time}")
