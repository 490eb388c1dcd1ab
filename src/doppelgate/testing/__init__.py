"""Test-harness mode, built on the control plane (doppelgate.control): an in-process emulator,
respx/requests routing of the vendors' real hosts into it, pytest fixtures (plugin.py).

`Emulator`, `VendorRouter` and `ServedEmulator` load on first use: pytest imports this package
for the plugin entry point wherever doppelgate is installed, and respx, responses and uvicorn's
serving of them belong to the `testing` extra. (The server imports nothing from here.)
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
