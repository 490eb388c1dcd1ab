"""Fixtures of the gainsight suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.backends import AppClient

from .helpers import Gainsight

GainsightFactory = Callable[..., Gainsight]


@pytest.fixture
def gs_factory(app_client: AppClient) -> GainsightFactory:
    """Clients of an app on the test's engine, with the given [dialects.gainsight] options."""

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Gainsight:
        http = app_client("gainsight", options, kwargs.pop("base_url", "http://testserver"))
        return Gainsight(http, **kwargs)

    return make


@pytest.fixture
def gs(gs_factory: GainsightFactory) -> Gainsight:
    """A permissive server, called with a fresh Accesskey (a tenant of its own)."""
    return gs_factory()
