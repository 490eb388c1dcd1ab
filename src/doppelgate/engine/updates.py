"""MongoDB update-operator subset applied to a document in place.

Supported: $set $unset $inc $push ($each) $pull $addToSet ($each) $setOnInsert.

Extension (for lightblue's $insert): $push takes MongoDB's $position and $slice modifiers with
$each. $position N inserts the items before index N (past the end: appended; negative: counted
from the end, clamped at 0); $slice N then keeps the first N elements (N < 0: the last -N; 0:
none). Both need $each and integer arguments, as in MongoDB.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from .core import clone
from .errors import InvalidUpdate
from .filters import compile_condition, compile_filter, equality_fields, is_operator_doc
from .values import bracket, equal, hash_key, split_path

OPERATORS = ("$set", "$unset", "$inc", "$push", "$pull", "$addToSet", "$setOnInsert")


Steps = list[tuple[str, str, Any]]  # (operator, path, argument), in the update's order


def validate_update(update: Any) -> Steps:
    """Check the update's shape; returns (operator, path, argument) triples."""
    if not isinstance(update, Mapping) or not update:
        raise InvalidUpdate("an update must be a non-empty document of operators")
    steps: Steps = []
    for op, fields in update.items():
        if op not in OPERATORS:
            raise InvalidUpdate(f"unknown update operator {op}")
        if not isinstance(fields, Mapping) or not fields:
            raise InvalidUpdate(f"{op} needs a non-empty document")
        for path, arg in fields.items():
            if not path or path.startswith("$") or "" in path.split("."):
                raise InvalidUpdate(f"invalid field path {path!r}")
            # `_id` paths are allowed: the backend rejects the update if it changes the `_id`
            steps.append((op, path, arg))
    # sorted as parts, a path is directly followed by the paths inside it ("a", "a.b", "a-b")
    paths = sorted(split_path(p) for _, p, _ in steps)
    for a, b in itertools.pairwise(paths):
        if b[: len(a)] == a:
            raise InvalidUpdate(
                f"updating the path {'.'.join(b)!r} would create a conflict at {'.'.join(a)!r}"
            )
    return steps


def updated(doc: Mapping[str, Any], steps: Steps) -> dict[str, Any]:
    """A copy of a stored document with validated update steps applied; its `_id` stays."""
    new = clone(doc)
    apply_steps(new, steps, inserting=False)
    if hash_key(new.get("_id")) != hash_key(doc["_id"]):
        raise InvalidUpdate("the _id field cannot be changed")
    return new  # type: ignore[no-any-return]


def check_replacement(doc: Any) -> None:
    """A replacement is a plain document: no update operators."""
    if not isinstance(doc, dict) or any(k.startswith("$") for k in doc):
        raise InvalidUpdate("a replacement is a plain document without operators")


def replaced(old: Mapping[str, Any], doc: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` as the replacement of `old`: `old`'s `_id` first, which `doc` may repeat but not
    change."""
    if "_id" in doc and hash_key(doc["_id"]) != hash_key(old["_id"]):
        raise InvalidUpdate("the _id field cannot be changed")
    return {"_id": old["_id"], **{k: v for k, v in doc.items() if k != "_id"}}


def apply_update(doc: dict[str, Any], update: Mapping[str, Any], *, inserting: bool) -> None:
    """Apply `update` to `doc` in place; the caller works on a copy so failure changes nothing."""
    apply_steps(doc, validate_update(update), inserting=inserting)


def apply_steps(doc: dict[str, Any], steps: Steps, *, inserting: bool) -> None:
    """apply_update with the update validated already (validate_update's steps): a write of
    many documents validates its update once."""
    for op, path, arg in steps:
        parts = split_path(path)
        if op == "$set" or (op == "$setOnInsert" and inserting):
            _set(doc, parts, arg)
        elif op == "$unset":
            _unset(doc, parts)
        elif op == "$inc":
            _inc(doc, parts, arg, path)
        elif op in ("$push", "$addToSet"):
            _push(doc, parts, arg, path, unique=op == "$addToSet")
        elif op == "$pull":
            _pull(doc, parts, arg, path)


def _container(doc: dict[str, Any], parts: tuple[str, ...], create: bool) -> Any:
    """The document or array holding the last path step (None when absent and not created)."""
    node: Any = doc
    for part in parts[:-1]:
        if isinstance(node, dict):
            if part not in node:
                if not create:
                    return None
                node[part] = {}
            node = node[part]
        elif isinstance(node, list) and part.isdigit():
            index = int(part)
            if index >= len(node):
                if not create:
                    return None
                node.extend([None] * (index + 1 - len(node)))
                node[index] = {}
            node = node[index]
        else:
            if not create:
                return None
            raise InvalidUpdate(f"cannot create field {part!r} in element {node!r}")
    return node


def _get(doc: dict[str, Any], parts: tuple[str, ...]) -> tuple[Any, bool]:
    node = _container(doc, parts, create=False)
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        return node[last], True
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        return node[int(last)], True
    return None, False


def _set(doc: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    node = _container(doc, parts, create=True)
    last = parts[-1]
    if isinstance(node, dict):
        node[last] = value
    elif isinstance(node, list) and last.isdigit():
        index = int(last)
        if index >= len(node):
            node.extend([None] * (index + 1 - len(node)))
        node[index] = value
    else:
        raise InvalidUpdate(f"cannot create field {last!r} in element {node!r}")


def _unset(doc: dict[str, Any], parts: tuple[str, ...]) -> None:
    node = _container(doc, parts, create=False)
    last = parts[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = None  # MongoDB keeps array positions: $unset leaves null


def _inc(doc: dict[str, Any], parts: tuple[str, ...], amount: Any, path: str) -> None:
    if bracket(amount) != 2:
        raise InvalidUpdate(f"$inc on {path!r} needs a number, not {amount!r}")
    current, present = _get(doc, parts)
    if present and bracket(current) != 2:
        raise InvalidUpdate(f"cannot apply $inc to non-numeric field {path!r}")
    _set(doc, parts, (current if present else 0) + amount)


_PUSH_MODIFIERS = {"$each", "$position", "$slice"}


def _items(arg: Any, op: str) -> list[Any]:
    if isinstance(arg, Mapping) and "$each" in arg:
        allowed = _PUSH_MODIFIERS if op == "$push" else {"$each"}
        if not set(arg) <= allowed or not isinstance(arg["$each"], list):
            raise InvalidUpdate(f"{op} supports only {', '.join(sorted(allowed))}")
        for modifier in ("$position", "$slice"):
            if modifier in arg and (
                bracket(arg[modifier]) != 2 or int(arg[modifier]) != arg[modifier]
            ):
                raise InvalidUpdate(f"{modifier} needs an integer")
        return list(arg["$each"])
    if isinstance(arg, Mapping) and arg and all(str(k).startswith("$") for k in arg):
        if op == "$push" and set(arg) & {"$position", "$slice"}:
            raise InvalidUpdate("$position and $slice need $each")
    return [arg]


def _push(doc: dict[str, Any], parts: tuple[str, ...], arg: Any, path: str, unique: bool) -> None:
    op = "$addToSet" if unique else "$push"
    items = _items(arg, op)
    current, present = _get(doc, parts)
    if not present:
        _set(doc, parts, [])
        current, _ = _get(doc, parts)
    elif not isinstance(current, list):
        raise InvalidUpdate(f"{op} needs an array at {path!r}")
    if unique:
        for item in items:
            if not any(equal(item, existing) for existing in current):
                current.append(item)
        return
    modifiers = arg if isinstance(arg, Mapping) and "$each" in arg else {}
    position = int(modifiers.get("$position", len(current)))
    if position < 0:
        position = max(0, len(current) + position)
    current[position:position] = items
    if "$slice" in modifiers:
        keep = int(modifiers["$slice"])
        current[:] = current[:keep] if keep >= 0 else current[len(current) + keep :]


def _pull(doc: dict[str, Any], parts: tuple[str, ...], arg: Any, path: str) -> None:
    current, present = _get(doc, parts)
    if not present:
        return
    if not isinstance(current, list):
        raise InvalidUpdate(f"$pull needs an array at {path!r}")
    if is_operator_doc(arg):
        condition = compile_condition(arg)

        def remove(e: Any) -> bool:
            return condition([e])
    elif isinstance(arg, Mapping):
        query = compile_filter(arg)

        def remove(e: Any) -> bool:
            return isinstance(e, dict) and query(e)
    else:

        def remove(e: Any) -> bool:
            return equal(e, arg)

    current[:] = [e for e in current if not remove(e)]


def upsert_document(
    filter: Mapping[str, Any] | None,
    update: Mapping[str, Any] | None,
    replacement: dict[str, Any] | None,
) -> dict[str, Any]:
    """What an upsert that matched nothing inserts (MongoDB's rule): the filter's equality
    fields, then the update applied (or the replacement); its `_id` stays the filter's."""
    seed: dict[str, Any] = {}
    for path, value in equality_fields(filter).items():
        if not path.startswith("$") and not is_operator_doc(value):
            apply_update(seed, {"$set": {path: value}}, inserting=True)
    pinned_id = "_id" in seed, seed.get("_id")  # the filter's _id equality, if any
    if replacement is not None:
        new = {**({"_id": seed["_id"]} if "_id" in seed else {}), **replacement}
    else:
        new = seed
        apply_update(new, update or {}, inserting=True)
    if pinned_id[0] and hash_key(new.get("_id")) != hash_key(pinned_id[1]):
        raise InvalidUpdate("the _id field cannot be changed")
    return new
