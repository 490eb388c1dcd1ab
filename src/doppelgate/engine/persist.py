"""The embedded backend's `--data-file`: an atomic snapshot plus an append-only journal.

Each acknowledged write is appended to `<file>.journal` before the call returns, so it survives
the process dying; the snapshot is replaced atomically (temp file, fsync, rename), so a crash
never leaves a torn snapshot, and a torn journal tail (a write cut off mid-append) is dropped.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from .core import Address, Document, IndexSpec, index_spec
from .values import hash_key

FORMAT = "doppelgate-memory/1"
_FRAME = struct.Struct("<I")
_MIN_COMPACT_BYTES = 32 * 1024 * 1024

Loaded = tuple[Address, list[IndexSpec], list[Document]]


class DataFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.journal_path = path.with_name(path.name + ".journal")
        self._encoder = msgspec.msgpack.Encoder()
        self._fd: int | None = None
        self._journal_bytes = 0
        self._snapshot_bytes = 0

    # -- loading -----------------------------------------------------------------------------

    def load(self) -> list[Loaded]:
        state: dict[Address, tuple[dict[str, IndexSpec], dict[Any, Document]]] = {}
        if self.path.exists():
            raw = self.path.read_bytes()
            self._snapshot_bytes = len(raw)
            snapshot = msgspec.msgpack.decode(raw)
            if snapshot.get("format") != FORMAT:
                raise ValueError(f"{self.path} is not a doppelgate data file")
            for d, t, n, indexes, docs in snapshot["collections"]:
                specs = [index_spec(keys, unique) for keys, unique in indexes]
                state[Address(d, t, n)] = (
                    {s.name: s for s in specs},
                    {hash_key(doc["_id"]): doc for doc in docs},
                )
        for record in self._replay():
            op, address = record[0], Address(*record[1:4])
            if op == "drop":
                state.pop(address, None)
                continue
            indexes, docs = state.setdefault(address, ({}, {}))
            if op == "put":
                docs[hash_key(record[4]["_id"])] = record[4]
            elif op == "del":
                docs.pop(hash_key(record[4]), None)
            elif op == "index":
                spec = index_spec(record[4], record[5])
                indexes[spec.name] = spec
        return [(a, list(ix.values()), list(docs.values())) for a, (ix, docs) in state.items()]

    def _replay(self) -> Iterator[list[Any]]:
        if not self.journal_path.exists():
            return
        data = self.journal_path.read_bytes()
        offset = 0
        while offset + _FRAME.size <= len(data):
            (length,) = _FRAME.unpack_from(data, offset)
            end = offset + _FRAME.size + length
            if end > len(data):
                break
            try:
                record = msgspec.msgpack.decode(data[offset + _FRAME.size : end])
            except msgspec.DecodeError:
                break
            yield record
            offset = end
        if offset < len(data):  # a torn tail: that write never returned to its caller
            with open(self.journal_path, "r+b") as f:
                f.truncate(offset)
        self._journal_bytes = offset

    # -- writing -----------------------------------------------------------------------------

    def open_journal(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def append(self, record: list[Any]) -> None:
        self._write(self._encoder.encode(record))

    def append_raw(self, address: Address, doc_blob: bytes) -> None:
        record = ["put", address.dialect, address.tenant, address.name, msgspec.Raw(doc_blob)]
        self._write(self._encoder.encode(record))

    def _write(self, payload: bytes) -> None:
        if self._fd is None:
            self.open_journal()
        assert self._fd is not None
        os.write(self._fd, _FRAME.pack(len(payload)) + payload)
        self._journal_bytes += _FRAME.size + len(payload)

    def wants_compaction(self) -> bool:
        return self._journal_bytes > max(_MIN_COMPACT_BYTES, self._snapshot_bytes)

    def snapshot(
        self, collections: list[tuple[Address, list[IndexSpec], Iterable[Document]]]
    ) -> None:
        body = {
            "format": FORMAT,
            "collections": [
                [a.dialect, a.tenant, a.name, [[list(s.keys), s.unique] for s in specs], list(docs)]
                for a, specs, docs in collections
            ],
        }
        blob = self._encoder.encode(body)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        self._snapshot_bytes = len(blob)
        # the snapshot now holds everything the journal did
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
        elif self.journal_path.exists():
            self.journal_path.unlink()
        self._journal_bytes = 0

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
