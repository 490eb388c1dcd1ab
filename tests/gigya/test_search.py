"""ds.search (spec §4) over stored objects: the query language itself is test_query.py's."""

from __future__ import annotations

import pytest

from doppelgate.engine import Engine
from doppelgate.engine.memory import MemoryEngine
from tests.engine.util import index_names

from .helpers import Gigya

TODOS = [
    {
        "title_t": "Buy milk and bread",
        "n_i": 1,
        "done_b": False,
        "due_d": "2024-01-10",
        "tag_s": "home",
    },
    {
        "title_t": "Write report",
        "n_i": 2,
        "done_b": True,
        "due_d": "2024-02-01T10:00:00Z",
        "tag_s": "Work",
    },
    {
        "title_t": "Bread run",
        "n_i": 3,
        "done_b": False,
        "due_d": "2024-03-05 08:00:00",
        "tag_s": "home",
    },
]


async def seed(gigya: Gigya) -> None:
    for i, data in enumerate(TODOS, 1):
        await gigya.store("todo", data, oid=f"t{i}", UID="u1" if i < 3 else "u2")
    await gigya.store("note", {"n_i": 1}, oid="n1")


async def oids(gigya: Gigya, query: str, **params: object) -> list[str]:
    body = await gigya.ok("ds.search", query=query, **params)
    assert body["objectsCount"] == len(body["results"])
    return [r["oid"] for r in body["results"]]


async def test_select_star(gigya: Gigya) -> None:
    await seed(gigya)
    body = await gigya.ok("ds.search", query="SELECT * FROM todo ORDER BY n_i")
    assert (body["objectsCount"], body["totalCount"]) == (3, 3)
    first = body["results"][0]
    assert list(first) == [
        "oid",
        "UID",
        "data",
        "lastUpdated",
        "lastUpdatedTime",
        "created",
        "createdTime",
    ]
    assert (first["oid"], first["UID"], first["data"]) == ("t1", "u1", TODOS[0])
    assert list(body)[:3] == ["results", "objectsCount", "totalCount"]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("n_i > 1", ["t2", "t3"]),
        ("data.n_i <= 2", ["t1", "t2"]),
        ("done_b = false", ["t1", "t3"]),
        ('tag_s = "home"', ["t1", "t3"]),
        ('tag_s = "work"', []),  # `=` is case-sensitive
        ('tag_s CONTAINS "work"', ["t2"]),  # CONTAINS is not
        ('title_t CONTAINS "bread"', ["t1", "t3"]),
        ('title_t NOT CONTAINS "bread"', ["t2"]),
        ('tag_s IN ("Work", "none")', ["t2"]),
        ('due_d >= "2024-02-01"', ["t2", "t3"]),
        ('due_d < "2024-02-01T10:00:00Z"', ["t1"]),
        ('oid = "t2"', ["t2"]),
        ('UID = "u2"', ["t3"]),
        ("missing_s IS NULL", ["t1", "t2", "t3"]),
        ("n_i IS NOT NULL AND NOT (n_i = 2)", ["t1", "t3"]),
        ('tag_s = REGEX("h.*")', ["t1", "t3"]),
        ("n_i = 1 OR n_i = 3", ["t1", "t3"]),
    ],
)
async def test_where(gigya: Gigya, where: str, expected: list[str]) -> None:
    await seed(gigya)
    assert await oids(gigya, f"SELECT * FROM todo WHERE {where} ORDER BY n_i") == expected


async def test_created_and_last_updated_are_addressable(gigya: Gigya) -> None:
    await seed(gigya)
    assert len(await oids(gigya, "SELECT * FROM todo WHERE created > 0")) == 3
    assert await oids(gigya, 'SELECT * FROM todo WHERE lastUpdated < "2000-01-01"') == []


async def test_order_by(gigya: Gigya) -> None:
    await seed(gigya)
    assert await oids(gigya, "SELECT * FROM todo ORDER BY n_i DESC") == ["t3", "t2", "t1"]
    assert await oids(gigya, "SELECT * FROM todo ORDER BY due_d DESC") == ["t3", "t2", "t1"]
    assert await oids(gigya, "SELECT * FROM todo ORDER BY tag_s, n_i DESC") == ["t2", "t3", "t1"]


async def test_limit_and_start(gigya: Gigya) -> None:
    await seed(gigya)
    body = await gigya.ok("ds.search", query="SELECT * FROM todo ORDER BY n_i START 1 LIMIT 1")
    assert [r["oid"] for r in body["results"]] == ["t2"]
    assert (body["objectsCount"], body["totalCount"]) == (1, 3)
    body = await gigya.ok("ds.search", query="SELECT * FROM todo LIMIT 0")
    assert (body["results"], body["totalCount"]) == ([], 3)


async def test_default_limit_is_300(gigya: Gigya) -> None:
    for i in range(305):
        await gigya.store("many", {"i_i": i}, oid=str(i))
    body = await gigya.ok("ds.search", query="SELECT * FROM many")
    assert (body["objectsCount"], body["totalCount"]) == (300, 305)


async def test_count(gigya: Gigya) -> None:
    await seed(gigya)
    body = await gigya.ok("ds.search", query="SELECT count(*) FROM todo WHERE done_b = false")
    assert body["results"] == [{"count(*)": 2}]
    assert (body["objectsCount"], body["totalCount"]) == (1, 2)


async def test_select_list_and_alias(gigya: Gigya) -> None:
    await gigya.store("album", {"track": {"title_s": "Song", "len_i": 3}, "name_s": "A"}, oid="a")
    body = await gigya.ok(
        "ds.search", query="SELECT data.track.title_s AS song, name_s, oid FROM album"
    )
    assert body["results"] == [{"data": {"track": {"song": "Song"}, "name_s": "A"}, "oid": "a"}]
    body = await gigya.ok("ds.search", query="SELECT data.track FROM album")
    assert body["results"] == [{"data": {"track": {"title_s": "Song", "len_i": 3}}}]


async def test_auto_detected_types_are_searchable(gigya: Gigya) -> None:
    await gigya.store("p", {"age": 30, "name": "Ann"}, oid="a")
    await gigya.store("p", {"age": 40, "name": "Bob"}, oid="b")
    assert await oids(gigya, "SELECT * FROM p WHERE age >= 35") == ["b"]
    await gigya.error("ds.search", 400006, query='SELECT * FROM p WHERE age = "x"')


async def test_nested_and_array_fields(gigya: Gigya) -> None:
    await gigya.store("p", {"info": {"tags_s": ["a", "b"]}, "l": [{"k_i": 1}, {"k_i": 5}]}, oid="x")
    await gigya.store("p", {"info": {"tags_s": ["c"]}, "l": [{"k_i": 2}]}, oid="y")
    assert await oids(gigya, 'SELECT * FROM p WHERE info.tags_s = "b"') == ["x"]
    assert await oids(gigya, "SELECT * FROM p WHERE data.l.k_i > 4") == ["x"]


async def test_syntax_error(gigya: Gigya) -> None:
    body = await gigya.error("ds.search", 400006, query="SELECT * FORM todo")
    assert body["errorMessage"] == "Invalid parameter value"
    assert "position" in body["errorDetails"]
    await gigya.error("ds.search", 400006, query="SELECT * FROM t GROUP BY x")
    await gigya.error("ds.search", 400006, query='SELECT * FROM t WHERE n_i = "one"')


async def test_missing_query(gigya: Gigya) -> None:
    await gigya.error("ds.search", 400002)


async def test_query_and_cursor_together(gigya: Gigya) -> None:
    await gigya.error("ds.search", 400006, query="SELECT * FROM t", cursorId="abc")


@pytest.mark.parametrize("value", ["0", "60001", "soon"])
async def test_bad_timeout(gigya: Gigya, value: str) -> None:
    await gigya.error("ds.search", 400006, query="SELECT * FROM t", timeout=value)


async def test_timeout_ok(gigya: Gigya) -> None:
    await gigya.ok("ds.search", query="SELECT * FROM t", timeout="60000")


async def test_request_timeout(gigya: Gigya, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from doppelgate.dialects.gigya import search

    async def slow(self: object, *args: object) -> None:
        await asyncio.sleep(1)

    monkeypatch.setattr(search.Search, "_search", slow)
    body = await gigya.error("ds.search", 504002, query="SELECT * FROM t", timeout="10")
    assert body["errorMessage"] == "Request Timeout"


async def test_order_by_limit_reads_the_page_and_its_total_in_one_indexed_pass(
    gigya: Gigya, engine: Engine
) -> None:
    for i in range(40):
        await gigya.store("todo", {"n_i": (i * 7) % 40, "tag_s": "x"}, oid=f"t{i}")
    query = "SELECT * FROM todo WHERE n_i >= 5 ORDER BY n_i DESC LIMIT 3"
    body = await gigya.ok("ds.search", query=query)
    assert [r["data"]["n_i"] for r in body["results"]] == [39, 38, 37]
    assert body["totalCount"] == 35
    if isinstance(engine, MemoryEngine):  # Gigya declared (type, data.n_i): a walk to the page
        objects = engine.collection("gigya", gigya.api_key, "objects")
        assert objects.last_plan["index"] == "type_1_data.n_i_1"
        assert objects.examined < 40  # the page's run, then the total from the same walk


async def test_a_reset_does_not_lose_the_order_by_index(gigya: Gigya, engine: Engine) -> None:
    """A control-plane reset drops the objects with their indexes: the next search ordering by
    the field declares its (type, field) index again, on this process too."""
    objects = engine.collection("gigya", gigya.api_key, "objects")
    query = "SELECT * FROM todo ORDER BY n_i"
    await gigya.store("todo", {"n_i": 1}, oid="t1")
    await gigya.ok("ds.search", query=query)
    assert "type_1_data.n_i_1" in await index_names(engine, objects)
    reset = await gigya.http.post("/_doppelgate/reset", json={"dialect": "gigya"})
    assert reset.status_code == 200, reset.text
    assert await index_names(engine, objects) == set()
    await gigya.store("todo", {"n_i": 2}, oid="t2")
    body = await gigya.ok("ds.search", query=query)
    assert [r["data"]["n_i"] for r in body["results"]] == [2]
    assert "type_1_data.n_i_1" in await index_names(engine, objects)
