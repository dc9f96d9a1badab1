"""The dashboard shell and the overview page, run with Streamlit's AppTest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_days
from metrics.flow import Period, TeamFlow
from metrics.overview import baseline_period
from store.warehouse import connect_read

TITLES = {"nl": "Overzicht", "en": "Overview"}
TILE_LABELS = {
    "nl": [
        "Doorlooptijd (50 %)",
        "Doorlooptijd (85 %)",
        "Werktijd (50 %)",
        "Afgerond per week",
        "Onderhanden werk",
    ],
    "en": [
        "Lead time (50%)",
        "Lead time (85%)",
        "Cycle time (50%)",
        "Finished per week",
        "Work in progress",
    ],
}


def tiles(at: AppTest) -> list:
    """The five flow tiles: the last metrics on the page (outcome cards, if any, come first)."""
    return list(at.metric)[-5:]


def text(at: AppTest, *fragments: str) -> str:
    """The first markdown element that contains one of `fragments`."""
    return next(m.value for m in at.markdown if any(f in m.value for f in fragments))


INTRO = ("De cijfers gaan over", "The numbers cover")


def run_app(lang: str | None = None, team: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    if team:
        at.query_params["team"] = team
    return at.run()


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_overview_in_both_languages(
    demo_env: Path, demo_config: Config, lang: str, team: str
) -> None:
    at = run_app(lang, team)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert [m.label for m in tiles(at)] == TILE_LABELS[lang]
    assert {"nl": "voorbeelddata", "en": "sample data"}[lang] in at.info[0].value
    assert at.query_params["team"] == team and at.query_params["lang"] == lang

    # The lead-time tile shows what the metrics give for the default period, computed here.
    flow = TeamFlow(
        connect_read(demo_config.database),
        demo_config.team(team),
        demo_config.timezone,
        demo_config.as_of,
    )
    p50 = flow.summary(Period.default(demo_config.as_of, demo_config.timezone), "lead_time").p50
    assert tiles(at)[0].value == fmt_days(p50, lang)

    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(charts) == 2
    bars, trend = charts
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "week" and bars["encoding"]["y"]["field"] == "count"
    assert "timeUnit" not in bars["encoding"]["x"]  # ISO weeks come from SQL, not Vega-Lite
    assert trend["layer"][0]["mark"]["type"] == "line"
    assert trend["layer"][0]["encoding"]["y"]["field"] == "p50"
    assert all(c.proto.alt for c in at.get("vega_lite_chart"))  # a text alternative on each


def test_pilot_lead_time_fall_is_shown_as_good_news(demo_env: Path, demo_config: Config) -> None:
    at = run_app("nl", "vergunningen")
    lead = tiles(at)[0]
    # worked out from the same metrics: the pilot's p50 fell against its baseline
    flow = TeamFlow(
        connect_read(demo_config.database),
        demo_config.team("vergunningen"),
        demo_config.timezone,
        demo_config.as_of,
    )
    team = demo_config.team("vergunningen")
    base = flow.summary(
        baseline_period(team, demo_config.as_of, demo_config.timezone), "lead_time"
    ).p50
    now = flow.summary(Period.default(demo_config.as_of, demo_config.timezone), "lead_time").p50
    assert now < base
    assert "(beter)" in lead.delta and lead.delta.startswith("−")
    assert lead.proto.color == lead.proto.MetricColor.GREEN


def test_default_view_is_the_pilot_team_in_dutch(demo_env: Path) -> None:
    at = run_app()
    assert at.selectbox(key="team").value == "vergunningen"
    assert at.selectbox(key="lang").value == "nl"


def test_unknown_team_in_the_url_falls_back_to_the_default(demo_env: Path) -> None:
    at = run_app("en", "nope")
    assert not at.exception
    assert at.selectbox(key="team").value == "vergunningen"


def test_config_error_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "koers.toml"
    broken.write_text("[teams.x]\nname = 1\n", encoding="utf-8")
    monkeypatch.setenv("KOERS_CONFIG", str(broken))
    at = run_app()
    assert not at.exception
    assert "teams.x.name: expected a non-empty text" in at.error[0].value


def test_switching_language_and_team_in_the_sidebar(demo_env: Path) -> None:
    at = run_app()
    at.selectbox(key="lang").set_value("en").run()
    assert at.title[0].value == "Overview"
    at.selectbox(key="team").set_value("subsidies").run()
    assert not at.exception
    assert at.query_params["team"] == "subsidies" and at.query_params["lang"] == "en"
    assert "Team Subsidies" in text(at, *INTRO)


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        ("pilot", "2 mrt. 2026 t/m 27 nov. 2026"),
        ("4w", "26 okt. 2026 t/m 27 nov. 2026"),
        ("2026-01-05..2026-03-01", "5 jan. 2026 t/m 1 mrt. 2026"),
        ("nonsense", "31 aug. 2026 t/m 27 nov. 2026"),
    ],
)
def test_period_from_the_url(demo_env: Path, period: str, shown: str) -> None:
    at = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["period"] = period
    at.run()
    assert not at.exception
    assert f"De cijfers gaan over {shown}." in text(at, *INTRO)


def test_summary_of_what_changed_since_the_pilot(demo_env: Path, demo_config: Config) -> None:
    team = demo_config.team("vergunningen")
    flow = TeamFlow(
        connect_read(demo_config.database), team, demo_config.timezone, demo_config.as_of
    )
    since = Period(team.pilot_start, date(2026, 11, 28))
    before = flow.summary(Period(date(2025, 12, 8), date(2026, 3, 2)), "lead_time").p50
    after = flow.summary(since, "lead_time").p50
    assert after / before < 0.5  # so the words must be "more than halved"
    for lang, words in (("nl", "meer dan gehalveerd"), ("en", "more than halved")):
        at = run_app(lang, "vergunningen")
        summary = text(at, words).splitlines()[0]
        assert words in summary
        assert fmt_days(before, lang) in summary and fmt_days(after, lang) in summary
    at = run_app("nl", "subsidies")  # no pilot: no summary
    assert not at.subheader
