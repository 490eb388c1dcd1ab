"""A tiny Gainsight client for the tests: the Accesskey header and the vendor's envelope."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
GSID = re.compile(r"^[0-9A-Z]{36}$")
BASE = "/gainsight/v1/data/objects"


class Gainsight:
    def __init__(self, http: httpx.AsyncClient, key: str | None = None, prefix: str = "") -> None:
        self.http = http
        self.key = key or f"key-{uuid.uuid4().hex}"
        self.prefix = BASE if prefix == "" else prefix

    @property
    def headers(self) -> dict[str, str]:
        return {"Accesskey": self.key}

    async def raw(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.http.request(method, self.prefix + path, json=body, headers=headers, **kw)

    @staticmethod
    def envelope(r: httpx.Response) -> dict[str, Any]:
        body: dict[str, Any] = r.json()
        assert UUID4.match(body["requestId"]), body
        assert r.headers["x-gs-request-id"] == body["requestId"]
        assert body["message"] is None or body["message"] == body["errorDesc"]
        return body

    async def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        r = await self.raw(method, path, body, **kw)
        assert r.status_code == 200, r.text
        env = self.envelope(r)
        assert env["result"] is True and env["errorCode"] is None and env["errorDesc"] is None
        return env["data"]

    async def error(
        self, method: str, path: str, body: Any, code: str, status: int = 400, **kw: Any
    ) -> dict[str, Any]:
        r = await self.raw(method, path, body, **kw)
        assert r.status_code == status, r.text
        env = self.envelope(r)
        assert env["result"] is False and env["errorCode"] == code, env
        return env

    async def insert(self, obj: str, *records: dict[str, Any], **body: Any) -> list[Any]:
        data = await self.ok("POST", f"/{obj}", {"records": list(records), **body})
        assert data["count"] == len(records) and data["errors"] is None
        return list(data["records"])

    async def update(self, obj: str, keys: str, *records: dict[str, Any], **body: Any) -> Any:
        return await self.ok("PUT", f"/{obj}?keys={keys}", {"records": list(records), **body})

    async def query(self, obj: str, **body: Any) -> list[dict[str, Any]]:
        data = await self.ok("POST", f"/query/{obj}", body)
        return list(data["records"])

    async def declare(self, obj: str, fields: dict[str, Any], **decl: Any) -> Any:
        r = await self.http.put(
            f"/gainsight/_doppelgate/objects/{obj}",
            json={"fields": fields, **decl},
            headers=self.headers,
        )
        assert r.status_code == 200, r.text
        return r.json()["data"]


def where(*conditions: tuple[str, str, list[Any]], expression: str | None = None) -> Any:
    """`where` from (name, operator, values) triples, aliased A, B, C…"""
    conds = [
        {"name": n, "alias": chr(65 + i), "value": v, "operator": op}
        for i, (n, op, v) in enumerate(conditions)
    ]
    out: dict[str, Any] = {"conditions": conds}
    if expression:
        out["expression"] = expression
    return out


def field_failure(env: dict[str, Any], code: str, field: str, invalid: Any) -> None:
    """The documented nested error body of a failed write (spec §1.2)."""
    data = env["data"]
    assert data["count"] == 0 and data["records"] is None
    [[record]] = data["errors"]
    assert record["success"] is False
    [error] = record["errors"]
    assert error["errorCode"] == code and error["fieldName"] == field
    assert error["invalidValue"] == invalid
    assert env["errorDesc"].startswith(error["errorMessage"])
    assert env["errorDesc"].endswith(").") and f"({field} = " in env["errorDesc"]
