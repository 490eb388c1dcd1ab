"""The list parameters (spec §4): key, sort, filters, limit, offset, since, until."""

from __future__ import annotations

import asyncio
import time

import pytest

from .conftest import SpidFactory
from .helpers import Spid


@pytest.fixture
async def three(spid: Spid) -> Spid:
    for userId, key in (("2", "b"), ("1", "c"), ("3", "a")):
        await spid.put(userId, key, f"value-{key}")
    return spid


@pytest.mark.parametrize("path", ["/dataobjects", "/user/1/dataobjects"])
async def test_key_single(spid: Spid, path: str) -> None:
    await spid.put("1", "a", "v")
    await spid.put("1", "b", "v")
    assert await spid.keys(path, key="a") == ["a"]


@pytest.mark.parametrize(
    "query", ["key=a,c", "key[]=a&key[]=c", "key[0]=a&key[1]=c", "key=a&key=c", "key=a,+c,"]
)
async def test_key_multi_value_forms(spid: Spid, query: str) -> None:
    for key in "abc":
        await spid.put("1", key, "v")
    for path in ("/dataobjects", "/user/1/dataobjects"):
        assert await spid.keys(f"{path}?{query}") == ["a", "c"]


async def test_key_matching_nothing_is_404(spid: Spid) -> None:
    await spid.put("1", "a", "v")
    await spid.error("GET", "/dataobjects", 404, "No data objects found", params={"key": "zz"})


async def test_default_order_is_data_object_id(three: Spid) -> None:
    assert await three.keys() == ["b", "c", "a"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort": "userId"}, ["c", "b", "a"]),  # the documented example's plain form
        ({"sort": "key"}, ["a", "b", "c"]),
        ({"sort[key]": "desc"}, ["c", "b", "a"]),
        ({"sort[key]": "asc"}, ["a", "b", "c"]),
        ({"sort[userId]": "DESC"}, ["a", "b", "c"]),
        ({"sort[dataObjectId]": "desc"}, ["a", "c", "b"]),
        ({"sort": "nosuchfield"}, ["b", "c", "a"]),
    ],
)
async def test_sort_forms(three: Spid, params: dict[str, str], expected: list[str]) -> None:
    assert await three.keys(**params) == expected


async def test_sort_on_several_fields_in_order(spid: Spid) -> None:
    for userId, key in (("1", "b"), ("2", "a"), ("1", "a"), ("2", "b")):
        await spid.put(userId, key, "v")
    r = await spid.raw("GET", "/dataobjects?sort[userId]=desc&sort[key]=asc")
    pairs = [(o["userId"], o["key"]) for o in r.json()["data"].values()]
    assert pairs == [("2", "a"), ("2", "b"), ("1", "a"), ("1", "b")]


async def test_user_id_sorts_as_a_number(spid_factory: SpidFactory) -> None:
    # userId is an "integer (as string)" (spec §1), sorted numerically like dataObjectId
    # (issue 15.6); with filters=merchant the merge across clients keeps that order
    options = {"clients": {"a": {"merchantId": "9"}, "b": {"merchantId": "9"}}}
    a, b = spid_factory(options, token="a"), spid_factory(options, token="b")
    users = ["100", "42", "7", "0042", "99999999999999999999999", "1000"]
    for i, userId in enumerate(users):
        await (a if i % 2 else b).put(userId, f"k{i}", "v")
    expected = ["7", "42", "0042", "100", "1000", "99999999999999999999999"]

    async def users_of(spid: Spid, **params: str) -> list[str]:
        data = await spid.list(**params)
        return [o["userId"] for o in data.values()]

    assert await users_of(a, sort="userId", filters="merchant") == expected
    descending = ["99999999999999999999999", "1000", "100", "42", "0042", "7"]  # ties: by id
    assert await users_of(a, **{"sort[userId]": "desc"}, filters="merchant") == descending
    assert await users_of(a, sort="userId") == ["42", "0042", "1000"]
    assert await users_of(b, sort="userId", limit="2", offset="1") == [
        "100",
        "99999999999999999999999",
    ]


async def test_limit_and_offset(three: Spid) -> None:
    body = await three.ok("GET", "/dataobjects", params={"limit": 2})
    assert [o["key"] for o in body["data"].values()] == ["b", "c"]
    assert body["meta"] == {"count": 2, "offset": 0}
    body = await three.ok("GET", "/dataobjects", params={"limit": 2, "offset": 2})
    assert [o["key"] for o in body["data"].values()] == ["a"]
    assert body["meta"] == {"count": 1, "offset": 2}
    await three.error("GET", "/dataobjects", 404, "No data objects found", params={"offset": 3})


@pytest.mark.parametrize("limit", ["0", "-1", "x", ""])
async def test_unreadable_limit_is_the_default(three: Spid, limit: str) -> None:
    assert len(await three.keys(limit=limit)) == 3


async def test_limit_may_not_exceed_1000(spid: Spid) -> None:
    for i in range(1003):
        await spid.put("1", f"k{i:04d}", "v")
    assert len(await spid.keys(limit=5000)) == 1000  # the hard cap (spec §4)
    assert len(await spid.keys()) == 1000
    assert len(await spid.keys(offset=1000)) == 3


async def test_since_and_until_on_created(spid: Spid) -> None:
    old = await spid.put("1", "old", "v")
    await asyncio.sleep(1.1)
    cut = int(time.time())
    await spid.put("1", "new", "v")
    assert await spid.keys(since=cut) == ["new"]
    assert await spid.keys(until=cut - 1) == ["old"]
    assert await spid.keys(since=old["created"]) == ["old", "new"]  # a datetime, inclusive
    assert await spid.keys(since=old["created"][:10]) == ["old", "new"]  # a date
    assert await spid.keys(since="yesterday") == ["old", "new"]
    assert await spid.keys(since="first day of last month", until="+1 day") == ["old", "new"]
    assert await spid.keys(since="tomorrow") == []
    assert await spid.keys(until="2 days ago") == []


async def test_filters_updated_compares_and_orders_by_updated(spid: Spid) -> None:
    await spid.put("1", "a", "v")
    await spid.put("1", "b", "v")
    await asyncio.sleep(1.1)
    cut = int(time.time())
    await spid.put("1", "a", "changed")  # updated now, created before the cut
    assert await spid.keys(since=cut) == []  # created: both before the cut
    assert await spid.keys(filters="updated", since=cut) == ["a"]
    assert await spid.keys(filters="updated") == ["a", "b"]  # newest update first
    assert await spid.keys(**{"filters[]": "updated", "until": cut - 1}) == ["b"]


async def test_bad_since_is_a_validation_error(spid: Spid) -> None:
    await spid.put("1", "a", "v")
    body = await spid.raw("GET", "/dataobjects", params={"since": "whenever"})
    assert body.status_code == 400
    description = body.json()["error"]["description"]
    assert isinstance(description, dict) and "since" in description


async def test_filters_merchant_spans_the_merchants_clients(spid_factory: SpidFactory) -> None:
    options = {
        "clients": {
            "client-a": {"merchantId": "47000"},
            "client-b": {"merchantId": "47000"},
            "client-c": {"merchantId": "46001"},
        }
    }
    a = spid_factory(options, token="client-a")
    b, c = a.as_token("client-b"), a.as_token("client-c")
    await a.put("1", "from-a", "v")
    await b.put("1", "from-b", "v")
    await c.put("1", "from-c", "v")
    assert await a.keys() == ["from-a"]
    assert await a.keys(filters="merchant") == ["from-a", "from-b"]
    both = await b.keys("/user/1/dataobjects", filters="merchant,updated")
    assert sorted(both) == ["from-a", "from-b"]
    assert await c.keys(filters="merchant") == ["from-c"]
    merged = await a.list(filters="merchant", sort="key", limit=1, offset=1)
    assert [(o["key"], o["merchantId"], o["clientId"]) for o in merged.values()] == [
        ("from-b", "47000", "client-b")
    ]


async def test_filters_merchant_without_configured_clients_is_own_data(spid: Spid) -> None:
    await spid.put("1", "mine", "v")
    await spid.as_token("someone-else").put("1", "theirs", "v")
    assert await spid.keys(filters="merchant") == ["mine"]
