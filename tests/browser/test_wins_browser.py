"""The Wins page and the presenter view in a real headless Chromium, in both languages: no error,
the figure and sentence on screen, the presenter readable at 1280×720, next/previous working
(buttons and arrow keys) and the win in the URL."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

import config
from metrics.wins import Win, detect
from store.warehouse import connect_read
from tests.browser.conftest import save_screenshot, wait_for_app

ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
TITLES = {"nl": ("Successen", "Presenteren"), "en": ("Wins", "Present")}
NEXT = {"nl": "Volgende", "en": "Next"}
OF = {"nl": "{} van {}", "en": "{} of {}"}


def demo_wins(team: str) -> list[Win]:
    """The wins of the committed demo (the server runs without a config, on the demo)."""
    cfg = config.load(config.DEMO_CONFIG)
    con = connect_read(cfg.database)
    try:
        return detect(con, cfg, team, cfg.as_of)
    finally:
        con.close()


def url_win(page) -> str | None:
    query = unquote(page.url.split("?", 1)[-1])
    return next((p[4:] for p in query.split("&") if p.startswith("win=")), None)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_wins_page_shows_each_win(streamlit_server: str, browser_page, lang: str) -> None:
    page = browser_page
    page.goto(f"{streamlit_server}/successen?team=vergunningen&lang={lang}")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    assert page.locator("h1").first.inner_text().startswith(TITLES[lang][0])
    wins = demo_wins("vergunningen")
    figures = page.locator('[data-testid="stMetricValue"]')
    expect(figures).to_have_count(len(wins), timeout=30_000)
    assert figures.first.inner_text() == wins[0].figure(lang)
    heading = page.get_by_role("heading", name=wins[0].title(lang))
    assert heading.is_visible()
    # charts mount a moment after the script ends: wait for them rather than count at once
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(
        sum(1 for w in wins if w.series), timeout=30_000
    )
    # a figure never ends in "…": long ones wrap
    assert all("…" not in text for text in figures.all_inner_texts())
    link = page.locator('[data-testid="stLinkButton"] a').first
    href = unquote(link.get_attribute("href"))
    assert href.startswith("presenteren?") and f"win={wins[0].id}" in href
    save_screenshot(page, f"wins-{lang}")
    page.set_viewport_size({"width": 1280, "height": 720})
    save_screenshot(page, f"wins-{lang}-1280")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_presenter_one_win_per_screen(streamlit_server: str, browser_page, lang: str) -> None:
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{streamlit_server}/presenteren?team=vergunningen&lang={lang}")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
    assert page.locator("h1").first.inner_text().startswith(TITLES[lang][1])
    wins = demo_wins("vergunningen")
    assert url_win(page) == wins[0].id
    main = page.locator('[data-testid="stMain"]')
    assert OF[lang].format(1, len(wins)) in main.inner_text()
    figure = page.locator('[class*="st-key-present_figure_"] [data-testid="stText"]')
    sentence = page.locator('.st-key-present_sentence [data-testid="stText"]')
    assert figure.inner_text() == wins[0].figure(lang)
    assert sentence.inner_text() == wins[0].title(lang)
    # big, dark text that is on screen at 1280×720, from the back of a room
    size = float(figure.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
    assert size >= 64
    assert figure.evaluate("e => getComputedStyle(e).color") == "rgb(21, 66, 115)"
    sentence_size = float(sentence.evaluate("e => getComputedStyle(e).fontSize")[:-2])
    assert sentence_size >= 25
    for element in (figure, sentence, page.locator('[data-testid="stVegaLiteChart"]')):
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 720 + 80  # (almost) no scrolling
    save_screenshot(page, f"present-{lang}-1280")

    page.get_by_role("button", name=NEXT[lang]).click()
    wait_for_app(page)
    assert url_win(page) == wins[1].id
    assert figure.inner_text() == wins[1].figure(lang)
    assert OF[lang].format(2, len(wins)) in main.inner_text()
    save_screenshot(page, f"present-{lang}-1280-second")
    # the arrow keys work too (a presenter's keyboard)
    sentence.click()  # focus on the page, not on a button
    page.keyboard.press("ArrowLeft")
    wait_for_app(page)
    assert url_win(page) == wins[0].id
    page.set_viewport_size({"width": 1400, "height": 1000})
    save_screenshot(page, f"present-{lang}")


def test_a_shared_presenter_link_opens_that_win(streamlit_server: str, browser_page) -> None:
    page = browser_page
    wins = demo_wins("subsidies")
    last = wins[-1]
    page.goto(f"{streamlit_server}/presenteren?team=subsidies&lang=en&win={last.id}")
    wait_for_app(page)
    assert page.locator(ERRORS).count() == 0
    assert page.locator(
        '[class*="st-key-present_figure_"] [data-testid="stText"]'
    ).inner_text() == (last.figure("en"))
    assert url_win(page) == last.id
    assert page.get_by_role("button", name="Next").is_disabled()
