"""Fault injection in each vendor's own error vocabulary: code, latency, probability, times."""

from __future__ import annotations

import re
import time

import pytest

from doppelgate.testing import Emulator

from .helpers import gigya_get, gigya_store


async def gigya_calls(emu: Emulator, n: int, key: str = "3_f") -> list[int]:
    async with emu.client("gigya") as gigya:
        return [
            (await gigya.get("ds.get", params=gigya_get(key))).json()["errorCode"] for _ in range(n)
        ]


async def test_a_gigya_code_replaces_the_operation(doppelgate: Emulator) -> None:
    fault = doppelgate.fault("gigya", "ds.store", error="403048")
    async with doppelgate.client("gigya") as gigya:
        r = await gigya.post("ds.store", data=gigya_store("3_f"))
        body = r.json()
        assert r.status_code == 200  # Gigya's default: errors in the body
        assert (body["errorCode"], body["statusCode"]) == (403048, 403)
        assert body["errorMessage"] == "Api rate limit exceeded"
        got = await gigya.get("ds.get", params=gigya_get("3_f"))
    assert got.json()["errorCode"] == 404000  # the store never ran
    assert fault.fired == 1 and doppelgate.journal()[0].fault == fault.id
    assert doppelgate.journal()[0].operation == "ds.store"


async def test_times_and_operation_scope(doppelgate: Emulator) -> None:
    doppelgate.fault("gigya", "ds.get", error="500001", times=2)
    assert await gigya_calls(doppelgate, 4) == [500001, 500001, 404000, 404000]
    doppelgate.fault("gigya", error="504001", times=1)  # any operation
    async with doppelgate.client("gigya") as gigya:
        r = await gigya.post("ds.store", data=gigya_store("3_f"))
    assert r.json()["errorCode"] == 504001
    (state,) = [f for f in doppelgate.faults() if f.spec.error == "500001"]
    assert (state.matched, state.fired) == (2, 2)


async def test_probability_is_deterministic_with_a_seed() -> None:
    patterns = []
    for _ in range(2):
        async with Emulator() as emu:
            emu.fault("gigya", "ds.get", error="500001", probability=0.5, seed=1)
            patterns.append(await gigya_calls(emu, 30))
    assert patterns[0] == patterns[1]
    assert {500001, 404000} == set(patterns[0])
    assert 5 < patterns[0].count(500001) < 25


async def test_latency_only_delays_the_real_operation(doppelgate: Emulator) -> None:
    doppelgate.fault("gigya", "ds.get", latency_ms=60)
    start = time.perf_counter()
    assert await gigya_calls(doppelgate, 1) == [404000]
    assert time.perf_counter() - start >= 0.06
    assert doppelgate.journal()[0].duration_ms >= 60


async def test_latency_and_error(doppelgate: Emulator) -> None:
    doppelgate.fault("gigya", "ds.get", latency_ms=30, error="504002")
    start = time.perf_counter()
    assert await gigya_calls(doppelgate, 1) == [504002]
    assert time.perf_counter() - start >= 0.03


def test_unknown_codes_and_dialects_are_refused(doppelgate: Emulator) -> None:
    with pytest.raises(ValueError, match="gigya has no error '999999'"):
        doppelgate.fault("gigya", error="999999")
    with pytest.raises(ValueError, match="unknown dialect"):
        doppelgate.fault("salesforce", error="1")
    assert doppelgate.faults() == []


async def test_faults_over_http(doppelgate: Emulator) -> None:
    async with doppelgate.client() as client:
        r = await client.post(
            "/_doppelgate/faults",
            json={"dialect": "gigya", "operation": "ds.get", "error": "500001", "seed": 1},
        )
        assert r.status_code == 201
        fault_id = r.json()["id"]
        assert r.json()["spec"]["probability"] == 1.0
        bad = await client.post("/_doppelgate/faults", json={"dialect": "gigya", "error": "x"})
        assert bad.status_code == 400
        bad = await client.post("/_doppelgate/faults", json={"dialect": "gigya", "oops": 1})
        assert bad.status_code == 400
        bad = await client.post("/_doppelgate/faults", json={"dialect": "gigya", "probability": 2})
        assert bad.status_code == 400
        assert await gigya_calls(doppelgate, 1) == [500001]
        listed = (await client.get("/_doppelgate/faults")).json()["faults"]
        assert [(f["id"], f["fired"]) for f in listed] == [(fault_id, 1)]
        assert (await client.delete(f"/_doppelgate/faults/{fault_id}")).json() == {"removed": 1}
        assert (await client.delete(f"/_doppelgate/faults/{fault_id}")).status_code == 404
        assert await gigya_calls(doppelgate, 1) == [404000]
        await client.post("/_doppelgate/faults", json={"dialect": "spid"})
        await client.post("/_doppelgate/faults", json={"dialect": "gigya"})
        assert (await client.delete("/_doppelgate/faults?dialect=spid")).json() == {"removed": 1}
        assert (await client.delete("/_doppelgate/faults")).json() == {"removed": 1}


async def test_seed_calls_pass_faults_by(doppelgate: Emulator) -> None:
    fault = doppelgate.fault("gigya", "ds.store", error="500001")
    await doppelgate.seed(
        {
            "calls": [
                {
                    "dialect": "gigya",
                    "path": "ds.store",
                    "form": gigya_store("3_f"),
                    "expect": {"body": {"errorCode": 0}},
                }
            ]
        }
    )
    assert (fault.matched, fault.fired) == (0, 0)
    assert await gigya_calls(doppelgate, 1) == [0]


def test_a_fault_for_an_operation_the_dialect_lacks_is_refused() -> None:
    with Emulator() as emu:
        with pytest.raises(ValueError, match=r"gigya has no operation 'ds.gett' \(known: ds.store"):
            emu.fault("gigya", "ds.gett", error="500001")
        with pytest.raises(ValueError, match=re.escape("GET /api/2/user/{id}/dataobject/{key}")):
            emu.fault("spid", "GET /api/2/user/{id}/object", error="404")
        assert emu.fault("gigya", "DS.STORE", error="500001").id  # names match case-blind
        r = emu.sync_client().post(
            "/_doppelgate/faults", json={"dialect": "gigya", "operation": "*", "eror": "500001"}
        )
        assert r.status_code == 400
        assert "unknown field `eror`" in r.json()["error"]
        assert "dialect, operation, error, latency_ms" in r.json()["error"]
