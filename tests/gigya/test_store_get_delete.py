"""ds.store, ds.get and ds.delete (spec §3, §5)."""

from __future__ import annotations

import asyncio

import pytest

from .helpers import TIME, Gigya


async def test_store_and_get_round_trip(gigya: Gigya) -> None:
    data = {
        "firstName_s": "david",
        "birthDate_d": "1978-07-22",
        "about_t": "I love tracking",
        "academicDegree": {"university_s": "Berkeley", "courses": [{"n_s": "a"}, {"n_s": "b"}]},
        "hobbies_s": ["running", "music"],
        "score_f": 1.5,
        "active_b": True,
        "nothing": None,
    }
    oid = await gigya.store("profile", data)
    body = await gigya.ok("ds.get", type="profile", oid=oid)
    assert body["oid"] == oid
    assert body["data"] == data  # exactly as submitted, nesting kept (spec §3)
    assert "UID" not in body
    assert isinstance(body["lastUpdated"], int) and TIME.match(body["lastUpdatedTime"])
    assert isinstance(body["created"], int) and TIME.match(body["createdTime"])
    assert list(body)[:6] == [
        "oid",
        "data",
        "lastUpdated",
        "lastUpdatedTime",
        "created",
        "createdTime",
    ]


async def test_given_oid_is_echoed(gigya: Gigya) -> None:
    assert await gigya.store("todo", {"a_i": 1}, oid="my-oid") == "my-oid"


async def test_auto_oids_differ(gigya: Gigya) -> None:
    assert await gigya.store("todo", {}) != await gigya.store("todo", {})


async def test_array_push_is_the_default(gigya: Gigya) -> None:
    await gigya.store("t", {"tags": ["a"], "o": {"x_i": 1, "arr": [1]}, "keep_s": "k"}, oid="1")
    await gigya.store("t", {"tags": ["b"], "o": {"y_i": 2, "arr": [2]}}, oid="1")
    data = (await gigya.ok("ds.get", type="t", oid="1"))["data"]
    assert data == {"tags": ["a", "b"], "o": {"x_i": 1, "arr": [1, 2], "y_i": 2}, "keep_s": "k"}
    await gigya.store("t", {"tags": ["c"]}, oid="1", updateBehavior="arrayPush")
    data = (await gigya.ok("ds.get", type="t", oid="1"))["data"]
    assert data["tags"] == ["a", "b", "c"]


async def test_array_set_replaces_arrays_and_merges_objects(gigya: Gigya) -> None:
    await gigya.store("t", {"tags": ["a"], "o": {"x_i": 1}}, oid="1")
    await gigya.store("t", {"tags": ["z"], "o": {"y_i": 2}}, oid="1", updateBehavior="arraySet")
    data = (await gigya.ok("ds.get", type="t", oid="1"))["data"]
    assert data == {"tags": ["z"], "o": {"x_i": 1, "y_i": 2}}


async def test_replace_replaces_all_data(gigya: Gigya) -> None:
    await gigya.store("t", {"a_i": 1, "b_i": 2}, oid="1")
    first = await gigya.ok("ds.get", type="t", oid="1")
    await asyncio.sleep(0.002)
    await gigya.store("t", {"c_i": 3}, oid="1", updateBehavior="replace")
    second = await gigya.ok("ds.get", type="t", oid="1")
    assert second["data"] == {"c_i": 3}
    assert second["created"] == first["created"]  # set once
    assert second["lastUpdated"] > first["lastUpdated"]  # bumps every write


async def test_bad_update_behavior(gigya: Gigya) -> None:
    body = await gigya.error("ds.store", 400006, type="t", oid="1", data={}, updateBehavior="merge")
    assert "updateBehavior" in body["errorDetails"]


@pytest.mark.parametrize("name", ["data", "type", "oid"])
async def test_store_missing_param(gigya: Gigya, name: str) -> None:
    params = {"type": "t", "oid": "1", "data": {}}
    del params[name]
    body = await gigya.error("ds.store", 400002, **params)
    assert body["errorMessage"] == "Missing required parameter"
    assert name in body["errorDetails"]


@pytest.mark.parametrize("data", ["[1, 2]", '"text"', "5"])
async def test_data_must_be_an_object(gigya: Gigya, data: str) -> None:
    await gigya.error("ds.store", 400006, type="t", oid="1", data=data)


async def test_data_null_is_missing(gigya: Gigya) -> None:
    await gigya.error("ds.store", 400002, type="t", oid="1", data="null")  # npm sends "null"


@pytest.mark.parametrize(
    "data",
    [{"1abc": 1}, {"a-b": 1}, {"a.b": 1}, {"_x": 1}, {"ok": {"bad name": 1}}, {"l": [{"$x": 1}]}],
)
async def test_field_name_rules(gigya: Gigya, data: dict[str, object]) -> None:
    body = await gigya.error("ds.store", 400006, type="t", oid="1", data=data)
    assert "field name" in body["errorDetails"]
    await gigya.error("ds.get", 404000, type="t", oid="1")


async def test_object_too_large(gigya: Gigya) -> None:
    body = await gigya.error("ds.store", 413003, type="t", oid="1", data={"b_s": "x" * 530_000})
    assert (body["errorMessage"], body["statusCode"]) == ("Object too large", 413)
    await gigya.store("t", {"b_s": "x" * 500_000}, oid="2")


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        ({"n_i": 1.5}, {"n_i": "x"}),
        ({"n_i": 1}, {"n_i": True}),
        ({"f_f": 1}, {"f_f": "1.0"}),
        ({"b_b": True}, {"b_b": "yes"}),
        ({"s_s": "x"}, {"s_s": 5}),
        ({"d_d": "2011-07-14T11:42:32.123+3"}, {"d_d": "yesterday"}),
        ({"t_t": "text"}, {"t_t": {"o": 1}}),
    ],
)
async def test_suffix_types_are_enforced(
    gigya: Gigya, data: dict[str, object], bad: dict[str, object]
) -> None:
    if data == {"n_i": 1.5}:
        await gigya.error("ds.store", 400023, type="t", oid="1", data=data)
        return
    await gigya.store("t", data, oid="1")
    body = await gigya.error("ds.store", 400023, type="t", oid="1", data=bad)
    assert body["errorMessage"] == "Invalid type validation"


async def test_date_formats(gigya: Gigya) -> None:
    for value in (
        "2011-07-14T11:42:32.123+3",
        "2011-07-14",
        "2011-07-14T11:42:32",
        "2011-07-14 11:42:32",
    ):
        await gigya.store("t", {"d_d": value})


async def test_auto_detected_type_is_fixed_by_the_first_write(gigya: Gigya) -> None:
    await gigya.store("t", {"count": 5, "name": "x", "ok": False, "ratio": 0.5}, oid="1")
    await gigya.store("t", {"count": 6, "name": "y", "ok": True, "ratio": 2}, oid="2")
    for bad in ({"count": "five"}, {"name": 5}, {"ok": 1}, {"ratio": "r"}):
        await gigya.error("ds.store", 400023, type="t", oid="3", data=bad)
    schema = (await gigya.ok("ds.getSchema", type="t"))["schema"]["fields"]
    assert {k: v["type"] for k, v in schema.items()} == {
        "count": "long",
        "name": "string",
        "ok": "boolean",
        "ratio": "float",
    }


async def test_failed_write_writes_nothing(gigya: Gigya) -> None:
    await gigya.store("t", {"n_i": 1, "tags": ["a"]}, oid="1")
    await gigya.error("ds.store", 400023, type="t", oid="1", data={"tags": ["b"], "n_i": "x"})
    assert (await gigya.ok("ds.get", type="t", oid="1"))["data"] == {"n_i": 1, "tags": ["a"]}


async def test_uid_is_part_of_the_key(gigya: Gigya) -> None:
    await gigya.store("t", {"v_s": "none"}, oid="same")
    await gigya.store("t", {"v_s": "u1"}, oid="same", UID="u1")
    await gigya.store("t", {"v_s": "u2"}, oid="same", UID="u2")
    await gigya.store("other", {"v_s": "other type"}, oid="same")
    assert (await gigya.ok("ds.get", type="t", oid="same"))["data"] == {"v_s": "none"}
    body = await gigya.ok("ds.get", type="t", oid="same", UID="u1")
    assert (body["UID"], body["data"]) == ("u1", {"v_s": "u1"})
    assert (await gigya.ok("ds.get", type="t", oid="same", UID="u2"))["data"] == {"v_s": "u2"}
    assert (await gigya.ok("ds.get", type="other", oid="same"))["data"] == {"v_s": "other type"}
    await gigya.error("ds.get", 404000, type="t", oid="same", UID="u3")


async def test_get_fields(gigya: Gigya) -> None:
    data = {
        "album": {"photo": {"photoTitle_t": "sun", "size_i": 3}, "name_s": "trip"},
        "tags": [{"a_s": "x", "b_s": "y"}],
        "top_i": 1,
    }
    await gigya.store("t", data, oid="1")
    got = await gigya.ok("ds.get", type="t", oid="1", fields="album.photo.photoTitle_t,top_i")
    assert got["data"] == {"album": {"photo": {"photoTitle_t": "sun"}}, "top_i": 1}
    got = await gigya.ok("ds.get", type="t", oid="1", fields="album.photo")
    assert got["data"] == {"album": {"photo": {"photoTitle_t": "sun", "size_i": 3}}}
    got = await gigya.ok("ds.get", type="t", oid="1", fields="tags.a_s, missing")
    assert got["data"] == {"tags": [{"a_s": "x"}]}
    assert (await gigya.ok("ds.get", type="t", oid="1", fields="*"))["data"] == data


@pytest.mark.parametrize("name", ["oid", "type"])
async def test_get_missing_param(gigya: Gigya, name: str) -> None:
    params = {"type": "t", "oid": "1"}
    del params[name]
    await gigya.error("ds.get", 400002, **params)


async def test_get_missing_object(gigya: Gigya) -> None:
    body = await gigya.error("ds.get", 404000, type="t", oid="nope")
    assert body["errorMessage"] == "Not found"


async def test_tenants_are_isolated(gigya_factory: object) -> None:
    make = gigya_factory  # type: ignore[assignment]
    a, b = make(api_key="3_a"), make(api_key="3_b")  # type: ignore[operator]
    await a.store("t", {"v_i": 1}, oid="1")
    await b.error("ds.get", 404000, type="t", oid="1")


async def test_delete_object(gigya: Gigya) -> None:
    await gigya.store("t", {"a_i": 1}, oid="1")
    body = await gigya.ok("ds.delete", type="t", oid="1")
    assert set(body) == {"callId", "errorCode", "apiVersion", "statusCode", "statusReason", "time"}
    await gigya.error("ds.get", 404000, type="t", oid="1")
    await gigya.error("ds.delete", 404000, type="t", oid="1")
    found = await gigya.ok("ds.search", query="SELECT * FROM t")
    assert found["results"] == []


async def test_delete_star_deletes_the_object(gigya: Gigya) -> None:
    await gigya.store("t", {"a_i": 1}, oid="1")
    await gigya.ok("ds.delete", type="t", oid="1", fields="*")
    await gigya.error("ds.get", 404000, type="t", oid="1")


async def test_delete_by_uid(gigya: Gigya) -> None:
    await gigya.store("t", {"a_i": 1}, oid="1", UID="u1")
    await gigya.store("t", {"a_i": 2}, oid="1", UID="u2")
    await gigya.error("ds.delete", 404000, type="t", oid="1")  # the UID is part of the key
    await gigya.ok("ds.delete", type="t", oid="1", UID="u1")
    await gigya.error("ds.get", 404000, type="t", oid="1", UID="u1")
    assert (await gigya.ok("ds.get", type="t", oid="1", UID="u2"))["data"] == {"a_i": 2}


async def test_delete_fields(gigya: Gigya) -> None:
    data = {"a": {"b_i": 1, "c_i": 2}, "d_s": "x", "l": [{"e_i": 1, "f_i": 2}]}
    await gigya.store("t", data, oid="1")
    await gigya.ok("ds.delete", type="t", oid="1", fields="a.b_i,l.e_i")
    got = (await gigya.ok("ds.get", type="t", oid="1"))["data"]
    assert got == {"a": {"c_i": 2}, "d_s": "x", "l": [{"f_i": 2}]}
    await gigya.ok("ds.delete", type="t", oid="1", fields="a")  # partial path: the subtree
    assert (await gigya.ok("ds.get", type="t", oid="1"))["data"] == {"d_s": "x", "l": [{"f_i": 2}]}


@pytest.mark.parametrize("name", ["oid", "type"])
async def test_delete_missing_param(gigya: Gigya, name: str) -> None:
    params = {"type": "t", "oid": "1"}
    del params[name]
    await gigya.error("ds.delete", 400002, **params)


async def test_concurrent_array_pushes_lose_nothing(gigya: Gigya) -> None:
    await gigya.store("t", {"l": []}, oid="1")
    await asyncio.gather(*(gigya.store("t", {"l": [i]}, oid="1") for i in range(20)))
    data = (await gigya.ok("ds.get", type="t", oid="1"))["data"]
    assert sorted(data["l"]) == list(range(20))


async def test_concurrent_creates_make_one_object(gigya: Gigya) -> None:
    await asyncio.gather(*(gigya.store("t", {"l": [i]}, oid="new") for i in range(10)))
    data = (await gigya.ok("ds.get", type="t", oid="new"))["data"]
    assert sorted(data["l"]) == list(range(10))


async def test_endless_write_conflicts_give_409030(
    gigya: Gigya, monkeypatch: pytest.MonkeyPatch
) -> None:
    from doppelgate.dialects.gigya import service

    from doppelgate.engine import UpdateResult

    await gigya.store("t", {"a_i": 1}, oid="1")

    class Busy:
        """Objects whose every compare-and-replace loses to another writer."""

        def __init__(self, real: object) -> None:
            self.real = real

        def __getattr__(self, name: str) -> object:
            return getattr(self.real, name)

        async def replace(self, *args: object, **kwargs: object) -> UpdateResult:
            return UpdateResult(0, 0)

    original = service.DataStore.__init__

    def init(self: service.DataStore, *args: object) -> None:
        original(self, *args)  # type: ignore[arg-type]
        self.objects = Busy(self.objects)  # type: ignore[assignment]

    monkeypatch.setattr(service.DataStore, "__init__", init)
    body = await gigya.error("ds.store", 409030, type="t", oid="1", data={"a_i": 2})
    assert body["statusCode"] == 409
    monkeypatch.undo()
    assert (await gigya.ok("ds.get", type="t", oid="1"))["data"] == {"a_i": 1}
