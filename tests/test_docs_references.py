"""Every reference in code, READMEs and scenarios resolves into docs/ (issue 12 point 6).

A reference is `docs/<file>.md` (the file must exist; a `"Heading"` right after it must be one of
its headings) or a section sign `§N.N` (a heading numbered N.N must exist in the doc it means).
Which doc a bare `§N.N` means:
- the last `docs/<file>.md` named before it on the same line (`docs/spid.md §3.1-§3.5, §4`);
- else, in dialects/<name>/ and tests/<name>/, that dialect's reference docs/<name>.md;
- else, in docs/<file>.md itself, that file;
- anywhere else (src/, bench/, the README, tests/gateway/...) it must name its doc: a bare § there
  is an error, since nothing says which vendor it means.
`RFC 9112 §3.2.2` and the like are other people's documents and are not checked. The old
out-of-repo paths (`specs/*.md`, `ARCHITECTURE.md`) are always dangling: tools/refs.py rewrites
them.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from doppelgate.dialects import names as dialect_names

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("src/", "dialects/", "tests/", "bench/", "docs/", "README.md")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml"}
# files that name the old paths or dangling references on purpose
EXEMPT = {"tests/test_docs_references.py", "tools/refs.py"}
SKIPPED_DIRS = {"node_modules", "target", "__pycache__", ".venv"}  # not ours, or built

DOC = re.compile(r'docs/(?P<file>[\w.-]+\.md)(?:`?\s*"(?P<heading>[^"\n]+)")?')
SECTION = re.compile(r"(?<!\w)§\s?(?P<number>\d+(?:\.\d+)*)")
EXTERNAL = re.compile(r"RFC\s?\d+\s*$")  # `RFC 6749 §2.3.1`: not ours
OLD = re.compile(r"specs/[\w.-]+\.md|(?<![\w/])ARCHITECTURE\.md")
HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*$", re.MULTILINE)
NUMBERED = re.compile(r"(\d+(?:\.\d+)*)\.?(?:\s|$)")


def headings(text: str) -> tuple[set[str], list[str]]:
    """A doc's section numbers ("3.1" of "### 3.1 `GET ...`") and its heading titles."""
    titles = [m.group("title") for m in HEADING.finditer(text)]
    numbers = {m.group(1) for t in titles if (m := NUMBERED.match(t))}
    return numbers, titles


def load_docs(root: Path = ROOT) -> dict[str, tuple[set[str], list[str]]]:
    return {p.name: headings(p.read_text(encoding="utf-8")) for p in (root / "docs").glob("*.md")}


def home_doc(rel: str) -> str | None:
    """The doc a bare § in file `rel` means when the line names none (module docstring)."""
    parts = rel.split("/")
    if parts[0] in ("dialects", "tests") and len(parts) > 2 and parts[1] in dialect_names():
        return f"{parts[1]}.md"
    if parts[0] == "docs" and len(parts) == 2:
        return parts[1]
    return None


def problems(rel: str, text: str, docs: dict[str, tuple[set[str], list[str]]]) -> list[str]:
    """Every reference in `text` (file `rel`, relative to the root) that does not resolve."""
    found: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"{rel}:{lineno}"
        for m in OLD.finditer(line):
            found.append(f"{where}: {m.group(0)} is not in the repository (tools/refs.py)")
        named: list[tuple[int, str]] = []
        for m in DOC.finditer(line):
            name, heading = m.group("file"), m.group("heading")
            named.append((m.start(), name))
            if name not in docs:
                found.append(f"{where}: docs/{name} does not exist")
            elif heading and not any(heading in title for title in docs[name][1]):
                found.append(f'{where}: docs/{name} has no heading "{heading}"')
        for m in SECTION.finditer(line):
            if EXTERNAL.search(line[: m.start()]):
                continue
            before = [name for start, name in named if start < m.start()]
            doc = before[-1] if before else home_doc(rel)
            if doc is None:
                found.append(f"{where}: {m.group(0)} names no doc (write docs/<file>.md §N)")
            elif doc in docs and m.group("number") not in docs[doc][0]:
                found.append(f"{where}: docs/{doc} has no section {m.group('number')}")
    return found


def scanned_files() -> list[str]:
    """The tracked files of SCANNED (git), else, outside a checkout (an sdist), the files on disk
    without installed or built trees."""
    if (ROOT / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", *SCANNED], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        names = out.splitlines()
    else:
        found = [p for s in SCANNED for p in ([ROOT / s] if "." in s else (ROOT / s).rglob("*"))]
        names = [p.relative_to(ROOT).as_posix() for p in found if not SKIPPED_DIRS & set(p.parts)]
    return [
        rel
        for rel in names
        if Path(rel).suffix in SUFFIXES and rel not in EXEMPT and (ROOT / rel).is_file()
    ]


def test_every_reference_resolves() -> None:
    docs = load_docs()
    files = scanned_files()
    assert len(files) > 300  # the scan sees the tree (git ls-files from the root)
    found = [p for rel in files for p in problems(rel, (ROOT / rel).read_text("utf-8"), docs)]
    assert found == [], "\n".join(found)


README_SECTION = re.compile(r'(?<![\w/])README "(?P<heading>[^"]+)"')


def readme_problems(rel: str, text: str, titles: list[str]) -> list[str]:
    """Every `README "Heading"` in `text` that names no heading of the top-level README."""
    return [
        f'{rel}:{lineno}: README.md has no heading "{m.group("heading")}"'
        for lineno, line in enumerate(text.splitlines(), 1)
        for m in README_SECTION.finditer(line)
        if not any(m.group("heading") in title for title in titles)
    ]


def test_every_readme_section_named_exists() -> None:
    titles = headings((ROOT / "README.md").read_text("utf-8"))[1]
    texts = {rel: (ROOT / rel).read_text("utf-8") for rel in scanned_files()}
    assert sum(len(README_SECTION.findall(t)) for t in texts.values()) >= 3  # the scan sees them
    found = [p for rel, text in texts.items() for p in readme_problems(rel, text, titles)]
    assert found == [], "\n".join(found)


def test_a_readme_section_that_is_gone_is_found() -> None:
    text = 'x = 1  # README "Serving"\n"""README "Control plane security": ..."""'
    assert readme_problems("src/x.py", text, ["Serving", "Limits"]) == [
        'src/x.py:2: README.md has no heading "Control plane security"'
    ]


def test_each_dialect_has_its_reference_and_the_house_its_architecture() -> None:
    docs = load_docs()
    assert {f"{name}.md" for name in dialect_names()} | {"architecture.md"} <= set(docs)


DOCS = {"gigya.md": ({"1", "3", "4"}, ["1. Transport"]), "architecture.md": (set(), ["Tenants"])}


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        ("src/doppelgate/x.py", "# docs/gigya.md §9", "docs/gigya.md has no section 9"),
        ("src/doppelgate/x.py", "# docs/nope.md §1", "docs/nope.md does not exist"),
        ("src/doppelgate/x.py", "# (spec §3)", "§3 names no doc"),
        ("dialects/gigya/x.py", '"""ds.get (spec §3.2)."""', "docs/gigya.md has no section 3.2"),
        ("tests/gigya/test_x.py", "# docs/gigya.md §1, §7", "docs/gigya.md has no section 7"),
        ("README.md", '`docs/architecture.md` "Credentials"', 'has no heading "Credentials"'),
        ("dialects/gigya/x.py", "# specs/gigya-ds.md §1", "specs/gigya-ds.md is not in the rep"),
        ("dialects/spid/x.py", "# see ARCHITECTURE.md", "ARCHITECTURE.md is not in the rep"),
    ],
)
def test_a_dangling_reference_is_reported(rel: str, text: str, expected: str) -> None:
    found = problems(rel, text, DOCS)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        ("src/doppelgate/x.py", "# docs/gigya.md §1, §3-§4 (docs/gigya.md)"),
        ("dialects/gigya/x.py", '"""Transport (spec §1); search §4."""'),
        ("tests/gigya/test_x.py", "# RFC 9112 §3.2.2 and RFC 6749 §2.3.1, then spec §3"),
        ("docs/gigya.md", "See §4 for the query language."),
        ("README.md", '`docs/architecture.md` "Tenants"'),
    ],
)
def test_a_resolving_reference_passes(rel: str, text: str) -> None:
    assert problems(rel, text, DOCS) == []
