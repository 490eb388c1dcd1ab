"""Settings precedence (CLI > DOPPELGATE_* env > TOML > defaults) and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from doppelgate.config import (
    ConfigError,
    Settings,
    dialect_hosts,
    load_settings,
    settings_from_json,
    settings_to_json,
)


@pytest.fixture
def toml(tmp_path: Path) -> Path:
    path = tmp_path / "doppelgate.toml"
    path.write_text(
        'port = 7000\nbackend = "mongodb"\nmongo_url = "mongodb://toml:1"\n'
        '[dialects.gigya]\nstrict = true\n\n[dialects.lightblue]\nhosts = ["lb.toml"]\n'
    )
    return path


def test_defaults() -> None:
    s = load_settings({}, env={})
    assert s == Settings()
    assert (s.host, s.port, s.backend, s.workers, s.log_level) == (
        "127.0.0.1",
        8080,
        "memory",
        1,
        "info",
    )
    assert (s.mongo_url, s.mongo_database, s.mongo_pool_size, s.mongo_timeout_ms) == (
        "mongodb://127.0.0.1:27017",
        "doppelgate",
        100,
        5000,
    )
    assert (s.data_file, dialect_hosts(s, "lightblue"), s.dialects) == (None, (), {})


def test_toml_over_defaults(toml: Path) -> None:
    s = load_settings({}, env={}, config_path=toml)
    assert (s.port, s.backend, s.mongo_url) == (7000, "mongodb", "mongodb://toml:1")
    assert dialect_hosts(s, "lightblue") == ("lb.toml",)
    assert s.dialects == {"gigya": {"strict": True}, "lightblue": {"hosts": ["lb.toml"]}}
    assert s.host == "127.0.0.1"


def test_env_over_toml(toml: Path) -> None:
    env = {"DOPPELGATE_PORT": "7100", "DOPPELGATE_MONGO_URL": "mongodb://env:2"}
    s = load_settings({}, env=env, config_path=toml)
    assert (s.port, s.mongo_url, s.backend) == (7100, "mongodb://env:2", "mongodb")


def test_cli_over_env(toml: Path) -> None:
    env = {"DOPPELGATE_PORT": "7100", "DOPPELGATE_BACKEND": "mongodb"}
    s = load_settings({"port": 7200, "backend": None, "host": "0.0.0.0"}, env=env, config_path=toml)
    assert (s.port, s.backend, s.host) == (7200, "mongodb", "0.0.0.0")  # None = not given


def test_config_file_from_env_or_cli(toml: Path, tmp_path: Path) -> None:
    assert load_settings({}, env={"DOPPELGATE_CONFIG": str(toml)}).port == 7000
    other = tmp_path / "other.toml"
    other.write_text("port = 7300\n")
    env = {"DOPPELGATE_CONFIG": str(toml)}
    assert load_settings({"config": str(other)}, env=env).port == 7300


def test_every_setting_has_an_env_var() -> None:
    env = {
        "DOPPELGATE_HOST": "0.0.0.0",
        "DOPPELGATE_BACKEND": "mongodb",
        "DOPPELGATE_MONGO_DATABASE": "db",
        "DOPPELGATE_MONGO_POOL_SIZE": "7",
        "DOPPELGATE_MONGO_TIMEOUT_MS": "250",
        "DOPPELGATE_DATA_FILE": "/tmp/data.bin",
        "DOPPELGATE_WORKERS": "4",
        "DOPPELGATE_LOG_LEVEL": "debug",
        "DOPPELGATE_LIGHTBLUE_HOSTS": "a.example, b.example",  # the older spelling
    }
    s = load_settings({}, env=env)
    assert (s.host, s.backend, s.mongo_database, s.mongo_pool_size) == (
        "0.0.0.0",
        "mongodb",
        "db",
        7,
    )
    assert (s.mongo_timeout_ms, s.data_file, s.workers, s.log_level) == (
        250,
        "/tmp/data.bin",
        4,
        "debug",
    )
    assert dialect_hosts(s, "lightblue") == ("a.example", "b.example")


def test_unrelated_env_vars_are_ignored() -> None:
    assert load_settings({}, env={"DOPPELGATE_TEST_MONGO_URL": "x", "PORT": "1"}) == Settings()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DOPPELGATE_PORT": "eighty"}, "port = 'eighty' (environment variable DOPPELGATE_PORT)"),
        ({"DOPPELGATE_PORT": "70000"}, "<= 65535"),
        ({"DOPPELGATE_BACKEND": "redis"}, "expected one of memory, mongodb"),
        ({"DOPPELGATE_WORKERS": "0"}, "workers = '0'"),
        ({"DOPPELGATE_LOG_LEVEL": "loud"}, "expected one of critical, error"),
    ],
)
def test_bad_env_values_are_named(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError, match="invalid setting") as raised:
        load_settings({}, env=env)
    assert expected in str(raised.value)


def test_bad_cli_value_names_the_option() -> None:
    with pytest.raises(ConfigError, match="command-line option --mongo-pool-size"):
        load_settings({"mongo_pool_size": -1}, env={})


def test_unknown_toml_key(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("prot = 1\n")
    with pytest.raises(ConfigError, match=r"unknown setting 'prot' \(prot in .*c\.toml\)"):
        load_settings({}, env={}, config_path=path)


def test_bad_toml_value_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('port = "x"\n')
    with pytest.raises(ConfigError, match=r"port = 'x' \(port in .*c\.toml\)"):
        load_settings({}, env={}, config_path=path)


def test_unreadable_or_invalid_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings({}, env={}, config_path=tmp_path / "missing.toml")
    path = tmp_path / "broken.toml"
    path.write_text("port = [1\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings({}, env={}, config_path=path)


def test_json_round_trip(toml: Path) -> None:
    s = load_settings({"workers": 3}, env={}, config_path=toml)
    assert settings_from_json(settings_to_json(s)) == s
    with pytest.raises(ConfigError):
        settings_from_json('{"port": "x"}')
