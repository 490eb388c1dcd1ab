"""Gainsight's /v1/data/objects endpoints (added by later issues)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from doppelgate.dialect import DialectContext


def routes(ctx: DialectContext) -> list[BaseRoute]:
    return []
