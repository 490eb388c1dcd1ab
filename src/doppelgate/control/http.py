"""The control plane's JSON answers and request bodies (JSON, or YAML for seed files)."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from .seed import load_yaml


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(msgspec.json.encode(body), status_code, media_type="application/json")


def problem(message: str, status_code: int = 400) -> Response:
    """A refused control-plane call: {"error": message}."""
    return json_response({"error": message}, status_code)


async def read_body(request: Request) -> Any:
    """The decoded body (None when empty): YAML when the content type says so, else JSON."""
    raw = await request.body()
    if not raw.strip():
        return None
    if "yaml" in request.headers.get("content-type", ""):
        return load_yaml(raw)
    return msgspec.json.decode(raw)
