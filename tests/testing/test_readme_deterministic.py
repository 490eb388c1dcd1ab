# The "Deterministic tests" example of README.md, verbatim: keep in step.
import datetime as dt

import httpx
import pytest

from doppelgate.config import Settings

SPID = "https://login.schibsted.com"
GIGYA = "https://ds.us1.gigya.com"


@pytest.fixture
def doppelgate_settings() -> Settings:
    return Settings(id_seed=7)  # generated ids from seeded generators (or Emulator(id_seed=7))


def test_a_token_expires_without_sleeping(doppelgate, doppelgate_respx, doppelgate_clock):
    form = {"grant_type": "client_credentials", "client_id": "app"}
    token = httpx.post(f"{SPID}/oauth/token", data=form).json()
    doppelgate_clock.advance(dt.timedelta(seconds=token["expires_in"]))  # frozen until then
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    r = httpx.get(f"{SPID}/api/2/user/1/dataobject/theme", headers=bearer)
    assert r.status_code == 401 and r.json()["error"] == "expired_token"
    doppelgate.assert_called("spid", "POST /oauth/token", status=200, times=1)


def test_the_same_calls_give_the_same_bytes(doppelgate, doppelgate_respx, doppelgate_clock):
    doppelgate_clock.freeze(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    form = {"apiKey": "3_test", "secret": "c2VjcmV0", "type": "notes", "oid": "auto", "data": "{}"}
    first = httpx.post(f"{GIGYA}/ds.store", data=form).content  # a new oid, callId and time
    doppelgate.seed_ids(7)  # the generators start again
    doppelgate.blocking.reset()
    assert httpx.post(f"{GIGYA}/ds.store", data=form).content == first
    doppelgate.assert_called("gigya", "ds.store", tenant="3_test", times=2)
    with pytest.raises(AssertionError, match="near misses"):  # what a failure shows
        doppelgate.assert_called("gigya", "ds.store", tenant="3_prod")
