"""The dashboard in a real headless Chromium: it opens on the demo, shows the tiles and charts,
speaks the chosen language, and a shared link reopens the same view."""

from __future__ import annotations

from tests.browser.conftest import save_screenshot, wait_for_app

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def test_opens_on_the_pilot_team_with_tiles(streamlit_server: str, browser_page) -> None:
    page = browser_page
    page.goto(streamlit_server)
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0
    assert page.get_by_role("heading", name="Overzicht").is_visible()
    metrics = page.locator('[data-testid="stMetric"]')
    assert metrics.count() == 4 + 5  # the pilot's four outcome cards lead, then the flow tiles
    lead_time = metrics.filter(has_text="Doorlooptijd (50 %)")
    assert lead_time.count() == 1 and "beter" in lead_time.inner_text()
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
    assert page.evaluate("document.documentElement.lang") == "nl"
    assert "team=vergunningen" in page.url and "lang=nl" in page.url
    save_screenshot(page, "overview-nl")


def test_a_shared_link_reopens_the_same_view(streamlit_server: str, browser_page) -> None:
    page = browser_page
    page.goto(f"{streamlit_server}/?team=subsidies&lang=en")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.get_by_role("combobox", name="Team").input_value() == "Team Subsidies"
    assert page.locator('[data-testid="stMetric"]').filter(has_text="Lead time (50%)").count() == 1
    assert page.evaluate("document.documentElement.lang") == "en"
    save_screenshot(page, "overview-en-subsidies")
