"""Which objects a tenant has (spec §0, §1.6): standard objects, `[dialects.gainsight.objects]`,
objects declared through the control plane, and objects inferred on their first insert.

Declarations and inferred objects live in ("gainsight", <tenant>, "objects"), one document per
object: {"_id": <lower-cased name>, "name": <name>, "inferred": bool, "decl": <ObjectDecl>}.
A control-plane declaration wins over the config, which wins over the standard definition.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import msgspec

from doppelgate.config import ConfigError
from doppelgate.engine import Derived, DuplicateKey, Engine

from .options import FieldDecl, GainsightOptions, ObjectDecl
from .schema import ObjectSchema, SchemaError, object_from_decl
from .standard import CANONICAL, STANDARD

DIALECT = "gainsight"


def check_declarations(options: GainsightOptions) -> None:
    """Refuse at start-up an object the config declares wrongly (bad dataType, name...)."""
    for name, decl in options.objects.items():
        try:
            object_from_decl("", name, decl)
        except SchemaError as exc:
            raise ConfigError(f"invalid [dialects.gainsight.objects.{name}]: {exc}") from None


class Catalog:
    def __init__(
        self,
        engine: Engine,
        options: GainsightOptions,
        tenant: str,
        known: Derived[ObjectSchema | None] | None = None,
    ) -> None:
        self.tenant = tenant
        self.options = options
        self.stored = engine.collection(DIALECT, tenant, "objects")
        self.configured = {name.lower(): (name, d) for name, d in options.objects.items()}
        self.known = known  # objects as got while the stored ones are unchanged (None: read)

    async def get(self, name: str) -> ObjectSchema | None:
        lower = name.lower()  # object names match case-insensitively (spec §0)
        if self.known is None:
            found = await self._get(lower)
        else:  # every call gets its object: read again only once an object was (un)declared
            found = await self.known.get(self.stored, lower, functools.partial(self._get, lower))
        # a copy with its own field table: a write may add inferred fields to it
        return None if found is None else dataclasses.replace(found, fields=dict(found.fields))

    async def _get(self, lower: str) -> ObjectSchema | None:
        doc = await self.stored.find_one({"_id": lower})
        if doc is not None:
            # building the schema costs more than reading its declaration: built once per text
            build = functools.partial(self._build_stored, doc["name"], doc["decl"])
            content = (self.tenant, doc["name"], msgspec.json.encode(doc["decl"]))
            built = self.known.built(content, build) if self.known is not None else build()
            return dataclasses.replace(built, inferred=bool(doc.get("inferred")))
        if lower in self.configured:
            return self._build(*self.configured[lower])
        if lower in STANDARD:
            return self._build(CANONICAL[lower], STANDARD[lower])
        return None

    def _build_stored(self, name: str, decl: Any) -> ObjectSchema:
        return self._build(name, msgspec.convert(decl, ObjectDecl))

    def _build(self, name: str, decl: ObjectDecl) -> ObjectSchema:
        lower = name.lower()
        base = None
        if lower in STANDARD:  # declared fields of a standard object add to its own
            base = object_from_decl(self.tenant, CANONICAL[lower], STANDARD[lower])
            name = CANONICAL[lower]
        return object_from_decl(self.tenant, name, decl, base)

    async def declare(self, name: str, decl: ObjectDecl) -> ObjectSchema:
        schema = self._build(name, decl)  # raises SchemaError before anything is stored
        doc = {"name": schema.name, "inferred": False, "decl": msgspec.to_builtins(decl)}
        await self.stored.replace({"_id": name.lower()}, doc, upsert=True)
        return schema

    async def undeclare(self, name: str) -> bool:
        return await self.stored.delete({"_id": name.lower()}) > 0

    async def names(self) -> list[str]:
        names = {CANONICAL[k]: None for k in STANDARD}
        names.update({name: None for name, _ in self.configured.values()})
        for doc in await self.stored.find({}, projection={"name": 1}):
            names[doc["name"]] = None
        return list(names)

    async def infer(self, name: str, new_fields: dict[str, str]) -> ObjectSchema:
        """Create an inferred object, or add fields to one (first value decides the type)."""
        lower = name.lower()
        fields: dict[str, Any] = {
            f"decl.fields.{f}": msgspec.to_builtins(FieldDecl(dataType=t))
            for f, t in new_fields.items()
        }
        decl = {"fields": {f: {"dataType": t} for f, t in new_fields.items()}}
        try:
            await self.stored.insert({"_id": lower, "name": name, "inferred": True, "decl": decl})
        except DuplicateKey:  # created meanwhile: add the fields it lacks
            if fields:
                await self.stored.update({"_id": lower, "inferred": True}, {"$set": fields})
        schema = await self.get(name)
        assert schema is not None
        return schema
