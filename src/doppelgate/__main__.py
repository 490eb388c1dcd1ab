"""`python -m doppelgate ...`: the same command line as `doppelgate ...`."""

import sys

from .cli import main

sys.exit(main())
