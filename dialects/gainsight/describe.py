"""An object schema as JSON, for the control plane (README): describe-like field names."""

from __future__ import annotations

from typing import Any

from .schema import ObjectSchema


def describe(schema: ObjectSchema) -> dict[str, Any]:
    return {
        "objectName": schema.name,
        "label": schema.label or schema.name,
        "transactional": schema.transactional,
        "inferred": schema.inferred,
        "fields": [
            {
                "fieldName": f.name,
                "label": f.label or f.name,
                "dataType": f.dataType,
                "length": f.length,
                "nillable": f.nillable,
                "readOnly": f.readOnly,
                "decimalPlaces": f.decimalPlaces,
                "lookupObject": f.lookupObject or None,
                "defaultValue": f.defaultValue,
                "items": [{"label": i.label, "value": i.value, "active": i.active} for i in f.items]
                or None,
            }
            for f in schema.ordered
        ],
    }
