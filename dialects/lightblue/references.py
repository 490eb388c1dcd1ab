"""Reference fields: joins evaluated on find, returned only when projected explicitly (§6).

The reference's query is written from the referenced entity's point of view; `$parent.x`
names a field of the object holding the reference, so those terms become values first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from .schema import Field, Schema, is_index, split

Doc = dict[str, Any]
Finder = Callable[[Field, Doc], Awaitable[list[Any]]]
PARENT = "$parent."


def references(schema: Schema) -> list[Field]:
    """Reference fields, also inside object arrays (`a.*.ref`: one join per element)."""
    return [field for field in schema.walk() if field.type == "reference"]


def projected(field: Field, projection: Any) -> bool:
    """Named by a rule without wildcards on the way (`*` does not reach references)."""
    steps = split(field.path)
    rules = projection if isinstance(projection, list) else [projection]
    for rule in rules:
        if not isinstance(rule, dict) or rule.get("include", True) is not True:
            continue
        path = rule.get("field")
        if not isinstance(path, str):
            continue
        named = ["*" if is_index(s) else s for s in split(path)]
        if named[: len(steps)] == steps:
            return True
    return False


def bound(query: Any, holder: Doc) -> Any:
    """The reference query with `$parent.x` field comparisons turned into values."""
    if isinstance(query, list):
        return [bound(q, holder) for q in query]
    if not isinstance(query, dict):
        return query
    rfield = query.get("rfield")
    if isinstance(rfield, str) and rfield.startswith(PARENT):
        value = _value(holder, rfield[len(PARENT) :])
        if query.get("op") in ("$in", "$nin", "$not_in"):
            values = value if isinstance(value, list) else [] if value is None else [value]
            return {"field": query["field"], "op": query["op"], "values": values}
        return {"field": query["field"], "op": query["op"], "rvalue": value}
    return {k: bound(v, holder) for k, v in query.items()}


def _value(holder: Doc, path: str) -> Any:
    node: Any = holder
    for step in split(path):
        if not isinstance(node, dict):
            return None
        node = node.get(step)
    return msgspec.json.decode(msgspec.json.encode(node)) if node is not None else None


async def join(schema: Schema, projection: Any, docs: list[Doc], find: Finder) -> list[Doc]:
    """`docs` with each explicitly projected reference filled with its referenced documents."""
    fields = [f for f in references(schema) if projected(f, projection)]
    if not fields:
        return docs
    out = []
    for doc in docs:
        doc = dict(doc)
        for field in fields:
            steps = split(field.path)
            for holder in _holders(doc, steps[:-1]):  # `$parent` is the holding object
                holder[steps[-1]] = await find(field, holder)
        out.append(doc)
    return out


def _holders(node: Any, steps: list[str]) -> list[Doc]:
    """The objects at `steps` (`*` crosses every element), copied on the way so the join
    does not change the caller's documents."""
    if not steps:
        return [node] if isinstance(node, dict) else []
    step, rest = steps[0], steps[1:]
    if step == "*":
        return [h for item in node for h in _holders(item, rest)] if isinstance(node, list) else []
    if not isinstance(node, dict) or not isinstance(node.get(step), dict | list):
        return []
    child = node[step]
    node[step] = (
        [dict(e) if isinstance(e, dict) else e for e in child]
        if isinstance(child, list)
        else dict(child)
    )
    return _holders(node[step], rest)
