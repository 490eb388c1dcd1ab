"""Field-to-field comparisons (§3 "Field comparisons") as aggregation expressions."""

from __future__ import annotations

from typing import Any

from .schema import Field


def kind_of(field: Field) -> str:
    return field.items.type if field.type == "array" and field.items is not None else field.type


def many(field: Field, steps: list[str]) -> bool:
    """The side is an array: an array field, or a path through `*`."""
    return field.type == "array" or "*" in steps


_EVERY_ELEMENT = {  # scalar OP array holds for every element: compare with the extreme (§3)
    "$gt": "$max",
    "$gte": "$max",
    "$lt": "$min",
    "$lte": "$min",
}
_FLIPPED = {"$gt": "$lt", "$gte": "$lte", "$lt": "$gt", "$lte": "$gte", "$eq": "$eq", "$ne": "$ne"}


def compare_fields(op: str, left: Any, left_many: bool, right: Any, right_many: bool) -> Any:
    """A field comparison as an aggregation expression (§3 "Field comparisons").

    Scalar vs array: the relation must hold against every element, so `>` compares with the
    array's $max, `<` with its $min, `=` with both, `!=` asks that the scalar is no element.
    Array vs array: `=`/`!=` compare whole arrays (same length, pairwise), as $eq/$ne do;
    ordering needs the same length and the relation at every index ($zip + $map).
    """
    if left_many and right_many and op not in ("$eq", "$ne"):
        return pairwise(op, left, right)
    if left_many == right_many:
        return {op: [left, right]}
    if left_many:  # array OP scalar == scalar FLIPPED(OP) array
        return compare_fields(_FLIPPED[op], right, False, left, True)
    if op == "$eq":
        return {"$and": [{"$eq": [left, {"$min": right}]}, {"$eq": [left, {"$max": right}]}]}
    if op == "$ne":
        return {"$not": [{"$in": [left, right]}]}
    return {op: [left, {_EVERY_ELEMENT[op]: right}]}


def pairwise(op: str, left: Any, right: Any) -> Any:
    """Two arrays of one length whose elements stand in the relation index by index."""
    pairs = {"$zip": {"inputs": [left, right]}}
    test = {op: [{"$arrayElemAt": ["$$pair", 0]}, {"$arrayElemAt": ["$$pair", 1]}]}
    return {
        "$and": [
            {"$isArray": [left]},
            {"$isArray": [right]},
            {"$eq": [{"$size": [left]}, {"$size": [right]}]},
            {"$allElementsTrue": [{"$map": {"input": pairs, "as": "pair", "in": test}}]},
        ]
    }
