"""The Teams page with Streamlit's AppTest: every team against its own baseline, side by side."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_days, fmt_delta_pct, fmt_number
from metrics.flow import Period, TeamFlow
from store.warehouse import connect_read

TITLES = {"nl": "Teams", "en": "Teams"}
LEAD_P50 = {"nl": "Doorlooptijd (50 %)", "en": "Lead time (50%)"}
THROUGHPUT = {"nl": "Afgerond per week", "en": "Finished per week"}
WIP = {"nl": "Onderhanden werk", "en": "Work in progress"}
PILOT = {"nl": "(pilotteam)", "en": "(pilot team)"}
WORDS = {"nl": {True: "beter", False: "slechter"}, "en": {True: "better", False: "worse"}}
TZ = ZoneInfo("Europe/Amsterdam")
# Worked out by hand from the demo config (as_of Friday 27 Nov 2026, 17:00 Amsterdam):
# vergunningen: baseline = the 12 weeks before its pilot start on 2 Mar 2026, since = from that
#   start up to and including 27 Nov;
# subsidies (no pilot): since = the sidebar's default period (the 12 full weeks before the week of
#   as_of plus that week: 31 Aug up to and including 27 Nov); baseline = the 12 weeks before the
#   last 8 (the 8 weeks end with that period on 28 Nov, so they start on 3 Oct).
PERIODS = {
    "vergunningen": ((date(2025, 12, 8), date(2026, 3, 2)), (date(2026, 3, 2), date(2026, 11, 28))),
    "subsidies": ((date(2026, 7, 11), date(2026, 10, 3)), (date(2026, 8, 31), date(2026, 11, 28))),
}


def run_page(lang: str, team: str, period: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app_pages/teams.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["team"] = team
    if period:
        at.query_params["period"] = period
    return at.run()


def flow(cfg: Config, team: str) -> TeamFlow:
    return TeamFlow(connect_read(cfg.database), cfg.team(team), cfg.timezone, cfg.as_of)


def done_in(items: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Items counted in the aggregates whose done_at falls in [start, end) in Amsterdam."""
    lo, hi = (pd.Timestamp(datetime.combine(d, time(), TZ)) for d in (start, end))
    counted = items[items["in_flow"] & items["changelog_complete"] & ~items["discarded"]]
    done = counted["done_at"]
    return counted[done.notna() & (done >= lo) & (done < hi)]


def expected(cfg: Config, team: str) -> dict[str, tuple[float, float]]:
    """{measure: (baseline, since)}, lead times and throughput from the items with pandas."""
    f = flow(cfg, team)
    items = f.items()
    (b0, b1), (s0, s1) = PERIODS[team]
    base, since = done_in(items, b0, b1), done_in(items, s0, s1)
    return {
        "lead_p50": (
            float(np.percentile(base["lead_time_days"], 50)),
            float(np.percentile(since["lead_time_days"], 50)),
        ),
        "throughput": (len(base) / ((b1 - b0).days / 7), len(since) / ((s1 - s0).days / 7)),
        "wip": (f.wip_avg(Period(b0, b1)), f.wip_avg(Period(s0, s1))),
    }


def table_row(at: AppTest, team_label: str, measure: str) -> pd.Series:
    table = at.dataframe[0].value
    rows = table[(table["team"] == team_label) & (table["measure"] == measure)]
    assert len(rows) == 1, (team_label, measure)
    return rows.iloc[0]


def change_text(before: float, after: float, lang: str, lower_is_better: bool) -> str:
    change = (after - before) / abs(before)
    word = WORDS[lang][(change < 0) == lower_is_better]
    return f"{fmt_delta_pct(change, lang)} ({word})"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_teams_page_in_both_languages(
    demo_env: Path, demo_config: Config, lang: str, team: str
) -> None:
    at = run_page(lang, team)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]

    # every team, in config order, four measures each; the pilot named as one
    table = at.dataframe[0].value
    labels = {
        "vergunningen": f"Team Vergunningen {PILOT[lang]}",
        "subsidies": "Team Subsidies",
    }
    assert table["team"].tolist() == [labels["vergunningen"]] * 4 + [labels["subsidies"]] * 4

    for key in ("vergunningen", "subsidies"):
        want = expected(demo_config, key)
        lead = table_row(at, labels[key], LEAD_P50[lang])
        assert (lead["baseline"], lead["since"]) == tuple(
            fmt_days(v, lang) for v in want["lead_p50"]
        )
        assert lead["change"] == change_text(*want["lead_p50"], lang, lower_is_better=True)
        tp = table_row(at, labels[key], THROUGHPUT[lang])
        assert (tp["baseline"], tp["since"]) == tuple(
            fmt_number(v, lang) for v in want["throughput"]
        )
        wip = table_row(at, labels[key], WIP[lang])
        assert (wip["baseline"], wip["since"]) == tuple(fmt_number(v, lang) for v in want["wip"])

    # the periods are said in words, with which "since" applies to each team
    text = " ".join(m.value for m in at.markdown)
    if lang == "nl":
        assert "nulmeting 8 dec. 2025 t/m 1 mrt. 2026" in text
        assert "Sinds de start van de pilot: 2 mrt. 2026 t/m 27 nov. 2026" in text
        assert "Nulmeting 11 jul. 2026 t/m 2 okt. 2026" in text
        assert "Gekozen periode in de zijbalk: 31 aug. 2026 t/m 27 nov. 2026" in text
    else:
        assert "Since the pilot started: 2 Mar 2026 to 27 Nov 2026" in text
        assert "Period chosen in the sidebar: 31 Aug 2026 to 27 Nov 2026" in text

    # small multiples: one faceted chart, a row per team (config order) and a column per measure
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["facet"]["row"]["field"] == "team"
    assert spec["facet"]["row"]["sort"] == [
        f"Team Vergunningen|{PILOT[lang]}",
        "Team Subsidies",
    ]
    assert spec["facet"]["column"]["field"] == "header"
    bars, labels_layer, _top, change = spec["spec"]["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "phase"
    assert bars["encoding"]["y"]["field"] == "value"
    assert bars["encoding"]["color"]["field"] == "phase"
    # the pilot's "since" bars have their own colour and name: it stands out, not only by colour
    phases = {"nl": ["Nulmeting", "Sinds pilot", "Gekozen periode"]}.get(
        lang, ["Baseline", "Since pilot", "Chosen period"]
    )
    assert bars["encoding"]["color"]["scale"]["domain"] == phases
    assert labels_layer["mark"]["type"] == "text" and change["mark"]["type"] == "text"
    assert change["encoding"]["text"]["field"] == "change"
    assert "timeUnit" not in json.dumps(spec)  # no Vega-Lite weeks anywhere
    # the text alternative names each team with its lead times before and after
    alt_text = chart.proto.alt
    vergunningen = expected(demo_config, "vergunningen")["lead_p50"]
    assert "Team Vergunningen" in alt_text and "Team Subsidies" in alt_text
    assert all(fmt_days(v, lang) in alt_text for v in vergunningen)

    # small multiples, not a ranking: no words that grade teams against each other
    words = " ".join([text, *table.astype(str).values.ravel(), alt_text])
    assert not re.search(r"\b(best|worst|beste|slechtste|top)\b", words, re.IGNORECASE)


def test_pilot_lead_time_fall_is_good_news_in_words_and_colour(
    demo_env: Path, demo_config: Config
) -> None:
    at = run_page("nl", "subsidies")
    lead = table_row(at, "Team Vergunningen (pilotteam)", LEAD_P50["nl"])
    before, after = expected(demo_config, "vergunningen")["lead_p50"]
    assert after < before and lead["change"].endswith("(beter)")
    # the styled table colours that cell green (4.5:1 on white as text) and shades the pilot
    styles = at.dataframe[0].proto.arrow_data.styler.styles
    assert "color: #1A7F37" in styles and "background-color: #EAF1F8" in styles


def test_selected_period_applies_to_the_team_without_a_pilot_only(
    demo_env: Path, demo_config: Config
) -> None:
    at = run_page("en", "subsidies", period="4w")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Period chosen in the sidebar: 26 Oct 2026 to 27 Nov 2026" in text
    assert "Since the pilot started: 2 Mar 2026 to 27 Nov 2026" in text  # unchanged
    f = flow(demo_config, "subsidies")
    items = f.items()
    since = done_in(items, date(2026, 10, 26), date(2026, 11, 28))
    row = table_row(at, "Team Subsidies", LEAD_P50["en"])
    assert row["since"] == fmt_days(float(np.percentile(since["lead_time_days"], 50)), "en")


def _config_variant(demo_config_file: Path, tmp_path: Path, text: str) -> Path:
    path = tmp_path / "koers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_follow_config_order_and_a_team_without_jira_gets_a_note(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = demo_config_file.read_text(encoding="utf-8")
    # subsidies first, and a third team that has no Jira source yet
    head, rest = text.split("[teams.vergunningen]", 1)
    vergunningen, subsidies = rest.split("[teams.subsidies]", 1)
    reordered = (
        head
        + "[teams.subsidies]"
        + subsidies
        + "\n[teams.vergunningen]"
        + vergunningen
        + '\n[teams.nieuw]\nname = "Team Nieuw"\n'
    )
    monkeypatch.setenv("KOERS_CONFIG", str(_config_variant(demo_config_file, tmp_path, reordered)))
    at = run_page("nl", "vergunningen")
    assert not at.exception
    teams = at.dataframe[0].value["team"].drop_duplicates().tolist()
    assert teams == ["Team Subsidies", "Team Vergunningen (pilotteam)"]
    assert any("Team Nieuw" in i.value and "jira = " in i.value for i in at.info)
