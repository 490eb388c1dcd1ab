"""compose.yaml: doppelgate built from this checkout on a mongo:7 service.

`docker compose config -q` validates it where the compose plugin exists; the structure and the
settings it hands doppelgate are checked everywhere, without Docker.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from doppelgate.config import ENV_VARS, load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, from either of compose's forms (mapping or KEY=VALUE list)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def healthcheck_text(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return " ".join(test) if isinstance(test, list) else str(test)


def test_docker_compose_accepts_the_file() -> None:
    """Validated by Docker where the compose plugin is installed; parsed in the other tests."""
    docker = shutil.which("docker")
    if docker is not None:
        version = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30
        )
        if version.returncode == 0:
            done = subprocess.run(
                [docker, "compose", "-f", str(COMPOSE), "config", "-q"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode == 0, done.stderr
    assert isinstance(compose()["services"], dict)


def test_mongo_service_is_mongo_7_with_a_healthcheck_and_a_named_volume() -> None:
    spec = compose()
    mongo = spec["services"]["mongo"]
    assert mongo["image"] == "mongo:7"
    assert "ping" in healthcheck_text(mongo)
    volumes = [str(v) for v in mongo["volumes"]]
    named = [v.split(":", 1)[0] for v in volumes if v.endswith(":/data/db")]
    assert named and named[0] in (spec.get("volumes") or {}), volumes


def test_doppelgate_service_is_built_here_and_waits_for_a_healthy_mongo() -> None:
    services = compose()["services"]
    app = services["doppelgate"]
    build = app["build"]
    assert (build if isinstance(build, str) else build.get("context")) == "."
    assert (ROOT / "Dockerfile").exists()
    assert app["depends_on"]["mongo"]["condition"] == "service_healthy"
    published = [str(p) for p in app["ports"]]
    assert any(re.fullmatch(r"(\S+:)?8080:8080(/tcp)?", p) for p in published), published
    check = healthcheck_text(app)
    assert "/_doppelgate/health" in check and "8080" in check


def test_doppelgate_environment_is_settings_doppelgate_understands() -> None:
    env = environment(compose()["services"]["doppelgate"])
    ours = {k: v for k, v in env.items() if k.startswith("DOPPELGATE_")}
    assert set(ours) <= set(ENV_VARS), set(ours) - set(ENV_VARS)
    settings = load_settings(env=ours)
    assert settings.backend == "mongodb"
    # the URL names the compose service, on MongoDB's port
    assert re.fullmatch(r"mongodb://mongo(:27017)?/?", settings.mongo_url), settings.mongo_url
    assert "mongo" in compose()["services"]


def test_doppelgate_is_published_on_loopback_with_its_control_token_from_the_shell() -> None:
    app = compose()["services"]["doppelgate"]
    assert all(str(p).startswith("127.0.0.1:") for p in app["ports"]), app["ports"]
    assert environment(app)["DOPPELGATE_CONTROL_TOKEN"].startswith("${DOPPELGATE_CONTROL_TOKEN")
