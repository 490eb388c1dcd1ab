"""Per dialect, what the fault form offers: the operation names the control plane's fault layer
matches (control.py operation_namer) and the vendor error codes its fault hook accepts."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from starlette.routing import BaseRoute, Route

from ..dialect import Dialect, DialectContext

# SPiD's routes are one catch-all; these are the names control.py's _spid rule gives (spec §3)
SPID_OPERATIONS = (
    "GET /api/2/user/{id}/dataobject/{key}",
    "POST /api/2/user/{id}/dataobject/{key}",
    "DELETE /api/2/user/{id}/dataobject/{key}",
    "GET /api/2/user/{id}/dataobjects",
    "GET /api/2/dataobjects",
    "POST /oauth/token",
)


def operations(dialect: Dialect, ctx: DialectContext) -> list[str]:
    if dialect.name == "gigya":
        return sorted(importlib.import_module("doppelgate.dialects.gigya.routes").METHODS)
    if dialect.name == "spid":
        return list(SPID_OPERATIONS)
    return _templates(dialect.routes(ctx))


def _templates(routes: Sequence[BaseRoute]) -> list[str]:
    """`METHOD template` of each route, as the fault layer names operations without a rule."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, Route) and ":path}" not in route.path:
            for method in sorted(route.methods or ()):
                name = f"{method} {route.path}"
                if method != "HEAD" and name not in found:
                    found.append(name)
    return found


def error_codes(dialect: Dialect) -> list[str]:
    """The codes the dialect's fault hook accepts (its errors.py catalogue)."""
    errors = importlib.import_module(f"doppelgate.dialects.{dialect.name}.errors")
    if dialect.name == "gigya":
        return [str(code) for code in sorted(errors.ERROR_MESSAGES)]
    if dialect.name == "gainsight":
        return [entry.code for entry in errors.CATALOGUE]
    upper = {k: v for k, v in vars(errors).items() if k.isupper() and not k.startswith("_")}
    if dialect.name == "spid":
        named = [k for k, v in upper.items() if isinstance(v, tuple) and len(v) == 2]
        oauth = [v for v in upper.values() if isinstance(v, str) and v.islower() and "_" in v]
        return named + oauth
    return sorted({v for v in upper.values() if isinstance(v, str) and ":" in v})
