"""Gigya's transport (spec §1): merged GET/POST params, JSON-text values, the response envelope."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import msgspec
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from doppelgate import clock, nesting
from doppelgate.dialect import keep_call, kept_call, vendor_path

API_VERSION = 2
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]*$")

# never "unknown" whatever the method: control, auth and SDK bookkeeping params (spec §1, §2)
COMMON_PARAMS = frozenset(
    {
        "format",
        "callback",
        "context",
        "httpStatusCodes",
        "checkParams",
        "sdk",
        "targetEnv",
        "ucid",
        "gmid",
        "dontHandleScreenSet",
        "apiKey",
        "secret",
        "userKey",
        "timestamp",
        "nonce",
        "sig",
        "oauth_token",
        "sdkBuild",
    }
)


class BadParam(Exception):
    """A parameter that cannot be decoded; becomes 400006 (or 400001) in the error boundary."""

    def __init__(self, code: int, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details


class ErrorResponse(msgspec.Struct, kw_only=True):
    """An error body; field order follows the vendor's live sample (spec §1)."""

    callId: str
    context: Any = msgspec.UNSET
    errorCode: int
    errorDetails: str
    errorMessage: str
    apiVersion: int = API_VERSION
    statusCode: int
    statusReason: str
    time: str


@dataclass(slots=True)
class Call:
    """One decoded request: its params as the client sent them, and how to answer it."""

    call_id: str
    method: str  # e.g. "ds.store": the last path segment (spec §1)
    params: dict[str, str]
    url: str = ""  # scheme://host[:port]/path as received, for signature checks (spec §2)
    secure: bool = True
    http_method: str = "POST"
    authorization: str = ""
    ignored: list[str] = field(default_factory=list)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.params.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        return default if value is None or value == "" else is_true(value)

    def json(self, name: str) -> Any:
        """A JSON-text param (data, dataSchema...) decoded; unparsable or nested deeper than
        doppelgate's limit (README) -> 400006 (spec §1)."""
        text = self.params.get(name)
        if text is None:
            return None
        try:
            return nesting.decode(text.encode())
        except msgspec.DecodeError:
            raise BadParam(400006, f"Invalid argument: {name} is not valid JSON") from None
        except nesting.TooDeep as exc:
            raise BadParam(400006, f"Invalid argument: {name}: {exc}") from None

    @property
    def context(self) -> Any:
        """The context param, echoed back verbatim; JSON object text comes back as the object."""
        text = self.params.get("context")
        if text is None:
            return msgspec.UNSET
        if text.startswith("{"):
            try:
                return nesting.decode(text.encode())
            except (msgspec.DecodeError, nesting.TooDeep):
                pass  # echoed as the text it is
        return text


def call_time(now: dt.datetime | None = None) -> str:
    """ISO-8601 UTC with milliseconds and `Z`, e.g. 2015-03-22T11:42:25.943Z (spec §1)."""
    return iso_z((now or clock.utcnow()).astimezone(dt.UTC))


def iso_z(t: dt.datetime) -> str:
    """A UTC datetime as ISO-8601 with milliseconds and `Z`; the year unpadded, as strftime's
    %Y gives it, by formatting alone (strftime costs several times more per call)."""
    return (
        f"{t.year}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}."
        f"{t.microsecond // 1000:03d}Z"
    )


def status_of(error_code: int) -> tuple[int, str]:
    """statusCode = errorCode / 1000 and its HTTP reason phrase (spec §1)."""
    status = error_code // 1000 if error_code else 200
    try:
        return status, HTTPStatus(status).phrase
    except ValueError:
        return status, ""


def is_true(value: str | None) -> bool:
    # booleans arrive as true/True/1 depending on the SDK (spec §1)
    return value is not None and value.strip().lower() in ("true", "1")


def method_of(path: str) -> str:
    """The method is the last non-empty path segment, whatever precedes it (spec §1)."""
    return next((seg for seg in reversed(path.split("/")) if seg), "")


async def read_call(request: Request, call_id: str, method: str) -> Call:
    """Query string + form body merged, the body winning (spec §1); kept for error builders."""
    query: bytes = request.scope.get("query_string", b"")
    params = form_fields(query.decode("latin-1"), "replace") if query else {}  # starlette's way
    body = await request.body()
    if body:
        params.update(_body_params(body, request.headers.get("content-type", "")))
    scheme, netloc = _origin(request.scope)
    root = request.scope.get("root_path", "")
    call = Call(
        call_id=call_id,
        method=method,
        params=params,
        url=f"{scheme}://{netloc}{root}{vendor_path(request)}",
        secure=scheme == "https",
        http_method=request.method,
        authorization=request.headers.get("authorization", ""),
    )
    keep_call(request, call)
    return call


def _body_params(body: bytes, content_type: str) -> dict[str, str]:
    if "json" in content_type.lower():  # never sent by SDKs; accepted as a convenience [inf]
        try:
            decoded = nesting.decode(body)
        except msgspec.DecodeError:
            raise BadParam(400001, "Invalid request format: body is not valid JSON") from None
        except nesting.TooDeep as exc:
            raise BadParam(400001, f"Invalid request format: body: {exc}") from None
        if not isinstance(decoded, dict):
            raise BadParam(400001, "Invalid request format: body is not a JSON object")
        return {
            k: v if isinstance(v, str) else msgspec.json.encode(v).decode()
            for k, v in decoded.items()
        }
    try:
        return form_fields(body.decode("utf-8"), "strict")
    except (UnicodeDecodeError, ValueError):
        raise BadParam(400001, "Invalid request format: body is not UTF-8 form data") from None


def form_fields(text: str, errors: str) -> dict[str, str]:
    """dict(parse_qsl(text, keep_blank_values=True, errors=errors)), the last value of a name
    winning, without parse_qsl's per-call setup: every call reads a form (spec §1)."""
    fields = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            if "+" in name or "%" in name:
                name = unquote(name.replace("+", " "), errors=errors)
            if "+" in value or "%" in value:
                value = unquote(value.replace("+", " "), errors=errors)
            fields[name] = value
    return fields


def _origin(scope: Scope) -> tuple[str, str]:
    """(scheme, netloc) of the request's URL as starlette reads it (request.url), from the only
    parts of the scope it depends on: the URL's parsing cost more than the rest of a ds.get."""
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    server = scope.get("server")
    return _origin_of(scope.get("scheme", "http"), host, tuple(server) if server else None)


@functools.lru_cache(maxsize=1024)
def _origin_of(scheme: str, host: bytes | None, server: Any) -> tuple[str, str]:
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": "/", "headers": headers}
    url = URL(scope=scope)
    return url.scheme, url.netloc


def call_of(request: Request) -> Call | None:
    """The call decoded for this request, if decoding got that far."""
    call = kept_call(request)
    return call if isinstance(call, Call) else None


def _answer_params(request: Request) -> dict[str, str]:
    call = call_of(request)
    return call.params if call is not None else dict(request.query_params)


def envelope(call_id: str, error_code: int = 0) -> dict[str, Any]:
    status, reason = status_of(error_code)
    return {
        "callId": call_id,
        "errorCode": error_code,
        "apiVersion": API_VERSION,
        "statusCode": status,
        "statusReason": reason,
        "time": call_time(),
    }


def success_body(call: Call, payload: dict[str, Any]) -> dict[str, Any]:
    """Method fields first, then the envelope; `ignoredParams` warns of unknown params (§1)."""
    body = dict(payload)
    if call.ignored:
        message = "This parameter was not recognized as valid for this API method"
        body["ignoredParams"] = [
            {"paramName": name, "warningCode": 403007, "message": message} for name in call.ignored
        ]
    context = call.context
    env = envelope(call.call_id)
    if context is not msgspec.UNSET:
        body["callId"] = env.pop("callId")
        body["context"] = context
    body.update(env)
    return body


def respond(request: Request, body: msgspec.Struct | dict[str, Any], status_code: int) -> Response:
    """HTTP 200 unless httpStatusCodes=true; JSONP when format=jsonp with a callback (spec §1)."""
    params = _answer_params(request)
    http_status = status_code if is_true(params.get("httpStatusCodes")) else 200
    payload = msgspec.json.encode(body)
    callback = params.get("callback", "")
    # the Date header SDKs correct their clock with (§1) comes from the HTTP server (uvicorn's
    # date_header, on by default): one set here too would be a second, invalid Date field
    if params.get("format", "").lower() == "jsonp" and _CALLBACK.match(callback):
        js = callback.encode() + b"(" + payload + b");"
        return Response(js, http_status, media_type="application/javascript")
    return Response(payload, http_status, media_type="application/json")


def context_of(request: Request) -> Any:
    call = call_of(request)
    if call is not None:
        return call.context
    text = request.query_params.get("context")
    return msgspec.UNSET if text is None else text
