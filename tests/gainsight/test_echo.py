"""A huge bad value is echoed back as a short prefix only (issue 13 point 4)."""

from __future__ import annotations

from doppelgate.limits import ECHO_CHARS

from .helpers import Gainsight


async def test_a_huge_field_is_not_echoed_whole(gs: Gainsight) -> None:
    value = "n" * 2_000_000
    r = await gs.raw("POST", "/Company", {"records": [{"Name": value}]})
    assert r.status_code == 400
    env = gs.envelope(r)
    assert env["errorCode"] == "GSOBJ_1001"
    assert len(r.content) < 4 * ECHO_CHARS + 1000  # three echoes of a prefix, not 6 MB
    prefix = "n" * ECHO_CHARS + "..."
    assert env["errorDesc"].endswith(f"(Name = {prefix}).")
    [[record]] = env["data"]["errors"]
    assert record["parsedValue"] == prefix
    assert record["errors"][0]["invalidValue"] == prefix


async def test_a_short_bad_value_is_echoed_as_sent(gs: Gainsight) -> None:
    r = await gs.raw("POST", "/Company", {"records": [{"Name": "n" * 300}]})
    env = gs.envelope(r)
    assert env["errorCode"] == "GSOBJ_1001"
    assert "n" * ECHO_CHARS + "..." in env["errorDesc"]  # 300 > ECHO_CHARS: cut too
    r = await gs.raw("POST", "/Company", {"records": [{"Employees": "many"}]})
    assert gs.envelope(r)["errorDesc"].endswith("(Employees = many).")
