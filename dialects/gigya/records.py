"""How a DS object is stored and shown (spec §3): the engine document, merges, field paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import msgspec

from .errors import invalid
from .fields import check_name
from .wire import iso_z

UPDATE_BEHAVIORS = ("arrayPush", "arraySet", "replace")


def object_id(type_: str, oid: str, uid: str | None) -> str:
    """The engine `_id`: the key is (type, oid, UID) (spec §3), so one oid under two UIDs (or
    two types) is two objects."""
    return msgspec.json.encode([type_, uid, oid]).decode()


def iso_ms(ms: int) -> str:
    return iso_z(dt.datetime.fromtimestamp(ms / 1000, dt.UTC))


def render(doc: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The record of ds.get / ds.search (spec §3 "Stored record")."""
    out: dict[str, Any] = {"oid": doc["oid"]}
    if doc.get("UID") is not None:
        out["UID"] = doc["UID"]
    out["data"] = data
    out["lastUpdated"] = doc["lastUpdated"]
    out["lastUpdatedTime"] = iso_ms(doc["lastUpdated"])
    out["created"] = doc["created"]
    out["createdTime"] = iso_ms(doc["created"])
    return out


def merge(existing: dict[str, Any], update: dict[str, Any], behavior: str) -> dict[str, Any]:
    """ds.store onto an existing object: replace, or a deep merge whose arrays are appended
    (arrayPush) or replaced (arraySet) (spec §3 ds.store)."""
    if behavior == "replace":
        return update
    out = dict(existing)
    for key, value in update.items():
        old = out.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = merge(old, value, behavior)
        elif isinstance(old, list) and isinstance(value, list) and behavior == "arrayPush":
            out[key] = old + value
        else:
            out[key] = value
    return out


def parse_fields(text: str | None) -> list[list[str]] | None:
    """The `fields` param: comma list of paths relative to `data`; None means all (`*`)."""
    if text is None or text.strip() in ("", "*"):
        return None
    paths = []
    for item in text.split(","):
        item = item.strip()
        if item == "*":
            return None
        if not item:
            continue
        parts = item.split(".")  # relative to `data`, no `data.` prefix (spec §3 ds.get)
        for name in parts:
            check_name(name, item)
        paths.append(parts)
    if not paths:
        raise invalid("Invalid parameter value: fields")
    return paths


def project(data: Any, paths: Iterable[list[str]]) -> dict[str, Any]:
    """Only the selected paths of `data`, nesting kept; a partial path keeps its subtree."""
    out: dict[str, Any] = {}
    for path in paths:
        _copy_path(data, out, path)
    return out


def _copy_path(source: Any, target: dict[str, Any], path: list[str]) -> None:
    if not isinstance(source, dict) or path[0] not in source:
        return
    value = source[path[0]]
    if len(path) == 1:
        target[path[0]] = value
    elif isinstance(value, dict):
        sub = target.setdefault(path[0], {})
        if isinstance(sub, dict):
            _copy_path(value, sub, path[1:])
    elif isinstance(value, list):  # arrays of objects: project each element
        items = [_project_item(item, path[1:]) for item in value]
        target[path[0]] = [item for item in items if item is not None]


def _project_item(item: Any, path: list[str]) -> Any:
    if not isinstance(item, dict):
        return None
    out: dict[str, Any] = {}
    _copy_path(item, out, path)
    return out or None


def remove_paths(data: dict[str, Any], paths: Iterable[list[str]]) -> dict[str, Any]:
    """`data` without the given paths (a partial path removes its subtree) (spec §5)."""
    out = msgspec.json.decode(msgspec.json.encode(data))
    for path in paths:
        _remove(out, path)
    return out


def _remove(node: Any, path: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _remove(item, path)
    elif isinstance(node, dict) and path[0] in node:
        if len(path) == 1:
            del node[path[0]]
        else:
            _remove(node[path[0]], path[1:])


def value_at(data: Any, path: str) -> list[Any]:
    """Every primitive at a dotted path (through arrays of objects)."""
    nodes = [data]
    for name in path.split("."):
        nxt: list[Any] = []
        for node in nodes:
            if isinstance(node, dict) and name in node:
                value = node[name]
                nxt.extend(value if isinstance(value, list) else [value])
            elif isinstance(node, list):
                for item in node:
                    if isinstance(item, dict) and name in item:
                        value = item[name]
                        nxt.extend(value if isinstance(value, list) else [value])
        nodes = nxt
    return nodes
