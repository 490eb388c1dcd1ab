"""Field references of the Read API (spec §3): `Field`, `tolower(Field)`, and lookup paths
`Rel__gr.Field` chained to any depth, resolved case-insensitively against the schemas."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .errors import INVALID_FIELD, GainsightError
from .schema import FieldSchema, ObjectSchema

TOLOWER = re.compile(r"^\s*tolower\s*\(\s*(.+?)\s*\)\s*$", re.IGNORECASE)
LOWERABLE = ("STRING", "RICHTEXTAREA", "EMAIL", "GSID", "LOOKUP", "URL", "SFDCID", "PICKLIST")

Objects = Callable[[str], Awaitable[ObjectSchema | None]]


@dataclass(frozen=True, slots=True)
class Hop:
    field: FieldSchema  # the lookup field of the object before the hop
    target: ObjectSchema


@dataclass(frozen=True, slots=True)
class FieldRef:
    text: str  # as the request wrote it: the key of the returned record (spec §3)
    hops: tuple[Hop, ...]
    field: FieldSchema | None  # None: a field an inferred object has never seen (always null)
    lower: bool = False


def unknown_field(name: str) -> GainsightError:
    return GainsightError(INVALID_FIELD, f"{INVALID_FIELD.desc} ({name}).")


async def resolve_ref(schema: ObjectSchema, text: str, objects: Objects) -> FieldRef:
    if not isinstance(text, str) or not text.strip():
        raise unknown_field(str(text))
    lowered = TOLOWER.match(text)
    path = lowered.group(1) if lowered else text.strip()
    segments = path.split(".")
    hops: list[Hop] = []
    current = schema
    for segment in segments[:-1]:
        hop = await _hop(current, segment, objects)
        if hop is None:
            raise unknown_field(text)
        hops.append(hop)
        current = hop.target
    f = current.field(segments[-1])
    if f is None and not current.inferred:
        raise unknown_field(text)
    if lowered and f is not None and f.dataType not in LOWERABLE:
        raise unknown_field(text)  # tolower() is for String and GSID fields (spec §3)
    return FieldRef(text, tuple(hops), f, bool(lowered))


async def _hop(schema: ObjectSchema, segment: str, objects: Objects) -> Hop | None:
    """`Csm__gr` -> field `Csm`; `Company_ID__gr` -> field `Company_ID__gc` (spec §0)."""
    if not segment.lower().endswith("__gr"):
        return None
    base = segment[:-4]
    for candidate in (f"{base}__gc", base):
        f = schema.field(candidate)
        if f is not None and f.dataType == "LOOKUP" and f.lookupObject:
            target = await objects(f.lookupObject)
            return Hop(f, target) if target is not None else None
    return None
