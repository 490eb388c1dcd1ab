"""The embedded backend's `--data-file`: an atomic snapshot plus an append-only journal.

Each acknowledged write is appended to `<file>.journal` before the call returns, so it survives
the process dying (and, with fsync="always", power loss); the snapshot is replaced atomically
(temp file, fsync, rename), so a crash never leaves a torn snapshot, and a torn journal tail (a
write cut off mid-append) is dropped. A write that fails (disk full) is cut back to the last
whole frame before it is reported, so the journal never holds a torn frame before a later
acknowledged write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from .core import Address, Document, IndexSpec, index_spec
from .errors import BackendUnavailable
from .values import hash_key

FORMAT = "doppelgate-memory/1"
_FRAME = struct.Struct("<I")
_MIN_COMPACT_BYTES = 32 * 1024 * 1024

Loaded = tuple[Address, list[IndexSpec], list[Document]]


class DataFile:
    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = path
        self.fsync = fsync  # fdatasync after every frame: acknowledged writes survive power loss
        self.failure: str | None = None  # why the last write failed, until one succeeds
        self.journal_path = path.with_name(path.name + ".journal")
        self._encoder = msgspec.msgpack.Encoder()
        self._fd: int | None = None
        self._journal_bytes = 0
        self._snapshot_bytes = 0
        self._torn = False  # a failed write may have left part of a frame after _journal_bytes

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
        self._journal_bytes = os.fstat(self._fd).st_size  # whole frames: load() cut any tail

    def append(self, record: list[Any]) -> None:
        self._write(self._encoder.encode(record))

    def append_raw(self, address: Address, doc_blob: bytes) -> None:
        record = ["put", address.dialect, address.tenant, address.name, msgspec.Raw(doc_blob)]
        self._write(self._encoder.encode(record))

    def _write(self, payload: bytes) -> None:
        """Append one whole frame, or raise BackendUnavailable with the journal unchanged.

        A failed or short write (disk full, file-size limit, I/O error) is cut back to the last
        whole frame before the error is raised, so no later acknowledged write ever follows a
        torn frame (which loading would drop, with everything after it).
        """
        if self._fd is None:
            self.open_journal()
        assert self._fd is not None
        frame = _FRAME.pack(len(payload)) + payload
        try:
            self._repair()
            written = 0
            while written < len(frame):
                n = os.write(self._fd, frame[written:])
                if n <= 0:
                    raise OSError(errno.ENOSPC, "short write")
                written += n
            if self.fsync:
                os.fdatasync(self._fd)
        except OSError as exc:
            self.failure = f"journal write failed: {exc.strerror or exc}"
            self._torn = True
            with contextlib.suppress(OSError):
                self._repair()
            raise BackendUnavailable(f"data file {self.journal_path}: {self.failure}") from None
        self._journal_bytes += len(frame)
        self.failure = None

    def _repair(self) -> None:
        """Cut a torn tail (left by a failed write) back to the last whole frame."""
        if self._torn:
            assert self._fd is not None
            os.ftruncate(self._fd, self._journal_bytes)
            if self.fsync:
                os.fdatasync(self._fd)
            self._torn = False

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
        try:
            with open(tmp, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
        except OSError:  # e.g. disk full: the journal still holds everything
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
        self._snapshot_bytes = len(blob)
        # the snapshot now holds everything the journal did
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
        elif self.journal_path.exists():
            self.journal_path.unlink()
        self._journal_bytes = 0
        self._torn = False

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
