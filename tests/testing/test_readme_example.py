# The example of README.md ("Testing your code against doppelgate"), verbatim: keep in step.
import httpx
import pytest

from doppelgate.config import Settings

# -- the code under test: small clients of each vendor, calling the vendors' real URLs ------


class Tracks:
    """Gigya Data Store, sync."""

    def __init__(self, api_key: str, secret: str) -> None:
        self.auth = {"apiKey": api_key, "secret": secret}
        self.http = httpx.Client(base_url="https://ds.eu1.gigya.com")

    def save(self, oid: str, title: str) -> None:
        data = {**self.auth, "type": "tracks", "oid": oid, "data": f'{{"title_s": "{title}"}}'}
        assert self.http.post("/ds.store", data=data).json()["errorCode"] == 0

    def title(self, oid: str) -> str | None:
        r = self.http.get("/ds.get", params={**self.auth, "type": "tracks", "oid": oid}).json()
        return r["data"]["title_s"] if r["errorCode"] == 0 else None


async def save_setting(token: str, user: int, key: str, value: str) -> dict:
    """SPiD data objects, async."""
    async with httpx.AsyncClient(base_url="https://login.schibsted.com/api/2") as http:
        r = await http.post(
            f"/user/{user}/dataobject/{key}",
            data={"value": value},
            headers={"Authorization": f"Bearer {token}"},
        )
        r.raise_for_status()
        return r.json()["data"]


async def add_company(access_key: str, name: str) -> str:
    """Gainsight custom objects: returns the new record's Gsid."""
    async with httpx.AsyncClient(base_url="https://acme.gainsightcloud.com") as http:
        r = await http.post(
            "/v1/data/objects/company",
            json={"records": [{"Name": name}]},
            headers={"Accesskey": access_key},
        )
        return r.json()["data"]["records"][0]["Gsid"]


LIGHTBLUE = "https://apps.example.com/lightblue"  # self-hosted: its URL is configuration


def lightblue_names(entity: str) -> list[str]:
    with httpx.Client(base_url=f"{LIGHTBLUE}/rest/data") as http:
        r = http.post(f"/find/{entity}", json={"projection": {"field": "name"}})
        return [doc["name"] for doc in r.json()["processed"]]


# -- the tests ------------------------------------------------------------------------------


@pytest.fixture
def doppelgate_base_urls() -> dict[str, str]:
    return {"lightblue": LIGHTBLUE}  # where the lightblue client looks; vendor hosts are known


def test_gigya(doppelgate, doppelgate_respx):
    tracks = Tracks("3_test", "c2VjcmV0")
    tracks.save("t1", "Blue")
    assert tracks.title("t1") == "Blue"
    assert [e.operation for e in doppelgate.journal(dialect="gigya")] == ["ds.store", "ds.get"]


def test_gigya_rate_limit(doppelgate, doppelgate_respx):
    doppelgate.fault("gigya", "ds.get", error="403048", times=1)  # Gigya's own error code
    tracks = Tracks("3_test", "c2VjcmV0")
    tracks.save("t1", "Blue")
    assert tracks.title("t1") is None  # the client's rate-limit path
    assert tracks.title("t1") == "Blue"


async def test_spid(doppelgate, doppelgate_respx):
    saved = await save_setting("my-client", 42, "theme", "dark")
    assert saved["value"] == "dark"


async def test_gainsight(doppelgate, doppelgate_respx):
    gsid = await add_company("key-1", "Acme")
    assert gsid.startswith("1P02")


def test_lightblue(doppelgate, doppelgate_respx):
    doppelgate.blocking.seed(
        {
            "calls": [
                {
                    "dialect": "lightblue",
                    "method": "PUT",
                    "path": "rest/metadata/band/1.0.0",
                    "json": {
                        "entityInfo": {
                            "name": "band",
                            "defaultVersion": "1.0.0",
                            "datastore": {"backend": "mongo", "collection": "band"},
                        },
                        "schema": {
                            "name": "band",
                            "version": {"value": "1.0.0"},
                            "status": {"value": "active"},
                            "access": {"find": ["anyone"], "insert": ["anyone"]},
                            "fields": {"name": {"type": "string"}},
                        },
                    },
                },
                {
                    "dialect": "lightblue",
                    "method": "PUT",
                    "path": "rest/data/insert/band",
                    "json": {"data": [{"name": "Low"}, {"name": "Yes"}]},
                },
            ]
        }
    )
    assert sorted(lightblue_names("band")) == ["Low", "Yes"]


@pytest.fixture
def doppelgate_settings() -> Settings:
    return Settings(journal_size=100)  # any doppelgate setting; the default Settings() otherwise
