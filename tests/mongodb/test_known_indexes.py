"""ensure_index on an index the MongoEngine knows the server has: no round trip. What the
engine drops, resets or closes it forgets; what another process drops it checks again once its
record is `recheck_s` old (another MongoEngine on the same database plays that process)."""

from __future__ import annotations

import pytest

from doppelgate.engine import BackendUnavailable, DuplicateKey
from doppelgate.engine.mongodb import MongoEngine
from tests.conftest import MongoWireServer

TIMEOUT_MS = 1500  # the calls that must reach a stopped server fail within it


async def test_a_known_index_is_answered_while_the_server_is_down(
    local_server: MongoWireServer, local_database: str
) -> None:
    engine = MongoEngine(local_server.url, local_database, timeout_ms=TIMEOUT_MS)
    await engine.open()
    try:
        engine.known_indexes.recheck_s = 600  # stopping the server takes its time
        coll = engine.collection("t", "tenant", "things")
        await coll.ensure_index(["e"], unique=True)
        with local_server.stopped():
            assert await coll.ensure_index(["e"], unique=True) == "e_1"  # no round trip
            with pytest.raises(BackendUnavailable):
                await coll.ensure_index(["f"])  # one it does not know: asked of the server
            engine.known_indexes.recheck_s = 0
            with pytest.raises(BackendUnavailable):
                await coll.ensure_index(["e"], unique=True)  # a record too old: asked again
    finally:
        await engine.close()


async def test_what_another_process_dropped_is_built_again_once_rechecked(
    engines: list[MongoEngine],
) -> None:
    one, other = engines
    coll = one.collection("t", "tenant", "things")
    await coll.ensure_index(["e"], unique=True)
    await other.collection("t", "tenant", "things").drop()  # e.g. its control-plane reset
    one.known_indexes.recheck_s = 0  # rather than wait for the record to age
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": "a"})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "e": "a"})


@pytest.mark.parametrize("how", ["reset", "close"])
async def test_a_reset_or_close_forgets_even_what_another_process_dropped(
    engines: list[MongoEngine], how: str
) -> None:
    one, other = engines
    coll = one.collection("t", "tenant", "things")
    await coll.ensure_index(["e"], unique=True)
    await other.collection("t", "tenant", "things").drop()
    if how == "reset":  # the dropped collection is not listed: its indexes are forgotten still
        assert await one.reset("t", "tenant") == 0
    else:
        await one.close()
        await one.open()
    await coll.ensure_index(["e"], unique=True)
    await coll.insert({"_id": 1, "e": "a"})
    with pytest.raises(DuplicateKey):
        await coll.insert({"_id": 2, "e": "a"})
