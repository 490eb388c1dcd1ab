"""Behaviour upstream lightblue's own tests expect, on upstream's `test` entity (tests.upstream)."""

from __future__ import annotations

from typing import Any

from .helpers import EVERYTHING, OBJECT_ID, Lightblue, country_metadata, eq
from .upstream import test_metadata


async def stored(lb: Lightblue) -> dict[str, Any]:
    [doc] = await lb.found("test", eq("field1", "value1"))
    return doc


async def test_foreach_over_every_nested_array(sample: Lightblue) -> None:
    """`"x.*.y": ...` selects the elements of every nested array (update.md, $foreach)."""
    remove_all = {"$foreach": {"field11.*.arr": "$all", "$update": "$remove"}}
    reply = await sample.update("test", eq("field1", "value1"), remove_all)
    assert (reply["status"], reply["matchCount"], reply["modifiedCount"]) == ("COMPLETE", 1, 1)
    assert [e["arr"] for e in (await stored(sample))["field11"]] == [[], []]
    reply = await sample.update(
        "test",
        eq("field1", "value1"),
        {
            "$foreach": {
                "field11.*.arr": {"field": "id", "op": ">", "rvalue": 0},
                "$update": {"$set": {"x2": "seen"}},
            }
        },
    )
    assert reply["modifiedCount"] == 0  # nothing left to select


async def test_foreach_star_with_query_and_nested_update(sample: Lightblue) -> None:
    update = {
        "$foreach": {
            "field11.*.arr": {"field": "id", "op": ">=", "rvalue": 2},
            "$update": {"$set": {"x2": "big"}},
        }
    }
    reply = await sample.update("test", eq("field1", "value1"), update, projection=EVERYTHING)
    assert reply["modifiedCount"] == 1, reply
    arrays = [[e.get("x2") for e in o["arr"]] for o in (await stored(sample))["field11"]]
    assert arrays == [[None, "big"], ["big"]]
    remove = {"$foreach": {"field11.*.arr": eq("x2", "big"), "$update": "$remove"}}
    await sample.update("test", eq("field1", "value1"), remove)
    assert [[e["id"] for e in o["arr"]] for o in (await stored(sample))["field11"]] == [[1], []]


async def test_field_comparison_between_indexed_elements(sample: Lightblue) -> None:
    """FieldComparisonEvaluatorTest: `field7.1.$this.elemf3 > field7.0.$this.elemf3` (4 > 3)."""

    async def matches(field: str, op: str, rfield: str) -> int:
        reply = await sample.find("test", {"field": field, "op": op, "rfield": rfield})
        return int(reply["matchCount"])

    assert await matches("field7.0.elemf3", "<", "field7.1.elemf3") == 1
    assert await matches("field7.0.elemf3", ">", "field7.1.elemf3") == 0
    assert await matches("field7.1.$this.elemf3", ">", "field7.0.$this.elemf3") == 1
    assert await matches("field7.1.$this.$this.elemf3", "<", "field7.0.$this.$this.elemf3") == 0
    assert await matches("field6.nf5.1", "=", "field6.nf9.1") == 1  # 10 = 10
    assert await matches("field6.nf5.0", "<", "field7.-1.elemf3") == 1  # 5 < 6
    assert await matches("field3", "=", "field7.0.elemf3") == 1


async def test_range_projection_of_a_simple_array_with_project(sample: Lightblue) -> None:
    """ProjectionTest.arrayRangeTest: the nested `*` selects each simple element."""
    projection = {"field": "field6.nf6", "range": [1, 2], "project": {"field": "*"}}
    [doc] = await sample.found("test", None, projection=projection)
    assert doc == {"field6": {"nf6": ["two", "three"]}}
    match = {"field": "field6.nf5", "match": {"field": "$this", "op": ">", "rvalue": 10}}
    [doc] = await sample.found("test", None, projection={**match, "project": {"field": "*"}})
    assert doc == {"field6": {"nf5": [15, 20]}}


async def test_null_id_is_generated_on_insert(country: Lightblue) -> None:
    """`_id: null` is treated like an absent `_id`: the server generates one (§5)."""
    reply = await country.insert(
        "country", [{"_id": None, "name": "A"}, {"name": "B"}], projection={"field": "_id"}
    )
    assert reply["status"] == "COMPLETE", reply
    ids = [d["_id"] for d in reply["processed"]]
    assert all(OBJECT_ID.match(i) for i in ids) and len(set(ids)) == 2
    [doc] = await country.found("country", eq("name", "A"))
    assert doc["_id"] == ids[0]
    assert (await country.find("country", eq("_id", None)))["matchCount"] == 0


async def test_values_cast_to_the_field_type(sample: Lightblue) -> None:
    """IntegerType/BooleanType: a number is cast (longValue(); intValue() != 0) (§3, §5)."""

    async def count(query: dict[str, Any]) -> int:
        reply = await sample.find("test", query)
        assert reply["status"] == "COMPLETE", reply
        return int(reply["matchCount"])

    assert await count({"field": "field6.nf3", "op": ">", "rvalue": 2.5}) == 1  # 4 > 2
    assert await count({"field": "field6.nf3", "op": "=", "rvalue": 4.9}) == 1
    assert await count({"field": "field5", "op": "$eq", "rvalue": 1}) == 1
    assert await count({"field": "field6.nf4", "op": "=", "rvalue": 0}) == 1
    assert await count({"field": "field3", "op": "$in", "values": [3.0, 7]}) == 1
    reply = await sample.update(
        "test",
        eq("field1", "value1"),
        {"$set": {"field5": 0, "field3": 7.8}},
        projection=EVERYTHING,
    )
    assert reply["status"] == "COMPLETE" and "dataErrors" not in reply, reply
    [doc] = reply["processed"]
    assert doc["field5"] is False and doc["field3"] == 7


async def test_array_match_takes_the_whole_query_language(sample: Lightblue) -> None:
    """ProjectorTest: a `match` with `$or`/`$and`, `rfield`s and `$parent` (§4)."""

    async def elemf3(match: dict[str, Any]) -> list[int]:
        projection = {"field": "field7", "match": match, "project": {"field": "elemf3"}}
        docs = await sample.found("test", None, projection=projection)
        return [e["elemf3"] for d in docs for e in d.get("field7", [])]

    either = {"$or": [eq("elemf3", 3), eq("elemf1", "elvalue3_1")]}
    assert await elemf3(either) == [3, 6]
    both = {"$and": [{"field": "elemf3", "op": ">", "rvalue": 3}, eq("elemf2", "elvalue1_2")]}
    assert await elemf3(both) == [4]
    assert await elemf3({"$not": eq("elemf3", 4)}) == [3, 5, 6]
    above = {"field": "elemf3", "op": ">", "rfield": "$parent.$parent.field6.nf3"}  # > 4
    assert await elemf3(above) == [5, 6]
    assert await elemf3({"field": "elemf3", "op": "=", "rfield": "$this.elemf3"}) == [3, 4, 5, 6]
    nested = {"array": "$parent.$parent.field6.nf5", "contains": "$any", "values": [5]}
    assert await elemf3({"$and": [nested, eq("elemf3", 5)]}) == [5]


async def test_foreach_selects_with_the_whole_query_language(sample: Lightblue) -> None:
    update = {
        "$foreach": {
            "field7": {
                "$or": [
                    eq("elemf3", 3),
                    {"field": "elemf3", "op": ">", "rfield": "$parent.$parent.field6.nf3"},
                ]
            },
            "$update": "$remove",
        }
    }
    reply = await sample.update("test", eq("field1", "value1"), update)
    assert reply["modifiedCount"] == 1, reply
    assert [e["elemf3"] for e in (await stored(sample))["field7"]] == [4]


async def test_elem_match_with_fields_outside_the_element(sample: Lightblue) -> None:
    """MongoCRUDControllerTest.useThisInArrayTest: `$this` $in `$parent.$parent.nf8`."""

    async def count(query: dict[str, Any]) -> int:
        reply = await sample.find("test", query)
        assert reply["status"] == "COMPLETE", reply
        return int(reply["matchCount"])

    def this_in(op: str, rfield: str) -> dict[str, Any]:
        inner = {"field": "$this", "op": op, "rfield": rfield}
        return {"array": "field6.nf6", "elemMatch": inner}

    assert await count(this_in("$in", "$parent.$parent.nf8")) == 1
    assert await count(this_in("$in", "$parent.$parent.nf9")) == 0
    assert await count(this_in("$nin", "$parent.$parent.nf8")) == 0
    assert await count(this_in("$nin", "$parent.$parent.nf9")) == 1
    above = {"field": "elemf3", "op": ">", "rfield": "$parent.$parent.field6.nf3"}
    assert await count({"array": "field7", "elemMatch": above}) == 1  # 5, 6 > 4
    both = {"$and": [above, eq("elemf1", "elvalue0_1")]}
    assert await count({"array": "field7", "elemMatch": both}) == 0
    either = {"$or": [above, eq("elemf1", "elvalue0_1")]}
    assert await count({"array": "field7", "elemMatch": {"$not": either}}) == 1  # elemf3 4
    over = {"field": "elemf3", "op": ">", "rfield": "$parent.$parent.field3"}  # > 3
    assert await count({"array": "field7", "elemMatch": {"$not": over}}) == 1


async def test_roles_list_field_paths(lb: Lightblue) -> None:
    """lightblue-mongo getAccess: `entity` and `entity.field` paths per role."""
    await lb.create_metadata(test_metadata())
    body = await lb.meta("GET", "/test/roles")
    assert body["status"] == "COMPLETE" and "dataErrors" not in body, body
    roles = {r.pop("role"): r for r in body["processed"]}
    assert roles["test.field1-insert"] == {"find": ["test.field1"], "insert": ["test.field1"]}
    assert roles["test.field1-update"] == {"find": ["test.field1"], "update": ["test.field1"]}
    assert roles["test.field1-find"] == {"find": ["test.field1"]}
    assert roles["noone"] == {"update": ["test.objectType"]}  # the predefined objectType
    anyone = roles["anyone"]
    assert set(anyone) == {"find", "insert", "update", "delete"}
    assert anyone["delete"] == ["test"] and anyone["update"] == ["test", "test.field1"]
    assert {"test", "test.field1", "test.field2", "test.objectType"} <= set(anyone["find"])
    assert "test.field7#" in anyone["find"]  # array counts are findable by anyone
    assert "test.field3" not in anyone["find"]  # no access of its own: not listed


async def test_roles_without_a_default_version(lb: Lightblue) -> None:
    """ERROR for one entity, PARTIAL for several: a dataError `{"name": ...}` per entity."""
    await lb.create_metadata(test_metadata(default=False))
    body = await lb.meta("GET", "/test/roles")
    assert body["status"] == "ERROR" and "processed" not in body, body
    [error] = body["dataErrors"]
    assert error["data"] == {"name": "test"}
    assert error["errors"][0]["errorCode"] == "ERR_NO_METADATA"
    assert error["errors"][0]["msg"].startswith("Could not get metadata for given input.")
    assert (await lb.meta("GET", "/test/1.0.0/roles"))["status"] == "COMPLETE"
    await lb.create_metadata(country_metadata())
    body = await lb.meta("GET", "/roles")
    assert body["status"] == "PARTIAL", body
    assert [e["data"] for e in body["dataErrors"]] == [{"name": "test"}]
    assert {r["role"] for r in body["processed"]} == {"anyone", "noone"}


async def test_dependencies_are_not_supported(country: Lightblue) -> None:
    """GetDependenciesCommand on lightblue-mongo: rest-metadata:RestError (§1.2)."""
    for path, trail in [
        ("/dependencies", "GetDependenciesCommand"),
        ("/country/dependencies", "GetDependenciesCommand/country"),
        ("/country/1.0.0/dependencies", "GetDependenciesCommand/country/1.0.0"),
    ]:
        body = await country.meta("GET", path)
        assert body == {
            "objectType": "error",
            "context": trail,
            "errorCode": "rest-metadata:RestError",
            "msg": "java.lang.UnsupportedOperationException: Not supported yet.",
        }


async def test_element_identity_is_required_and_unique(lb: Lightblue) -> None:
    """ArrayElementIdChecker: msg is the duplicate value as text; a missing one is Required."""
    meta = test_metadata()
    meta["schema"]["fields"]["field7"]["items"]["fields"]["elemf3"]["constraints"] = {
        "element-identity": True
    }
    await lb.create_metadata(meta)
    doc = {"field1": "x", "field7": [{"elemf3": 1}, {"elemf3": 1}, {"elemf1": "no id"}]}
    reply = await lb.insert("test", doc)
    assert reply["status"] == "ERROR", reply
    errors = {(e["errorCode"], e["msg"]) for e in reply["dataErrors"][0]["errors"]}
    assert errors == {("crud:DuplicateArrayElementId", "1"), ("crud:Required", "field7.2.elemf3")}
    ok = await lb.insert("test", {"field1": "y", "field7": [{"elemf3": 1}, {"elemf3": 2}]})
    assert ok["status"] == "COMPLETE", ok
