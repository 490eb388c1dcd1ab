"""The gainsight dialect's own settings: the free-form `[dialects.gainsight]` table, typed.

```toml
[dialects.gainsight]
strict = false              # true: only the keys below are accepted (spec §1.1)
date_output = "epoch_ms"    # or "iso"; unset: iso on Read, epoch_ms on insert/update (spec §2.2)
time_zone = "UTC"           # zone of offset-less Date/DateTime input (spec §2.1)
infer_objects = true        # an undeclared object is created on its first insert (README)
allowed_ips = ["10.0.0.0/8"]   # others get 403 GS_APIG_2402 (spec §6); default: anyone
rate_limits = { per_minute = 100, per_day = 50000 }   # 0 = unlimited (spec §1.1)

[dialects.gainsight.keys]
"my-access-key" = { tenant = "acme", user = "1P01..." }   # or just "my-access-key" = "acme"

[dialects.gainsight.objects.Ticket__gc.fields]
Name = { dataType = "STRING", length = 255, nillable = false }
Stage__gc = { dataType = "PICKLIST", items = ["New", "Open", "Closed"] }
Company_ID__gc = { dataType = "LOOKUP", lookupObject = "Company" }
```
"""

from __future__ import annotations

import ipaddress
import zoneinfo
from typing import Any, Literal

import msgspec

from doppelgate.config import ConfigError, Settings, dialect_table

DateOutput = Literal["epoch_ms", "iso"]

VENDOR_PER_MINUTE = 100  # sync limits (spec §1.1)
VENDOR_PER_DAY = 50_000


class AccessKey(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    tenant: str = ""  # default: the key itself names the tenant
    user: str = ""  # GSID written to CreatedBy/ModifiedBy (spec §5); default: derived from the key


class RateLimits(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    per_minute: int | None = None
    per_day: int | None = None


class Item(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    label: str
    value: str = ""  # the item GSID; default: derived from tenant, field and label
    active: bool = True
    systemName: str = ""


class FieldDecl(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    dataType: str = "STRING"
    length: int | None = None
    nillable: bool = True
    decimalPlaces: int | None = None
    items: list[str | Item] = msgspec.field(default_factory=list)
    category: str = ""  # dropdown category shared by several fields (default: object.field)
    lookupObject: str = ""
    defaultValue: Any = None  # written by onNoMatch DEFAULTVALUE (spec §4)
    label: str = ""


class ObjectDecl(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    label: str = ""
    transactional: bool = True  # false: a High Volume object, not served here (spec §0)
    fields: dict[str, FieldDecl | str] = msgspec.field(default_factory=dict)


class GainsightOptions(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    strict: bool = False
    keys: dict[str, AccessKey | str] = msgspec.field(default_factory=dict)
    rate_limits: RateLimits = msgspec.field(default_factory=RateLimits)
    date_output: DateOutput | None = None
    time_zone: str = "UTC"
    infer_objects: bool = True
    allowed_ips: list[str] = msgspec.field(default_factory=list)  # CIDRs; empty = anyone
    objects: dict[str, ObjectDecl] = msgspec.field(default_factory=dict)

    def key(self, accesskey: str) -> AccessKey | None:
        found = self.keys.get(accesskey)
        return AccessKey(tenant=found) if isinstance(found, str) else found

    @property
    def per_minute(self) -> int:
        """0 = unlimited. Unset: the vendor's limit in strict mode, none when permissive."""
        limit = self.rate_limits.per_minute
        return limit if limit is not None else (VENDOR_PER_MINUTE if self.strict else 0)

    @property
    def per_day(self) -> int:
        limit = self.rate_limits.per_day
        return limit if limit is not None else (VENDOR_PER_DAY if self.strict else 0)

    def date_output_for(self, read: bool) -> DateOutput:
        if self.date_output is not None:
            return self.date_output
        return "iso" if read else "epoch_ms"  # spec §2.2 recommendation

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def gainsight_options(settings: Settings | Any) -> GainsightOptions:
    raw = dialect_table(settings, "gainsight")  # without `hosts`, which the core reads
    try:
        options = msgspec.convert(raw, GainsightOptions, strict=False)
        options.zone  # noqa: B018 - fail at start-up on an unknown zone
        for network in options.allowed_ips:
            ipaddress.ip_network(network, strict=False)
    except (msgspec.ValidationError, zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"invalid [dialects.gainsight] settings: {exc}") from None
    return options
