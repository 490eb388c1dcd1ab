"""Update operators, upserts, counts, find_one_and_update, replace and delete."""

from __future__ import annotations

from typing import Any

import pytest

from doppelgate.engine import Collection, InvalidUpdate, UpdateResult

from .util import ids, only


async def updated(coll: Collection, doc: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Insert `doc` (with `_id` 1), apply `update` to it and return the stored result."""
    await coll.insert({"_id": 1, **doc})
    result = await coll.update({"_id": 1}, update)
    assert result.matched == 1
    found = await coll.find_one({"_id": 1})
    assert found is not None
    return found


# -- $set / $unset ---------------------------------------------------------------------------


async def test_set_top_level_and_new_field(coll: Collection) -> None:
    doc = await updated(coll, {"a": 1, "b": 2}, {"$set": {"a": 10, "c": "new"}})
    assert doc == {"_id": 1, "a": 10, "b": 2, "c": "new"}


async def test_set_creates_nested_documents(coll: Collection) -> None:
    doc = await updated(coll, {"a": 1}, {"$set": {"x.y.z": 5}})
    assert doc == {"_id": 1, "a": 1, "x": {"y": {"z": 5}}}


async def test_set_dotted_keeps_siblings(coll: Collection) -> None:
    doc = await updated(coll, {"x": {"y": 1, "w": 2}}, {"$set": {"x.y": 3, "x.v": 4}})
    assert doc["x"] == {"y": 3, "w": 2, "v": 4}


async def test_set_whole_subdocument_replaces_it(coll: Collection) -> None:
    doc = await updated(coll, {"x": {"y": 1, "w": 2}}, {"$set": {"x": {"v": 9}}})
    assert doc["x"] == {"v": 9}


async def test_set_array_element_by_index(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1, 2, 3], "d": [{"k": 1}]}, {"$set": {"a.1": 20, "d.0.k": 5}})
    assert doc["a"] == [1, 20, 3]
    assert doc["d"] == [{"k": 5}]


async def test_set_past_the_end_pads_with_null(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1]}, {"$set": {"a.3": 4}})
    assert doc["a"] == [1, None, None, 4]


async def test_set_through_a_scalar_fails_and_changes_nothing(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": 5, "b": 1})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$set": {"b": 2, "a.x": 1}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "a": 5, "b": 1}


async def test_set_field_across_an_array_fails(coll: Collection) -> None:
    await coll.insert({"_id": 1, "items": [{"k": 1}, {"k": 2}]})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$set": {"items.k": 3}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "items": [{"k": 1}, {"k": 2}]}


async def test_operators_on_array_elements_by_index(coll: Collection) -> None:
    doc = await updated(
        coll,
        {"n": [1, 2], "items": [{"tags": []}]},
        {"$inc": {"n.1": 5}, "$push": {"items.0.tags": "x"}},
    )
    assert doc["n"] == [1, 7]
    assert doc["items"] == [{"tags": ["x"]}]


async def test_set_various_types(coll: Collection) -> None:
    value = {"n": None, "l": [1, "two", {"three": 3}], "f": 1.5, "t": True, "b": b"\x00\xff"}
    doc = await updated(coll, {}, {"$set": {"v": value}})
    assert doc["v"] == value


async def test_unset(coll: Collection) -> None:
    doc = await updated(coll, {"a": 1, "b": {"c": 2, "d": 3}}, {"$unset": {"a": "", "b.c": 1}})
    assert doc == {"_id": 1, "b": {"d": 3}}


async def test_unset_missing_field_modifies_nothing(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": 1})
    assert await coll.update({"_id": 1}, {"$unset": {"zzz": 1, "a.b": 1}}) == UpdateResult(1, 0)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "a": 1}


async def test_unset_array_element_leaves_null(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1, 2, 3]}, {"$unset": {"a.1": 1}})
    assert doc["a"] == [1, None, 3]


# -- $inc ------------------------------------------------------------------------------------


async def test_inc(coll: Collection) -> None:
    doc = await updated(
        coll, {"n": 5, "f": 1.5, "m": {"k": 1}}, {"$inc": {"n": 2, "f": 1, "m.k": -3}}
    )
    assert doc["n"] == 7
    assert doc["f"] == 2.5
    assert doc["m"] == {"k": -2}


async def test_inc_int_by_float_gives_float(coll: Collection) -> None:
    doc = await updated(coll, {"n": 1}, {"$inc": {"n": 0.5}})
    assert doc["n"] == 1.5


async def test_inc_missing_field_starts_from_zero(coll: Collection) -> None:
    doc = await updated(coll, {}, {"$inc": {"n": 3, "deep.er": 1}})
    assert doc["n"] == 3
    assert doc["deep"] == {"er": 1}


@pytest.mark.parametrize("value", ["5", None, True, [1], {"a": 1}])
async def test_inc_non_number_field_fails(coll: Collection, value: Any) -> None:
    await coll.insert({"_id": 1, "n": value, "other": 1})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$inc": {"n": 1, "other": 1}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "n": value, "other": 1}


@pytest.mark.parametrize("amount", ["1", None, True, [1]])
async def test_inc_by_non_number_fails(coll: Collection, amount: Any) -> None:
    await coll.insert({"_id": 1, "n": 1})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$inc": {"n": amount}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "n": 1}


# -- $push / $addToSet / $pull ---------------------------------------------------------------


async def test_push(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1]}, {"$push": {"a": 2}})
    assert doc["a"] == [1, 2]


async def test_push_to_missing_field_creates_array(coll: Collection) -> None:
    doc = await updated(coll, {}, {"$push": {"a": "x", "n.list": 1}})
    assert doc["a"] == ["x"]
    assert doc["n"] == {"list": [1]}


async def test_push_an_array_pushes_one_element(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1]}, {"$push": {"a": [2, 3]}})
    assert doc["a"] == [1, [2, 3]]


async def test_push_each(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1]}, {"$push": {"a": {"$each": [2, 3, 2]}}})
    assert doc["a"] == [1, 2, 3, 2]


async def test_push_each_empty_modifies_nothing(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": [1]})
    assert await coll.update({"_id": 1}, {"$push": {"a": {"$each": []}}}) == UpdateResult(1, 0)


async def test_push_duplicates_allowed(coll: Collection) -> None:
    doc = await updated(coll, {"a": [{"k": 1}]}, {"$push": {"a": {"k": 1}}})
    assert doc["a"] == [{"k": 1}, {"k": 1}]


async def test_push_to_non_array_fails(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": "text"})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$push": {"a": 1}})
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$addToSet": {"a": 1}})
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "a": "text"}


async def test_add_to_set(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": [1, 2]})
    assert await coll.update({"_id": 1}, {"$addToSet": {"a": 3}}) == UpdateResult(1, 1)
    assert await coll.update({"_id": 1}, {"$addToSet": {"a": 2}}) == UpdateResult(1, 0)
    assert await coll.update({"_id": 1}, {"$addToSet": {"a": 2.0}}) == UpdateResult(1, 0)
    assert await coll.update({"_id": 1}, {"$addToSet": {"a": "2"}}) == UpdateResult(1, 1)
    assert (await only(coll))["a"] == [1, 2, 3, "2"]


async def test_add_to_set_each(coll: Collection) -> None:
    doc = await updated(coll, {"a": ["x"]}, {"$addToSet": {"a": {"$each": ["y", "x", "z", "y"]}}})
    assert doc["a"] == ["x", "y", "z"]


async def test_add_to_set_documents_and_missing_field(coll: Collection) -> None:
    doc = await updated(coll, {}, {"$addToSet": {"a": {"k": 1}}})
    assert doc["a"] == [{"k": 1}]
    await coll.update({"_id": 1}, {"$addToSet": {"a": {"k": 1}}})
    await coll.update({"_id": 1}, {"$addToSet": {"a": {"k": 2}}})
    assert (await only(coll))["a"] == [{"k": 1}, {"k": 2}]


async def test_add_to_set_documents_compare_in_field_order(coll: Collection) -> None:
    doc = await updated(coll, {"a": [{"k": 1, "j": 2}]}, {"$addToSet": {"a": {"j": 2, "k": 1}}})
    assert doc["a"] == [{"k": 1, "j": 2}, {"j": 2, "k": 1}]


async def test_pull_value(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1, 2, 1, 3, 1.0]}, {"$pull": {"a": 1}})
    assert doc["a"] == [2, 3]


async def test_pull_condition(coll: Collection) -> None:
    doc = await updated(coll, {"a": [1, 5, 8, 3, "9"]}, {"$pull": {"a": {"$gte": 5}}})
    assert doc["a"] == [1, 3, "9"]


async def test_pull_in(coll: Collection) -> None:
    doc = await updated(coll, {"a": ["x", "y", "z"]}, {"$pull": {"a": {"$in": ["x", "z"]}}})
    assert doc["a"] == ["y"]


async def test_pull_documents_by_query(coll: Collection) -> None:
    items = [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 9}, {"sku": "x", "qty": 7}, "x"]
    doc = await updated(coll, {"items": items}, {"$pull": {"items": {"sku": "x"}}})
    assert doc["items"] == [{"sku": "y", "qty": 9}, "x"]


async def test_pull_documents_by_query_with_operators(coll: Collection) -> None:
    items = [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 9}, {"sku": "x", "qty": 7}]
    update = {"$pull": {"items": {"sku": "x", "qty": {"$gt": 5}}}}
    doc = await updated(coll, {"items": items}, update)
    assert doc["items"] == [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 9}]


async def test_pull_nothing_modifies_nothing(coll: Collection) -> None:
    await coll.insert({"_id": 1, "a": [1, 2]})
    assert await coll.update({"_id": 1}, {"$pull": {"a": 7}}) == UpdateResult(1, 0)
    assert await coll.update({"_id": 1}, {"$pull": {"missing": 7}}) == UpdateResult(1, 0)


async def test_several_operators_at_once(coll: Collection) -> None:
    doc = await updated(
        coll,
        {"n": 1, "a": [1], "gone": True},
        {"$set": {"s": "x"}, "$inc": {"n": 1}, "$push": {"a": 2}, "$unset": {"gone": 1}},
    )
    assert doc == {"_id": 1, "n": 2, "a": [1, 2], "s": "x"}


# -- counts, one vs many ---------------------------------------------------------------------


@pytest.fixture
async def three(coll: Collection) -> Collection:
    await coll.insert_many(
        [{"_id": 1, "g": "a", "n": 1}, {"_id": 2, "g": "a", "n": 2}, {"_id": 3, "g": "b", "n": 3}]
    )
    return coll


async def test_update_one_touches_one(three: Collection) -> None:
    assert await three.update({"g": "a"}, {"$inc": {"n": 10}}) == UpdateResult(1, 1)
    assert sorted(d["n"] for d in await three.find({"g": "a"})) in ([2, 11], [1, 12])


async def test_update_many(three: Collection) -> None:
    assert await three.update({"g": "a"}, {"$inc": {"n": 10}}, many=True) == UpdateResult(2, 2)
    assert {d["_id"]: d["n"] for d in await three.find()} == {1: 11, 2: 12, 3: 3}


async def test_update_many_counts_only_real_changes(three: Collection) -> None:
    result = await three.update({}, {"$set": {"n": 2}}, many=True)
    assert result == UpdateResult(3, 2)


async def test_set_same_value_matches_but_does_not_modify(three: Collection) -> None:
    assert await three.update({"_id": 1}, {"$set": {"g": "a", "n": 1}}) == UpdateResult(1, 0)


async def test_update_without_match(three: Collection) -> None:
    result = await three.update({"g": "zzz"}, {"$set": {"n": 0}}, many=True)
    assert result == UpdateResult(0, 0)
    assert result.upserted_id is None
    assert await three.count() == 3


async def test_failed_update_many_leaves_failing_document_unchanged(three: Collection) -> None:
    await three.update({"_id": 3}, {"$set": {"n": "text"}})
    with pytest.raises(InvalidUpdate):
        await three.update({"_id": 3}, {"$inc": {"n": 1}, "$set": {"x": 1}})
    assert await three.find_one({"_id": 3}) == {"_id": 3, "g": "b", "n": "text"}


# -- upsert ----------------------------------------------------------------------------------


async def test_upsert_seeds_from_filter_equalities(coll: Collection) -> None:
    result = await coll.update(
        {"kind": "a", "meta.x": 5, "n": {"$gt": 1}, "e": {"$eq": "q"}, "$or": [{"z": 1}, {"z": 2}]},
        {"$set": {"v": 1}},
        upsert=True,
    )
    assert result.matched == 0
    assert result.modified == 0
    assert result.upserted_id is not None
    doc = await only(coll)
    assert doc["_id"] == result.upserted_id
    assert {k: v for k, v in doc.items() if k != "_id"} == {
        "kind": "a",
        "meta": {"x": 5},
        "e": "q",
        "v": 1,
    }


async def test_upsert_seeds_from_and(coll: Collection) -> None:
    await coll.update({"$and": [{"k": 1}, {"j": "x"}]}, {"$inc": {"n": 1}}, upsert=True)
    doc = await only(coll)
    assert {k: v for k, v in doc.items() if k != "_id"} == {"k": 1, "j": "x", "n": 1}


async def test_upsert_with_id_in_filter(coll: Collection) -> None:
    result = await coll.update({"_id": "k1"}, {"$set": {"a": 1}}, upsert=True)
    assert result == UpdateResult(0, 0, "k1")
    assert await coll.find() == [{"_id": "k1", "a": 1}]


async def test_upsert_update_wins_over_seed(coll: Collection) -> None:
    await coll.update({"k": 1, "n": 5}, {"$set": {"n": 6}, "$inc": {"c": 1}}, upsert=True)
    doc = await only(coll)
    assert (doc["k"], doc["n"], doc["c"]) == (1, 6, 1)


async def test_upsert_matches_existing(three: Collection) -> None:
    result = await three.update({"_id": 3}, {"$set": {"n": 30}}, upsert=True)
    assert result == UpdateResult(1, 1)
    assert result.upserted_id is None
    assert await three.count() == 3


async def test_upsert_many_inserts_one(coll: Collection) -> None:
    result = await coll.update({"g": "new"}, {"$set": {"n": 1}}, many=True, upsert=True)
    assert result.upserted_id is not None
    assert await coll.count() == 1


async def test_set_on_insert_only_on_insert(coll: Collection) -> None:
    update = {"$setOnInsert": {"created": 1}, "$set": {"seen": 1}}
    await coll.update({"_id": 1}, update, upsert=True)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "created": 1, "seen": 1}
    update = {"$setOnInsert": {"created": 2}, "$set": {"seen": 2}}
    assert await coll.update({"_id": 1}, update, upsert=True) == UpdateResult(1, 1)
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "created": 1, "seen": 2}


async def test_set_on_insert_alone_on_match_modifies_nothing(coll: Collection) -> None:
    await coll.insert({"_id": 1})
    result = await coll.update({"_id": 1}, {"$setOnInsert": {"x": 1}}, upsert=True)
    assert result == UpdateResult(1, 0)
    assert await coll.find_one({"_id": 1}) == {"_id": 1}


async def test_set_on_insert_can_choose_the_id(coll: Collection) -> None:
    result = await coll.update({"k": 1}, {"$setOnInsert": {"_id": "mine"}}, upsert=True)
    assert result.upserted_id == "mine"
    assert await coll.find() == [{"_id": "mine", "k": 1}]


# -- find_one_and_update ---------------------------------------------------------------------


async def test_find_one_and_update_returns_new(three: Collection) -> None:
    doc = await three.find_one_and_update({"_id": 2}, {"$inc": {"n": 5}})
    assert doc == {"_id": 2, "g": "a", "n": 7}


async def test_find_one_and_update_returns_old(three: Collection) -> None:
    doc = await three.find_one_and_update({"_id": 2}, {"$inc": {"n": 5}}, return_new=False)
    assert doc == {"_id": 2, "g": "a", "n": 2}
    assert await three.find_one({"_id": 2}) == {"_id": 2, "g": "a", "n": 7}


async def test_find_one_and_update_no_match(three: Collection) -> None:
    assert await three.find_one_and_update({"_id": 9}, {"$inc": {"n": 5}}) is None
    assert await three.count() == 3


async def test_find_one_and_update_sort_picks_the_document(three: Collection) -> None:
    doc = await three.find_one_and_update({"g": "a"}, {"$set": {"hit": True}}, sort=[("n", -1)])
    assert doc is not None
    assert doc["_id"] == 2
    assert await ids(three, {"hit": True}) == [2]
    doc = await three.find_one_and_update({}, {"$set": {"first": True}}, sort=[("n", 1)])
    assert doc is not None
    assert doc["_id"] == 1


async def test_find_one_and_update_projection(three: Collection) -> None:
    doc = await three.find_one_and_update({"_id": 1}, {"$inc": {"n": 1}}, projection={"n": 1})
    assert doc == {"_id": 1, "n": 2}
    doc = await three.find_one_and_update(
        {"_id": 1}, {"$inc": {"n": 1}}, projection={"n": 1, "_id": 0}, return_new=False
    )
    assert doc == {"n": 2}


async def test_find_one_and_update_upsert(coll: Collection) -> None:
    doc = await coll.find_one_and_update({"k": "a"}, {"$inc": {"n": 1}}, upsert=True)
    assert doc is not None
    assert (doc["k"], doc["n"]) == ("a", 1)
    assert doc == await coll.find_one({"k": "a"})
    doc = await coll.find_one_and_update(
        {"k": "b"}, {"$inc": {"n": 1}}, upsert=True, return_new=False
    )
    assert doc is None
    assert await coll.count({"k": "b"}) == 1


# -- replace ---------------------------------------------------------------------------------


async def test_replace_keeps_id_and_drops_other_fields(three: Collection) -> None:
    result = await three.replace({"_id": 2}, {"x": 1})
    assert result == UpdateResult(1, 1)
    assert await three.find_one({"_id": 2}) == {"_id": 2, "x": 1}


async def test_replace_by_other_field(three: Collection) -> None:
    assert await three.replace({"g": "b"}, {"g": "c"}) == UpdateResult(1, 1)
    assert await three.find_one({"_id": 3}) == {"_id": 3, "g": "c"}


async def test_replace_with_same_id(three: Collection) -> None:
    assert await three.replace({"_id": 2}, {"_id": 2, "x": 1}) == UpdateResult(1, 1)
    assert await three.find_one({"_id": 2}) == {"_id": 2, "x": 1}


async def test_replace_identical_modifies_nothing(three: Collection) -> None:
    assert await three.replace({"_id": 1}, {"g": "a", "n": 1}) == UpdateResult(1, 0)


async def test_replace_with_other_id_fails(three: Collection) -> None:
    with pytest.raises(InvalidUpdate):
        await three.replace({"_id": 2}, {"_id": 99, "x": 1})
    assert await three.find_one({"_id": 2}) == {"_id": 2, "g": "a", "n": 2}
    assert await three.count() == 3


async def test_replace_with_operators_fails(three: Collection) -> None:
    with pytest.raises(InvalidUpdate):
        await three.replace({"_id": 2}, {"$set": {"x": 1}})
    assert await three.find_one({"_id": 2}) == {"_id": 2, "g": "a", "n": 2}


async def test_replace_no_match(three: Collection) -> None:
    assert await three.replace({"_id": 9}, {"x": 1}) == UpdateResult(0, 0)
    assert await three.count() == 3


async def test_replace_upsert_takes_id_from_filter_only(coll: Collection) -> None:
    result = await coll.replace({"_id": "r", "other": 1}, {"x": 1}, upsert=True)
    assert result == UpdateResult(0, 0, "r")
    assert await coll.find() == [{"_id": "r", "x": 1}]


async def test_replace_upsert_without_id(coll: Collection) -> None:
    result = await coll.replace({"k": 1}, {"x": 1}, upsert=True)
    assert result.upserted_id is not None
    doc = await only(coll)
    assert doc == {"_id": result.upserted_id, "x": 1}


# -- _id is immutable ------------------------------------------------------------------------


async def test_update_cannot_change_id(three: Collection) -> None:
    for update in (
        {"$set": {"_id": 99}},
        {"$unset": {"_id": 1}},
        {"$inc": {"_id": 1}},
        {"$set": {"_id": 99, "n": 0}},
    ):
        with pytest.raises(InvalidUpdate):
            await three.update({"_id": 2}, update)
    assert await ids(three) == [1, 2, 3]
    assert await three.find_one({"_id": 2}) == {"_id": 2, "g": "a", "n": 2}


async def test_set_id_to_its_own_value_is_allowed(three: Collection) -> None:
    result = await three.update({"_id": 2}, {"$set": {"_id": 2, "n": 20}})
    assert result == UpdateResult(1, 1)
    assert await three.find_one({"_id": 2}) == {"_id": 2, "g": "a", "n": 20}


async def test_upsert_cannot_change_filter_id(coll: Collection) -> None:
    with pytest.raises(InvalidUpdate):
        await coll.update({"_id": 1}, {"$set": {"_id": 2}}, upsert=True)
    assert await coll.count() == 0


# -- invalid updates -------------------------------------------------------------------------

INVALID: list[tuple[str, Any]] = [
    ("unknown operator", {"$frobnicate": {"a": 1}}),
    ("unknown beside a known one", {"$set": {"a": 1}, "$frobnicate": {"b": 1}}),
    ("plain document", {"a": 1}),
    ("operator not taking a document", {"$set": 5}),
    ("same path twice", {"$set": {"a": 1}, "$inc": {"a": 1}}),
    ("path inside another", {"$set": {"a": 1, "a.b": 2}}),
    ("path inside another across operators", {"$unset": {"a.b.c": 1}, "$set": {"a.b": 2}}),
    ("prefix conflict hidden by sorting", {"$set": {"a": 1, "a-x": 2}, "$inc": {"a.b": 1}}),
    ("$push unknown modifier", {"$push": {"a": {"$each": [1], "$frobnicate": 1}}}),
    ("$push $each needs an array", {"$push": {"a": {"$each": 1}}}),
    ("$addToSet $each needs an array", {"$addToSet": {"a": {"$each": "x"}}}),
    ("empty field name", {"$set": {"a..b": 1}}),
]


@pytest.mark.parametrize(("update",), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
async def test_invalid_update(three: Collection, update: Any) -> None:
    with pytest.raises(InvalidUpdate):
        await three.update({"_id": 1}, update)
    with pytest.raises(InvalidUpdate):
        await three.update({"_id": 99}, update, upsert=True)
    with pytest.raises(InvalidUpdate):
        await three.find_one_and_update({"_id": 1}, update)
    assert await three.find_one({"_id": 1}) == {"_id": 1, "g": "a", "n": 1}
    assert await three.count() == 3


async def test_set_different_paths_sharing_a_prefix_is_fine(coll: Collection) -> None:
    doc = await updated(coll, {}, {"$set": {"a.b": 1, "a.c": 2, "ab": 3}})
    assert doc == {"_id": 1, "a": {"b": 1, "c": 2}, "ab": 3}


# -- delete ----------------------------------------------------------------------------------


async def test_delete_many(three: Collection) -> None:
    assert await three.delete({"g": "a"}) == 2
    assert await ids(three) == [3]


async def test_delete_one(three: Collection) -> None:
    assert await three.delete({"g": "a"}, many=False) == 1
    assert await three.count({"g": "a"}) == 1
    assert await three.count() == 2


async def test_delete_no_match(three: Collection) -> None:
    assert await three.delete({"g": "zzz"}) == 0
    assert await three.delete({"g": "zzz"}, many=False) == 0
    assert await three.count() == 3


async def test_delete_everything(three: Collection) -> None:
    assert await three.delete({}) == 3
    assert await three.count() == 0
    assert await three.find() == []
