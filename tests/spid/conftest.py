"""Fixtures of the spid suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.backends import AppClient

from .helpers import Spid

SpidFactory = Callable[..., Spid]


@pytest.fixture
def spid_factory(app_client: AppClient) -> SpidFactory:
    """Clients of an app on the test's engine, with the given [dialects.spid] options."""

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Spid:
        http = app_client("spid", options, kwargs.pop("base_url", "http://testserver/spid"))
        return Spid(http, **kwargs)

    return make


@pytest.fixture
def spid(spid_factory: SpidFactory) -> Spid:
    """A permissive server, called with a fresh client's server token."""
    return spid_factory()
