"""Data Management meta endpoints readers call first (spec §1.7): the object list and describe,
shaped like the vendor's (field `meta` flags, lookupDetail, dropdown `options`)."""

from __future__ import annotations

from typing import Any

from .gsid import FAMILIES, key_prefix
from .schema import FieldSchema, ObjectSchema

NOT_FOUND_TITLE = "OBJECT_NOT_FOUND"
NOT_FOUND_DETAIL = "Requested object not found."


def object_type(schema: ObjectSchema) -> str:
    return "STANDARD" if schema.name.lower() in FAMILIES else "CUSTOM"


def list_entry(tenant: str, schema: ObjectSchema) -> dict[str, Any]:
    standard = object_type(schema) == "STANDARD"
    return {
        "objectName": schema.name,
        "label": schema.label or schema.name,
        "objectType": object_type(schema),
        "keyPrefix": key_prefix(tenant, schema.name),
        # the vendor lists standard objects as non-transactional, yet serves Company (spec §0)
        "transactional": False if standard else schema.transactional,
        "multiCurrencySupported": False,
        "readable": True,
        "createable": True,
        "schemaUpdateable": True,
    }


def describe_object(tenant: str, schema: ObjectSchema) -> dict[str, Any]:
    label = schema.label or schema.name
    return {
        "objectName": schema.name,
        "label": label,
        "objectType": object_type(schema),
        "labelPlural": label,
        "keyPrefix": key_prefix(tenant, schema.name),
        "fields": [_field(schema, f) for f in schema.ordered],
    }


def _field(schema: ObjectSchema, f: FieldSchema) -> dict[str, Any]:
    group = "SYSTEM" if f.readOnly else ("CUSTOM" if f.name.endswith("__gc") else "STANDARD")
    source = "GSID" if f.dataType == "LOOKUP" else f.dataType
    meta: dict[str, Any] = {
        "properties": {"sourceType": source},
        "filterable": True,
        "sortable": f.dataType != "MULTISELECTDROPDOWNLIST",
        "groupable": f.dataType != "MULTISELECTDROPDOWNLIST",
        "createable": not f.readOnly,
        "updateable": not f.readOnly,
        "formulaField": False,
        "hasLookup": f.dataType == "LOOKUP",
        "required": not f.nillable,
        "richText": f.dataType == "RICHTEXTAREA",
        "nillable": f.nillable,
        "readOnly": f.readOnly,
        "dependentPicklist": False,
        "fieldGroupType": group,
        "selfLookup": f.lookupObject.lower() == schema.name.lower(),
        "indexed": f.readOnly,
        "decimalPlaces": f.decimalPlaces or 0,
        "hidden": False,
        "nameField": f.name == "Name",
        "aggregatable": True,
    }
    if f.length is not None:
        meta["length"] = f.length
    if f.dataType == "LOOKUP":
        meta["lookupDetail"] = {
            "lookupName": f"{f.name[:-4] if f.name.endswith('__gc') else f.name}__gr",
            "fieldName": "Gsid",
            "lookupObjects": [{"objectName": f.lookupObject, "label": f.lookupObject}],
        }
    out: dict[str, Any] = {
        "fieldName": f.name,
        "label": f.label or f.name,
        "dataType": f.dataType,
        "objectName": schema.name,
    }
    if f.dataType in ("PICKLIST", "MULTISELECTDROPDOWNLIST"):
        out["options"] = [
            {
                "active": item.active,
                "defaultValue": False,
                "label": item.label,
                "value": item.value,
                "displayOrder": order,
                "systemName": item.systemName or item.label,
            }
            for order, item in enumerate(f.items, start=1)
        ]
    out["meta"] = meta
    return out
