"""403048 when a site exceeds the configured calls per minute (spec §7); counted in the engine."""

from __future__ import annotations

from doppelgate import ratelimit
from doppelgate.engine import Engine

from .conftest import GigyaFactory


async def test_calls_over_the_limit_get_403048(gigya_factory: GigyaFactory) -> None:
    gigya = gigya_factory({"rateLimit": 3})
    for _ in range(3):
        await gigya.ok("ds.getTypes")
    body = await gigya.error("ds.getTypes", 403048)
    assert body["errorMessage"] == "Api rate limit exceeded"
    assert body["statusCode"] == 403


async def test_each_site_has_its_own_count(gigya_factory: GigyaFactory) -> None:
    first = gigya_factory({"rateLimit": 1}, api_key="3_first")
    second = gigya_factory({"rateLimit": 1}, api_key="3_second")
    await first.ok("ds.getTypes")
    await second.ok("ds.getTypes")
    await first.error("ds.getTypes", 403048)


async def test_no_limit_by_default(gigya_factory: GigyaFactory) -> None:
    gigya = gigya_factory()
    for _ in range(20):
        await gigya.ok("ds.getTypes")


async def test_windows_reset_on_the_minute(engine: Engine) -> None:
    start = 1_800_000_000.0  # a multiple of 60: the start of a minute
    assert (await ratelimit.hit(engine, "gigya", "k", 60, start)).hits == 1
    second = await ratelimit.hit(engine, "gigya", "k", 60, start + 59)
    assert second == ratelimit.Window(hits=2, reset=1)
    assert (await ratelimit.hit(engine, "gigya", "k", 60, start + 60)).hits == 1
