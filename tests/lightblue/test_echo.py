"""A huge invalid document comes back in dataErrors as a short prefix only (issue 13 point 4)."""

from __future__ import annotations

from doppelgate.limits import ECHO_CHARS

from .helpers import Lightblue


async def test_a_huge_value_in_data_errors_is_cut_short(country: Lightblue) -> None:
    value = "N" * 2_000_000  # name: maxLength 20
    r = await country.http.put("/rest/data/insert/country", json={"data": [{"name": value}]})
    assert r.status_code == 200
    assert len(r.content) < 4 * ECHO_CHARS + 2000  # not the 2 MB document, twice
    [entry] = r.json()["dataErrors"]
    prefix = "N" * ECHO_CHARS + "..."
    assert entry["data"] == {"name": prefix}
    assert entry["errors"][0]["errorCode"] == "crud:TooLong"
    assert entry["errors"][0]["msg"] == prefix
