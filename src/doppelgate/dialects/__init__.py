"""The vendor dialects, one package each: ``doppelgate.dialects.<name>``.

The wheel ships the top-level ``dialects/`` folder inside this package; in a source checkout
(editable install) the folder stays where ARCHITECTURE.md puts it and joins the search path
here.
"""

from pathlib import Path

_checkout_dialects = Path(__file__).resolve().parents[3] / "dialects"
if (_checkout_dialects / "gigya" / "__init__.py").is_file():
    __path__.append(str(_checkout_dialects))
