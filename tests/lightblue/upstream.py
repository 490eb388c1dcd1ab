"""lightblue-core's evaluator test entity (testMetadata.json) and document (sample1.json), as data.

Carried over from lightblue-platform/lightblue-core `crud/src/test/resources`: the field tree is
upstream's; access is opened to `anyone` (upstream's role names stay on `field1` for the roles
call), the version is a valid `1.0.0`, and `field11` holds nested arrays for `$foreach` with `*`.
"""

from __future__ import annotations

import copy
from typing import Any

from .helpers import ANYONE

ITEM = {"elemf1": {"type": "string"}, "elemf2": {"type": "string"}, "elemf3": {"type": "integer"}}


def _nested() -> dict[str, Any]:
    return {
        "type": "object",
        "fields": {
            "nnf1": {"type": "string"},
            "nnf2": {"type": "integer"},
            "nnf3": {"type": "array", "items": {"type": "integer"}},
            "nnf4": {"type": "array", "items": {"type": "object", "fields": dict(ITEM)}},
        },
    }


TEST_FIELDS: dict[str, Any] = {
    "field1": {
        "type": "string",
        "access": {
            "find": ["anyone", "test.field1-find", "test.field1-insert", "test.field1-update"],
            "insert": ["anyone", "test.field1-insert"],
            "update": ["anyone", "test.field1-update"],
        },
    },
    "field2": {"type": "string", "access": {"find": ["anyone"]}},
    "field3": {"type": "integer"},
    "field4": {"type": "bigdecimal"},
    "field5": {"type": "boolean"},
    "field6": {
        "type": "object",
        "fields": {
            "nf1": {"type": "string"},
            "nf2": {"type": "string"},
            "nf3": {"type": "integer"},
            "nf4": {"type": "boolean"},
            "nf5": {"type": "array", "items": {"type": "integer"}},
            "nf6": {"type": "array", "items": {"type": "string"}},
            "nf7": {
                "type": "object",
                "fields": {"nnf1": {"type": "string"}, "nnf2": {"type": "integer"}},
            },
            "nf8": {"type": "array", "items": {"type": "string"}},
            "nf9": {"type": "array", "items": {"type": "integer"}},
            "nf10": {"type": "array", "items": {"type": "bigdecimal"}},
            "nf11": {"type": "array", "items": {"type": "integer"}},
        },
    },
    "field7": {"type": "array", "items": {"type": "object", "fields": dict(ITEM)}},
    "field8": {"type": "object", "fields": {"nf1": _nested(), "nf2": _nested()}},
    "field9": {"type": "array", "items": {"type": "integer"}},
    "field10": {"type": "array", "items": {"type": "integer"}},
    "field11": {
        "type": "array",
        "items": {
            "type": "object",
            "fields": {
                "f1": {"type": "integer"},
                "arr": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "fields": {
                            "id": {"type": "integer"},
                            "x1": {"type": "string"},
                            "x2": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}


def test_metadata(version: str = "1.0.0", default: bool = True) -> dict[str, Any]:
    info: dict[str, Any] = {
        "name": "test",
        "datastore": {"backend": "mongo", "datasource": "mongodata", "collection": "test"},
    }
    if default:
        info["defaultVersion"] = version
    return {
        "entityInfo": info,
        "schema": {
            "name": "test",
            "version": {"value": version, "changelog": "blahblah"},
            "status": {"value": "active"},
            "access": copy.deepcopy(ANYONE),
            "fields": copy.deepcopy(TEST_FIELDS),
        },
    }


test_metadata.__test__ = False  # type: ignore[attr-defined]  # a factory, not a test

SAMPLE1: dict[str, Any] = {
    "field1": "value1",
    "field2": "value2",
    "field3": 3,
    "field4": 4.0,
    "field5": True,
    "field6": {
        "nf1": "nvalue1",
        "nf2": "nvalue2",
        "nf3": 4,
        "nf4": False,
        "nf5": [5, 10, 15, 20],
        "nf6": ["one", "two", "three", "four"],
        "nf7": {"nnf1": "nnvalue1", "nnf2": 2},
        "nf8": ["four", "three", "two", "one"],
        "nf9": [5, 10, 15, 20],
        "nf10": [20.1, 15.2, 10.3, 5.4],
        "nf11": [5, 10, 15, 20],
    },
    "field7": [
        {"elemf1": f"elvalue{i}_1", "elemf2": f"elvalue{i}_2", "elemf3": 3 + i} for i in range(4)
    ],
    # field8 is reconstructed (the stored sample1 lacks it): values that make
    # ArrayMatchEvaluatorTest's assertions hold (some nnf4 elemf3 > 5, none > 50)
    "field8": {
        "nf1": {
            "nnf1": "nnvalue1",
            "nnf2": 2,
            "nnf3": [1, 2],
            "nnf4": [{"elemf1": "a", "elemf2": "b", "elemf3": 6}, {"elemf3": 7}],
        }
    },
    "field11": [
        {"f1": 1, "arr": [{"id": 1, "x1": "a"}, {"id": 2, "x1": "b"}]},
        {"f1": 2, "arr": [{"id": 3, "x1": "c"}]},
    ],
}


def sample1() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE1)
