"""The vendor dialects, one package each: ``doppelgate.dialects.<name>``.

The wheel ships the top-level ``dialects/`` folder inside this package; in a source checkout
(editable install) the folder stays where docs/architecture.md puts it and joins the search path
here.
"""

import pkgutil
from pathlib import Path

_here = Path(__file__).resolve()
_checkout_dialects = _here.parents[3] / "dialects"
if _here.parents[2].name == "src" and _checkout_dialects.is_dir():  # a source checkout
    __path__.append(str(_checkout_dialects))


def names() -> tuple[str, ...]:
    """Every dialect package found here (discovered, not listed: src/ names no dialect)."""
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))
