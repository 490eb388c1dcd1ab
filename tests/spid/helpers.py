"""A tiny SPiD client for the tests: the token as a Bearer header, forms like the SDKs send."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")  # spec §1
FIELDS = ["dataObjectId", "clientId", "merchantId", "userId", "key", "value", "updated", "created"]
CONTAINER_KEYS = [
    "name",
    "version",
    "api",
    "object",
    "type",
    "code",
    "request",
    "debug",
    "meta",
    "error",
    "data",
]


def new_client() -> str:
    return f"client-{uuid.uuid4().hex[:12]}"


class Spid:
    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token or new_client()

    def user(self, userId: str) -> Spid:
        """The same app, with a user token of this client (`<userId>@<clientId>`)."""
        return Spid(self.http, f"{userId}@{self.token}")

    def as_token(self, token: str) -> Spid:
        return Spid(self.http, token)

    async def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return await self.http.request(method, f"/api/2{path}", headers=headers, **kwargs)

    async def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        r = await self.raw(method, path, **kwargs)
        assert r.status_code == status, r.text
        body = r.json()
        assert list(body) == CONTAINER_KEYS
        assert (body["name"], body["version"], body["api"]) == ("SPP Container", "0.2", 2)
        assert body["code"] == status and body["error"] is None
        return body

    async def error(self, method: str, path: str, status: int, text: Any, **kwargs: Any) -> Any:
        r = await self.raw(method, path, **kwargs)
        assert r.status_code == status, r.text
        body = r.json()
        assert (body["name"], body["type"], body["code"], body["data"]) == (
            "SPP Container",
            "error",
            status,
            None,
        )
        assert body["error"] == {"code": status, "type": "ApiException", "description": text}
        return body

    async def oauth(self, method: str, path: str, error: str, **kwargs: Any) -> Any:
        r = await self.raw(method, path, **kwargs)
        assert r.status_code == 401, r.text
        body = r.json()
        assert body["error"] == error and body["error_code"] == 401
        assert body["type"] == "OAuthException"
        assert f'Reason: "{error}"' in body["error_description"]
        return body

    async def put(self, userId: str, key: str, value: str) -> dict[str, Any]:
        body = await self.ok("POST", f"/user/{userId}/dataobject/{key}", 201, data={"value": value})
        data: dict[str, Any] = body["data"]
        return data

    async def get(self, userId: str, key: str) -> dict[str, Any]:
        data: dict[str, Any] = (await self.ok("GET", f"/user/{userId}/dataobject/{key}"))["data"]
        return data

    async def list(self, path: str = "/dataobjects", **params: Any) -> dict[str, Any]:
        data: dict[str, Any] = (await self.ok("GET", path, params=params or None))["data"]
        return data

    async def keys(self, path: str = "/dataobjects", **params: Any) -> list[str]:
        """The keys of a listing in response order; [] for the documented 404."""
        r = await self.raw("GET", path, params=params or None)
        if r.status_code == 404:
            return []
        assert r.status_code == 200, r.text
        return [obj["key"] for obj in r.json()["data"].values()]
