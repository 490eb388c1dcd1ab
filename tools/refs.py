"""Rewrite references to the old out-of-repo specs into docs/ (issue 12 point 6); re-runnable.

`python tools/refs.py` rewrites, in every tracked text file, `specs/gigya-ds.md` ->
`docs/gigya.md` (and the other three specs) and `ARCHITECTURE.md` -> `docs/architecture.md`;
the § numbers stay as they are, because docs/<dialect>.md keeps the specs' numbering.
`--check` only lists what it would change (exit 1 when something is left). Files already
rewritten are left alone, so it can run again after merging branches that add old references.
tests/test_docs_references.py then checks that every reference resolves.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RENAMES = {
    "specs/gigya-ds.md": "docs/gigya.md",
    "specs/spid-dataobjects.md": "docs/spid.md",
    "specs/gainsight-custom-objects.md": "docs/gainsight.md",
    "specs/lightblue.md": "docs/lightblue.md",
}
OLD = re.compile("|".join(re.escape(old) for old in RENAMES) + r"|(?<![\w/])ARCHITECTURE\.md")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".java", ".js", ".html"}
SKIP = {"tools/refs.py", "tests/test_docs_references.py"}  # name the old paths on purpose


def tracked() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [ROOT / name for name in out.splitlines() if name not in SKIP]


def new_name(match: re.Match[str]) -> str:
    return RENAMES.get(match.group(0), "docs/architecture.md")


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = 0
    for path in tracked():
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        new, count = OLD.subn(new_name, text)
        if count:
            changed += count
            print(f"{path.relative_to(ROOT)}: {count}")
            if not check:
                path.write_text(new, encoding="utf-8")
    print(f"{changed} references {'to rewrite' if check else 'rewritten'}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
