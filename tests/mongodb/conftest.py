"""Fixtures of the MongoDB-backend process tests: fresh databases, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from doppelgate.engine.mongodb import MongoEngine
from tests.backends import TEST_TIMEOUT_MS, drop_database
from tests.conftest import URL_ENV, MongoWireServer

from .helpers import database_name


@pytest.fixture
def database(mongo_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database on the session's MongoDB (`mongo_url`), dropped after the test."""
    if not os.environ.get(URL_ENV):
        request.getfixturevalue("mongo_server").start()  # back up if a test left it down
    name = database_name()
    yield name
    drop_database(mongo_url, name)


@pytest.fixture
async def engines(mongo_url: str, database: str) -> AsyncIterator[list[MongoEngine]]:
    """Two engines on one fresh database: two "processes", two connection pools."""
    pair = [MongoEngine(mongo_url, database, timeout_ms=TEST_TIMEOUT_MS) for _ in range(2)]
    for engine in pair:
        await engine.open()
    yield pair
    for engine in pair:
        await engine.close()


@pytest.fixture
def local_server(mongo_server: MongoWireServer) -> Iterator[MongoWireServer]:
    """The local wire server, which outage tests stop: running before the test and after it."""
    mongo_server.start()
    try:
        yield mongo_server
    finally:
        mongo_server.start()  # whatever the test did: the rest of the session needs it


@pytest.fixture
def local_database(local_server: MongoWireServer) -> Iterator[str]:
    """A fresh database on the local wire server, dropped after the test."""
    name = database_name()
    yield name
    local_server.start()
    drop_database(local_server.url, name)
