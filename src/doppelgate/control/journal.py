"""The request journal: a bounded ring of what each dialect was asked and what it answered."""

from __future__ import annotations

from collections import deque

import msgspec

from .capture import Capture, Exchange


class Entry(msgspec.Struct, kw_only=True):
    seq: int  # 1, 2, ... since the emulator started (survives the ring dropping old entries)
    started: float  # Unix time, seconds
    duration_ms: float
    dialect: str
    operation: str  # e.g. "ds.store", "GET /api/2/user/{id}/dataobject/{key}"
    tenant: str | None  # when the dialect names it (doppelgate.dialect.note)
    method: str
    path: str  # as the vendor sees it (no /<dialect> prefix)
    host: str
    status: int  # HTTP status sent; 0 when no response began
    request_id: str
    fault: str | None = None  # the injected fault's id, when one fired


class Journal:
    """The last `capacity` entries, oldest first."""

    def __init__(self, capacity: int) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)
        # by seq: the bodies, for entries still held; redacted when first read
        self._exchanges: dict[int, Capture | Exchange] = {}
        self._seq = 0

    @property
    def capacity(self) -> int:
        return self._entries.maxlen or 0

    def __len__(self) -> int:
        return len(self._entries)

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def record(self, entry: Entry, exchange: Capture | Exchange | None = None) -> None:
        if len(self._entries) == self.capacity and self._entries:
            self._exchanges.pop(self._entries[0].seq, None)  # the ring drops the oldest
        self._entries.append(entry)
        if exchange is not None:
            self._exchanges[entry.seq] = exchange

    def clear(self) -> None:
        self._entries.clear()
        self._exchanges.clear()

    def get(self, seq: int) -> tuple[Entry, Exchange | None] | None:
        """The entry `seq` and its captured exchange, while the ring still holds it."""
        for entry in reversed(self._entries):
            if entry.seq == seq:
                found = self._exchanges.get(seq)
                if isinstance(found, Capture):
                    found = self._exchanges[seq] = found.exchange()
                return entry, found
            if entry.seq < seq:
                break
        return None

    def query(
        self,
        dialect: str | None = None,
        operation: str | None = None,
        tenant: str | None = None,
        status: int | None = None,
        limit: int | None = None,
        after: int | None = None,
    ) -> list[Entry]:
        """Matching entries, oldest first; `limit` keeps the newest ones, `after` only those with
        a greater seq. Operations compare case-insensitively (Gigya's method names are)."""
        op = operation.lower() if operation else None
        found = [
            e
            for e in self._entries
            if (after is None or e.seq > after)
            and (dialect is None or e.dialect == dialect)
            and (op is None or e.operation.lower() == op)
            and (tenant is None or e.tenant == tenant)
            and (status is None or e.status == status)
        ]
        return found[-limit:] if limit else found
