"""The clock is shared on MongoDB: two `doppelgate serve` processes on one database see the same
frozen time, and either one can move it (each rereads it at most every clock.SHARED_TTL_S)."""

from __future__ import annotations

from pathlib import Path

import httpx

from doppelgate.clock import SHARED_TTL_S

from .helpers import GigyaClient, serving, wait_until

FROZEN = "2030-05-06T07:08:09.000Z"
LATER = "2030-05-06T08:08:09.000Z"  # an hour on


def _now(base: str) -> str:
    return str(httpx.get(f"{base}/_doppelgate/clock", timeout=10).json()["now"])


def test_two_processes_share_the_frozen_clock(
    mongo_url: str, database: str, tmp_path: Path
) -> None:
    with (
        serving(mongo_url, database, tmp_path) as one,
        serving(mongo_url, database, tmp_path) as two,
        GigyaClient(two.base, "3_clock") as gigya,
    ):
        frozen = httpx.post(f"{one.base}/_doppelgate/clock/freeze", json={"at": FROZEN}).json()
        assert frozen["now"] == FROZEN
        assert _now(two.base) == FROZEN  # the control plane rereads the shared state
        # requests read a copy at most SHARED_TTL_S old: the vendor's own field shows the instant
        wait_until(lambda: gigya.store("t", "o1", {"n": 1})["time"] == FROZEN, 10 * SHARED_TTL_S)
        assert gigya.ok("ds.get", type="t", oid="o1")["lastUpdatedTime"] == FROZEN

        moved = httpx.post(f"{two.base}/_doppelgate/clock/advance", json={"seconds": 3600})
        assert moved.json()["now"] == LATER
        assert _now(one.base) == LATER
        with GigyaClient(one.base, "3_clock") as other:
            wait_until(lambda: other.ok("ds.get", type="t", oid="o1")["time"] == LATER, 5)

        httpx.post(f"{one.base}/_doppelgate/clock/resume")
        assert not httpx.get(f"{two.base}/_doppelgate/clock").json()["frozen"]
