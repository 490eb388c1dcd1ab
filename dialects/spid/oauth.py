"""`POST /oauth/token` (spec §5.3), so SDKs that fetch their own tokens work unmodified:
`client_credentials` gives a server token, `password` / `authorization_code` a user token,
`refresh_token` a fresh one. Issued tokens live in the engine, so every worker knows them.

Permissive: any client_id; the user of a `password` grant is the username when it is a number,
else a number derived from it; of a `code` grant, the code likewise. Strict: client_id must be
configured with its `secret`; `password` needs a configured user (`users`); no code grants.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any
from urllib.parse import unquote_plus

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from doppelgate import clock, ids
from doppelgate.engine import Collection, Engine

from .errors import TokenError
from .options import SpidOptions
from .params import Params, read_params
from .wire import JSON, encode

DIALECT = "spid"
TOKENS = "tokens"
GLOBAL = ""  # the tenant of issued tokens: no client is named ""
EXPIRES_IN = 604800  # a week, as in the vendor's token sample (spec §5.3)
TOKEN_LENGTH = 40  # hex digits of an issued token: never a client id's 24


class TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int
    scope: str
    user_id: str | bool  # false for server tokens (spec §5.3)
    is_admin: bool
    refresh_token: str
    server_time: int
    token_type: str = "Bearer"


def basic_client(request: Request) -> Params | None:
    """`Authorization: Basic base64(urlencoded client_id ":" urlencoded secret)` as the
    client_id/client_secret pair it stands for (issue 15.5; RFC 6749 §2.3.1)."""
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise TokenError(401, "invalid_client", "Malformed HTTP Basic credentials") from None
    client, sep, secret = decoded.partition(":")
    if not sep:
        raise TokenError(401, "invalid_client", "Malformed HTTP Basic credentials")
    return Params([("client_id", unquote_plus(client)), ("client_secret", unquote_plus(secret))])


def derived_user(text: str) -> str:
    """A username or code that is not a number becomes a stable 9-digit userId."""
    if text.isdigit():
        return text
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return str(10**8 + digest % (9 * 10**8))


class Issuer:
    def __init__(self, engine: Engine, options: SpidOptions) -> None:
        self.engine = engine
        self.options = options

    def _tokens(self) -> Collection:
        return self.engine.collection(DIALECT, GLOBAL, TOKENS)

    async def lookup(self, token: str) -> dict[str, Any] | None:
        """An issued access token's record (clientId, userId, scope, expires), if any."""
        if len(token) != TOKEN_LENGTH:
            return None
        found: dict[str, Any] | None = await self._tokens().find_one(
            {"_id": token, "kind": "access"}
        )
        return found

    async def endpoint(self, request: Request) -> Response:
        # a TokenError, or an unreadable body, becomes the OAuth error body (errors.py's handler)
        params = await read_params(request)
        clientId = self._client(basic_client(request) or params)
        userId = await self._user(params, clientId)
        scope = (params.get("scope") or self.options.requiredScope).strip()
        return await self._issue(clientId, userId, scope)

    def _client(self, params: Params) -> str:
        """client_id (+ client_secret): from HTTP Basic, the vendor's recommended method, else
        from the body (spec §5.3; RFC 6749 §2.3.1)."""
        clientId = (params.get("client_id") or "").strip()
        if not clientId:
            raise TokenError(400, "invalid_request", "client_id is required")
        if self.options.strict:
            client = self.options.clients.get(clientId)
            if client is None or not client.secret or client.secret != params.get("client_secret"):
                raise TokenError(401, "invalid_client", "Unknown client or wrong client_secret")
        return clientId

    async def _user(self, params: Params, clientId: str) -> str:
        grant = (params.get("grant_type") or "").strip()
        if grant == "client_credentials":
            return ""
        if grant == "password":
            username = (params.get("username") or "").strip()
            if not username:
                raise TokenError(400, "invalid_request", "username is required")
            if not self.options.strict:
                return derived_user(username)
            user = self.options.users.get(username)
            if user is None or user.password != params.get("password"):
                raise TokenError(400, "invalid_grant", "Wrong username or password")
            return user.userId
        if grant == "authorization_code":
            code = (params.get("code") or "").strip()
            if not code or self.options.strict:
                raise TokenError(400, "invalid_grant", "Invalid authorization code")
            return derived_user(code)
        if grant == "refresh_token":
            return await self._refreshed(params, clientId)
        raise TokenError(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")

    async def _refreshed(self, params: Params, clientId: str) -> str:
        token = (params.get("refresh_token") or "").strip()
        found = await self._tokens().find_one({"_id": token, "kind": "refresh"})
        if found is None or found["clientId"] != clientId:
            raise TokenError(400, "invalid_grant", "Invalid refresh_token")
        return str(found["userId"])

    async def _issue(self, clientId: str, userId: str, scope: str) -> Response:
        now = int(clock.now())
        access, refresh = ids.hex_id(40), ids.hex_id(40)
        record = {"clientId": clientId, "userId": userId, "scope": scope}
        await self._tokens().insert(
            {"_id": access, "kind": "access", "expires": now + EXPIRES_IN, **record}
        )
        await self._tokens().insert({"_id": refresh, "kind": "refresh", **record})
        body = TokenResponse(
            access_token=access,
            expires_in=EXPIRES_IN,
            scope=scope,
            user_id=userId or False,
            is_admin=False,
            refresh_token=refresh,
            server_time=now,
        )
        return Response(encode(body), 200, media_type=JSON)
