"""The MongoDB backend's modules stay layered as its package docstring lists them: each imports
only modules listed below it, and only driver.py touches PyMongo's errors."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import doppelgate.engine.mongodb as package

FOLDER = Path(package.__file__).parent


def layers() -> list[str]:
    """The modules, bottom first, from the docstring's `- name.py  purpose` lines."""
    listed = re.findall(r"^- (\w+)\.py ", package.__doc__ or "", re.MULTILINE)
    return list(reversed(listed))


def sibling_imports(module: str) -> set[str]:
    tree = ast.parse((FOLDER / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
    return found


def test_the_docstring_lists_every_module() -> None:
    on_disk = {p.stem for p in FOLDER.glob("*.py")} - {"__init__"}
    assert sorted(layers()) == sorted(on_disk)


def test_each_module_imports_only_modules_below_it() -> None:
    order = layers()
    for height, module in enumerate(order):
        above = sibling_imports(module) - set(order[:height])
        assert not above, f"{module}.py imports {sorted(above)}, not below it in {order}"


def test_only_the_driver_module_meets_driver_errors() -> None:
    driver_errors = re.compile(r"pymongo\.errors|bson\.errors|PyMongoError|DuplicateKeyError")
    for path in FOLDER.glob("*.py"):
        meets = bool(driver_errors.search(path.read_text()))
        assert meets == (path.stem == "driver"), f"{path.name}: driver errors outside driver.py"
