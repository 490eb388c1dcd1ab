"""Fault injection: make a dialect's operation fail with one of the vendor's own error codes,
answer late, or both; with a probability drawn from a seeded RNG, for a number of times."""

from __future__ import annotations

import itertools
import random
from typing import Annotated

import msgspec

Probability = Annotated[float, msgspec.Meta(ge=0, le=1)]
NonNegative = Annotated[float, msgspec.Meta(ge=0)]
Times = Annotated[int, msgspec.Meta(ge=1)]


class FaultSpec(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What to inject. `operation` None (or "*") means every operation of the dialect; `error`
    None means latency only (the real operation still runs, late)."""

    dialect: str
    operation: str | None = None
    error: str | None = None  # the vendor's code: gigya "403048", gainsight "GU_1101", ...
    latency_ms: NonNegative = 0.0
    probability: Probability = 1.0
    seed: int | None = None  # the RNG seed: the same requests give the same fault pattern
    times: Times | None = None  # fire at most this many times (None: until removed)


class FaultState(msgspec.Struct, kw_only=True):
    """A registered fault as the control plane lists it."""

    id: str
    spec: FaultSpec
    matched: int  # requests it matched (and drew for)
    fired: int  # ... of which it applied to


class Fault:
    def __init__(self, fault_id: str, spec: FaultSpec) -> None:
        self.id = fault_id
        self.spec = spec
        self.operation = None if spec.operation in (None, "*") else spec.operation.lower()
        self.rng = random.Random(spec.seed)
        self.matched = 0
        self.fired = 0

    @property
    def exhausted(self) -> bool:
        return self.spec.times is not None and self.fired >= self.spec.times

    def applies(self, dialect: str, operation: str) -> bool:
        """Whether it fires for this request: the RNG draws once per matching request."""
        if dialect != self.spec.dialect or self.exhausted:
            return False
        if self.operation is not None and operation.lower() != self.operation:
            return False
        self.matched += 1
        if self.spec.probability < 1 and self.rng.random() >= self.spec.probability:
            return False
        self.fired += 1
        return True

    def state(self) -> FaultState:
        return FaultState(id=self.id, spec=self.spec, matched=self.matched, fired=self.fired)


class Faults:
    """The registered faults, in the order added; the first that fires wins."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._ids = itertools.count(1)

    def __bool__(self) -> bool:
        return bool(self._faults)

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(f"f{next(self._ids)}", spec)
        self._faults[fault.id] = fault
        return fault

    def remove(self, fault_id: str) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self, dialect: str | None = None) -> int:
        gone = [f.id for f in self._faults.values() if dialect in (None, f.spec.dialect)]
        for fault_id in gone:
            del self._faults[fault_id]
        return len(gone)

    def states(self) -> list[FaultState]:
        return [f.state() for f in self._faults.values()]

    def pick(self, dialect: str, operation: str) -> Fault | None:
        for fault in self._faults.values():
            if fault.applies(dialect, operation):
                return fault
        return None
