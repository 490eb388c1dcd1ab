"""Object schemas (spec §2, §5): fields with Data Management types, the system fields, the
standard Company and gsuser objects, and declarations (config / control plane) made concrete."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .gsid import item_gsid
from .options import FieldDecl, Item, ObjectDecl

# describe `dataType`s (spec §2); UI names accepted in declarations too
DATA_TYPES = (
    "STRING",
    "NUMBER",
    "BOOLEAN",
    "DATE",
    "DATETIME",
    "EMAIL",
    "GSID",
    "LOOKUP",
    "PICKLIST",
    "MULTISELECTDROPDOWNLIST",
    "CURRENCY",
    "PERCENTAGE",
    "RICHTEXTAREA",
    "URL",
    "SFDCID",
    "JSON",
)
ALIASES = {
    "TEXT": "STRING",
    "DROPDOWN": "PICKLIST",
    "DROPDOWNLIST": "PICKLIST",
    "MULTISELECT": "MULTISELECTDROPDOWNLIST",
    "MULTISELECTDROPDOWN": "MULTISELECTDROPDOWNLIST",
    "RICHTEXT": "RICHTEXTAREA",
    "SFDC_ID": "SFDCID",
    "JSONSTRING": "JSON",
}
STRING_LENGTH = 500  # custom String fields (spec §2)
STANDARD_LENGTH = 255
GSID_LENGTH = 220  # describe gives GSID fields length 220 (spec §5)


class SchemaError(ValueError):
    """A declaration that cannot be served: bad type, bad name."""


@dataclass(frozen=True, slots=True)
class PicklistItem:
    label: str
    value: str  # item GSID
    active: bool = True
    systemName: str = ""


@dataclass(frozen=True, slots=True)
class FieldSchema:
    name: str
    dataType: str
    length: int | None = None
    nillable: bool = True
    decimalPlaces: int | None = None
    items: tuple[PicklistItem, ...] = ()
    lookupObject: str = ""
    defaultValue: Any = None
    readOnly: bool = False
    label: str = ""

    def item(self, value: Any) -> PicklistItem | None:
        """The dropdown item named by a label (case-insensitive) or its GSID [I]."""
        if not isinstance(value, str):
            return None
        for item in self.items:
            if item.value == value or item.label.lower() == value.strip().lower():
                return item
        return None


@dataclass(slots=True)
class ObjectSchema:
    name: str
    fields: dict[str, FieldSchema] = field(default_factory=dict)  # lower-cased name -> field
    inferred: bool = False  # inferred objects take new fields on later writes (README)
    transactional: bool = True
    label: str = ""

    def field(self, name: str) -> FieldSchema | None:
        return self.fields.get(name.lower())

    def add(self, f: FieldSchema) -> None:
        self.fields[f.name.lower()] = f

    @property
    def ordered(self) -> list[FieldSchema]:
        return list(self.fields.values())


def system_fields() -> list[FieldSchema]:
    """Present on every object, read-only (spec §5)."""
    return [
        FieldSchema("Gsid", "GSID", GSID_LENGTH, readOnly=True, label="GSID"),
        FieldSchema("CreatedDate", "DATETIME", readOnly=True, label="GS Created Date"),
        FieldSchema("ModifiedDate", "DATETIME", readOnly=True, label="GS Modified Date"),
        FieldSchema("CreatedBy", "LOOKUP", lookupObject="gsuser", readOnly=True),
        FieldSchema("ModifiedBy", "LOOKUP", lookupObject="gsuser", readOnly=True),
    ]


SYSTEM = frozenset(f.name.lower() for f in system_fields())


def normalize_type(name: str) -> str:
    upper = name.strip().upper().replace(" ", "")
    upper = ALIASES.get(upper, upper)
    if upper not in DATA_TYPES:
        raise SchemaError(f"unknown dataType {name!r} (one of {', '.join(DATA_TYPES)})")
    return upper


def field_from_decl(tenant: str, obj: str, name: str, decl: FieldDecl | str) -> FieldSchema:
    if isinstance(decl, str):
        decl = FieldDecl(dataType=decl)
    if not name or not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise SchemaError(f"invalid field name {name!r}")
    data_type = normalize_type(decl.dataType)
    length = decl.length
    if length is None and data_type == "STRING":
        length = STRING_LENGTH if name.endswith("__gc") else STANDARD_LENGTH
    if length is None and data_type in ("GSID", "LOOKUP"):
        length = GSID_LENGTH
    category = decl.category or f"{obj}.{name}"
    items = tuple(_item(tenant, category, i) for i in decl.items)
    if data_type == "LOOKUP" and not decl.lookupObject:
        raise SchemaError(f"LOOKUP field {name} needs lookupObject")
    return FieldSchema(
        name=name,
        dataType=data_type,
        length=length,
        nillable=decl.nillable,
        decimalPlaces=decl.decimalPlaces,
        items=items,
        lookupObject=decl.lookupObject,
        defaultValue=decl.defaultValue,
        label=decl.label or name,
    )


def _item(tenant: str, category: str, item: str | Item) -> PicklistItem:
    if isinstance(item, str):
        item = Item(label=item)
    value = item.value or item_gsid(tenant, category, item.label)
    return PicklistItem(item.label, value, item.active, item.systemName or item.label)


def object_from_decl(
    tenant: str, name: str, decl: ObjectDecl, base: ObjectSchema | None = None
) -> ObjectSchema:
    """A declared object: system fields, then the standard ones of `base`, then the declared."""
    schema = ObjectSchema(name, transactional=decl.transactional, label=decl.label or name)
    for f in system_fields():
        schema.add(f)
    for f in base.ordered if base else []:
        schema.add(f)
    for field_name, field_decl in decl.fields.items():
        if field_name.lower() in SYSTEM:
            continue  # system fields are fixed (spec §5)
        schema.add(field_from_decl(tenant, name, field_name, field_decl))
    return schema


def inferred_object(name: str) -> ObjectSchema:
    schema = ObjectSchema(name, inferred=True)
    for f in system_fields():
        schema.add(f)
    return schema
