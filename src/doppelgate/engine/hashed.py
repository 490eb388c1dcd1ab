"""The memory backend's hash indexes (memory/collection.py), and the keys that built them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .core import Document, IndexKeys, IndexSpec
from .indexes import index_keys


class HashIndex:
    """Key tuple -> ids of the documents holding it; arrays index each element (multikey)."""

    def __init__(self, spec: IndexSpec) -> None:
        self.spec = spec
        self.entries: dict[tuple[Any, ...], dict[Any, None]] = {}

    def keys_of(self, doc: Document) -> set[tuple[Any, ...]]:
        return index_keys(self.spec, doc)

    def conflict(self, keys: Iterable[tuple[Any, ...]], own_id: Any) -> tuple[Any, ...] | None:
        for key in keys:
            holders = self.entries.get(key)
            if holders and any(h != own_id for h in holders):
                return key
        return None

    def add(self, keys: Iterable[tuple[Any, ...]], id_key: Any) -> None:
        for key in keys:
            self.entries.setdefault(key, {})[id_key] = None

    def remove(self, keys: Iterable[tuple[Any, ...]], id_key: Any) -> None:
        for key in keys:
            holders = self.entries.get(key)
            if holders is not None:
                holders.pop(id_key, None)
                if not holders:
                    del self.entries[key]


class Declared:
    """Index keys as a caller gives them -> the index they built: ensuring an index that exists
    costs a dict look-up (no spec parsed, no name joined); an index replaced or dropped since is
    not the one an entry holds, so it is built again."""

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], tuple[str, IndexSpec]] = {}

    def known(self, keys: IndexKeys, unique: bool, indexes: Mapping[str, HashIndex]) -> str | None:
        """The index's name when `keys` built the index of that name that is there now."""
        found = self._built.get(_given(keys, unique))
        if found is None:
            return None
        index = indexes.get(found[0])
        return found[0] if index is not None and index.spec is found[1] else None

    def record(self, keys: IndexKeys, unique: bool, index: HashIndex) -> None:
        given = _given(keys, unique)
        if given is not None:
            self._built[given] = (index.spec.name, index.spec)


def _given(keys: IndexKeys, unique: bool) -> tuple[Any, ...] | None:
    """The keys as a dict key; None for keys a dict cannot hold (lists: always built anew)."""
    given = (unique, *keys)
    try:
        hash(given)
    except TypeError:
        return None
    return given
