"""Operation names for the journal, metrics and faults: the dialect's own (Dialect.operation_of),
else "<METHOD> <route template>" of the route that serves the request."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope

from ..dialect import Dialect


def route_template(routes: Sequence[BaseRoute], method: str, path: str) -> str | None:
    """The path template of the route serving (method, path), through nested Mounts."""
    scope: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return _template(routes, scope)


def _template(routes: Sequence[BaseRoute], scope: Scope) -> str | None:
    for route in routes:
        match, child = route.matches(scope)
        if match is not Match.FULL:
            continue
        if isinstance(route, Mount):
            rest = _template(route.routes, {**scope, **child})
            return None if rest is None else route.path + rest
        template = getattr(route, "path", None)
        return None if template is None or ":path}" in template else template
    return None


def route_operations(routes: Sequence[BaseRoute], prefix: str = "") -> list[str]:
    """ "<METHOD> <template>" for every route with methods, through nested Mounts."""
    found: list[str] = []
    for route in routes:
        if isinstance(route, Mount):
            found += route_operations(route.routes, prefix + route.path)
            continue
        template, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if template is None or not methods or ":path}" in template:
            continue
        found += [f"{m} {prefix}{template}" for m in sorted(methods) if m != "HEAD"]
    return found


def operation_namer(dialect: Dialect, routes: Sequence[BaseRoute]) -> Callable[[str, str], str]:
    """(HTTP method, vendor path) -> the operation's name, cached per (method, path)."""
    rule = dialect.operation_of

    @functools.lru_cache(maxsize=4096)
    def name(method: str, path: str) -> str:
        found = rule(method, path) if rule is not None else None
        if found is None:
            template = route_template(routes, method, path)
            found = f"{method} {template if template is not None else path}"
        return found

    return name
