"""`python bench/run.py [options]`: the same as `python -m bench [options]`, from any directory."""

from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)  # so `bench` imports as a package from any working directory

from bench.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
