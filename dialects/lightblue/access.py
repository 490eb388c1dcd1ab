"""Who may do what: role lists per operation and field (§6 Access), and the caller's tenant."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from doppelgate.dialect import note

from .schema import Field, Schema

ANYONE, NOONE = "anyone", "noone"
DEFAULT_TENANT = "default"


@dataclass(frozen=True, slots=True)
class Caller:
    """The HTTP-authenticated identity: its user names the tenant (permissive mode)."""

    user: str | None
    roles: frozenset[str] | None  # None: every role (permissive)
    max_result_bytes: int | None = None  # maxResultSetSizeForReadsB, when configured (§4)

    @property
    def tenant(self) -> str:
        return self.user or DEFAULT_TENANT

    def granted(self, roles: Any) -> bool:
        """`anyone` grants all, `noone` none; a missing or empty list denies (§6)."""
        if not isinstance(roles, list) or not roles:
            return False
        if ANYONE in roles:
            return True
        wanted = {r for r in roles if isinstance(r, str) and r != NOONE}
        if self.roles is None:
            return bool(wanted)
        return bool(wanted & self.roles)

    def may(self, schema: Schema, operation: str) -> bool:
        return self.granted(schema.access.get(operation))

    def may_field(self, schema: Schema, field: Field, operation: str) -> bool:
        """Field access falls back to the nearest ancestor's, then the entity's (§6)."""
        node: Field | None = field
        while node is not None and node.path:
            roles = node.access.get(operation)
            if roles is not None:
                return self.granted(roles)
            node = node.parent
        return self.may(schema, operation)


def caller_of(request: Request, options: dict[str, Any]) -> Caller:
    """Basic-auth user (or client certificate CN header) names the tenant; roles from options."""
    user: str | None = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            user = base64.b64decode(header[6:].strip()).decode().partition(":")[0] or None
        except (ValueError, UnicodeDecodeError):
            user = None
    roles = options.get("roles")
    limit = options.get("maxResultSetSizeForReadsB")
    caller = Caller(
        user,
        frozenset(roles) if isinstance(roles, list) else None,
        limit if isinstance(limit, int) and limit > 0 else None,
    )
    note(request, tenant=caller.tenant)  # every call names its caller here: tell the journal
    return caller
