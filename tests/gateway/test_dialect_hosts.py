"""`[dialects.<name>] hosts`: more vendor Host patterns for any dialect, in every spelling (TOML,
DOPPELGATE_DIALECTS, Python, and the older `<name>_hosts` / DOPPELGATE_<NAME>_HOSTS)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from doppelgate.config import ConfigError, Settings, dialect_hosts, load_settings
from doppelgate.dialects import names
from doppelgate.gateway import create_app

from .conftest import AppFactory
from .helpers import client_for, whoami_routes, with_routes

README = Path(__file__).resolve().parents[2] / "README.md"
SPELLINGS = ["toml", "env json", "python", "older toml", "older env"]


def hosts_of(name: str) -> list[str]:
    """A custom domain (a Gigya CNAME, a self-hosted lightblue...) and a wildcard."""
    return [f"api.custom-{name}.test", f"*.wild-{name}.test"]


def settings_for(spelling: str, name: str, hosts: list[str], tmp: Path) -> Settings:
    config = tmp / "doppelgate.toml"
    if spelling == "toml":
        config.write_text(f"[dialects.{name}]\nhosts = {json.dumps(hosts)}\n")
        return load_settings({}, env={}, config_path=config)
    if spelling == "older toml":
        config.write_text(f"{name}_hosts = {json.dumps(hosts)}\n")
        return load_settings({}, env={}, config_path=config)
    if spelling == "env json":
        return load_settings({}, env={"DOPPELGATE_DIALECTS": json.dumps({name: {"hosts": hosts}})})
    if spelling == "older env":
        return load_settings({}, env={f"DOPPELGATE_{name.upper()}_HOSTS": ", ".join(hosts)})
    return Settings(dialects={name: {"hosts": hosts}})


@pytest.fixture(autouse=True)
def no_config_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # load_settings reads ./doppelgate.toml when it exists


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("name", names())
async def test_configured_hosts_route_to_any_dialect(
    app_factory: AppFactory, tmp_path: Path, name: str, spelling: str
) -> None:
    settings = settings_for(spelling, name, hosts_of(name), tmp_path)
    assert dialect_hosts(settings, name) == tuple(hosts_of(name))
    app = await app_factory(settings, dialects=with_routes(whoami_routes))
    for host in (f"api.custom-{name}.test", f"eu.tenant.wild-{name}.test"):
        async with client_for(app, base_url=f"https://{host}") as client:
            r = await client.get("/whoami")
        assert r.json()["dialect"] == name, (host, r.text)
    for host in (f"custom-{name}.test", f"wild-{name}.test", "api.elsewhere.test"):
        async with client_for(app, base_url=f"https://{host}") as client:
            assert (await client.get("/whoami")).status_code == 404, host


async def test_a_gigya_custom_domain_serves_the_data_store(app_factory: AppFactory) -> None:
    """Beside the hosts, the [dialects.gigya] table's own keys still reach the dialect."""
    table = {"hosts": ["cdc.example.com"], "apiKeys": {"3_k": {"dataStore": False}}}
    app = await app_factory(Settings(dialects={"gigya": table}))
    async with client_for(app, base_url="https://cdc.example.com") as client:
        r = await client.post("/ds.get", data={"apiKey": "3_k", "type": "t", "oid": "o"})
    assert r.json()["errorCode"] == 403036  # dataStore = false: DS not enabled
    async with client_for(app, base_url="https://ds.us1.gigya.com") as client:
        r = await client.post("/ds.get", data={"apiKey": "3_k", "type": "t", "oid": "o"})
    assert r.json()["errorCode"] == 403036  # the vendor's own hosts still route


def test_the_dialects_own_keys_are_still_checked_beside_hosts() -> None:
    for name, key in (("gigya", "strictt"), ("spid", "nosuch"), ("gainsight", "nosuch")):
        settings = Settings(dialects={name: {"hosts": ["x.test"], key: True}})
        with pytest.raises(ConfigError, match=rf"invalid \[dialects.{name}\] settings"):
            create_app(settings)


def test_the_newer_spelling_wins_across_sources_and_is_refused_beside_the_older_in_one(
    tmp_path: Path,
) -> None:
    config = tmp_path / "d.toml"
    config.write_text('[dialects.spid]\nhosts = ["file.test"]\nstrict = true\n')
    older_env = {"DOPPELGATE_SPID_HOSTS": "env.test"}
    s = load_settings({}, env=older_env, config_path=config)  # the environment over the file
    assert s.dialects["spid"] == {"hosts": ["env.test"], "strict": True}
    newer_env = {"DOPPELGATE_DIALECTS": '{"spid": {"hosts": ["json.test"]}}'}
    s = load_settings({}, env=newer_env, config_path=config)
    assert s.dialects["spid"] == {"hosts": ["json.test"], "strict": True}
    with pytest.raises(ConfigError, match=r"DOPPELGATE_SPID_HOSTS and .* hosts in environment"):
        load_settings({}, env={**older_env, **newer_env})
    config.write_text('spid_hosts = ["a.test"]\n[dialects.spid]\nhosts = ["b.test"]\n')
    with pytest.raises(ConfigError, match=r"spid_hosts in .*d.toml and \[dialects.spid\] hosts"):
        load_settings({}, env={}, config_path=config)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DOPPELGATE_DIALECTS": '{"gainsight": {"hosts": "gs.test"}}'},
            "invalid setting [dialects.gainsight] hosts = 'gs.test' ([dialects.gainsight] "
            "hosts in environment variable DOPPELGATE_DIALECTS): expected a list of host names",
        ),
        (
            {"DOPPELGATE_DIALECTS": '{"spid": {"hosts": ["ok.test", 7]}}'},
            "invalid setting [dialects.spid] hosts = ['ok.test', 7]",
        ),
    ],
)
def test_a_bad_hosts_value_is_named_with_its_source(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({}, env=env)
    assert expected in str(raised.value)


def test_a_bad_hosts_value_in_python_is_refused_when_the_app_is_made() -> None:
    with pytest.raises(ConfigError, match=r"\[dialects.lightblue\] hosts = 'lb.internal'"):
        create_app(Settings(dialects={"lightblue": {"hosts": "lb.internal"}}))


def test_python_has_no_per_dialect_hosts_keyword() -> None:
    with pytest.raises(TypeError):
        Settings(**{f"{names()[0]}_hosts": ("x.test",)})  # type: ignore[arg-type]


async def test_the_readme_examples_route_as_it_says(
    app_factory: AppFactory, tmp_path: Path
) -> None:
    text = README.read_text()
    block = re.search(r"```toml\n(\[dialects\.lightblue\]\nhosts = .*?)```", text, re.S)
    env = re.search(r"`DOPPELGATE_DIALECTS='(\{\"lightblue\": \{\"hosts\".*?)'`", text)
    python = re.search(r"`(Settings\(dialects=\{\"lightblue\": \{\"hosts\".*?)`", text)
    older = re.search(r"\(`(lightblue_hosts = \[.*?\])`\)", text)
    assert block and env and python and older
    config = tmp_path / "doppelgate.toml"
    config.write_text(block.group(1))
    from_file = load_settings({}, env={}, config_path=config)
    config.write_text(older.group(1))
    every = [
        from_file,
        load_settings({}, env={"DOPPELGATE_DIALECTS": env.group(1)}),
        eval(python.group(1), {"Settings": Settings}),  # the README's own line
        load_settings({}, env={}, config_path=config),
    ]
    for settings in every:
        app = await app_factory(settings)
        async with client_for(app, base_url="http://lb.internal") as client:
            r = await client.get("/rest/data/find/x")
        assert r.json()["errors"][0]["errorCode"] == "crud:UnknownEntity"  # lightblue answered
    app = await app_factory(from_file, dialects=with_routes(whoami_routes))
    for host, dialect in (("a.lightblue.example.com", "lightblue"), ("cdc.example.com", "gigya")):
        async with client_for(app, base_url=f"https://{host}") as client:
            assert (await client.get("/whoami")).json()["dialect"] == dialect
