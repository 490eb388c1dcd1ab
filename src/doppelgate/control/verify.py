"""Verification of what was called: counts over the request journal and readable near misses."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from .journal import Entry, Journal

NEAR_MISS_LIMIT = 10  # the message lists this many; the count of the rest is given


class Verdict(msgspec.Struct, kw_only=True):
    """One verification: how many journal entries matched, and the calls that nearly did."""

    dialect: str | None  # None: any
    operation: str | None
    tenant: str | None
    status: int | None
    times: int | None  # None: at least once
    count: int
    ok: bool
    near_misses: list[Entry]
    message: str


def _wanted(
    dialect: str | None, operation: str | None, tenant: str | None, status: int | None
) -> str:
    parts = [f"operation {operation!r}" if operation else "any operation"]
    if tenant is not None:
        parts.append(f"tenant {tenant!r}")
    if status is not None:
        parts.append(f"status {status}")
    return f"{dialect or 'any dialect'} " + ", ".join(parts)


def _line(entry: Entry, tenant: str | None, status: int | None) -> str:
    marks = []
    if tenant is not None and entry.tenant != tenant:
        marks.append(f"tenant {entry.tenant!r} (not {tenant!r})")
    if status is not None and entry.status != status:
        marks.append(f"status {entry.status} (not {status})")
    what = "; ".join(marks) or f"tenant {entry.tenant!r}, status {entry.status}"
    return f"  #{entry.seq} {entry.method} {entry.path} -> {what}"


def near_misses(
    journal: Journal,
    dialect: str | None,
    operation: str | None,
    tenant: str | None,
    status: int | None,
) -> list[Entry]:
    """Calls of the dialect with the same operation (any, when none is given) that another
    tenant or status kept from matching."""
    if tenant is None and status is None:
        return []
    same_operation = journal.query(dialect, operation)
    return [
        e
        for e in same_operation
        if (tenant is not None and e.tenant != tenant)
        or (status is not None and e.status != status)
    ]


def verify(
    journal: Journal,
    dialect: str | None,
    operation: str | None = None,
    *,
    tenant: str | None = None,
    status: int | None = None,
    times: int | None = None,
) -> Verdict:
    """Count the matching calls; `times` None asks for at least one."""
    count = len(journal.query(dialect, operation, tenant, status))
    ok = count >= 1 if times is None else count == times
    misses = [] if ok else near_misses(journal, dialect, operation, tenant, status)
    message = (
        "" if ok else _message(journal, dialect, operation, tenant, status, times, count, misses)
    )
    return Verdict(
        dialect=dialect,
        operation=operation,
        tenant=tenant,
        status=status,
        times=times,
        count=count,
        ok=ok,
        near_misses=misses,
        message=message,
    )


def _message(
    journal: Journal,
    dialect: str | None,
    operation: str | None,
    tenant: str | None,
    status: int | None,
    times: int | None,
    count: int,
    misses: Sequence[Entry],
) -> str:
    expected = "at least once" if times is None else f"{times} time{'s' * (times != 1)}"
    lines = [
        f"expected {_wanted(dialect, operation, tenant, status)} called {expected}, "
        f"but it was called {count} time{'s' * (count != 1)}"
    ]
    if misses:
        lines.append(f"near misses ({len(misses)}):")
        lines += [_line(e, tenant, status) for e in misses[:NEAR_MISS_LIMIT]]
        if len(misses) > NEAR_MISS_LIMIT:
            lines.append(f"  ... and {len(misses) - NEAR_MISS_LIMIT} more")
    elif count == 0 and dialect is not None:
        called = sorted({e.operation for e in journal.query(dialect)})
        lines.append(
            f"{dialect} operations called: {', '.join(called)}" if called else f"no {dialect} calls"
        )
    if len(journal) >= journal.capacity:
        lines.append(f"(the journal keeps the last {journal.capacity} calls: older ones are gone)")
    return "\n".join(lines)
