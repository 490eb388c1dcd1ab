"""The engine backends every engine and dialect suite runs on, and how a test gets one."""

from __future__ import annotations

import atexit
import functools
import os
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from doppelgate.engine import Engine

BACKENDS = ["memory", "mongodb"]

# the `app_client` fixture (tests/conftest.py): (dialect, options, base_url, **httpx) -> client
AppClient = Callable[..., httpx.AsyncClient]

TEST_TIMEOUT_MS = 10_000  # generous on a busy CI machine, still bounded


async def make_engine(name: str, request: pytest.FixtureRequest) -> Engine:
    """A fresh, empty, opened engine of the named backend for one test.

    mongodb: a new database on the session's MongoDB (`mongo_url`), dropped when the requesting
    fixture is torn down (after it closes the engine).
    """
    if name == "memory":
        from doppelgate.engine.memory import MemoryEngine

        engine = MemoryEngine()
        await engine.open()
        return engine
    if name == "mongodb":
        from doppelgate.engine.mongodb import MongoEngine

        url: str = request.getfixturevalue("mongo_url")
        if not os.environ.get("DOPPELGATE_TEST_MONGO_URL"):
            request.getfixturevalue("mongo_server").start()  # back up if a test left it down
        database = f"dgtest_{uuid.uuid4().hex[:16]}"
        mongo = MongoEngine(url, database, timeout_ms=TEST_TIMEOUT_MS)
        request.addfinalizer(lambda: drop_database(url, database))
        await mongo.open()
        return mongo
    raise ValueError(f"unknown backend {name}")


def drop_database(url: str, database: str) -> None:
    """Drop a test database (synchronously: fixture finalizers are plain functions)."""
    _sync_client(url).drop_database(database)


@functools.cache
def _sync_client(url: str) -> MongoClient[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        url, serverSelectionTimeoutMS=TEST_TIMEOUT_MS, timeoutMS=TEST_TIMEOUT_MS
    )
    atexit.register(client.close)
    return client
