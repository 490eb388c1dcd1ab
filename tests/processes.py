"""Running the installed `doppelgate` command in tests: the command line and a clean environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "doppelgate"


def command(*args: str) -> list[str]:
    """The installed `doppelgate` entry point (or the CLI module when no script is installed)."""
    if BIN.exists():
        return [str(BIN), *args]
    runner = "import sys; from doppelgate.cli import main; sys.exit(main())"
    return [sys.executable, "-c", runner, *args]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any DOPPELGATE_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOPPELGATE_")}
    return {**env, **extra}
