"""ds.search cursor paging (spec §4): openCursor, cursorId, nextCursorId, expiry."""

from __future__ import annotations

import asyncio

from .conftest import GigyaFactory
from .helpers import Gigya

QUERY = "SELECT * FROM item ORDER BY n_i LIMIT 4"


async def seed(gigya: Gigya, count: int = 10) -> None:
    for i in range(count):
        await gigya.store("item", {"n_i": i}, oid=f"i{i}")


def numbers(body: dict[str, object]) -> list[int]:
    return [r["data"]["n_i"] for r in body["results"]]  # type: ignore[attr-defined, index]


async def test_cursor_pages_through_everything(gigya: Gigya) -> None:
    await seed(gigya)
    body = await gigya.ok("ds.search", query=QUERY, openCursor="true")
    pages = [numbers(body)]
    assert body["totalCount"] == 10
    while "nextCursorId" in body:
        body = await gigya.ok("ds.search", cursorId=body["nextCursorId"])
        assert body["totalCount"] == 10  # the full match count on every page
        pages.append(numbers(body))
    assert pages == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


async def test_exact_multiple_has_no_empty_page(gigya: Gigya) -> None:
    await seed(gigya, 8)
    body = await gigya.ok("ds.search", query=QUERY, openCursor="True")
    body = await gigya.ok("ds.search", cursorId=body["nextCursorId"])
    assert numbers(body) == [4, 5, 6, 7] and "nextCursorId" not in body


async def test_no_cursor_without_open_cursor(gigya: Gigya) -> None:
    await seed(gigya)
    assert "nextCursorId" not in await gigya.ok("ds.search", query=QUERY)
    assert "nextCursorId" not in await gigya.ok("ds.search", query=QUERY, openCursor="false")


async def test_resending_a_cursor_redelivers_its_page(gigya: Gigya) -> None:
    await seed(gigya)
    first = await gigya.ok("ds.search", query=QUERY, openCursor="1")
    a = await gigya.ok("ds.search", cursorId=first["nextCursorId"])
    b = await gigya.ok("ds.search", cursorId=first["nextCursorId"])
    assert numbers(a) == numbers(b) == [4, 5, 6, 7]


async def test_start_is_not_allowed_with_cursors(gigya: Gigya) -> None:
    await gigya.error("ds.search", 400006, query=f"{QUERY} START 2", openCursor="true")


async def test_unknown_cursor(gigya: Gigya) -> None:
    body = await gigya.error("ds.search", 400006, cursorId="0123456789abcdef")
    assert "cursorId" in body["errorDetails"]


async def test_cursor_expires_when_unused(gigya_factory: GigyaFactory) -> None:
    gigya = gigya_factory({"cursorTtl": 0.3})
    await seed(gigya)
    body = await gigya.ok("ds.search", query=QUERY, openCursor="true")
    await asyncio.sleep(0.15)
    body = await gigya.ok("ds.search", cursorId=body["nextCursorId"])  # use refreshes it
    await asyncio.sleep(0.15)
    again = await gigya.ok("ds.search", cursorId=body["nextCursorId"])
    assert numbers(again) == [8, 9]
    await asyncio.sleep(0.5)
    await gigya.error("ds.search", 400006, cursorId=body["nextCursorId"])


async def test_cursors_belong_to_their_tenant(gigya_factory: GigyaFactory) -> None:
    a, b = gigya_factory(api_key="3_a"), gigya_factory(api_key="3_b")
    await seed(a)
    body = await a.ok("ds.search", query=QUERY, openCursor="true")
    await b.error("ds.search", 400006, cursorId=body["nextCursorId"])


async def test_cursor_survives_a_new_app_on_the_same_engine(gigya_factory: GigyaFactory) -> None:
    first = gigya_factory(api_key="3_shared")
    await seed(first)
    body = await first.ok("ds.search", query=QUERY, openCursor="true")
    second = gigya_factory(api_key="3_shared")  # another process behind a load balancer
    assert numbers(await second.ok("ds.search", cursorId=body["nextCursorId"])) == [4, 5, 6, 7]
