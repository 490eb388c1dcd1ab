"""lightblue's error object and the bare failure envelope (spec §2.2, §2.4)."""

from __future__ import annotations

import msgspec
from starlette.responses import Response


class Error(msgspec.Struct, kw_only=True):
    objectType: str = "error"
    context: str | msgspec.UnsetType = msgspec.UNSET  # UNSET fields are omitted (§2.4)
    errorCode: str
    msg: str | msgspec.UnsetType = msgspec.UNSET


class FailedCall(msgspec.Struct):
    """What a request that fails before reaching the engine gets: errors and status (§2.2)."""

    errors: list[Error]
    status: str = "ERROR"


def respond(body: msgspec.Struct, status_code: int) -> Response:
    return Response(msgspec.json.encode(body), status_code, media_type="application/json")
