"""A tiny Gigya client for the tests: form POSTs like the SDKs send, JSON-text objects."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import msgspec
from doppelgate.dialects.gigya.auth import signature

CALL_ID = re.compile(r"^[0-9a-f]{32}$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SECRET = "c2VjcmV0LWtleS0xMjM0NTY="  # spec §2's test-vector secret


def form(params: dict[str, Any]) -> dict[str, str]:
    """Objects and arrays as JSON text, booleans as `true`/`false` (spec §1)."""
    out = {}
    for key, value in params.items():
        if isinstance(value, dict | list):
            out[key] = msgspec.json.encode(value).decode()
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif value is not None:
            out[key] = str(value)
    return out


class Gigya:
    def __init__(
        self,
        http: httpx.AsyncClient,
        api_key: str | None = None,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.http = http
        self.api_key = api_key or f"3_{uuid.uuid4().hex}"
        self.credentials = {"secret": "any"} if credentials is None else credentials

    def params(self, params: dict[str, Any]) -> dict[str, str]:
        return form({"apiKey": self.api_key, **self.credentials, **params})

    async def raw(self, method: str, **params: Any) -> httpx.Response:
        return await self.http.post(f"/gigya/{method}", data=self.params(params))

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        r = await self.raw(method, **params)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        assert CALL_ID.match(body["callId"]) and TIME.match(body["time"]), body
        assert body["apiVersion"] == 2
        return body

    async def ok(self, method: str, **params: Any) -> dict[str, Any]:
        body = await self.call(method, **params)
        assert body["errorCode"] == 0, body
        assert (body["statusCode"], body["statusReason"]) == (200, "OK")
        assert "errorMessage" not in body and "errorDetails" not in body
        return body

    async def error(self, method: str, code: int, **params: Any) -> dict[str, Any]:
        body = await self.call(method, **params)
        assert body["errorCode"] == code, body
        assert body["statusCode"] == code // 1000
        assert body["errorMessage"] and body["errorDetails"]
        return body

    async def store(self, type_: str, data: Any, oid: str = "auto", **params: Any) -> str:
        body = await self.ok("ds.store", type=type_, oid=oid, data=data, **params)
        return str(body["oid"])


def signed(
    params: dict[str, str], url: str, secret: str = SECRET, *, timestamp: int, nonce: str
) -> dict[str, str]:
    """The params plus timestamp, nonce and sig, as the official SDKs sign them (spec §2)."""
    out = {**params, "timestamp": str(timestamp), "nonce": nonce}
    out["sig"] = signature(secret, url, out)
    return out
