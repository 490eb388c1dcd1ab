"""The shared document engine: an async store speaking a documented MongoDB subset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .core import Address, Collection, Document, Engine, UpdateResult
from .derived import Derived
from .errors import (
    BackendUnavailable,
    DocumentTooLarge,
    DuplicateKey,
    EngineError,
    InvalidDocument,
    InvalidFilter,
    InvalidUpdate,
    QueryTimeout,
    RegexTimeout,
)

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "Address",
    "BackendUnavailable",
    "Collection",
    "Derived",
    "Document",
    "DocumentTooLarge",
    "DuplicateKey",
    "Engine",
    "EngineError",
    "InvalidDocument",
    "InvalidFilter",
    "InvalidUpdate",
    "QueryTimeout",
    "RegexTimeout",
    "UpdateResult",
    "create_engine",
]


def create_engine(settings: Settings | Any) -> Engine:
    """The engine the settings ask for; the MongoDB driver is imported only when used."""
    if settings.backend == "memory":
        from .memory import MemoryEngine

        return MemoryEngine(
            data_file=settings.data_file,
            fsync=settings.fsync == "always",
            max_time_ms=settings.max_time_ms,
        )
    if settings.backend == "mongodb":
        from .mongodb import MongoEngine

        return MongoEngine.from_settings(settings)
    raise ValueError(f"unknown backend {settings.backend!r} (memory or mongodb)")
