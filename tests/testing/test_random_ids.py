"""Unseeded ids (doppelgate/ids.py): the vendor formats, each character uniform over its
alphabet (a Gainsight Gsid is 36 characters drawn at once from the OS's random source)."""

from __future__ import annotations

import collections
import string

import pytest

from doppelgate import ids

ALPHABET = string.digits + string.ascii_uppercase


@pytest.mark.parametrize("size", [1, 5, 36])
def test_choice_draws_size_characters_of_the_alphabet(size: int) -> None:
    drawn = {ids.choice(ALPHABET, size) for _ in range(200)}
    assert all(len(d) == size and set(d) <= set(ALPHABET) for d in drawn)
    assert len(drawn) > 150 if size > 1 else len(drawn) > 30  # not a constant


def test_every_position_takes_every_character_about_equally() -> None:
    draws = [ids.choice("abcd", 8) for _ in range(4000)]
    for position in range(8):
        counts = collections.Counter(d[position] for d in draws)
        assert set(counts) == set("abcd")
        # 1,000 expected each; 6 standard deviations (27) either side
        assert all(830 < n < 1170 for n in counts.values()), (position, counts)
