"""Odd input gets a vendor error, never the 500001 of a bug."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Gigya

ODD: list[tuple[str, dict[str, Any]]] = [
    ("ds.store", {"type": "t", "oid": "1", "data": {"a": [[1, [2]], {"b": [{"c": None}]}]}}),
    ("ds.store", {"type": "t", "oid": "1", "data": {"big": 2**70}}),
    ("ds.store", {"type": "t", "oid": "1", "data": {"a": {}}}),
    ("ds.store", {"type": "", "oid": "1", "data": {}}),
    ("ds.store", {"type": "t", "oid": "1", "data": "{}", "updateBehavior": ""}),
    ("ds.get", {"type": "t", "oid": "1", "fields": ",,"}),
    ("ds.get", {"type": "t", "oid": "1", "fields": "a..b"}),
    ("ds.delete", {"type": "t", "oid": "1", "fields": "."}),
    ("ds.search", {"query": ""}),
    ("ds.search", {"query": "SELECT"}),
    ("ds.search", {"query": "SELECT * FROM t WHERE a = "}),
    ("ds.search", {"query": "SELECT * FROM t LIMIT 99999999"}),
    ("ds.search", {"query": "SELECT * FROM t", "openCursor": "yes"}),
    ("ds.search", {"cursorId": "x" * 500}),
    ("ds.setSchema", {"type": "t", "dataSchema": {"fields": {"a": {"type": None}}}}),
    ("ds.setSchema", {"type": "t", "dataSchema": {"unique": [[1]]}}),
    ("ds.setSchema", {"type": "t", "dataSchema": {"fields": {"a": {"languages": "ja"}}}}),
    ("ds.setSchema", {"type": "t", "dataSchema": {"fields": {"a": {"format": 5}}}}),
    ("ds.setSchema", {"type": "t", "dataSchema": "null"}),
    ("ds.getSchema", {"type": "t", "mode": ""}),
    ("ds.deleteSchemaFields", {"type": "t", "dataSchema": {"a": 1}}),
    ("ds.deleteSchemaFields", {"type": "t"}),
]


@pytest.mark.parametrize(("method", "params"), ODD)
async def test_no_internal_error(gigya: Gigya, method: str, params: dict[str, Any]) -> None:
    body = await gigya.call(method, **params)
    assert body["errorCode"] != 500001, body


async def test_signed_with_odd_timestamps(gigya_factory: Any) -> None:
    options = {"strict": True, "apiKeys": {"3_k": {"secret": "c2VjcmV0"}}}
    client = gigya_factory(options, api_key="3_k", credentials={})
    for stamp in ("nan", "inf", "", "abc", "-1"):
        body = await client.call("ds.getTypes", timestamp=stamp, nonce="n", sig="x")
        assert body["errorCode"] == 403002, (stamp, body)
