"""The emulator's clock for synchronous tests (the `doppelgate_clock` fixture)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..clock import ClockView

if TYPE_CHECKING:
    from .emulator import Emulator


class SyncClock:
    """freeze / advance / resume run on the emulator's helper loop; `now()` reads it."""

    def __init__(self, emulator: Emulator) -> None:
        self._emu = emulator

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._emu.clock.now(), dt.UTC)

    def freeze(self, at: float | dt.datetime | None = None) -> ClockView:
        return self._emu.blocking.freeze_clock(at)

    def advance(self, by: float | dt.timedelta) -> ClockView:
        return self._emu.blocking.advance_clock(by)

    def resume(self) -> ClockView:
        return self._emu.blocking.resume_clock()
