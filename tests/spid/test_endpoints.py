"""The five data-object endpoints (spec §3.1-§3.5) and the data object itself (spec §2)."""

from __future__ import annotations

import asyncio

from doppelgate.dialects.spid.service import DATA_OBJECTS

from doppelgate.engine import Engine
from tests.engine.util import index_names

from .helpers import DATETIME, FIELDS, Spid


async def test_post_creates_with_201_and_all_eight_fields(spid: Spid) -> None:
    body = await spid.ok(
        "POST", "/user/238342/dataobject/mysetting", 201, data={"value": "My custom value"}
    )
    assert (body["object"], body["type"], body["meta"]) == ("DataObject", "element", None)
    obj = body["data"]
    assert list(obj) == FIELDS
    assert obj["dataObjectId"].isdigit()
    assert (obj["clientId"], obj["userId"], obj["key"], obj["value"]) == (
        spid.token,
        "238342",
        "mysetting",
        "My custom value",
    )
    assert obj["merchantId"].isdigit()
    assert DATETIME.match(obj["created"]) and obj["updated"] == obj["created"]


async def test_get_returns_the_stored_object(spid: Spid) -> None:
    created = await spid.put("1", "k", "v")
    body = await spid.ok("GET", "/user/1/dataobject/k")
    assert body["type"] == "element" and body["data"] == created


async def test_repost_is_an_upsert_keeping_id_and_created(spid: Spid) -> None:
    first = await spid.put("1", "k", "one")
    await asyncio.sleep(1.05)
    second = await spid.put("1", "k", "two")
    assert second["dataObjectId"] == first["dataObjectId"]
    assert second["created"] == first["created"]
    assert second["updated"] > first["updated"] and second["value"] == "two"
    assert (await spid.get("1", "k"))["value"] == "two"


async def test_ids_are_sequential_integers_as_strings(spid: Spid) -> None:
    ids = [int((await spid.put("1", f"k{i}", "v"))["dataObjectId"]) for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


async def test_one_object_per_user_and_key(spid: Spid) -> None:
    a = await spid.put("1", "k", "v")
    b = await spid.put("2", "k", "v")
    c = await spid.put("1", "other", "v")
    assert len({a["dataObjectId"], b["dataObjectId"], c["dataObjectId"]}) == 3


async def test_delete_then_gone(spid: Spid) -> None:
    await spid.put("1", "k", "v")
    body = await spid.ok("DELETE", "/user/1/dataobject/k")
    assert body["type"] == "element" and body["data"] == {"success": True}
    await spid.error("GET", "/user/1/dataobject/k", 404, "No data object found for this key")
    await spid.error("DELETE", "/user/1/dataobject/k", 404, "No data object found for this key")


async def test_list_all_is_keyed_by_data_object_id(spid: Spid) -> None:
    a = await spid.put("1", "a", "v")
    b = await spid.put("2", "b", "w")
    body = await spid.ok("GET", "/dataobjects")
    assert body["type"] == "collection"
    assert body["meta"] == {"count": 2, "offset": 0}
    assert body["data"] == {a["dataObjectId"]: a, b["dataObjectId"]: b}


async def test_list_by_user(spid: Spid) -> None:
    a = await spid.put("1", "a", "v")
    await spid.put("2", "b", "w")
    body = await spid.ok("GET", "/user/1/dataobjects")
    assert body["type"] == "collection" and body["data"] == {a["dataObjectId"]: a}


async def test_empty_list_is_the_documented_404(spid: Spid) -> None:
    await spid.error("GET", "/dataobjects", 404, "No data objects found")
    await spid.error("GET", "/user/1/dataobjects", 404, "No data objects found")
    await spid.put("2", "a", "v")
    await spid.error("GET", "/user/1/dataobjects", 404, "No data objects found")


async def test_unknown_key_is_404(spid: Spid) -> None:
    await spid.error("GET", "/user/1/dataobject/nope", 404, "No data object found for this key")


async def test_user_token_reads_and_writes_its_own_user(spid: Spid) -> None:
    user = spid.user("238342")
    created = await user.put("238342", "k", "v")
    assert created["clientId"] == spid.token  # the user token's client owns it
    assert await user.get("238342", "k") == created
    assert list(await user.list("/user/238342/dataobjects")) == [created["dataObjectId"]]
    await user.ok("DELETE", "/user/238342/dataobject/k")


async def test_server_token_sees_user_token_writes(spid: Spid) -> None:
    created = await spid.user("7").put("7", "k", "v")
    assert await spid.get("7", "k") == created


async def test_values_are_opaque_strings(spid: Spid) -> None:
    value = '{"positive": 10, "list": [1, 2]} æøå 🎉 \\ / "'
    assert (await spid.put("1", "k", value))["value"] == value
    assert (await spid.get("1", "k"))["value"] == value


async def test_url_encoded_keys(spid: Spid) -> None:
    created = await spid.put("1", "a%2Fb%20c", "v")  # "a/b c", encoded as the SDKs send it
    assert created["key"] == "a/b c"
    assert (await spid.get("1", "a%2Fb%20c"))["key"] == "a/b c"
    unicode = await spid.put("1", "n%C3%B8kkel", "v")
    assert unicode["key"] == "nøkkel"


async def test_key_and_value_at_their_limits(spid: Spid) -> None:
    key = "k" * 255
    value = "v" * 65535
    assert (await spid.put("1", key, value))["value"] == value
    await spid.error(
        "POST",
        f"/user/1/dataobject/{'k' * 256}",
        400,
        "The key can not be longer than 255 bytes",
        data={"value": "v"},
    )
    await spid.error(
        "POST",
        "/user/1/dataobject/k",
        400,
        "The value can not be longer than 65535 bytes",
        data={"value": "v" * 65536},
    )


async def test_limits_count_bytes_not_characters(spid: Spid) -> None:
    await spid.put("1", "ø" * 127, "v")  # 254 bytes
    await spid.error(
        "POST",
        "/user/1/dataobject/" + "ø" * 128,
        400,
        "The key can not be longer than 255 bytes",
        data={"value": "v"},
    )


async def test_concurrent_posts_of_one_key_leave_one_object(spid: Spid) -> None:
    results = await asyncio.gather(*(spid.put("1", "race", f"v{i}") for i in range(8)))
    assert len({r["dataObjectId"] for r in results}) == 1
    assert len(await spid.list("/user/1/dataobjects")) == 1


async def test_the_listing_indexes_survive_an_engine_reset(spid: Spid, engine: Engine) -> None:
    """A reset drops the data objects with their indexes; the next call brings every one back
    (the listings' too, not only the unique one a create needs)."""
    await spid.put("1", "k", "v")
    coll = engine.collection("spid", spid.token, DATA_OBJECTS)
    before = await index_names(engine, coll)
    assert {"key_1", "dataObjectId_1", "updated_1", "created_1"} < before
    await engine.reset("spid")
    await spid.put("1", "k", "v")
    assert await index_names(engine, coll) == before


async def test_clients_are_isolated(spid: Spid) -> None:
    other = spid.as_token("another-client")
    await spid.put("1", "k", "mine")
    await other.error("GET", "/user/1/dataobject/k", 404, "No data object found for this key")
    await other.error("GET", "/dataobjects", 404, "No data objects found")
    await other.put("1", "k", "theirs")
    assert (await spid.get("1", "k"))["value"] == "mine"


async def test_uniqueness_survives_an_engine_reset(spid: Spid, engine: Engine) -> None:
    await spid.put("1", "k", "v")
    await engine.reset("spid")  # e.g. a control-plane reset between tests
    results = await asyncio.gather(*(spid.put("1", "k", f"v{i}") for i in range(6)))
    assert len({r["dataObjectId"] for r in results}) == 1
    assert len(await spid.list("/user/1/dataobjects")) == 1
