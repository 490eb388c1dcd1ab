"""Fixtures of the lightblue suite: every test runs once per engine backend (tests.backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.backends import AppClient

from .helpers import Lightblue, country_metadata
from .upstream import sample1, test_metadata

LightblueFactory = Callable[..., Lightblue]


@pytest.fixture
def lb_factory(app_client: AppClient) -> LightblueFactory:
    """Clients of an app on the test's engine, with the given [dialects.lightblue] options."""

    def make(options: dict[str, Any] | None = None, **kwargs: Any) -> Lightblue:
        base_url = kwargs.pop("base_url", "http://testserver/lightblue")
        http = app_client("lightblue", options, base_url, auth=kwargs.pop("auth", None))
        return Lightblue(http, **kwargs)

    return make


@pytest.fixture
def lb(lb_factory: LightblueFactory) -> Lightblue:
    return lb_factory()


@pytest.fixture
async def country(lb: Lightblue) -> Lightblue:
    """A client whose tenant has the `country` entity (version 1.0.0, the default)."""
    await lb.create_metadata(country_metadata())
    return lb


@pytest.fixture
async def sample(lb: Lightblue) -> Lightblue:
    """A client whose tenant has upstream's `test` entity holding upstream's sample1 document."""
    await lb.create_metadata(test_metadata())
    reply = await lb.insert("test", sample1())
    assert reply["status"] == "COMPLETE", reply
    return lb
