"""Fixtures of the gigya suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.backends import AppClient

from .helpers import Gigya

GigyaFactory = Callable[..., Gigya]


@pytest.fixture
def gigya_factory(app_client: AppClient) -> GigyaFactory:
    """Clients of an app on the test's engine, with the given [dialects.gigya] options."""

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Gigya:
        http = app_client("gigya", options, kwargs.pop("base_url", "http://testserver"))
        return Gigya(http, **kwargs)

    return make


@pytest.fixture
def gigya(gigya_factory: GigyaFactory) -> Gigya:
    """A permissive server, called with apiKey + secret (a server-side call)."""
    return gigya_factory()
