"""Indexes: unique single and compound keys, multikey arrays, duplicate `_id`."""

from __future__ import annotations

from typing import Any

import pytest

from doppelgate.engine import Collection, DuplicateKey, Engine

from .util import ids, index_names


async def test_ensure_index_returns_mongodb_style_name(coll: Collection) -> None:
    assert await coll.ensure_index(["email"]) == "email_1"
    assert await coll.ensure_index([("a", 1), ("b", -1)], unique=True) == "a_1_b_-1"


async def test_ensure_index_is_idempotent(coll: Collection) -> None:
    await coll.insert({"_id": 1, "email": "a@x"})
    assert await coll.ensure_index(["email"], unique=True) == "email_1"
    assert await coll.ensure_index(["email"], unique=True) == "email_1"
    with pytest.raises(DuplicateKey):
        await coll.insert({"email": "a@x"})
    assert await coll.count() == 1


async def test_duplicate_id(coll: Collection) -> None:
    await coll.insert({"_id": "k", "v": 1})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": "k", "v": 2})
    assert await coll.find() == [{"_id": "k", "v": 1}]


async def test_duplicate_id_int_and_float(coll: Collection) -> None:
    await coll.insert({"_id": 1})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 1.0})
    assert await coll.count() == 1


async def test_ids_of_different_types_do_not_clash(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1}, {"_id": "1"}, {"_id": True}, {"_id": {"k": 1}}])
    assert await coll.count() == 4
    assert await ids(coll, {"_id": 1}) == [1]
    assert await coll.find({"_id": {"k": 1}}) == [{"_id": {"k": 1}}]


async def test_unique_index_rejects_duplicate_insert(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert({"_id": 1, "email": "a@x"})
    await coll.insert({"_id": 2, "email": "b@x"})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 3, "email": "a@x"})
    assert await ids(coll) == [1, 2]
    assert await ids(coll, {"email": "a@x"}) == [1]


async def test_unique_index_treats_int_and_float_alike(coll: Collection) -> None:
    await coll.ensure_index(["n"], unique=True)
    await coll.insert({"_id": 1, "n": 5})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "n": 5.0})
    await coll.insert({"_id": 3, "n": "5"})
    assert await ids(coll) == [1, 3]


async def test_unique_index_rejects_duplicate_update(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert_many([{"_id": 1, "email": "a@x"}, {"_id": 2, "email": "b@x"}])
    with pytest.raises(DuplicateKey):
        await coll.update({"_id": 2}, {"$set": {"email": "a@x", "other": 1}})
    assert await coll.find_one({"_id": 2}) == {"_id": 2, "email": "b@x"}
    with pytest.raises(DuplicateKey):
        await coll.find_one_and_update({"_id": 2}, {"$set": {"email": "a@x"}})
    with pytest.raises(DuplicateKey):
        await coll.replace({"_id": 2}, {"email": "a@x"})
    assert await coll.find_one({"_id": 2}) == {"_id": 2, "email": "b@x"}


async def test_unique_index_allows_updating_own_key(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert({"_id": 1, "email": "a@x", "n": 1})
    await coll.update({"_id": 1}, {"$set": {"email": "a@x", "n": 2}})
    await coll.replace({"_id": 1}, {"email": "a@x", "n": 3})
    assert await coll.find() == [{"_id": 1, "email": "a@x", "n": 3}]


async def test_unique_key_is_free_again_after_change_or_delete(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert({"_id": 1, "email": "a@x"})
    await coll.update({"_id": 1}, {"$set": {"email": "b@x"}})
    await coll.insert({"_id": 2, "email": "a@x"})
    await coll.delete({"_id": 1})
    await coll.insert({"_id": 3, "email": "b@x"})
    assert await ids(coll) == [2, 3]


async def test_unique_index_rejects_duplicate_upsert(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert({"_id": 1, "email": "a@x", "k": 1})
    with pytest.raises(DuplicateKey):
        await coll.update({"k": 2}, {"$set": {"email": "a@x"}}, upsert=True)
    assert await ids(coll) == [1]


async def test_unique_index_treats_missing_as_null(coll: Collection) -> None:
    await coll.ensure_index(["email"], unique=True)
    await coll.insert({"_id": 1})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 3, "email": None})
    assert await ids(coll) == [1]


async def test_compound_unique_index(coll: Collection) -> None:
    await coll.ensure_index(["tenant", "email"], unique=True)
    await coll.insert({"_id": 1, "tenant": "t1", "email": "a@x"})
    await coll.insert({"_id": 2, "tenant": "t2", "email": "a@x"})
    await coll.insert({"_id": 3, "tenant": "t1", "email": "b@x"})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 4, "tenant": "t1", "email": "a@x"})
    with pytest.raises(DuplicateKey):
        await coll.update({"_id": 3}, {"$set": {"email": "a@x"}})
    assert await ids(coll) == [1, 2, 3]
    assert await ids(coll, {"tenant": "t1", "email": "a@x"}) == [1]
    assert await ids(coll, {"email": "a@x"}) == [1, 2]


async def test_unique_index_on_dotted_path(coll: Collection) -> None:
    await coll.ensure_index(["profile.login"], unique=True)
    await coll.insert({"_id": 1, "profile": {"login": "ann"}})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "profile": {"login": "ann", "x": 1}})
    await coll.insert({"_id": 3, "profile": {"login": "bob"}})
    assert await ids(coll, {"profile.login": "ann"}) == [1]


async def test_unique_multikey_index(coll: Collection) -> None:
    await coll.ensure_index(["tags"], unique=True)
    await coll.insert({"_id": 1, "tags": ["x", "y"]})
    await coll.insert({"_id": 2, "tags": ["z", "z"]})  # repeats inside one document are fine
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 3, "tags": ["w", "y"]})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 4, "tags": "x"})
    with pytest.raises(DuplicateKey):
        await coll.update({"_id": 2}, {"$push": {"tags": "x"}})
    assert await ids(coll) == [1, 2]
    assert await ids(coll, {"tags": "y"}) == [1]


async def test_ensure_unique_index_on_duplicate_data_fails(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "e": "a"}, {"_id": 2, "e": "a"}, {"_id": 3, "e": "b"}])
    with pytest.raises(DuplicateKey):
        await coll.ensure_index(["e"], unique=True)
    # no index was left behind: more duplicates are still accepted
    await coll.insert({"_id": 4, "e": "b"})
    assert await coll.count({"e": "b"}) == 2


async def test_ensure_compound_unique_index_on_duplicate_data_fails(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "a": 1, "b": 1}, {"_id": 2, "a": 1, "b": 1}])
    with pytest.raises(DuplicateKey):
        await coll.ensure_index(["a", "b"], unique=True)
    await coll.insert({"_id": 3, "a": 1, "b": 1})
    assert await coll.count() == 3


async def test_non_unique_index_allows_duplicates_and_finds_them(coll: Collection) -> None:
    await coll.ensure_index(["g"])
    await coll.insert_many([{"_id": i, "g": i % 3} for i in range(12)])
    assert await ids(coll, {"g": 1}) == [1, 4, 7, 10]
    assert await ids(coll, {"g": 1.0, "_id": {"$gt": 4}}) == [7, 10]
    await coll.update({"g": 1}, {"$set": {"g": 5}}, many=True)
    assert await ids(coll, {"g": 1}) == []
    assert await ids(coll, {"g": 5}) == [1, 4, 7, 10]


async def test_insert_many_stops_at_first_duplicate(coll: Collection) -> None:
    await coll.ensure_index(["e"], unique=True)
    with pytest.raises(DuplicateKey):
        await coll.insert_many(
            [{"_id": 1, "e": "a"}, {"_id": 2, "e": "b"}, {"_id": 3, "e": "a"}, {"_id": 4, "e": "c"}]
        )
    assert await ids(coll) == [1, 2]


async def test_dropped_collection_loses_its_indexes(coll: Collection) -> None:
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": "a"})
    await coll.drop()
    await coll.insert({"_id": 1, "e": "a"})
    await coll.insert({"_id": 2, "e": "a"})
    assert await ids(coll) == [1, 2]


async def test_duplicate_key_error_names_index(coll: Collection) -> None:
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": "v"})
    with pytest.raises(DuplicateKey) as caught:
        await coll.insert({"_id": 2, "e": "v"})
    assert caught.value.index == "e_1"


# ensure_index answers from what the engine knows exists: these show that what it knows follows
# every change (a new definition, a failed build, a drop, a reset)


async def test_a_redefined_index_is_replaced_back(coll: Collection) -> None:
    await coll.insert({"_id": 1, "e": "a"})
    await coll.ensure_index(["e"])
    await coll.ensure_index(["e"], unique=True)
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "e": "a"})
    assert await coll.ensure_index(["e"]) == "e_1"  # the first definition again: not unique
    await coll.insert({"_id": 2, "e": "a"})
    assert await ids(coll, {"e": "a"}) == [1, 2]


async def test_a_failed_unique_index_is_not_taken_for_built(coll: Collection) -> None:
    await coll.insert_many([{"_id": 1, "e": "a"}, {"_id": 2, "e": "a"}])
    with pytest.raises(DuplicateKey):
        await coll.ensure_index(["e"], unique=True)
    await coll.delete({"_id": 2})  # now it can be built: ensure_index must build it
    await coll.ensure_index(["e"], unique=True)
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 3, "e": "a"})


@pytest.mark.parametrize("how", ["drop", "reset"])
async def test_an_index_is_built_again_after_its_collection_went(
    engine: Engine, coll: Collection, how: str
) -> None:
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": "a"})
    if how == "drop":
        await coll.drop()
    else:
        await engine.reset(coll.address.dialect, coll.address.tenant)
    assert await index_names(engine, coll) == set()
    await coll.ensure_index(["e"], unique=True)
    assert await index_names(engine, coll) == {"e_1"}
    await coll.insert({"_id": 1, "e": "a"})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "e": "a"})


async def test_keys_given_as_lists_are_ensured_alike(engine: Engine, coll: Collection) -> None:
    pairs: list[Any] = [["a", 1], ["b", -1]]  # JSON-shaped keys, as a dialect may pass them
    assert await coll.ensure_index(pairs) == "a_1_b_-1"
    assert await coll.ensure_index(pairs) == "a_1_b_-1"
    assert await coll.ensure_index([("a", 1), ("b", -1)]) == "a_1_b_-1"
    assert await index_names(engine, coll) == {"a_1_b_-1"}
