"""Verification: Emulator.calls / assert_called with near misses, and the count over HTTP."""

from __future__ import annotations

import pytest

from doppelgate.config import Settings
from doppelgate.testing import Emulator

from .helpers import gigya_get, gigya_store

SPID_OBJECT = "/api/2/user/7/dataobject/k"
SPID_OPERATION = "{} /api/2/user/{{id}}/dataobject/{{key}}"


@pytest.fixture
def doppelgate_settings() -> Settings:
    return Settings(journal_size=50)


async def _calls(emu: Emulator) -> None:
    async with emu.client("gigya") as gigya:
        await gigya.post("ds.store", data=gigya_store("3_a", "o1"))
        await gigya.post("ds.store", data=gigya_store("3_a", "o2"))
        await gigya.post("ds.store", data=gigya_store("3_b", "o1"))
        await gigya.get("ds.get", params=gigya_get("3_a", "o9"))
    async with emu.client("spid") as spid:  # Gigya answers errors with HTTP 200; SPiD does not
        await spid.get(SPID_OBJECT, headers={"Authorization": "Bearer c"})  # none yet: 404
        await spid.post(SPID_OBJECT, data={"value": "v"}, headers={"Authorization": "Bearer c"})


async def test_calls_filter_by_operation_tenant_and_status(doppelgate: Emulator) -> None:
    await _calls(doppelgate)
    stores = doppelgate.calls("gigya", "ds.store", tenant="3_a")
    assert [e.path for e in stores] == ["/ds.store", "/ds.store"]
    assert len(doppelgate.calls("gigya", "DS.STORE", status=200)) == 3
    assert len(doppelgate.calls("spid", status=404)) == 1
    assert doppelgate.calls("gigya", tenant="3_b")[0].operation == "ds.store"
    assert doppelgate.calls("lightblue") == []


async def test_assert_called_passes_on_the_exact_count(doppelgate: Emulator) -> None:
    await _calls(doppelgate)
    verdict = doppelgate.assert_called("gigya", "ds.store", tenant="3_a", status=200, times=2)
    assert verdict.count == 2 and verdict.ok
    doppelgate.assert_called("spid", SPID_OPERATION.format("GET"), status=404, times=1)
    doppelgate.assert_called("gigya", "ds.get")
    doppelgate.assert_not_called("gigya", "ds.delete")


async def test_the_failure_message_lists_the_near_misses(doppelgate: Emulator) -> None:
    await _calls(doppelgate)
    with pytest.raises(AssertionError) as failure:
        doppelgate.assert_called("gigya", "ds.store", tenant="3_a", times=3)
    message = str(failure.value)
    assert message.splitlines()[0] == (
        "expected gigya operation 'ds.store', tenant '3_a' called 3 times, "
        "but it was called 2 times"
    )
    assert message.splitlines()[1:] == [
        "near misses (1):",
        "  #3 POST /ds.store -> tenant '3_b' (not '3_a')",
    ]
    assert "ds.get" not in message  # another operation is no near miss
    with pytest.raises(AssertionError) as failure:
        doppelgate.assert_called("spid", SPID_OPERATION.format("GET"), status=200)
    message = str(failure.value)
    assert "called at least once, but it was called 0 times" in message
    assert "GET /api/2/user/7/dataobject/k -> status 404 (not 200)" in message


async def test_an_operation_never_called_lists_what_was(doppelgate: Emulator) -> None:
    await _calls(doppelgate)
    with pytest.raises(AssertionError, match=r"gigya operations called: ds.get, ds.store"):
        doppelgate.assert_called("gigya", "ds.search")
    with pytest.raises(AssertionError, match="called 0 times, but it was called 1 time"):
        doppelgate.assert_not_called("gigya", "ds.get")


async def test_the_count_over_http(doppelgate: Emulator) -> None:
    await _calls(doppelgate)
    async with doppelgate.client() as client:
        url = "/_doppelgate/journal/count"
        ok = (await client.get(url, params={"dialect": "gigya", "operation": "ds.store"})).json()
        assert (ok["count"], ok["ok"], ok["message"]) == (3, True, "")
        params = {"dialect": "gigya", "operation": "ds.store", "tenant": "3_b", "times": "2"}
        miss = (await client.get(url, params=params)).json()
        assert (miss["count"], miss["ok"]) == (1, False)
        assert [e["tenant"] for e in miss["near_misses"]] == ["3_a", "3_a"]
        assert "near misses (2):" in miss["message"]
        assert (await client.get(url, params={"dialect": "nope"})).status_code == 400
        bad = await client.get(url, params={"dialect": "gigya", "times": "x"})
        assert bad.status_code == 400
        index = (await client.get("/_doppelgate/")).json()["routes"]
        assert any(r["path"] == url for r in index)
