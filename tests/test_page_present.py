"""The Presenteren / Present view (AppTest): one win per screen, chosen by the URL's `win`,
previous/next moving through the visible wins and updating the URL, the team's words shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import config

# Import the package `outcomes` before any page runs (app_pages/outcomes.py would shadow it).
import outcomes.curation  # noqa: F401
from config import REPO_ROOT, Config
from metrics.wins import Win, detect
from outcomes.curation import Curation, save_curation
from store.warehouse import connect_read

PAGE = "app_pages/present.py"
TITLES = {"nl": "Presenteren", "en": "Present"}
OF = {"nl": "{} van {}", "en": "{} of {}"}


def run_page(team: str, lang: str, win: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=90)
    at.query_params["team"] = team
    at.query_params["lang"] = lang
    if win is not None:
        at.query_params["win"] = win
    return at.run()


def expected_wins(cfg: Config, team: str) -> list[Win]:
    con = connect_read(cfg.database)
    try:
        return detect(con, cfg, team, cfg.as_of)
    finally:
        con.close()


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def screen(at: AppTest) -> tuple[str, str, str]:
    """What the screen says: its position, the big figure and the sentence, in that order."""
    position, figure, sentence = texts(at)[:3]
    return position, figure, sentence


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_opens_on_the_first_win_and_puts_it_in_the_url(
    demo_env: Path, demo_config: Config, team: str, lang: str
) -> None:
    wins = expected_wins(demo_config, team)
    at = run_page(team, lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert screen(at) == (OF[lang].format(1, len(wins)), wins[0].figure(lang), wins[0].title(lang))
    assert at.query_params["win"] == wins[0].id
    assert at.query_params["team"] == team and at.query_params["lang"] == lang
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    series = next(layer for layer in spec["layer"] if layer.get("name") == "series")
    assert series["encoding"]["y"]["title"] == wins[0].y_title(lang)
    assert spec["config"]["axis"]["labelFontSize"] >= 18  # readable on a projector
    assert charts[0].proto.alt and wins[0].y_title(lang) in charts[0].proto.alt
    assert at.button(key="present_previous").disabled
    assert not at.button(key="present_next").disabled


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_win_in_the_url_selects_the_screen(
    demo_env: Path, demo_config: Config, lang: str
) -> None:
    wins = expected_wins(demo_config, "vergunningen")
    assert len(wins) >= 4
    at = run_page("vergunningen", lang, win=wins[3].id)
    assert not at.exception
    assert screen(at) == (OF[lang].format(4, len(wins)), wins[3].figure(lang), wins[3].title(lang))
    assert at.query_params["win"] == wins[3].id


@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_next_and_previous_move_and_update_the_url(
    demo_env: Path, demo_config: Config, team: str
) -> None:
    wins = expected_wins(demo_config, team)
    at = run_page(team, "nl")
    at.button(key="present_next").click().run()
    assert not at.exception
    assert at.query_params["win"] == wins[1].id
    assert screen(at) == (OF["nl"].format(2, len(wins)), wins[1].figure("nl"), wins[1].title("nl"))
    assert not at.button(key="present_previous").disabled
    at.button(key="present_previous").click().run()
    assert at.query_params["win"] == wins[0].id
    assert screen(at)[1] == wins[0].figure("nl")
    # to the last one: next is disabled there
    last = run_page(team, "nl", win=wins[-1].id)
    assert screen(last)[0] == OF["nl"].format(len(wins), len(wins))
    assert last.button(key="present_next").disabled


def test_an_unknown_win_says_so_and_shows_the_first(demo_env: Path, demo_config: Config) -> None:
    wins = expected_wins(demo_config, "vergunningen")
    at = run_page("vergunningen", "en", win="record_week:vergunningen:throughput:1999-W01")
    assert not at.exception
    assert any("no longer exists or is hidden" in i.value for i in at.info)
    assert screen(at)[1] == wins[0].figure("en")
    assert at.query_params["win"] == wins[0].id


def test_hidden_wins_are_not_presented_and_the_team_words_are(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    wins = expected_wins(cfg, "vergunningen")
    save_curation(cfg.data_dir, "vergunningen", wins[0].id, Curation(hidden=True))
    save_curation(
        cfg.data_dir,
        "vergunningen",
        wins[2].id,
        Curation(
            pinned=True, sentence_en="Faster, for everyone.", quote="Quick!", quote_by="a user"
        ),
    )
    at = run_page("vergunningen", "en")
    assert not at.exception
    shown = len(wins) - 1
    # pinned first, with the team's sentence and quote
    assert screen(at) == (OF["en"].format(1, shown), wins[2].figure("en"), "Faster, for everyone.")
    assert "“Quick!”" in texts(at) and "— a user" in texts(at)
    # a link to the hidden win shows the first visible one instead
    hidden = run_page("vergunningen", "en", win=wins[0].id)
    assert any("no longer exists or is hidden" in i.value for i in hidden.info)
    assert hidden.query_params["win"] == wins[2].id
    # walking through every screen never reaches the hidden win
    seen = [at.query_params["win"]]
    for _ in range(shown - 1):
        at.button(key="present_next").click().run()
        seen.append(at.query_params["win"])
    assert wins[0].id not in seen and len(set(seen)) == shown


def test_no_visible_wins_is_a_plain_message(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    for win in expected_wins(cfg, "subsidies"):
        save_curation(cfg.data_dir, "subsidies", win.id, Curation(hidden=True))
    at = run_page("subsidies", "nl")
    assert not at.exception
    assert any("Er is nog niets om te presenteren" in i.value for i in at.info)
    assert not at.get("vega_lite_chart") and "win" not in at.query_params
