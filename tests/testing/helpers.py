"""Small vendor calls the harness tests make."""

from __future__ import annotations

import base64
from typing import Any

import msgspec

SECRET = "c2VjcmV0"  # any well-formed secret (permissive mode)


def gigya_store(
    api_key: str, oid: str = "o1", type_: str = "things", **data: Any
) -> dict[str, str]:
    return {
        "apiKey": api_key,
        "secret": SECRET,
        "type": type_,
        "oid": oid,
        "data": msgspec.json.encode(data or {"n_i": 1}).decode(),
    }


def gigya_get(api_key: str, oid: str = "o1", type_: str = "things") -> dict[str, str]:
    return {"apiKey": api_key, "secret": SECRET, "type": type_, "oid": oid}


def basic(user: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:pw".encode()).decode()
    return {"Authorization": f"Basic {token}"}
