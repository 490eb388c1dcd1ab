"""Test-harness mode: an in-process emulator, respx routing of the vendors' real hosts into it,
pytest fixtures (plugin.py) and the control plane's parts (journal, faults, seed, snapshot).

`Emulator` and `VendorRouter` need httpx and respx (the `test` extra); they load on first use,
so the server, which imports the control plane's parts from here, does not need them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .emulator import Emulator
    from .routing import VendorRouter
    from .served import ServedEmulator

__all__ = ["Emulator", "ServedEmulator", "VendorRouter"]


def __getattr__(name: str) -> Any:
    if name == "Emulator":
        from .emulator import Emulator

        return Emulator
    if name == "VendorRouter":
        from .routing import VendorRouter

        return VendorRouter
    if name == "ServedEmulator":
        from .served import ServedEmulator

        return ServedEmulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
