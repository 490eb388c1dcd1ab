"""Values a dialect derives from a collection's documents (a parsed schema), kept while the
collection's generation() stays the same, so an unchanged collection is not read again; and
values built from a stored text, kept by that text (the same text builds the same value)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from .core import Address, Collection

V = TypeVar("V")
T = TypeVar("T")


class Derived(Generic[V]):
    """A bounded cache of values per (collection, key), each tagged with the generation it was
    read at. One per dialect context (made by its routes(ctx)), never shared between engines:
    generations are numbers of one engine."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[Address, Hashable], tuple[int, V]] = {}
        self._built: dict[Hashable, Any] = {}  # content -> what build() made of it

    async def get(
        self, collection: Collection, key: Hashable, read: Callable[[], Awaitable[V]]
    ) -> V:
        """The value `read` gives, from the cache when the collection has not changed since;
        a backend that cannot tell (generation None) is always read."""
        generation = collection.generation()
        if generation is None:
            return await read()
        slot = (collection.address, key)
        kept = self._entries.get(slot)
        if kept is not None and kept[0] == generation:
            return kept[1]
        # tagged with the generation seen before reading: a write while reading makes it stale
        value = await read()
        _keep(self._entries, slot, (generation, value), self.max_entries)
        return value

    def built(self, content: Hashable, build: Callable[[], T]) -> T:
        """The value `build` makes from `content` (a stored declaration's text, say), built once
        while kept: on any backend, a value read again is not parsed again."""
        try:
            return self._built[content]  # type: ignore[no-any-return]
        except KeyError:
            pass
        value = build()
        _keep(self._built, content, value, self.max_entries)
        return value


def _keep(entries: dict[Any, Any], key: Hashable, value: Any, max_entries: int) -> None:
    if len(entries) >= max_entries and key not in entries:
        del entries[next(iter(entries))]  # the oldest entry makes room
    entries[key] = value
