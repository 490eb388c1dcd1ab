"""The pytest example in README.md is test_readme_example.py, verbatim."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
README = HERE.parents[1] / "README.md"


def test_the_readme_example_is_the_tested_code() -> None:
    text = README.read_text()
    start = text.index("```python\nimport httpx\n") + len("```python\n")
    block = text[start : text.index("```", start)]
    example = (HERE / "test_readme_example.py").read_text()
    assert example.split("\n", 1)[1] == block  # all but the first line, a comment


def test_the_deterministic_example_is_the_tested_code() -> None:
    text = README.read_text()
    start = text.index("```python\nimport datetime as dt\n") + len("```python\n")
    block = text[start : text.index("```", start)]
    example = (HERE / "test_readme_deterministic.py").read_text()
    assert example.split("\n", 1)[1] == block
