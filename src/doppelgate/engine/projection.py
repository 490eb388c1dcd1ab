"""MongoDB find projections: inclusion or exclusion of dotted paths, `_id` kept unless excluded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import InvalidFilter

Projector = Callable[[dict[str, Any]], dict[str, Any]]
Tree = dict[str, "Tree | None"]


def compile_projection(spec: Mapping[str, Any] | None) -> Projector | None:
    """None when the projection keeps whole documents."""
    if not spec:
        return None
    if not isinstance(spec, Mapping):
        raise InvalidFilter("a projection must be a document")
    keep_id = True
    tree: Tree = {}
    modes: set[bool] = set()
    for path, flag in spec.items():
        if flag not in (0, 1, True, False):
            raise InvalidFilter(f"projection values are 0/1 or booleans, not {flag!r}")
        if path == "_id":
            keep_id = bool(flag)
            continue
        modes.add(bool(flag))
        _add(tree, path.split("."))
    if len(modes) > 1:
        raise InvalidFilter("a projection cannot mix inclusion and exclusion")
    # {_id: 1} alone keeps only _id; {_id: 0} alone keeps everything else
    including = modes == {True} if modes else keep_id

    def project(doc: dict[str, Any]) -> dict[str, Any]:
        out = _include(doc, tree) if including else _exclude(doc, tree)
        if including and keep_id and "_id" in doc:
            out = {"_id": doc["_id"], **out}
        if not keep_id:
            out.pop("_id", None)
        return out

    return project


def _add(tree: Tree, parts: list[str]) -> None:
    node = tree
    for part in parts[:-1]:
        child = node.get(part, {})
        if child is None:  # a shorter path already covers this one
            return
        node[part] = child
        node = child
    node[parts[-1]] = None


def _include(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_include(e, tree) for e in value if isinstance(e, dict | list)]
    out: dict[str, Any] = {}
    for key, sub in tree.items():
        if key not in value:
            continue
        if sub is None:
            out[key] = value[key]
        elif isinstance(value[key], dict | list):  # a scalar has no sub-fields to keep
            out[key] = _include(value[key], sub)
    return out


def _exclude(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_exclude(e, tree) if isinstance(e, dict | list) else e for e in value]
    out = dict(value)
    for key, sub in tree.items():
        if key not in out:
            continue
        if sub is None:
            del out[key]
        elif isinstance(out[key], dict | list):
            out[key] = _exclude(out[key], sub)
    return out
