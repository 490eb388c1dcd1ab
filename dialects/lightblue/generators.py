"""Value generators (IntSequence, UUID, CurrentTime) and `uid` fields (§6)."""

from __future__ import annotations

from typing import Any

from doppelgate.engine import Collection

from .dates import now
from .schema import Field, Schema
from .values import cast, new_uid


async def generate(field: Field, count: int, sequences: Collection) -> list[Any]:
    """`count` values of the field's generator, as the field's type; [] without one."""
    spec = field.generator
    if spec is None:
        return [new_uid() for _ in range(count)] if field.type == "uid" else []
    kind = spec.get("type")
    out: list[Any] = []
    for _ in range(count):
        if kind == "IntSequence":
            raw: Any = await _next(spec.get("configuration") or {}, field, sequences)
        elif kind == "UUID":
            raw = new_uid()
        elif kind == "CurrentTime":
            raw = now()
        else:
            return []
        out.append(cast(field, raw))  # e.g. "50000000" for a string field (§6)
    return out


async def _next(config: dict[str, Any], field: Field, sequences: Collection) -> int:
    name = str(config.get("name") or field.path)
    start = int(config.get("initialValue", 1))
    step = int(config.get("increment", 1))
    found = await sequences.find_one_and_update(
        {"_id": f"seq:{name}"}, {"$inc": {"value": step}}, upsert=True
    )
    assert found is not None
    return start + int(found["value"]) - step


async def fill(schema: Schema, doc: dict[str, Any], sequences: Collection) -> None:
    """Generated values where the field is null/absent (always with `overwrite`) (§5)."""
    await _fill(schema.root, doc, sequences)


async def _fill(node: Field, obj: dict[str, Any], sequences: Collection) -> None:
    for name, field in node.fields.items():
        if field.type == "object":
            if isinstance(obj.get(name), dict):
                await _fill(field, obj[name], sequences)
            continue
        spec = field.generator
        wanted = spec is not None or field.type == "uid"
        overwrite = bool(spec and spec.get("overwrite"))
        if wanted and (obj.get(name) is None or overwrite):
            values = await generate(field, 1, sequences)
            if values:
                obj[name] = values[0]
