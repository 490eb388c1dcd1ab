"""Who is calling (spec §5.3), checked in the vendor's order: token present, known, not expired,
in scope; the client's IP allow-list; (rate limit: ratelimit.py); acting for another client;
the client's endpoint allow-list. Endpoint-level checks (user, server-only) are the service's.

Tokens come from `Authorization: Bearer <token>`, else the `oauth_token` parameter (query or
body). A token configured in [dialects.spid.tokens], or issued by POST /oauth/token, is that
client's (and user's) token, with its expiry and scope, in either mode. Permissive mode (the
default) also accepts any other well-formed token by this convention:
    `<userId>@<clientId>`  a user token of that user, issued to that client;
    `<clientId>`           a server token of that client.
A 24-hex-digit token looks like a client id, not a token: the PHP SDK sends its client id when
its own `auth()` failed (spec §6), so it is `invalid_token`. Strict mode accepts configured
and issued tokens only.
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass, replace

from starlette.requests import Request

from .errors import (
    ENDPOINT_NOT_ALLOWED,
    EXPIRED_TOKEN,
    INSUFFICIENT_SCOPE,
    INVALID_REQUEST,
    INVALID_TOKEN,
    IP_NOT_WHITELISTED,
    IP_UNIDENTIFIABLE,
    NO_ADMIN_RIGHTS_CLIENT,
    NO_ADMIN_RIGHTS_USER,
    UNKNOWN_CLIENT,
    OAuthFailure,
    SpidError,
)
from .oauth import Issuer
from .options import SpidOptions
from .params import Params

_WELL_FORMED = re.compile(r"^[A-Za-z0-9._~+/=:@-]{1,1024}$")
_CLIENT_ID_SHAPE = re.compile(r"^[0-9a-fA-F]{24}$")


@dataclass(frozen=True, slots=True)
class Caller:
    clientId: str  # the tenant: whose data objects these are
    merchantId: str
    userId: str  # "" for a server token
    isAdmin: bool = False
    tokenClientId: str = ""  # the token's own client, when acting for another one

    @property
    def server(self) -> bool:
        return not self.userId


def token_of(request: Request, params: Params) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return params.get("oauth_token")


class Authenticator:
    def __init__(self, options: SpidOptions, issuer: Issuer) -> None:
        self.options = options
        self.issuer = issuer

    async def caller(self, token: str | None) -> Caller:
        """Token present? known? expired? in scope? (spec §5.3, in that order)."""
        if not token:
            raise OAuthFailure(INVALID_REQUEST)
        known = self.options.tokens.get(token)
        if known is not None:
            self._check(known.expires, known.scope)
            return self._caller(known.clientId, known.userId, known.isAdmin)
        issued = await self.issuer.lookup(token)
        if issued is not None:
            self._check(issued["expires"], issued["scope"])
            return self._caller(issued["clientId"], issued["userId"])
        if self.options.strict or not _WELL_FORMED.match(token) or _CLIENT_ID_SHAPE.match(token):
            raise OAuthFailure(INVALID_TOKEN)
        userId, at, clientId = token.rpartition("@")
        if at and not (userId and clientId):
            raise OAuthFailure(INVALID_TOKEN)
        return self._caller(clientId, userId)

    def _check(self, expires: float | None, scope: str) -> None:
        if expires is not None and expires <= time.time():
            raise OAuthFailure(EXPIRED_TOKEN, scope)
        required = self.options.requiredScope
        if required and required not in scope.split():
            raise OAuthFailure(INSUFFICIENT_SCOPE, scope)

    def _caller(self, clientId: str, userId: str, isAdmin: bool = False) -> Caller:
        return Caller(clientId, self.options.merchant_of(clientId), userId, isAdmin, clientId)

    def check_ip(self, caller: Caller, request: Request) -> None:
        """Only for clients with an allow-list: unidentifiable 500, not listed 403 (§5.3)."""
        allowed = self.options.client(caller.clientId).ipWhitelist
        if allowed is None:
            return
        try:
            address = ipaddress.ip_address(request.client.host if request.client else "")
        except ValueError:
            raise SpidError(IP_UNIDENTIFIABLE) from None
        if not any(address in ipaddress.ip_network(net, strict=False) for net in allowed):
            raise SpidError(IP_NOT_WHITELISTED)

    def context_client(self, caller: Caller, params: Params) -> Caller:
        """`contextClientId`: act for another client (spec §3.6). Permissive mode lets any
        caller act for any client; strict mode wants a configured client the caller's client
        administers (`adminOf`)."""
        target = (params.get("contextClientId") or "").strip()
        if not target or target == caller.clientId:
            return caller
        acting = replace(caller, clientId=target, merchantId=self.options.merchant_of(target))
        if not self.options.strict:
            return acting
        if target not in self.options.clients:
            raise SpidError(UNKNOWN_CLIENT)
        administered = self.options.client(caller.clientId).adminOf
        if target in administered or "*" in administered:
            return acting
        # the access-control flow's step for acting on behalf of another client answers 401
        # (spec §5.3; issue 15.7); "Client ID mismatch" (404) is about owning a resource
        if caller.server or acting.merchantId != caller.merchantId:
            raise SpidError(NO_ADMIN_RIGHTS_CLIENT)
        if not caller.isAdmin:
            raise SpidError(NO_ADMIN_RIGHTS_USER)
        return acting

    def check_endpoint(self, caller: Caller, controller: str) -> None:
        """The client's endpoint allow-list, by controller name (spec §3.6)."""
        allowed = self.options.client(caller.tokenClientId).endpoints
        if allowed is not None and controller not in allowed:
            text = ENDPOINT_NOT_ALLOWED[1]
            raise SpidError(
                ENDPOINT_NOT_ALLOWED, f"{text} Contact {self.options.contact} to request access."
            )
