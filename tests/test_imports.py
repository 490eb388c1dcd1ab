"""The import graph of src/doppelgate and the dialects: no cycle anywhere, the layers hold
(pyproject.toml [tool.importlinter]), the server's import path stays free of the test harness."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def graph(monkeypatch_module: pytest.MonkeyPatch) -> grimp.ImportGraph:
    # the checkout's dialects/ folder is importable as `dialects` (doppelgate.dialects.<name>)
    monkeypatch_module.syspath_prepend(str(ROOT))
    return grimp.build_graph("doppelgate", "dialects", cache_dir=None)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterable[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def cycles(nodes: Iterable[str], edges: Callable[[str], Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert cycles(edges, lambda n: edges[n]) == [["a", "b", "c"]]


def test_no_module_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    """Type-checking imports count too: a cycle there is still two modules that need each other."""
    assert len([m for m in graph.modules if m.startswith("dialects.")]) > 20  # the dialects too
    assert cycles(graph.modules, graph.find_modules_directly_imported_by) == []


def package_of(module: str) -> str:
    """doppelgate.<subpackage>, dialects.<name>, or the top-level module itself."""
    parts = module.split(".")
    if parts[0] == "dialects" or (len(parts) > 2 and parts[:2] != ["doppelgate", "dialects"]):
        return ".".join(parts[:2])
    return module


def test_no_package_imports_itself_through_others(graph: grimp.ImportGraph) -> None:
    """Coarser: doppelgate.engine, .control, .testing, ..., each dialect, each top-level module."""
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for target in graph.find_modules_directly_imported_by(module):
            if package_of(target) != package_of(module):
                edges.setdefault(package_of(module), set()).add(package_of(target))
    packages = {package_of(m) for m in graph.modules}
    assert {"doppelgate.control", "doppelgate.engine", "dialects.gigya"} <= packages
    assert cycles(packages, lambda p: edges.get(p, ())) == []


def test_no_dialect_imports_another(graph: grimp.ImportGraph) -> None:
    crossing = [
        (m, t)
        for m in graph.modules
        if m.startswith("dialects.")
        for t in graph.find_modules_directly_imported_by(m)
        if t.startswith("dialects.") and t.split(".")[1] != m.split(".")[1]
    ]
    assert crossing == []


def test_the_layering_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_serving_imports_neither_the_test_harness_nor_its_http_clients() -> None:
    """What `doppelgate serve` loads: the gateway and a full app, the CLI, the serving loop."""
    probe = (
        "import sys; from doppelgate.cli import build_parser; import doppelgate.serving; "
        "from doppelgate.gateway import create_app; from doppelgate.config import Settings; "
        "create_app(Settings()); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'respx', 'responses'}), "
        "sorted(m for m in sys.modules if m.startswith(('doppelgate.testing', "
        "'doppelgate.contract'))))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[] []", done.stderr
