"""The indicator form on the Outcomes page in a real Chromium: a team without indicators adds
its first one, typed the Dutch way, and sees its card.

It writes people's input, so it runs its own `streamlit run dashboard.py` on a copy of the
session's demo folder (never on the shared demo the other browser tests read).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from outcomes.store import Point, load_indicators
from tests.browser.conftest import (
    ARTIFACTS,
    REPO_ROOT,
    SERVER_TIMEOUT_S,
    _free_port,
    _healthy,
    _log_tail,
    _stop,
    save_screenshot,
    wait_for_app,
)

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def field(form, label: str):
    """The text box labelled `label` (not its help button, which has a similar name)."""
    return form.get_by_role("textbox", name=label, exact=True)


def type_date(page, form, label: str, digits: str) -> None:
    """Type a date into a date input's segments (dd-mm-yyyy), as a person would."""
    form.get_by_role("spinbutton", name=f"day, {label}").click()
    page.keyboard.type(digits)
    page.keyboard.press("Tab")


@pytest.fixture()
def writable_server(demo_config_file: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`streamlit run dashboard.py` on a writable copy of the demo: (base URL, data folder)."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_config_file.parent, folder)
    config_path = folder / "koers.toml"
    config_path.write_text(
        demo_config_file.read_text(encoding="utf-8").replace(
            str(demo_config_file.parent / "demo.duckdb"), str(folder / "demo.duckdb")
        ),
        encoding="utf-8",
    )
    port = _free_port()
    env = {**os.environ, "KOERS_CONFIG": str(config_path), "PYTHONUNBUFFERED": "1"}
    log_path = ARTIFACTS / "streamlit-outcomes-edit.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "streamlit", "run", "dashboard.py",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_TIMEOUT_S
        while not _healthy(f"{base_url}/_stcore/health"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{_log_tail(log_path)}")
            time.sleep(0.25)
        yield base_url, folder
    finally:
        _stop(process)


def test_a_team_without_indicators_adds_its_first_one(
    writable_server: tuple[str, Path], browser_page
) -> None:
    base_url, folder = writable_server
    page = browser_page
    page.goto(f"{base_url}/uitkomsten?team=subsidies&lang=nl")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0
    assert page.get_by_role("heading", name="Eerste indicator toevoegen").is_visible()
    form = page.locator('[data-testid="stForm"]')
    field(form, "Sleutel").fill("aanvragen_online")
    field(form, "Naam (Nederlands)").fill("Online aanvragen")
    field(form, "Naam (Engels)").fill("Applications online")
    field(form, "Eenheid").fill("%")
    field(form, "Basiswaarde").fill("12,5")
    type_date(page, form, "Basisdatum", "01012026")
    field(form, "Doelwaarde").fill("30")
    type_date(page, form, "Doeldatum", "31122026")
    save_screenshot(page, "outcomes-add-indicator-form-nl")
    form.get_by_role("button", name="Indicator toevoegen").click()
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    assert page.get_by_text("Indicator Online aanvragen is toegevoegd.").is_visible()
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Online aanvragen")
    assert card.count() == 1
    assert page.get_by_text("Nog geen meting. Voer er een in bij Metingen invoeren.").is_visible()
    saved = load_indicators(folder, "subsidies")["aanvragen_online"]
    assert (saved.baseline, saved.target) == (
        Point(12.5, date(2026, 1, 1)),
        Point(30.0, date(2026, 12, 31)),
    )
    save_screenshot(page, "outcomes-add-indicator-done-nl")
