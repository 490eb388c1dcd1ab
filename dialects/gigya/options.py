"""The gigya dialect's own settings: the free-form `[dialects.gigya]` table, typed.

```toml
[dialects.gigya]
strict = true                 # only the credentials below; signatures verified (spec §2)
timestampWindow = 120         # seconds of clock skew allowed for signed requests
requireHttps = false          # true: a `secret` over plain HTTP gets 403006
cursorTtl = 300               # seconds an unused ds.search cursor lives (spec §4)
encryptionKey = "..."         # key material for `encrypt: "AES"` fields (default: per apiKey)
rateLimit = 0                 # calls per apiKey per minute; over it -> 403048 (0: unlimited)
userKeys = { AK1 = "c2VjcmV0..." }            # partner-wide app keys -> their secrets

[dialects.gigya.apiKeys."3_abc"]
secret = "c2VjcmV0LWtleS0xMjM0NTY="           # the partner secret, base64 as the console shows
userKeys = { AK2 = "..." }                    # app keys valid for this site only
dataStore = true                              # false: DS not enabled -> 403036
dataCenter = "us1"                            # calls to another DC's host -> 301001
```
"""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate.config import ConfigError, Settings, dialect_table


class Site(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    secret: str = ""
    userKeys: dict[str, str] = msgspec.field(default_factory=dict)
    dataStore: bool = True
    dataCenter: str = ""


class GigyaOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strict: bool = False
    timestampWindow: float = 120.0  # vendor: "even a gap of two minutes" fails (spec §2) [inf]
    requireHttps: bool = False
    cursorTtl: float = 300.0  # "expires if unused > 5 min" (spec §4)
    encryptionKey: str = ""
    rateLimit: int = 0  # per apiKey and minute; the vendor's limits are per site (spec §7 403048)
    apiKeys: dict[str, Site] = msgspec.field(default_factory=dict)
    userKeys: dict[str, str] = msgspec.field(default_factory=dict)

    def user_key_secret(self, api_key: str, user_key: str) -> str | None:
        site = self.apiKeys.get(api_key)
        if site is not None and user_key in site.userKeys:
            return site.userKeys[user_key]
        return self.userKeys.get(user_key)


def gigya_options(settings: Settings | Any) -> GigyaOptions:
    raw = dialect_table(settings, "gigya")  # without `hosts`, which the core reads
    try:
        return msgspec.convert(raw, GigyaOptions, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"invalid [dialects.gigya] settings: {exc}") from None
