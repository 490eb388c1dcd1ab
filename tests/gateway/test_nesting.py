"""The shared JSON nesting limit (doppelgate.nesting): its bracket-count shortcut decides exactly
as the full depth walk does."""

from __future__ import annotations

import msgspec
import pytest

from doppelgate import nesting


def nested(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("raw", [nested(64), nested(64).decode(), bytearray(nested(64))])
def test_the_limit_itself_decodes(raw: bytes | str | bytearray) -> None:
    assert nesting.depth(nesting.decode(raw)) == 64


@pytest.mark.parametrize(
    "raw", [nested(65), nested(65).decode(), bytearray(nested(65)), memoryview(nested(65))]
)
def test_one_past_the_limit_is_too_deep(raw: bytes | str | bytearray | memoryview) -> None:
    with pytest.raises(nesting.TooDeep):
        nesting.decode(raw)  # type: ignore[arg-type]


def test_brackets_inside_strings_are_not_depth() -> None:
    """More `[` than the limit, all in a string: the walk runs and finds depth 1."""
    raw = msgspec.json.encode({"text": "[" * 500 + "{" * 500})
    assert nesting.decode(raw) == {"text": "[" * 500 + "{" * 500}


def test_typed_decoding_keeps_the_limit() -> None:
    assert nesting.decode(b'{"a": [1, 2]}', dict[str, list[int]]) == {"a": [1, 2]}
    with pytest.raises(nesting.TooDeep):
        nesting.decode(b'{"a": ' + nested(64) + b"}", dict[str, list[object]])
