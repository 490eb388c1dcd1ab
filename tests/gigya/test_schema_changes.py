"""ds.store and ds.search run against the type's schema as it is now (spec §6): ds.setSchema,
a control-plane reset or snapshot import is seen by the very next call, although calls keep the
schema while it is unchanged."""

from __future__ import annotations

from .helpers import Gigya

CONTROL = "http://testserver/_doppelgate"
DYNAMIC_FIELDS = 400024  # a field the strict schema lacks (spec §6)


async def test_schema_changes_are_seen_by_the_next_call(gigya: Gigya) -> None:
    strict = {"fields": {"known_s": {}}, "dynamicSchema": False}
    await gigya.ok("ds.setSchema", type="t", dataSchema=strict)
    await gigya.store("t", {"known_s": "a"}, oid="1")
    snapshot = (await gigya.http.get(f"{CONTROL}/snapshot")).content  # without extra_i
    await gigya.error("ds.store", DYNAMIC_FIELDS, type="t", oid="2", data={"extra_i": 1})
    await gigya.error("ds.store", DYNAMIC_FIELDS, type="t", oid="2", data={"extra_i": 1})

    await gigya.ok("ds.setSchema", type="t", dataSchema={"fields": {"extra_i": {}}})
    await gigya.store("t", {"extra_i": 1}, oid="2")
    query = "SELECT * FROM t WHERE extra_i = 1"
    assert [r["oid"] for r in (await gigya.ok("ds.search", query=query))["results"]] == ["2"]

    # a snapshot import brings back the schema it holds: extra_i is unknown there
    assert (await gigya.http.put(f"{CONTROL}/snapshot", content=snapshot)).status_code == 200
    await gigya.error("ds.store", DYNAMIC_FIELDS, type="t", oid="3", data={"extra_i": 1})

    # a reset drops the schema: the type is dynamic again and learns extra_i
    assert (await gigya.http.post(f"{CONTROL}/reset")).status_code == 200
    await gigya.store("t", {"extra_i": 1, "new_s": "n"}, oid="3")
    fields = (await gigya.ok("ds.getSchema", type="t"))["schema"]["fields"]
    assert set(fields) == {"extra_i", "new_s"}
