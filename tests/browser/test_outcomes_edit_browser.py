"""The indicator form on the Outcomes page in a real Chromium: a team without indicators adds
its first one, typed the Dutch way, and sees its card.

It writes people's input, so it runs its own `streamlit run dashboard.py` on a copy of the
session's demo folder (never on the shared demo the other browser tests read).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from outcomes.store import Point, load_indicators
from tests.browser.conftest import ARTIFACTS, _stop, save_screenshot, start_streamlit, wait_for_app
from tests.demo_copy import copy_demo

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
    config_path = copy_demo(demo_config_file, folder)
    process, base_url = start_streamlit(
        "dashboard.py", ARTIFACTS / "streamlit-outcomes-edit.log", config_path
    )
    try:
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
