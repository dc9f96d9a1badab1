"""Voorspelling / Forecast page, run with Streamlit's AppTest on the demo and on tiny warehouses."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_date
from metrics import forecast
from metrics.flow import TeamFlow
from store.warehouse import connect_read
from tests.jira_payloads import issue, move, warehouse

TITLES = {"nl": "Voorspelling", "en": "Forecast"}
MONTHS = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus"]
    + ["september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August"]
    + ["September", "October", "November", "December"],
}


def spoken(day: date, lang: str) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def run_page(lang: str, team: str | None = None, **params: str) -> AppTest:  # params: until, items
    at = AppTest.from_file(str(REPO_ROOT / "app_pages/forecast.py"), default_timeout=60)
    at.query_params["lang"] = lang
    if team:
        at.query_params["team"] = team
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def sentences(at: AppTest) -> list[str]:
    """The bold sentences a product owner can say out loud, without the bold markers."""
    return [m.value.strip("*") for m in at.markdown if m.value.startswith("**")]


def team_flow(cfg: Config, team: str) -> TeamFlow:
    return TeamFlow(connect_read(cfg.database), cfg.team(team), cfg.timezone, cfg.as_of)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def marks(spec: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in spec["layer"]]


# -- the demo ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_forecast_page(demo_env: Path, demo_config: Config, lang: str, team: str) -> None:
    at = run_page(lang, team)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert len(at.tabs) == 2

    tz = ZoneInfo(demo_config.timezone)
    today = demo_config.as_of.astimezone(tz).date()
    assert today == date(2026, 11, 27)
    until = today + timedelta(weeks=4)  # the default date
    assert at.date_input(key="until").value == until
    assert at.number_input(key="items").value == 20

    # the history line, worked out here from the items: done (not discarded, in flow, complete
    # changelog) on one of the 84 days before today
    items = team_flow(demo_config, team).items()
    done_day = pd.to_datetime(items["done_at"], utc=True).dt.tz_convert(tz).dt.date
    counted = (
        items["in_flow"]
        & items["changelog_complete"]
        & ~items["discarded"].astype(bool)
        & done_day.between(today - timedelta(days=84), today - timedelta(days=1))
    )
    n_history = int(counted.sum())
    assert n_history > 0
    based_on = {"nl": "Gebaseerd op", "en": "Based on"}[lang]
    history_line = next(m.value for m in at.markdown if m.value.startswith(based_on))
    assert f" {n_history} " in history_line
    assert fmt_date(today - timedelta(days=84), lang) in history_line
    assert fmt_date(today - timedelta(days=1), lang) in history_line

    # the numbers: the same metric, called here with the same inputs and the default seed
    flow = team_flow(demo_config, team)
    how_many = forecast.forecast_how_many(flow, until)
    done = forecast.forecast_when(flow, 20)
    assert how_many.history.items == n_history
    how_many_sentence, when_sentence = sentences(at)
    pct = {"nl": "85 %", "en": "85%"}[lang]
    assert pct in how_many_sentence and spoken(until, lang) in how_many_sentence
    assert f" {how_many.items[85]} item" in how_many_sentence
    assert pct in when_sentence and " 20 items " in when_sentence
    assert spoken(done.dates[85], lang) in when_sentence

    table, dates = (d.value for d in at.dataframe)
    assert table.iloc[:, 0].tolist() == [
        {"nl": f"{q} %", "en": f"{q}%"}[lang] for q in (50, 85, 95)
    ]
    assert table.iloc[:, 1].tolist() == [str(how_many.items[q]) for q in (50, 85, 95)]
    assert dates.iloc[:, 1].tolist() == [fmt_date(done.dates[q], lang) for q in (50, 85, 95)]
    assert dates.iloc[:, 2].tolist() == [str(done.days[q]) for q in (50, 85, 95)]
    # likelihood ordering: more certain means fewer items and later dates
    assert how_many.items[50] >= how_many.items[85] >= how_many.items[95]
    assert done.dates[50] <= done.dates[85] <= done.dates[95]

    histogram, cumulative = charts(at)
    assert marks(histogram)[0] == "bar"
    enc = histogram["layer"][0]["encoding"]
    assert (enc["x"]["field"], enc["x2"]["field"], enc["y"]["field"]) == ("start", "end", "share")
    # three dashed/solid rules, each labelled (with a halo under the label)
    assert marks(histogram)[1:] == ["rule", "text", "text"] * 3
    assert marks(cumulative)[0] == "line"
    enc = cumulative["layer"][0]["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"], enc["y"]["field"]) == ("day", "temporal", "share")
    assert "timeUnit" not in enc["x"]
    assert cumulative["layer"][0]["mark"]["interpolate"] == "step-after"
    assert marks(cumulative)[1:] == ["rule", "text", "text"] * 3
    assert cumulative["config"]["locale"]["number"]["decimal"] == {"nl": ",", "en": "."}[lang]
    alts = [c.proto.alt for c in at.get("vega_lite_chart")]
    assert all(alts)
    assert str(how_many.items[85]) in alts[0] and fmt_date(until, lang) in alts[0]
    assert fmt_date(done.dates[85], lang) in alts[1]


def test_changing_the_inputs_changes_the_answers(demo_env: Path, demo_config: Config) -> None:
    at = run_page("nl", "vergunningen")
    before = sentences(at)
    flow = team_flow(demo_config, "vergunningen")

    later = date(2027, 1, 22)
    at.date_input(key="until").set_value(later).run()
    assert not at.exception
    expected = forecast.forecast_how_many(flow, later)
    how_many_sentence, when_sentence = sentences(at)
    assert how_many_sentence != before[0] and when_sentence == before[1]
    assert how_many_sentence == (
        f"Met 85 % kans zijn er op 22 januari 2027 minstens {expected.items[85]} items af."
    )
    assert at.dataframe[0].value.iloc[:, 1].tolist() == [
        str(expected.items[q]) for q in (50, 85, 95)
    ]

    at.number_input(key="items").set_value(50).run()
    assert not at.exception
    done = forecast.forecast_when(flow, 50)
    assert (
        sentences(at)[1]
        == f"Met 85 % kans zijn 50 items af op of voor {spoken(done.dates[85], 'nl')}."
    )
    assert done.dates[85] > forecast.forecast_when(flow, 20).dates[85]


def test_inputs_come_from_the_url(demo_env: Path, demo_config: Config) -> None:
    at = run_page("en", "subsidies", until="2027-02-01", items="1")
    assert not at.exception
    assert at.date_input(key="until").value == date(2027, 2, 1)
    assert at.number_input(key="items").value == 1
    flow = team_flow(demo_config, "subsidies")
    done = forecast.forecast_when(flow, 1)
    assert sentences(at)[1] == (
        f"With 85% likelihood 1 item will be done on or before {spoken(done.dates[85], 'en')}."
    )
    # nonsense in the URL falls back to the defaults
    at = run_page("en", "subsidies", until="yesterday", items="-3")
    assert not at.exception
    assert at.date_input(key="until").value == date(2026, 12, 25)
    assert at.number_input(key="items").value == 20


# -- tiny warehouses: empty states and far-away answers -------------------------------------------


def tiny_config(tmp_path: Path, issues: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse(tmp_path, issues).close()
    path = tmp_path / "koers.toml"
    path.write_text(
        f'[koers]\ndatabase = "{tmp_path / "test.duckdb"}"\n'
        "as_of = 2026-04-01T12:00:00+02:00\n"
        '[sources.s]\ntype = "jira"\nurl = "https://jira.test"\n'
        '[teams.t]\nname = "T"\njira = { source = "s", jql = "project = T" }\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("KOERS_CONFIG", str(path))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_nothing_done_in_twelve_weeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    tiny_config(
        tmp_path,
        [
            issue("T-1", "2026-03-02 09:00 +0100", "In Progress"),
            # done long ago: outside the 84 days before 1 April
            issue(
                "T-2",
                "2025-10-01 09:00 +0200",
                "Done",
                [move("2025-10-02 09:00 +0200", "To Do", "Done")],
            ),
        ],
        monkeypatch,
    )
    at = run_page(lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    message = at.info[-1].value
    assert {"nl": "niets afgerond", "en": "finished nothing"}[lang] in message
    assert (
        fmt_date(date(2026, 1, 7), lang) in message and fmt_date(date(2026, 3, 31), lang) in message
    )
    assert not at.get("vega_lite_chart") and not at.tabs


def test_one_item_in_twelve_weeks_is_too_slow_for_twenty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny_config(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [move("2026-03-10 09:00 +0100", "To Do", "Done")],
            )
        ],
        monkeypatch,
    )
    at = run_page("nl")
    assert not at.exception
    how_many_sentence, when_sentence = sentences(at)
    # 28 days at 1 item in 84: with 85 % likelihood not even one
    assert how_many_sentence.startswith("We kunnen niet met 85 % kans zeggen")
    # 20 items at 1 in 84 days take about 1,680 days: beyond the 3 years the trials are followed
    latest = date(2026, 4, 1) + timedelta(days=forecast.MAX_DAYS)
    assert when_sentence == (
        f"De kans is kleiner dan 85 % dat het werk (20 items) vóór {spoken(latest, 'nl')} af is. "
        "Kies een kleiner aantal."
    )
    table = at.dataframe[1].value
    assert table.iloc[:, 1].tolist() == [f"na {fmt_date(latest, 'nl')}"] * 3
    assert table.iloc[:, 2].tolist() == ["–"] * 3
    # a few trials (about 4 %) get there in time: the chart shows them, with no answer rules
    histogram, cumulative = charts(at)
    assert marks(cumulative) == ["line"]
