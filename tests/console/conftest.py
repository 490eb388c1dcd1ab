"""Fixtures of the console suite: a real `doppelgate serve` and a headless Debian chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.gateway.test_cli import announced, running
from tests.processes import command

from .browser import ensure_chromium


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    return ensure_chromium()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a `doppelgate serve` on a free loopback port (memory backend)."""
    ca = tmp_path_factory.mktemp("ca")
    with running(command("serve", "--port", "0", "--ca-dir", str(ca))) as server:
        urls = announced(server)
        assert urls["console"].endswith("/_doppelgate/console"), urls
        yield urls["console"].removesuffix("/_doppelgate/console")


@pytest.fixture(scope="module")
def browser(
    chromium: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[webdriver.Chrome]:
    binary, driver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
    ):
        options.add_argument(arg)
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.implicitly_wait(0)
    try:
        yield chrome
    finally:
        chrome.quit()
