"""The spid dialect's own settings: the free-form `[dialects.spid]` table, typed.

```toml
[dialects.spid]
strict = true                 # only configured and issued tokens (README: "Tokens")
rateLimit = 0                 # requests per period for every client (0: no limiting)
ratePeriod = 3600             # seconds; "typically one hour" (spec §5.3)
requiredScope = ""            # when set, tokens lacking this scope get insufficient_scope
timezone = "UTC"              # zone of `created`/`updated` and of dates in since/until
contact = "SPiD"              # "Schibsted account" gives the post-2019 403 text (spec §3.6)
deleteUserMismatchStatus = 503  # the listing's status for DELETE on another user (spec §3.5)

[dialects.spid.tokens."my-server-token"]
clientId = "52f8e3d9efd04bb749000000"
userId = ""                   # empty: a server token; else the user the token is bound to
expires = 1924992000          # unix time; absent: never
scope = ""                    # space-separated scopes the token was granted
isAdmin = false               # a user token's is_admin (spec §5.3)

[dialects.spid.users."jane@example.com"]  # password grants of POST /oauth/token (strict)
userId = "238342"
password = "secret"

[dialects.spid.clients."52f8e3d9efd04bb749000000"]
merchantId = "47000"
secret = "client-secret"      # client_secret for POST /oauth/token (strict)
signatureSecret = ""          # set: success responses are signed (`sig`, `algorithm`)
rateLimit = 360000            # overrides the dialect-wide rateLimit
ipWhitelist = ["127.0.0.1", "10.0.0.0/8"]       # absent: no IP restriction
endpoints = ["Api/2/DataObject.user_dataobject"]  # absent: every endpoint allowed
adminOf = ["52f8e3d9efd04bb749000001"]          # clients it may act for (contextClientId); "*"
```
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from doppelgate.config import ConfigError, Settings, dialect_table


class Token(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    clientId: str
    userId: str = ""
    expires: float | None = None
    scope: str = ""
    isAdmin: bool = False


class User(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    userId: str
    password: str = ""


class Client(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    merchantId: str = ""
    secret: str = ""  # client_secret for POST /oauth/token in strict mode
    signatureSecret: str = ""  # set: responses are signed (sig, algorithm) (spec §5.1)
    rateLimit: int | None = None
    ipWhitelist: list[str] | None = None
    endpoints: list[str] | None = None
    adminOf: list[str] = msgspec.field(default_factory=list)


class SpidOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strict: bool = False
    rateLimit: int = 0
    ratePeriod: int = 3600
    requiredScope: str = ""
    timezone: str = "UTC"
    contact: str = "SPiD"
    deleteUserMismatchStatus: int = 503
    tokens: dict[str, Token] = msgspec.field(default_factory=dict)
    clients: dict[str, Client] = msgspec.field(default_factory=dict)
    users: dict[str, User] = msgspec.field(default_factory=dict)  # password grants, strict

    def client(self, clientId: str) -> Client:
        return self.clients.get(clientId) or Client()

    def merchant_of(self, clientId: str) -> str:
        """The configured merchant, else a number derived from the clientId: an unconfigured
        client is a merchant of its own, so `filters=merchant` never crosses tenants."""
        merchantId = self.client(clientId).merchantId
        if merchantId:
            return merchantId
        digest = hashlib.sha256(clientId.encode()).digest()
        return str(10**11 + int.from_bytes(digest[:8], "big") % (9 * 10**11))

    def merchant_clients(self, merchantId: str, clientId: str) -> list[str]:
        """The clients of one merchant: the configured ones, and always the caller."""
        same = [c for c in self.clients if self.merchant_of(c) == merchantId and c != clientId]
        return [clientId, *sorted(same)]

    def rate_limit(self, clientId: str) -> int:
        limit = self.client(clientId).rateLimit
        return self.rateLimit if limit is None else limit


def spid_options(settings: Settings | Any) -> SpidOptions:
    raw = dialect_table(settings, "spid")  # without `hosts`, which the core reads
    try:
        options = msgspec.convert(raw, SpidOptions, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid [dialects.spid] settings: {exc}") from None
    try:
        ZoneInfo(options.timezone)
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(f"[dialects.spid] timezone: unknown zone {options.timezone!r}") from None
    for clientId, client in options.clients.items():
        for net in client.ipWhitelist or ():
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ConfigError(
                    f"[dialects.spid.clients.{clientId!r}] ipWhitelist: {net!r} is not an IP "
                    "address or network"
                ) from None
    if not 400 <= options.deleteUserMismatchStatus <= 599:
        raise ConfigError("[dialects.spid] deleteUserMismatchStatus must be 400-599")
    if options.ratePeriod < 1:
        raise ConfigError("invalid [dialects.spid] settings: ratePeriod must be at least 1")
    return options
