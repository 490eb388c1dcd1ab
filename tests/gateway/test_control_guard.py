"""The control plane's gate in-process: a non-loopback app without a token stays closed."""

from __future__ import annotations

import pytest

from .conftest import AppFactory
from .helpers import client_for, make_settings


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"host": "0.0.0.0"}, 403),  # create_app without the CLI's start-up token: closed
        ({"host": "0.0.0.0", "insecure_control_plane": True}, 200),
        ({"host": "0.0.0.0", "control_token": "t"}, 401),
        ({"host": "127.0.0.1"}, 200),
        ({"host": "10.0.0.5", "insecure_control_plane": True, "control_hosts": ("emu.lan",)}, 200),
    ],
)
async def test_who_may_use_the_control_plane(
    app_factory: AppFactory, changes: dict[str, object], status: int
) -> None:
    app = await app_factory(make_settings(**changes))
    base = "http://emu.lan" if "control_hosts" in changes else "http://127.0.0.1"
    async with client_for(app, base_url=base) as client:
        assert (await client.get("/_doppelgate/journal")).status_code == status
        assert (await client.get("/_doppelgate/health")).status_code == 200
