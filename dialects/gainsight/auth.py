"""The Accesskey header (spec §1.1): permissive by default (any well-formed key is a tenant),
strict when configured (only `[dialects.gainsight.keys]`)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from starlette.requests import Request

from .errors import INVALID_AUTH_HEADERS, IP_NOT_ALLOWED, UNAUTHORIZED, GainsightError
from .gsid import is_gsid, user_gsid
from .options import GainsightOptions

WELL_FORMED = re.compile(r"^[\x21-\x7e]{1,512}$")  # printable ASCII, no spaces [I]


@dataclass(frozen=True, slots=True)
class Caller:
    accesskey: str
    tenant: str
    user: str  # gsuser GSID for CreatedBy/ModifiedBy (spec §5)


def authenticate(request: Request, options: GainsightOptions) -> Caller:
    """Missing or unknown key -> 401 GS_APIG_2401; a malformed one -> 400 GSOBJ_1024 (README)."""
    values = request.headers.getlist("accesskey")  # header names are case-insensitive
    if not values or not values[0].strip():
        raise GainsightError(UNAUTHORIZED)
    key = values[0].strip()
    if len(values) > 1 or not WELL_FORMED.match(key):
        raise GainsightError(INVALID_AUTH_HEADERS)
    configured = options.key(key)
    if configured is None and options.strict:
        raise GainsightError(UNAUTHORIZED)
    tenant = (configured.tenant if configured else "") or key
    user = configured.user if configured and is_gsid(configured.user) else ""
    return Caller(key, tenant, user or user_gsid(tenant, key))


def check_ip(request: Request, options: GainsightOptions) -> None:
    """With `allowed_ips` configured, other callers get 403 GS_APIG_2402 (spec §6)."""
    if not options.allowed_ips:
        return
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise GainsightError(IP_NOT_ALLOWED) from None
    if not any(address in ipaddress.ip_network(n, strict=False) for n in options.allowed_ips):
        raise GainsightError(IP_NOT_ALLOWED)
