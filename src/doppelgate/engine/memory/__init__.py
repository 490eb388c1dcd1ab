"""The embedded backend (the default): documents in memory, hash and ordered indexes, an optional
data file. engine.py holds the collections and the data file; collection.py each collection's
documents, indexes and operations (planned by planner.py)."""

from .collection import MemoryCollection
from .engine import MemoryEngine

__all__ = ["MemoryCollection", "MemoryEngine"]
