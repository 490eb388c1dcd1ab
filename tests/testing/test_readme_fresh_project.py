"""The README's pytest example, pasted into a fresh project with the README's pytest settings:
all of its tests pass there (not only inside this repository's configuration)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.processes import clean_env

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_example_passes_in_a_fresh_project(tmp_path: Path) -> None:
    text = README.read_text()
    start = text.index("```python\nimport httpx\n") + len("```python\n")
    (tmp_path / "test_example.py").write_text(text[start : text.index("```", start)])
    settings = re.search(r"```toml\n(\[tool\.pytest\.ini_options\]\n.*?)```", text, re.S)
    assert settings is not None, "the README gives the pytest settings the example needs"
    (tmp_path / "pyproject.toml").write_text(settings.group(1))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b5 passed\b", done.stdout), done.stdout
