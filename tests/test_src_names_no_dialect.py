"""src/doppelgate's code names no dialect: dialects are discovered, and what differs between them is
their packages' business (comments, docstrings and strings may still mention vendors)."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest

from doppelgate.dialects import names

SRC = Path(__file__).resolve().parents[1] / "src" / "doppelgate"


def dialect_identifiers(code: str, dialects: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, identifier) for each NAME token with a dialect's name in it, in any case."""
    return [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(code).readline)
        if token.type == tokenize.NAME and any(d in token.string.lower() for d in dialects)
    ]


def test_the_check_sees_code_and_not_words() -> None:
    code = '"""gigya."""\n# lightblue\nx = "spid"\nlightblue_hosts = 1\ndef f(Gigya): pass\n'
    assert dialect_identifiers(code, names()) == [(4, "lightblue_hosts"), (5, "Gigya")]


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_identifier_in_src_names_a_dialect(path: Path) -> None:
    assert names(), "no dialect discovered: the check would pass vacuously"
    assert dialect_identifiers(path.read_text(encoding="utf-8"), names()) == []
