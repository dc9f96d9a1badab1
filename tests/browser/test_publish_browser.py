"""The published wins report in headless Chromium (issue 7): opened from a file:// URL it asks
for nothing but itself, logs no error, breaks no Content-Security-Policy rule, and its charts
show. The screenshots land in test-artifacts/publish-<lang>.png for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from publish import render, write
from store.warehouse import connect_read
from tests.browser.conftest import save_screenshot
from tests.test_publish import TEAM, CuratedDemo, curated_demo

if TYPE_CHECKING:
    from playwright.sync_api import Browser

LANGS = ("nl", "en")
# Collects what the page's CSP refused; runs before the page's own content.
CSP_WATCH = """
window.__koersCsp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__koersCsp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="module")
def reports(
    demo_config_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CuratedDemo, dict[str, Path]]:
    """The demo team's report in both languages, published as `python -m koers publish` does."""
    folder = tmp_path_factory.mktemp("publish-browser")
    demo = curated_demo(folder / "demo", demo_config_file)
    con = connect_read(demo.cfg.database)
    out = {}
    for lang in LANGS:
        out[lang] = folder / f"report-{lang}"
        write(out[lang], render(con, demo.cfg, TEAM, demo.cfg.now(), lang))
    return demo, out


@pytest.mark.parametrize("lang", LANGS)
def test_report_loads_offline_with_visible_charts(
    chromium: Browser, reports: tuple[CuratedDemo, dict[str, Path]], lang: str
) -> None:
    demo, folders = reports
    # Offline as well: should anything try to leave, it fails here instead of reaching out.
    context = chromium.new_context(
        viewport={"width": 1100, "height": 900}, locale="nl-NL" if lang == "nl" else "en-GB"
    )
    context.set_offline(True)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(CSP_WATCH)
    try:
        url = (folders[lang] / "index.html").as_uri()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)  # let late loads (there must be none) show up

        assert requests[0] == url
        assert [u for u in requests if u != url and not u.startswith("data:")] == []
        assert problems == []
        assert page.evaluate("window.__koersCsp") == []
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("article.win").count() == 2

        charts = page.locator('svg[role="img"]')
        expected = sum(bool(demo.roles[role].series) for role in ("quoted", "plain"))
        assert expected >= 1 and charts.count() == expected
        for i in range(expected):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            assert chart.is_visible()
            box = chart.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 150
            assert len(chart.get_attribute("aria-label") or "") > 20
            assert chart.locator("text").count() > 5  # axis labels and titles are drawn
        page.evaluate("window.scrollTo(0, 0)")
        save_screenshot(page, f"publish-{lang}")
    finally:
        context.close()
