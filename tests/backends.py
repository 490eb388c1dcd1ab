"""The engine backends every engine and dialect suite runs on, and how a test gets one."""

from __future__ import annotations

import pytest

from doppelgate.engine import Engine

BACKENDS = ["memory"]  # issue 3 adds "mongodb"


async def make_engine(name: str, request: pytest.FixtureRequest) -> Engine:
    """A fresh, empty, opened engine of the named backend for one test."""
    if name == "memory":
        from doppelgate.engine.memory import MemoryEngine

        engine = MemoryEngine()
        await engine.open()
        return engine
    raise ValueError(f"unknown backend {name}")
