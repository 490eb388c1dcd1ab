"""ds.setSchema / ds.getSchema and what schemas enforce on writes (spec §6)."""

from __future__ import annotations

from typing import Any

import pytest

from doppelgate.engine import Engine

from .conftest import GigyaFactory
from .helpers import Gigya


async def set_schema(gigya: Gigya, type_: str, data_schema: Any) -> dict[str, Any]:
    return await gigya.ok("ds.setSchema", type=type_, dataSchema=data_schema)


async def schema_of(gigya: Gigya, type_: str, **params: str) -> dict[str, Any]:
    body = await gigya.ok("ds.getSchema", type=type_, **params)
    return body["schema"]  # type: ignore[no-any-return]


async def test_set_and_get(gigya: Gigya) -> None:
    body = await set_schema(
        gigya,
        "t",
        {
            "fields": {
                "field1": {
                    "type": "string",
                    "writeAccess": "clientModify",
                    "format": "regex('^[a-z]+$')",
                },
                "work.address": {"type": "text", "languages": ["ja"]},
                "secret": {"type": "string", "encrypt": "AES"},
            },
            "unique": [["field1"], ["field2", "field3"]],
            "dynamicSchema": False,
        },
    )
    assert set(body) == {"callId", "errorCode", "apiVersion", "statusCode", "statusReason", "time"}
    schema = await schema_of(gigya, "t")
    assert schema == {
        "fields": {
            "field1": {
                "type": "string",
                "writeAccess": "clientModify",
                "format": "regex('^[a-z]+$')",
            },
            "secret": {"type": "string", "writeAccess": "serverOnly", "encrypt": "AES"},
            "work.address": {"type": "text", "writeAccess": "serverOnly", "languages": ["ja"]},
        },
        "unique": [["field1"], ["field2", "field3"]],
        "dynamicSchema": False,
    }


async def test_schema_of_unknown_type_is_empty(gigya: Gigya) -> None:
    assert await schema_of(gigya, "none") == {"fields": {}, "unique": [], "dynamicSchema": True}


async def test_changes_are_incremental(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"a": {"type": "long"}, "b": {"type": "string"}}})
    await set_schema(gigya, "t", {"fields": {"b": {"writeAccess": "clientCreate"}}})
    fields = (await schema_of(gigya, "t"))["fields"]
    assert fields == {
        "a": {"type": "long", "writeAccess": "serverOnly"},
        "b": {"type": "string", "writeAccess": "clientCreate"},
    }


async def test_get_schema_modes(gigya: Gigya) -> None:
    await set_schema(
        gigya, "t", {"fields": {"c": {"type": "string", "writeAccess": "clientModify"}}}
    )
    await gigya.store("t", {"auto_i": 1}, oid="1")
    assert set((await schema_of(gigya, "t"))["fields"]) == {"auto_i", "c"}
    assert set((await schema_of(gigya, "t", filter="explicitOnly"))["fields"]) == {"c"}
    client = await schema_of(gigya, "t", mode="clientOnly")
    assert client == {"fields": {"c": {"type": "string"}}}
    await gigya.error("ds.getSchema", 400006, type="t", filter="everything")


@pytest.mark.parametrize(
    "data_schema",
    [
        {"fields": {"a": {"type": "number"}}},
        {"fields": {"a": {"writeAccess": "anyone"}}},
        {"fields": {"a": {"format": "^[a-z]$"}}},
        {"fields": {"a": {"format": "regex('[')"}}},
        {"fields": {"a": {"type": "long", "encrypt": "AES"}}},
        {"fields": {"a": {"encrypt": "DES"}}},
        {"fields": {"a": {"languages": ["fr"]}}},
        {"fields": {"a": {"color": "red"}}},
        {"fields": {"1a": {"type": "long"}}},
        {"fields": {"a": 5}},
        {"fields": ["a"]},
        {"unique": "a"},
        {"unique": [[]]},
        {"dynamicSchema": "sometimes"},
        {"other": 1},
        [1],
    ],
)
async def test_invalid_data_schema(gigya: Gigya, data_schema: Any) -> None:
    await gigya.error("ds.setSchema", 400006, type="t", dataSchema=data_schema)


async def test_set_schema_missing_params(gigya: Gigya) -> None:
    await gigya.error("ds.setSchema", 400002, type="t")
    await gigya.error("ds.setSchema", 400002, dataSchema={"fields": {}})
    await gigya.error("ds.getSchema", 400002)


async def test_too_many_languages(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"a": {"type": "text", "languages": ["ja"]}}})
    await gigya.error(
        "ds.setSchema", 400006, type="t", dataSchema={"fields": {"a": {"languages": ["x"]}}}
    )


async def test_type_cannot_change_after_data(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"a": {"type": "long"}}})
    await set_schema(gigya, "t", {"fields": {"a": {"type": "string"}}})  # no data yet: fine
    await gigya.store("t", {"a": "x"}, oid="1")
    await gigya.error(
        "ds.setSchema", 400006, type="t", dataSchema={"fields": {"a": {"type": "long"}}}
    )
    await gigya.ok("ds.delete", type="t", oid="1")  # even since-deleted data counts
    await gigya.error(
        "ds.setSchema", 400006, type="t", dataSchema={"fields": {"a": {"type": "long"}}}
    )


async def test_schema_type_is_enforced(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"n": {"type": "integer"}, "o.d": {"type": "date"}}})
    await gigya.error("ds.store", 400023, type="t", oid="1", data={"n": "x"})
    await gigya.error("ds.store", 400023, type="t", oid="1", data={"o": {"d": "not a date"}})
    await gigya.error("ds.store", 400023, type="t", oid="1", data={"n": {"x": 1}})
    await gigya.store("t", {"n": 5, "o": {"d": "2020-01-01"}}, oid="1")
    found = await gigya.ok("ds.search", query='SELECT * FROM t WHERE o.d > "2019-12-31"')
    assert found["totalCount"] == 1


async def test_format(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"code": {"format": "regex('^[a-z]+$')"}}})
    body = await gigya.error("ds.store", 400026, type="t", oid="1", data={"code": "ABC"})
    assert body["errorMessage"] == "Invalid format validation"
    await gigya.store("t", {"code": "abc"}, oid="1")


async def test_unique_single_field(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"unique": [["email_s"]]})
    await gigya.store("t", {"email_s": "a@x"}, oid="1")
    body = await gigya.error("ds.store", 400022, type="t", oid="2", data={"email_s": "a@x"})
    assert body["errorMessage"] == "Unique index validation"
    await gigya.error("ds.get", 404000, type="t", oid="2")  # nothing written
    await gigya.store("t", {"email_s": "a@x", "n_i": 1}, oid="1")  # its own value: fine
    await gigya.store("t", {"other_s": "no email"}, oid="3")  # absent fields never clash
    await gigya.store("t", {"other_s": "no email either"}, oid="4")
    await gigya.store("u", {"email_s": "a@x"}, oid="5")  # other types: not constrained
    await gigya.store("t", {"email_s": "b@x"}, oid="1", updateBehavior="replace")
    await gigya.store("t", {"email_s": "a@x"}, oid="2")  # freed by the change


async def test_unique_compound(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"unique": [["field2", "field3"]]})
    await gigya.store("t", {"field2": "a", "field3": 1}, oid="1")
    await gigya.store("t", {"field2": "a", "field3": 2}, oid="2")
    await gigya.store("t", {"field2": "b", "field3": 1}, oid="3")
    await gigya.error("ds.store", 400022, type="t", oid="4", data={"field2": "a", "field3": 1})
    await gigya.error("ds.store", 400022, type="t", oid="2", data={"field3": 1})  # by merge


async def test_unique_applies_to_future_writes_only(gigya: Gigya) -> None:
    await gigya.store("t", {"k_s": "dup"}, oid="1")
    await gigya.store("t", {"k_s": "dup"}, oid="2")
    await set_schema(gigya, "t", {"unique": [["k_s"]]})  # existing duplicates stay
    assert (await gigya.ok("ds.get", type="t", oid="2"))["data"] == {"k_s": "dup"}
    await gigya.error("ds.store", 400022, type="t", oid="3", data={"k_s": "dup"})


async def test_unique_refuses_object_fields(gigya: Gigya) -> None:
    # "Only regular primitive data fields can be defined as unique." (seed 001; issue 15.2)
    await gigya.store("t", {"addr": {"street_s": "Main", "no_i": 1}, "k_s": "a"}, oid="1")
    body = await gigya.error("ds.setSchema", 400006, type="t", dataSchema={"unique": [["addr"]]})
    assert "addr" in body["errorDetails"] and "primitive" in body["errorDetails"]
    await gigya.error("ds.setSchema", 400006, type="t", dataSchema={"unique": [["k_s", "addr"]]})
    declared = {"fields": {"geo.lat_f": {}}, "unique": [["geo"]]}  # declared in the same call
    await gigya.error("ds.setSchema", 400006, type="u", dataSchema=declared)
    assert (await schema_of(gigya, "t"))["unique"] == []  # nothing of a refused call stays
    assert "geo.lat_f" not in (await schema_of(gigya, "u"))["fields"]
    await set_schema(gigya, "t", {"unique": [["addr.street_s"], ["k_s"]]})  # leaves are fine
    await gigya.error("ds.store", 400022, type="t", oid="2", data={"addr": {"street_s": "Main"}})


async def test_unique_under_uids(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"unique": [["k_s"]]})
    await gigya.store("t", {"k_s": "v"}, oid="1", UID="u1")
    await gigya.error("ds.store", 400022, type="t", oid="1", UID="u2", data={"k_s": "v"})


async def test_strict_schema(gigya: Gigya) -> None:
    await set_schema(gigya, "t", {"fields": {"known_s": {}, "o.k_i": {}}, "dynamicSchema": False})
    body = await gigya.error("ds.store", 400024, type="t", oid="1", data={"unknown_s": "x"})
    assert body["errorMessage"] == "Dynamic fields validation"
    await gigya.error("ds.store", 400024, type="t", oid="1", data={"o": {"z": 1}})
    await gigya.store("t", {"known_s": "x", "o": {"k_i": 1}}, oid="1")
    assert set((await schema_of(gigya, "t"))["fields"]) == {"known_s", "o.k_i"}


async def test_dynamic_schema_learns_fields(gigya: Gigya) -> None:
    await gigya.store("t", {"a": {"b_s": "x", "c": 1.5}, "l": [{"m_i": 1}]}, oid="1")
    fields = (await schema_of(gigya, "t"))["fields"]
    assert {k: v["type"] for k, v in fields.items()} == {
        "a.b_s": "string",
        "a.c": "float",
        "l.m_i": "long",
    }


async def test_field_deletion_rules(gigya: Gigya) -> None:
    await set_schema(
        gigya,
        "t",
        {
            "fields": {
                "untyped": {"writeAccess": "clientModify"},
                "typed": {"type": "string", "writeAccess": "clientModify"},
                "used": {"writeAccess": "clientModify"},
            }
        },
    )
    await gigya.store("t", {"used": "x"}, oid="1")
    await set_schema(gigya, "t", {"fields": {"untyped": None, "typed": None, "used": None}})
    fields = (await schema_of(gigya, "t"))["fields"]
    assert "untyped" not in fields  # never held data, no type: removed
    assert fields["typed"] == {"type": "string", "writeAccess": "serverOnly"}  # only reset
    assert fields["used"] == {"type": "string", "writeAccess": "serverOnly"}


async def test_encrypted_field(gigya: Gigya, engine: Engine) -> None:
    await set_schema(
        gigya,
        "t",
        {"fields": {"ssn_s": {"encrypt": "AES"}, "note": {"type": "text", "encrypt": "AES"}}},
    )
    await gigya.store("t", {"ssn_s": "123-45", "note": "Top Secret", "plain_s": "p"}, oid="1")
    stored = await engine.collection("gigya", gigya.api_key, "objects").find_one({"oid": "1"})
    assert stored is not None
    assert "123-45" not in str(stored) and "Top Secret" not in str(stored)  # at rest
    assert stored["data"]["plain_s"] == "p"
    got = await gigya.ok("ds.get", type="t", oid="1")
    assert got["data"] == {"ssn_s": "123-45", "note": "Top Secret", "plain_s": "p"}
    found = await gigya.ok("ds.search", query='SELECT * FROM t WHERE ssn_s = "123-45"')
    assert [r["data"]["ssn_s"] for r in found["results"]] == ["123-45"]
    found = await gigya.ok("ds.search", query='SELECT * FROM t WHERE ssn_s IN ("1", "123-45")')
    assert found["totalCount"] == 1
    found = await gigya.ok("ds.search", query='SELECT * FROM t WHERE ssn_s != "123-45"')
    assert found["totalCount"] == 0
    found = await gigya.ok("ds.search", query='SELECT * FROM t WHERE note CONTAINS "Top Secret"')
    assert found["totalCount"] == 1
    await gigya.error("ds.search", 400006, query='SELECT * FROM t WHERE ssn_s > "1"')
    await gigya.error("ds.search", 400006, query='SELECT * FROM t WHERE ssn_s = REGEX("1.*")')


async def test_contains_on_encrypted_field_ignores_case(gigya: Gigya, engine: Engine) -> None:
    # "The Contains keyword can be used for case-insensitive searches on encrypted fields but
    # does not support partial strings." (issue 15.1; spec §4)
    await set_schema(gigya, "t", {"fields": {"name_s": {"encrypt": "AES"}}})
    await gigya.store("t", {"name_s": "Jane Doe"}, oid="1")
    await gigya.store("t", {"name_s": ["Ümit ÇELIK", "x"]}, oid="2")
    await gigya.store("t", {"other_s": "jane doe"}, oid="3")

    async def oids(where: str) -> list[str]:
        found = await gigya.ok("ds.search", query=f"SELECT * FROM t WHERE {where} ORDER BY oid")
        return [r["oid"] for r in found["results"]]

    assert await oids('name_s CONTAINS "jane doe"') == ["1"]
    assert await oids('data.name_s CONTAINS "JANE DOE"') == ["1"]
    assert await oids('name_s CONTAINS "jane"') == []  # no partial strings
    assert await oids('name_s CONTAINS "ümit çelik"') == ["2"]  # any element of an array
    assert await oids('name_s NOT CONTAINS "jane doe"') == ["2", "3"]
    assert await oids('name_s = "jane doe"') == []  # `=` stays case-sensitive (seed 001)
    assert await oids('name_s = "Jane Doe"') == ["1"]
    stored = await engine.collection("gigya", gigya.api_key, "objects").find_one({"oid": "1"})
    assert stored is not None and "jane" not in str(stored).lower()  # the copy is encrypted too
    await gigya.ok("ds.store", type="t", oid="1", data={"name_s": "Joe"}, updateBehavior="replace")
    assert await oids('name_s CONTAINS "jane doe"') == []
    assert await oids('name_s CONTAINS "JOE"') == ["1"]
    await gigya.ok("ds.delete", type="t", oid="1", fields="name_s")  # the copy goes with it
    assert await oids('name_s CONTAINS "joe"') == []


async def test_encryption_keeps_old_data_plain_and_cannot_be_removed(
    gigya: Gigya, engine: Engine
) -> None:
    await gigya.store("t", {"s_s": "old"}, oid="1")
    await set_schema(gigya, "t", {"fields": {"s_s": {"encrypt": "AES"}}})
    stored = await engine.collection("gigya", gigya.api_key, "objects").find_one({"oid": "1"})
    assert stored is not None and stored["data"]["s_s"] == "old"
    await gigya.store("t", {"s_s": "new"}, oid="2")
    assert [(await gigya.ok("ds.get", type="t", oid=o))["data"]["s_s"] for o in "12"] == [
        "old",
        "new",
    ]
    await gigya.error(
        "ds.setSchema", 400006, type="t", dataSchema={"fields": {"s_s": {"encrypt": None}}}
    )


async def test_write_access_for_client_calls(gigya_factory: GigyaFactory) -> None:
    server = gigya_factory(api_key="3_wa")
    client = gigya_factory(api_key="3_wa", credentials={})  # apiKey only: client-side (spec §2)
    await set_schema(
        server,
        "t",
        {
            "fields": {
                "c_s": {"writeAccess": "clientCreate"},
                "m_s": {"writeAccess": "clientModify"},
                "s_s": {},
            }
        },
    )
    await client.store("t", {"c_s": "first", "m_s": "1"}, oid="1", UID="u1")
    body = await client.error(
        "ds.store", 400020, type="t", oid="1", UID="u1", data={"c_s": "again"}
    )
    assert body["errorMessage"] == "Schema validation failed"
    await client.store("t", {"m_s": "2"}, oid="1", UID="u1")
    await client.error("ds.store", 400020, type="t", oid="1", UID="u1", data={"s_s": "x"})
    await client.error("ds.store", 400020, type="t", oid="1", UID="u1", data={"new_s": "x"})
    await client.error("ds.store", 403005, type="t", oid="1", data={"m_s": "x"})  # no user
    got = await client.ok("ds.get", type="t", oid="1", UID="u1")
    assert got["data"] == {"c_s": "first", "m_s": "2"}
    await client.error("ds.delete", 400020, type="t", oid="1", UID="u1", fields="c_s")
    await client.ok("ds.delete", type="t", oid="1", UID="u1", fields="m_s")
    await server.store("t", {"s_s": "server"}, oid="1", UID="u1")


@pytest.mark.parametrize("method", ["ds.setSchema", "ds.getSchema", "ds.getTypes"])
async def test_schema_methods_are_server_only(gigya_factory: GigyaFactory, method: str) -> None:
    client = gigya_factory(credentials={})
    body = await client.error(method, 403000, type="t", dataSchema={"fields": {}})
    assert body["errorMessage"] == "Forbidden"


async def test_get_types(gigya: Gigya) -> None:
    await gigya.store("b", {"x": 1})
    await gigya.store("a", {"x": 1})
    await set_schema(gigya, "c", {"fields": {"f": {"type": "string"}}})
    assert (await gigya.ok("ds.getTypes"))["types"] == ["a", "b", "c"]


async def test_delete_schema_fields(gigya: Gigya) -> None:
    await gigya.store("t", {"a_s": "x", "b_s": "y", "o": {"c_i": 1}}, oid="1")
    await gigya.ok("ds.deleteSchemaFields", type="t", dataSchema=["a_s", "o.c_i"])
    assert (await gigya.ok("ds.get", type="t", oid="1"))["data"] == {"b_s": "y", "o": {}}
    assert set((await schema_of(gigya, "t"))["fields"]) == {"b_s"}
