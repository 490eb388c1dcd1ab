"""Per dialect, the vendor error codes the fault form offers: those its fault hook accepts (the
dialect's errors.py catalogue). The operations come from the control plane (Control.operations)."""

from __future__ import annotations

import importlib

from ..dialect import Dialect


def error_codes(dialect: Dialect) -> list[str]:
    """The codes the dialect's fault hook accepts (its errors.py catalogue)."""
    errors = importlib.import_module(f"doppelgate.dialects.{dialect.name}.errors")
    if dialect.name == "gigya":
        return [str(code) for code in sorted(errors.ERROR_MESSAGES)]
    if dialect.name == "gainsight":
        return [entry.code for entry in errors.CATALOGUE]
    upper = {k: v for k, v in vars(errors).items() if k.isupper() and not k.startswith("_")}
    if dialect.name == "spid":
        named = [k for k, v in upper.items() if isinstance(v, tuple) and len(v) == 2]
        oauth = [v for v in upper.values() if isinstance(v, str) and v.islower() and "_" in v]
        return named + oauth
    return sorted({v for v in upper.values() if isinstance(v, str) and ":" in v})
