"""The journal's and faults' names for SPiD's data-object calls: one route serves /api/2/*, so
the name comes from the path, "<METHOD> <template>" (spec §3)."""

from __future__ import annotations

import re

_OBJECT = re.compile(r"^/api/2/user/[^/]+/dataobject(?:/[^/]*)?$")
_OBJECTS = re.compile(r"^/api/2/user/[^/]+/dataobjects$")

# what faults may target (the catch-all route cannot list them)
OPERATIONS = (
    "GET /api/2/dataobjects",
    "GET /api/2/user/{id}/dataobjects",
    "GET /api/2/user/{id}/dataobject/{key}",
    "POST /api/2/user/{id}/dataobject/{key}",
    "DELETE /api/2/user/{id}/dataobject/{key}",
)


def operation_of(method: str, path: str) -> str | None:
    """The operation of (method, vendor path); None: the route's own template names it."""
    path = path.removesuffix(".json").rstrip("/") if path != "/" else path
    if _OBJECT.match(path):
        return f"{method} /api/2/user/{{id}}/dataobject/{{key}}"
    if _OBJECTS.match(path):
        return f"{method} /api/2/user/{{id}}/dataobjects"
    return f"{method} {path}" if path == "/api/2/dataobjects" else None
