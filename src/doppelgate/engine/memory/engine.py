"""The embedded backend's engine: its collections by address, and the optional data file
(persist.py) that journals every write and snapshots them all."""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..budget import DEFAULT_MAX_TIME_MS
from ..core import MAX_DOCUMENT_BYTES, Address, Document, Engine, IndexSpec
from ..errors import BackendUnavailable
from ..persist import DataFile
from .collection import MemoryCollection

logger = logging.getLogger("doppelgate")


class MemoryEngine(Engine):
    backend = "memory"

    def __init__(
        self,
        *,
        data_file: str | Path | None = None,
        fsync: bool = False,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        max_time_ms: int = DEFAULT_MAX_TIME_MS,
    ) -> None:
        self.max_document_bytes = max_document_bytes
        self.max_time_ms = max_time_ms
        self._collections: dict[Address, MemoryCollection] = {}
        self._live: set[Address] = set()  # collections that exist (have had a write or index)
        self._file = DataFile(Path(data_file), fsync=fsync) if data_file else None
        self._loaded = False  # a snapshot taken before open() would overwrite the file's data
        self._stamps = itertools.count(1)  # collections' generations: never reused

    def stamp(self) -> int:
        return next(self._stamps)

    def collection(self, dialect: str, tenant: str, name: str) -> MemoryCollection:
        address = Address(dialect, tenant, name)
        found = self._collections.get(address)
        if found is None:
            found = self._collections[address] = MemoryCollection(self, address)
        return found

    async def open(self) -> None:
        if self._file is None:
            return
        for address, indexes, docs in self._file.load():
            coll = self.collection(address.dialect, address.tenant, address.name)
            coll.load(docs)
            for spec in indexes:
                coll._add_index(spec, journal=False)
            self._live.add(address)
        self._loaded = True
        self._file.open_journal()

    async def close(self) -> None:
        if self._file is not None:
            try:
                if self._loaded:
                    self._file.snapshot(self._snapshot_state())
            except OSError as exc:  # e.g. disk full: the journal holds every write
                logger.error("data file %s: snapshot failed: %s", self._file.path, exc)
            self._file.close()

    async def ping(self) -> None:
        """Unavailable while the data file's last write failed (e.g. disk full)."""
        if self._file is not None and self._file.failure is not None:
            raise BackendUnavailable(f"data file {self._file.path}: {self._file.failure}")

    async def collections(
        self, dialect: str | None = None, tenant: str | None = None
    ) -> list[Address]:
        return sorted(
            (
                a
                for a in self._live
                if (dialect is None or a.dialect == dialect)
                and (tenant is None or a.tenant == tenant)
            ),
            key=lambda a: (a.dialect, a.tenant, a.name),
        )

    # -- bookkeeping for collections and the data file ---------------------------------------

    def touch(self, coll: MemoryCollection) -> None:
        self._live.add(coll.address)

    # each journal_* call comes before the change it records, which happens only if it returns

    def forget(self, address: Address) -> None:
        if self._file is not None:
            self._file.append(["drop", *_addr(address)])
        self._live.discard(address)

    def journal_put(self, address: Address, blob: bytes) -> None:
        if self._file is not None:
            self._file.append_raw(address, blob)
        self._live.add(address)

    def journal_delete(self, address: Address, doc_id: Any) -> None:
        if self._file is not None:
            self._file.append(["del", *_addr(address), doc_id])

    def journal_index(self, address: Address, spec: IndexSpec) -> None:
        if self._file is not None:
            self._file.append(["index", *_addr(address), [list(k) for k in spec.keys], spec.unique])

    def compact_if_due(self) -> None:
        """Fold the journal into a new snapshot once it outgrows the last one."""
        if self._file is None or not self._loaded or not self._file.wants_compaction():
            return
        started = time.perf_counter()
        try:
            self._file.snapshot(self._snapshot_state())
        except OSError as exc:  # the journal still holds every write: retried after the next
            logger.error("data file %s: snapshot failed: %s", self._file.path, exc)
            return
        took = time.perf_counter() - started
        logger.info("data file %s compacted in %.2f s", self._file.path, took)

    def _snapshot_state(self) -> list[tuple[Address, list[IndexSpec], Iterable[Document]]]:
        return [
            (
                a,
                [
                    i.spec
                    for name, i in self._collections[a].indexes.items()
                    if not name.startswith("auto:")
                ],
                self._collections[a].docs.values(),
            )
            for a in self._live
            if a in self._collections
        ]


def _addr(address: Address) -> list[str]:
    return [address.dialect, address.tenant, address.name]
