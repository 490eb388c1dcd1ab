"""Settings: defaults < TOML file < DOPPELGATE_* environment variables < command line."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import msgspec

from .dialects import names as dialect_names

Port = Annotated[int, msgspec.Meta(ge=0, le=65535)]
Positive = Annotated[int, msgspec.Meta(ge=1)]
Seconds = Annotated[float, msgspec.Meta(gt=0)]

CONFIG_ENV = "DOPPELGATE_CONFIG"
SETTINGS_JSON_ENV = "DOPPELGATE_SETTINGS_JSON"  # hands settings to `uvicorn --workers` processes


class ConfigError(Exception):
    """A setting is misspelt or out of range: the message names it and where it came from."""


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Everything a doppelgate process needs; `dialects` holds free-form per-dialect tables."""

    host: str = "127.0.0.1"
    port: Port = 8080
    backend: Literal["memory", "mongodb"] = "memory"
    mongo_url: str = "mongodb://127.0.0.1:27017"
    mongo_database: str = "doppelgate"
    mongo_pool_size: Positive = 100
    mongo_timeout_ms: Positive = 5000
    data_file: str | None = None
    fsync: Literal["never", "always"] = "never"  # data file: fdatasync after every write
    max_time_ms: Positive = 30_000  # one engine operation's time limit (MongoDB's maxTimeMS)
    workers: Positive = 1
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"
    journal_size: Positive = 1000  # requests the control plane's journal keeps (a ring)
    id_seed: int | None = None  # generated ids from seeded generators (ids.py); None: random
    ca_dir: str | None = None  # the local CA for vendor-host TLS (None: certs.default_ca_dir())
    tls_port: Port | None = None  # a second listener serving the vendor hosts over TLS
    console: Literal["on", "read-only", "off"] = "on"  # the web console; read-only: shared servers
    config_file: str | None = None  # the TOML file these settings came from (set by loading)
    seed: tuple[str, ...] = ()  # seed files applied once the server is up (serve --seed)
    # request bodies: far above every vendor's own limit (Gigya `data`: 512 KB in
    # docs/gigya.md §3) and above the engine's 16 MiB document limit, whose errors stay reachable
    max_body_bytes: Positive = 32 * 1024 * 1024
    # the control plane (guard.py): its token (Bearer or X-Doppelgate-Token), extra Host names it
    # answers on, and the explicit opt-out of the token a non-loopback bind otherwise requires
    control_token: str | None = None
    control_hosts: tuple[str, ...] = ()
    insecure_control_plane: bool = False
    # connections (connections.py): seconds for a request's headers, seconds a body may stall,
    # seconds an idle keep-alive connection stays, open connections at most
    header_timeout: Seconds = 10.0
    body_timeout: Seconds = 30.0
    keep_alive_timeout: Seconds = 5.0
    max_connections: Positive = 1000
    # per dialect, its [dialects.<name>] table: the dialect's own keys, and `hosts` (more vendor
    # Host patterns), which the core reads for every dialect (dialect_hosts, dialect_table)
    dialects: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)


CA_CERT = "ca.pem"  # the local CA's certificate, in ca_dir (certs.py makes it)


def default_ca_dir() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "doppelgate" / "ca"


def ca_cert_path(settings: Settings) -> Path:
    return Path(settings.ca_dir or default_ca_dir()) / CA_CERT


FIELDS: tuple[str, ...] = Settings.__struct_fields__
_TYPES: dict[str, Any] = {f.name: f.type for f in msgspec.structs.fields(Settings)}
# every field but the per-dialect tables can come from DOPPELGATE_<FIELD>
ENV_VARS: dict[str, str] = {
    f"DOPPELGATE_{name.upper()}": name for name in FIELDS if name not in ("dialects", "config_file")
}
DIALECTS_ENV = "DOPPELGATE_DIALECTS"  # {"gigya": {"strict": true}}: [dialects.*] as JSON
HOSTS = "hosts"  # the one key of every [dialects.<name>] table that the core reads
DEFAULT_CONFIG = "doppelgate.toml"  # read from the working directory when no file is named


def load_settings(
    cli_overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] = os.environ,
    config_path: str | os.PathLike[str] | None = None,
) -> Settings:
    """Merge the sources (CLI > env > TOML > defaults) and validate the result.

    `cli_overrides` maps field names to values; None means "not given". A `config` entry there,
    then `config_path`, then DOPPELGATE_CONFIG name the TOML file.
    """
    cli = {k: v for k, v in (cli_overrides or {}).items() if v is not None}
    path = cli.pop("config", None) or config_path or env.get(CONFIG_ENV) or None
    if path is None and Path(DEFAULT_CONFIG).is_file():
        path = DEFAULT_CONFIG
    merged: dict[str, Any] = {}
    source: dict[str, str] = {}
    if path is not None:
        for key, value in _read_toml(Path(path)).items():
            merged[key], source[key] = value, f"{key} in {path}"
        if "config_file" in merged:
            raise ConfigError(f"unknown setting 'config_file' ({source['config_file']})")
        _note_hosts(merged.get("dialects"), f"in {path}", source)
        for name in dialect_names():  # the older spelling, still read: `<name>_hosts = [...]`
            if f"{name}_hosts" in merged:
                where = source.pop(f"{name}_hosts")
                _older_hosts(merged, source, name, merged.pop(f"{name}_hosts"), where, over=False)
        merged["config_file"] = str(path)
    for var, key in ENV_VARS.items():
        if var in env:
            merged[key], source[key] = _from_env(key, env[var]), f"environment variable {var}"
    older = {name: f"DOPPELGATE_{name.upper()}_HOSTS" for name in dialect_names()}
    for name, var in older.items():  # the older spelling, still read: DOPPELGATE_<NAME>_HOSTS=a,b
        if var in env:
            hosts, where = _comma_list(env[var]), f"environment variable {var}"
            _older_hosts(merged, source, name, hosts, where, over=True)  # over the file's
    if DIALECTS_ENV in env:  # per-dialect tables as JSON, merged key by key over the file's
        given = _dialects_json(env[DIALECTS_ENV])
        where = f"environment variable {DIALECTS_ENV}"
        for name, table in given.items():
            if HOSTS in table and older.get(name) in env:
                raise ConfigError(f"{older[name]} and [dialects.{name}] hosts in {where}: give one")
        _note_hosts(given, f"in {where}", source)
        merged["dialects"] = _merge_dialects(merged.get("dialects"), given)
        source["dialects"] = where
    for key, value in cli.items():
        if key not in FIELDS:
            raise ConfigError(f"unknown setting {key!r}")
        merged[key], source[key] = value, f"command-line option --{key.replace('_', '-')}"
    return _convert(merged, source)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def _dialects_json(raw: str) -> dict[str, dict[str, Any]]:
    try:
        given = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise ConfigError(f"environment variable {DIALECTS_ENV} is not JSON: {exc}") from None
    if not isinstance(given, dict) or not all(isinstance(v, dict) for v in given.values()):
        raise ConfigError(f'{DIALECTS_ENV} must be a JSON object of tables: {{"gigya": {{...}}}}')
    return given


def _merge_dialects(from_file: Any, given: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = {name: dict(table) for name, table in (from_file or {}).items()}
    for name, table in given.items():
        merged[name] = {**merged.get(name, {}), **table}
    return merged


def _note_hosts(tables: Any, where: str, source: dict[str, str]) -> None:
    """Where each [dialects.<name>] hosts came from, for _convert's error messages."""
    for name, table in tables.items() if isinstance(tables, dict) else ():
        if isinstance(table, dict) and HOSTS in table:
            source[f"{name}.{HOSTS}"] = f"[dialects.{name}] hosts {where}"


def _older_hosts(
    merged: dict[str, Any], source: dict[str, str], name: str, value: Any, where: str, *, over: bool
) -> None:
    """`<name>_hosts` in the file, DOPPELGATE_<NAME>_HOSTS: the older spelling of [dialects.<name>]
    hosts, kept so that existing configurations keep routing. Beside the newer spelling in the
    same source (over=False) it is refused rather than one of them silently dropped."""
    tables = merged.setdefault("dialects", {})
    table = tables.setdefault(name, {}) if isinstance(tables, dict) else None
    if not isinstance(table, dict):
        return  # `dialects` or its table is no table: _convert names that error
    if HOSTS in table and not over:
        raise ConfigError(f"{where} and {source[f'{name}.{HOSTS}']}: give one")
    table[HOSTS], source[f"{name}.{HOSTS}"] = value, where


def _comma_list(raw: str) -> list[str]:
    return [h.strip() for h in raw.split(",") if h.strip()]


def _from_env(key: str, raw: str) -> Any:
    if key == "control_hosts":
        return _comma_list(raw)
    if key == "data_file" and not raw:
        return None
    return raw


def _convert(merged: dict[str, Any], source: Mapping[str, str]) -> Settings:
    try:
        settings = msgspec.convert(merged, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_explain(str(exc), merged, source)) from None
    known = dialect_names()  # the dialect packages found (doppelgate.dialects)
    for name in settings.dialects:
        if name not in known:
            raise ConfigError(
                f"unknown dialect table [dialects.{name}] ({source.get('dialects', '?')}); "
                f"known: {', '.join(known)}"
            )
        dialect_hosts(settings, name, source.get(f"{name}.{HOSTS}", "?"))
    return settings


def dialect_hosts(settings: Settings, name: str, where: str = "Settings") -> tuple[str, ...]:
    """[dialects.<name>] hosts: more Host patterns routed to that dialect ("lb.internal",
    "*.example.com"), for every dialect; ConfigError (naming `where`) unless a list of strings."""
    value = settings.dialects.get(name, {}).get(HOSTS, ())
    if isinstance(value, list | tuple) and all(isinstance(host, str) for host in value):
        return tuple(value)
    raise ConfigError(
        f"invalid setting [dialects.{name}] hosts = {value!r} ({where}): expected a list of "
        'host names, e.g. ["lb.internal", "*.example.com"]'
    )


def dialect_table(settings: Settings | Any, name: str) -> dict[str, Any]:
    """[dialects.<name>] without the keys the core reads (`hosts`): what the dialect validates."""
    table: dict[str, Any] = getattr(settings, "dialects", {}).get(name) or {}
    return {key: value for key, value in table.items() if key != HOSTS}


def _explain(text: str, merged: Mapping[str, Any], source: Mapping[str, str]) -> str:
    unknown = re.search(r"unknown field `([^`]+)`", text)
    if unknown:
        key = unknown.group(1)
        return f"unknown setting {key!r} ({source.get(key, '?')}); known: {', '.join(FIELDS)}"
    found = re.search(r"at `\$\.(\w+)", text)
    detail = re.sub(r" - at `\$[^`]*`", "", text)
    if found is None or found.group(1) not in merged:
        return f"invalid settings: {detail}"
    key = found.group(1)
    choices = get_args(_TYPES[key]) if get_origin(_TYPES[key]) is Literal else ()
    if choices:
        detail = f"expected one of {', '.join(choices)}"
    elif detail == "Expected `int`, got `str`":
        detail = "expected an integer"
    return f"invalid setting {key} = {merged[key]!r} ({source[key]}): {detail}"


def settings_to_json(settings: Settings) -> str:
    return msgspec.json.encode(settings).decode()


def settings_from_json(text: str | bytes) -> Settings:
    try:
        return msgspec.json.decode(text, type=Settings)
    except msgspec.DecodeError as exc:
        raise ConfigError(f"invalid settings JSON: {exc}") from None
