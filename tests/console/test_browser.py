"""The console in a real browser (headless Debian chromium + chromedriver, driven by selenium)
against a real `doppelgate serve`: data stored through each vendor API shows up, an edit made in
the console reads back through the vendor API, the journal updates by itself, a fault added in
the console makes the vendor API fail, and every page's screenshot has content."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.gateway.test_cli import announced, running
from tests.lightblue.helpers import country_metadata
from tests.processes import command

WAIT_S = 10
RUN = uuid.uuid4().hex[:8]
GIGYA_KEY = f"3_console{RUN}"
SPID_CLIENT = f"client-console{RUN}"
GAINSIGHT_KEY = f"key-console{RUN}"
LIGHTBLUE_USER = f"console{RUN}"
LIGHTBLUE_AUTH = "Basic " + base64.b64encode(f"{LIGHTBLUE_USER}:pw".encode()).decode()


def gigya(base: str, method: str, **params: Any) -> dict[str, Any]:
    form = {"apiKey": GIGYA_KEY, "secret": "any"}
    form.update({k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in params.items()})
    return dict(httpx.post(f"{base}/gigya/{method}", data=form, timeout=5).json())


def store_everywhere(base: str) -> None:
    """One document per dialect, each through its own vendor API."""
    assert (
        gigya(base, "ds.store", type="tracks", oid="t1", data={"title_s": "Blue Train"})[
            "errorCode"
        ]
        == 0
    )
    r = httpx.post(
        f"{base}/spid/api/2/user/42/dataobject/color",
        data={"value": "ultramarine"},
        headers={"Authorization": f"Bearer {SPID_CLIENT}"},
    )
    assert r.status_code == 201, r.text
    r = httpx.post(
        f"{base}/gainsight/v1/data/objects/Company",
        json={"records": [{"Name": "Acme Anvils"}]},
        headers={"Accesskey": GAINSIGHT_KEY},
    )
    assert r.json()["result"] is True, r.text
    metadata = country_metadata()
    headers = {"Authorization": LIGHTBLUE_AUTH}
    r = httpx.put(f"{base}/lightblue/rest/metadata/country/1.0.0", json=metadata, headers=headers)
    assert r.status_code == 200, r.text
    body = {"data": [{"objectType": "country", "name": "Liechtenstein"}]}
    r = httpx.put(f"{base}/lightblue/rest/data/insert/country", json=body, headers=headers)
    assert r.json()["status"] == "COMPLETE", r.text


def wait(browser: webdriver.Chrome, condition: Any, what: str) -> Any:
    def attempt(driver: webdriver.Chrome) -> Any:
        try:
            return condition(driver)
        except (StaleElementReferenceException, NoAlertPresentException):
            return False

    return WebDriverWait(browser, WAIT_S, poll_frequency=0.05).until(attempt, what)


def click(browser: webdriver.Chrome, css: str) -> None:
    wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, css).is_displayed(), css)
    browser.find_element(By.CSS_SELECTOR, css).click()


def text(browser: webdriver.Chrome, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).text)


def open_console(browser: webdriver.Chrome, base: str, tab: str) -> None:
    browser.get(f"{base}/_doppelgate/console#{tab}")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#dialects button"), "the dialects")


def screenshot(browser: webdriver.Chrome, path: Path) -> None:
    """Saved in the test's temp dir; fails when the page rendered as one flat colour."""
    browser.save_screenshot(str(path))
    image = Image.open(path).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 20, f"{path.name} looks blank ({len(colours)} colours)"
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 300)
    assert dark > 500, f"{path.name} has almost no text ({dark} dark pixels)"


def browse_to(browser: webdriver.Chrome, dialect: str, tenant: str, view: str) -> None:
    click(browser, f'#dialects button[data-dialect="{dialect}"]')
    click(browser, f'#tenants button[data-tenant="{tenant}"]')
    click(browser, f'#views button[data-view="{view}"]')
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#docs tbody tr"), f"{view} documents")


@pytest.mark.parametrize(
    ("dialect", "tenant", "view", "expected"),
    [
        ("gigya", GIGYA_KEY, "tracks", "Blue Train"),
        ("spid", SPID_CLIENT, "data objects", "ultramarine"),
        ("gainsight", GAINSIGHT_KEY, "Company", "Acme Anvils"),
        ("lightblue", LIGHTBLUE_USER, "country", "Liechtenstein"),
    ],
)
def test_data_stored_through_each_vendor_api_shows_in_the_browser(
    browser: webdriver.Chrome,
    served: str,
    tmp_path: Path,
    dialect: str,
    tenant: str,
    view: str,
    expected: str,
) -> None:
    if dialect == "gigya":
        store_everywhere(served)
    open_console(browser, served, "data")
    browse_to(browser, dialect, tenant, view)
    assert expected in text(browser, "docs")
    # the schema button: only for a dialect whose console adapter describes schemas
    schema = browser.find_element(By.ID, "schema-show")
    assert schema.is_displayed() == (dialect == "gainsight")
    browser.find_element(By.CSS_SELECTOR, "#docs tbody tr").click()
    # the document as the vendor returns it, fetched through the dialect's own read
    wait(
        browser,
        lambda d: expected in text(d, "doc-vendor") and "->  200 in" in text(d, "doc-vendor"),
        "vendor view",
    )
    screenshot(browser, tmp_path / f"data-{dialect}.png")


def test_an_edit_in_the_console_reads_back_through_the_vendor_api(
    browser: webdriver.Chrome, served: str, tmp_path: Path
) -> None:
    assert (
        gigya(served, "ds.store", type="notes", oid="n1", data={"text_s": "before"})["errorCode"]
        == 0
    )
    open_console(browser, served, "data")
    browse_to(browser, "gigya", GIGYA_KEY, "notes")
    browser.find_element(By.CSS_SELECTOR, "#docs tbody tr").click()
    wait(
        browser,
        lambda d: "before" in d.find_element(By.ID, "doc-edit").get_property("value"),
        "editor",
    )
    editor = browser.find_element(By.ID, "doc-edit")
    editor.clear()
    editor.send_keys(json.dumps({"text_s": "edited in the console", "stars_i": 5}))
    click(browser, "#doc-save")
    wait(browser, lambda d: "store: 200" in text(d, "flash"), "the save")
    got = gigya(served, "ds.get", type="notes", oid="n1")
    assert got["data"] == {"text_s": "edited in the console", "stars_i": 5}
    # a vendor validation error reaches the page: ds.store with data that is not an object
    editor = browser.find_element(By.ID, "doc-edit")
    editor.clear()
    editor.send_keys("[1, 2]")
    click(browser, "#doc-save")
    wait(browser, lambda d: "400006" in text(d, "flash"), "Gigya's own refusal")
    assert gigya(served, "ds.get", type="notes", oid="n1")["data"]["stars_i"] == 5
    screenshot(browser, tmp_path / "data-edit.png")


def test_a_new_journal_entry_appears_without_reloading(
    browser: webdriver.Chrome, served: str, tmp_path: Path
) -> None:
    open_console(browser, served, "journal")
    marker = f"journal-{uuid.uuid4().hex[:8]}"
    gigya(served, "ds.store", type="tracks", oid=marker, data={"title_s": marker})
    query = {"operation": "ds.store", "tenant": GIGYA_KEY, "limit": 1}
    seq = httpx.get(f"{served}/_doppelgate/journal", params=query).json()["entries"][0]["seq"]
    row = f'#journal tbody tr[data-seq="{seq}"]'
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row), "the new entry, unreloaded")
    newest = browser.find_element(By.CSS_SELECTOR, "#journal tbody tr")  # newest first
    assert newest.get_attribute("data-seq") == str(seq) and "ds.store" in newest.text
    newest.click()
    wait(browser, lambda d: marker in text(d, "j-request"), "the entry's request")
    request = text(browser, "j-request")
    assert "secret=[redacted]" in request and "secret=any" not in request
    assert '"errorCode":0' in text(browser, "j-response")
    curl = text(browser, "j-curl-text")
    assert curl.startswith("curl -X POST ") and f"{served}/gigya/ds.store" in curl
    click(browser, "#j-curl")
    wait(browser, lambda d: text(d, "j-copied") != "", "the copy")
    screenshot(browser, tmp_path / "journal.png")


def test_a_fault_added_in_the_console_fails_the_vendor_api(
    browser: webdriver.Chrome, served: str, tmp_path: Path
) -> None:
    open_console(browser, served, "faults")
    Select(browser.find_element(By.ID, "f-dialect")).select_by_value("gigya")
    Select(browser.find_element(By.ID, "f-operation")).select_by_value("ds.get")
    Select(browser.find_element(By.ID, "f-error")).select_by_value("403048")
    browser.find_element(By.ID, "f-times").send_keys("1")
    click(browser, "#f-add")
    wait(
        browser,
        lambda d: "ds.get" in text(d, "faults") and "403048" in text(d, "faults"),
        "the fault row",
    )
    failed = gigya(served, "ds.get", type="tracks", oid="t1")
    assert failed["errorCode"] == 403048, failed
    assert gigya(served, "ds.get", type="tracks", oid="t1")["errorCode"] == 0  # times: 1
    screenshot(browser, tmp_path / "faults.png")
    for tab in ("query", "admin"):
        open_console(browser, served, tab)
        screenshot(browser, tmp_path / f"{tab}.png")


def test_a_token_protected_control_plane_opens_with_the_token_in_the_url(
    browser: webdriver.Chrome, tmp_path: Path
) -> None:
    config = tmp_path / "doppelgate.toml"
    config.write_text('control_token = "console-t0ken"\n')
    args = command("serve", "--port", "0", "--ca-dir", str(tmp_path), "--config", str(config))
    with running(args) as server:
        base = announced(server)["console"]
        assert httpx.get(f"{base}/api/meta").status_code == 401
        browser.get(f"{base}?token=console-t0ken#faults")
        wait(
            browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#dialects button"), "the dialects"
        )
        assert "token" not in browser.current_url  # taken out of the address bar and history
        Select(browser.find_element(By.ID, "f-dialect")).select_by_value("spid")
        click(browser, "#f-add")
        wait(browser, lambda d: "spid" in text(d, "faults"), "the fault, added with the token")
        faults = httpx.get(
            base.replace("/console", "/faults"), headers={"X-Doppelgate-Token": "console-t0ken"}
        ).json()["faults"]
        assert [f["spec"]["dialect"] for f in faults] == ["spid"]
        screenshot(browser, tmp_path / "faults-token.png")


def test_seed_reset_with_confirmation_and_snapshot_upload(
    browser: webdriver.Chrome, served: str, tmp_path: Path
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(
        "calls:\n"
        "  - dialect: spid\n"
        "    path: /api/2/user/7/dataobject/mood\n"
        f"    headers: {{Authorization: Bearer seeded-{RUN}}}\n"
        "    form: {value: sunny}\n"
    )

    def mood() -> httpx.Response:
        auth = {"Authorization": f"Bearer seeded-{RUN}"}
        return httpx.get(f"{served}/spid/api/2/user/7/dataobject/mood", headers=auth)

    open_console(browser, served, "admin")
    browser.find_element(By.ID, "seed-file").send_keys(str(seed))
    click(browser, "#seed-upload")
    wait(browser, lambda d: "seeded: 1 calls" in text(d, "flash"), "the seed")
    assert mood().json()["data"]["value"] == "sunny"
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_bytes(httpx.get(f"{served}/_doppelgate/snapshot").content)
    # reset one tenant, after the confirmation
    Select(browser.find_element(By.ID, "r-dialect")).select_by_value("spid")
    browser.find_element(By.ID, "r-tenant").send_keys(f"seeded-{RUN}")
    click(browser, "#r-reset")
    alert = wait(browser, lambda d: d.switch_to.alert, "the confirmation")
    assert f"spid tenant seeded-{RUN}" in alert.text
    alert.accept()
    wait(browser, lambda d: "reset spid tenant" in text(d, "flash"), "the reset")
    assert mood().status_code == 404
    # the snapshot taken before brings it back
    browser.find_element(By.ID, "snap-file").send_keys(str(snapshot))
    click(browser, "#snap-upload")
    wait(browser, lambda d: d.switch_to.alert, "the confirmation").accept()
    wait(browser, lambda d: "snapshot restored" in text(d, "flash"), "the restore")
    assert mood().json()["data"]["value"] == "sunny"
    screenshot(browser, tmp_path / "admin-done.png")
