"""Every page in a real headless Chromium, in both languages: it renders without an error, the
navigation reaches it, and a shared URL (team, period, language) reopens the same view."""

from __future__ import annotations

import pytest

from i18n import t
from tests.browser.conftest import APP, _stop, save_screenshot, start_streamlit, wait_for_app
from ui.app import PAGES

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("path", "name", "url"), [(p, n, u) for p, n, _, u in PAGES])
def test_every_page_renders(streamlit_server: str, browser_page, lang, path, name, url) -> None:
    page = browser_page
    page.goto(f"{streamlit_server}/{url}?lang={lang}&team=vergunningen&period=26w")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    title = t(f"nav.{name}", lang)
    assert page.locator("h1").first.inner_text().startswith(title)
    assert page.evaluate("document.documentElement.lang") == lang
    # the view is in the URL, so this link can be shared
    for part in (f"lang={lang}", "team=vergunningen", "period=26w"):
        assert part in page.url
    save_screenshot(page, f"page-{name}-{lang}")


def test_the_navigation_keeps_the_view(streamlit_server: str, browser_page) -> None:
    page = browser_page
    page.goto(f"{streamlit_server}/?lang=en&team=subsidies&period=4w")
    wait_for_app(page)
    page.get_by_role("link", name=t("nav.flow", "en")).click()
    wait_for_app(page)
    assert page.locator("h1").first.inner_text().startswith(t("nav.flow", "en"))
    assert page.get_by_role("combobox", name="Team").input_value() == "Team Subsidies"
    for part in ("lang=en", "team=subsidies", "period=4w"):
        assert part in page.url


def test_a_custom_period_survives_a_reload(streamlit_server: str, browser_page) -> None:
    page = browser_page
    page.goto(f"{streamlit_server}/?period=2026-01-05..2026-03-01")
    wait_for_app(page)
    page.reload()
    wait_for_app(page)
    assert "period=2026-01-05..2026-03-01" in page.url
    assert "5 jan. 2026 t/m 1 mrt. 2026" in page.locator('[data-testid="stMain"]').inner_text()


def test_a_deep_link_is_the_first_visit_after_a_restart(browser_page, tmp_path) -> None:
    # A fresh server that has never run the navigation: the link must still open that page in
    # the app's own navigation (no "page not found", no bare file list in the sidebar).
    process, base_url = start_streamlit(APP, tmp_path / "streamlit.log")
    try:
        page = browser_page
        page.goto(f"{base_url}/voorspelling?lang=en")
        wait_for_app(page)
        assert page.locator('[role="dialog"]').count() == 0
        assert page.locator("h1").first.inner_text().startswith("Forecast")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Bottlenecks" in nav and "forecast" not in nav
    finally:
        _stop(process)
