"""The Doorstroom / Flow page (AppTest) and its metric functions (hand-worked tiny data)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_int
from metrics.flow import Period, TeamFlow
from metrics.flow_charts_data import done_items, net_flow_totals, throughput_median
from store.warehouse import connect_read
from tests.jira_payloads import DEFAULT_WORKFLOW, config, issue, move, warehouse

TZ = "Europe/Amsterdam"
PAGE = "app_pages/flow.py"
TITLES = {"nl": "Doorstroom", "en": "Flow"}
NOTHING_DONE = {"nl": "In deze periode is niets afgerond.", "en": "Nothing was finished"}


# -- metric functions on tiny hand-written data -------------------------------------------------

MARCH = Period(date(2026, 3, 2), date(2026, 3, 30))  # four ISO weeks; DST starts 29 March


def tiny_flow(tmp_path: Path) -> TeamFlow:
    issues = [
        # in progress 4 Mar 09:00, done Monday 9 Mar 00:30 (still Sunday 8 Mar in UTC)
        issue(
            "T-1",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                move("2026-03-04 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-09 00:30 +0100", "In Progress", "Done"),
            ],
        ),
        # straight from To Do to Done: starts when it is done, cycle time 0
        issue(
            "T-2",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-03 21:00 +0100", "To Do", "Done")],
        ),
        # discarded
        issue(
            "T-3",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-05 09:00 +0100", "To Do", "Done")],
            resolution="Won't Do",
        ),
        # an epic: not in flow
        issue(
            "T-4",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-10 09:00 +0100", "In Progress", "Done"),
            ],
            type_="Epic",
            hierarchy=1,
        ),
        # done before the period
        issue(
            "T-5",
            "2026-02-02 09:00 +0100",
            "Done",
            [
                move("2026-02-10 09:00 +0100", "To Do", "In Progress"),
                move("2026-02-20 09:00 +0100", "In Progress", "Done"),
            ],
        ),
        # started in the period, done on Monday 30 March 00:30 local: after the period
        issue(
            "T-6",
            "2026-03-16 09:00 +0100",
            "Done",
            [
                move("2026-03-27 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-30 00:30 +0200", "In Progress", "Done"),
            ],
        ),
        # done on Sunday 29 March 23:30 summer time: the last evening of the period
        issue(
            "T-7",
            "2026-03-16 09:00 +0100",
            "Done",
            [
                move("2026-03-20 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-29 23:30 +0200", "In Progress", "Done"),
            ],
        ),
        # still in progress
        issue(
            "T-8",
            "2026-03-16 09:00 +0100",
            "In Progress",
            [move("2026-03-25 09:00 +0100", "To Do", "In Progress")],
        ),
        issue(
            "T-10",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                move("2026-03-05 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-06 09:00 +0100", "In Progress", "Done"),
            ],
        ),
    ]
    con = warehouse(tmp_path, issues)
    team = config(tmp_path, DEFAULT_WORKFLOW).team("t")
    return TeamFlow(con, team, TZ, datetime.fromisoformat("2026-04-01T12:00:00+02:00"))


def test_done_items_are_the_items_the_percentiles_count(tmp_path: Path) -> None:
    f = tiny_flow(tmp_path)
    items = done_items(f, MARCH)
    # slowest first; T-3 (discarded), T-4 (epic), T-5 (before), T-6 (after), T-8 (not done) out
    assert items["key"].tolist() == ["T-7", "T-1", "T-10", "T-2"]
    # T-7: 20 Mar 08:00 UTC → 29 Mar 21:30 UTC = 9 days 13.5 h; created 16 Mar 08:00 UTC
    # T-1: 4 Mar 08:00 UTC → 8 Mar 23:30 UTC = 4 days 15.5 h; created 2 Mar 08:00 UTC
    # T-10: one day of work after three days of waiting; T-2: 1.5 days, all of it waiting
    assert items["cycle_time_days"].tolist() == pytest.approx([9.5625, 4 + 15.5 / 24, 1.0, 0.0])
    assert items["lead_time_days"].tolist() == pytest.approx([13.5625, 6 + 15.5 / 24, 4.0, 1.5])
    assert items["wait_days"].tolist() == pytest.approx([4.0, 2.0, 3.0, 1.5])
    # the done day and time are the team's wall clock: T-1 finished on Monday 9 March
    assert [d.date().isoformat() for d in items["done_day"]] == [
        "2026-03-29",
        "2026-03-09",
        "2026-03-06",
        "2026-03-03",
    ]
    assert items["done_local"].iloc[1] == pd.Timestamp("2026-03-09 00:30")
    assert items["summary"].iloc[0] == "Item T-7"
    # the same items as the percentiles and counts of TeamFlow
    assert f.summary(MARCH, "cycle_time").n == len(items) == f.counts(MARCH)[0]


def test_done_items_of_an_empty_period(tmp_path: Path) -> None:
    items = done_items(tiny_flow(tmp_path), Period(date(2024, 1, 1), date(2024, 2, 1)))
    assert items.empty and "cycle_time_days" in items.columns


def test_throughput_median_over_the_weeks_of_the_period(tmp_path: Path) -> None:
    f = tiny_flow(tmp_path)
    # weeks of 2, 9, 16 and 23 March: T-2 and T-10 · T-1 · nothing · T-7 → [2, 1, 0, 1]
    assert throughput_median(f, MARCH) == 1.0
    # two weeks: [2, 1] → halfway
    assert throughput_median(f, Period(date(2026, 3, 2), date(2026, 3, 16))) == 1.5
    # nothing done at all: every week is a zero week
    assert throughput_median(f, Period(date(2024, 1, 1), date(2024, 2, 1))) == 0.0


def test_net_flow_totals(tmp_path: Path) -> None:
    totals = net_flow_totals(tiny_flow(tmp_path), MARCH)
    # started: week 2 Mar T-1, T-2, T-3 (a discarded item still started), T-10 · week 16 T-7 ·
    # week 23 T-6, T-8; the epic does not count. Done (not discarded): 2 · 1 · 0 · 1.
    # Net per week: +2, −1, +1, +1.
    assert (totals.started, totals.done, totals.net) == (7, 4, 3)
    assert (totals.weeks_more_started, totals.weeks_more_done) == (3, 1)


# -- the page ------------------------------------------------------------------------------------


def run_page(team: str, lang: str, period: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=60)
    at.query_params["team"] = team
    at.query_params["lang"] = lang
    if period:
        at.query_params["period"] = period
    return at.run()


def team_flow(cfg: Config, team: str) -> TeamFlow:
    return TeamFlow(connect_read(cfg.database), cfg.team(team), cfg.timezone, cfg.as_of)


def dataset(chart: Any, layer: dict) -> pd.DataFrame:
    """The rows one layer of a chart on the page draws (Streamlit ships them as Arrow); layers
    that share their data take it from the top level."""
    name = (layer.get("data") or json.loads(chart.proto.spec)["data"])["name"]
    for ds in chart.proto.datasets:
        if ds.name == name:
            return pa.ipc.open_stream(ds.data.data).read_all().to_pandas()
    raise AssertionError(f"no dataset {name}")


def layer(spec: dict, name: str) -> dict:
    return next(lyr for lyr in spec["layer"] if lyr.get("name") == name)


def charts_by_first_layer(at: AppTest) -> dict[str, tuple[Any, dict]]:
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        found[spec["layer"][0]["name"]] = (chart, spec)
    return found


def mark(lyr: dict) -> str:
    return lyr["mark"]["type"] if isinstance(lyr["mark"], dict) else lyr["mark"]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_flow_page(demo_env: Path, demo_config: Config, team: str, lang: str) -> None:
    at = run_page(team, lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]

    cfg = demo_config
    flow = team_flow(cfg, team)
    period = Period.default(cfg.as_of, cfg.timezone)
    cycle = flow.summary(period, "cycle_time")

    # the items done in the period, worked out here from the per-item facts
    items = flow.items()
    start, end = period.bounds(cfg.timezone)
    done = items[
        items["done_at"].notna()
        & (items["done_at"] >= start)
        & (items["done_at"] < end)
        & (items["done_at"] <= cfg.as_of)
        & ~items["discarded"].astype(bool)
        & items["in_flow"].astype(bool)
        & items["changelog_complete"].astype(bool)
    ]
    assert len(done) > 0
    assert fmt_int(len(done), lang) in at.markdown[0].value

    charts = charts_by_first_layer(at)
    assert sorted(charts) == ["bins", "days", "items", "net", "weeks"]
    assert len(at.get("vega_lite_chart")) == 6  # the scatterplot and lead-vs-cycle start alike
    for chart in at.get("vega_lite_chart"):
        assert chart.proto.alt.strip(), "every chart has a text alternative"
        assert "timeUnit" not in chart.proto.spec  # ISO weeks come from SQL, never Vega-Lite
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    pairs = zip(at.get("vega_lite_chart"), specs, strict=True)
    (scatter, scatter_spec), (lead_chart, lead_spec) = [
        (c, s) for c, s in pairs if s["layer"][0]["name"] == "items"
    ]

    # 1. scatterplot: one point per item done, and the percentile lines of TeamFlow.summary
    points = layer(scatter_spec, "items")
    assert mark(points) == "circle"
    enc = points["encoding"]
    assert (enc["x"]["field"], enc["x"]["type"]) == ("done_local", "temporal")
    assert (enc["y"]["field"], enc["y"]["type"]) == ("cycle_time_days", "quantitative")
    assert enc["href"]["field"] == "url"
    assert {tip["field"] for tip in enc["tooltip"]} >= {
        "key",
        "summary",
        "cycle_time_days",
        "done_local",
        "url",
    }
    rows = dataset(scatter, points)
    assert len(rows) == len(done)
    assert set(rows["key"]) == set(done["key"])
    source_url = cfg.sources[cfg.team(team).jira.source].url
    assert (rows["url"] == source_url + "/browse/" + rows["key"]).all()
    rules = layer(scatter_spec, "percentiles")
    assert mark(rules) == "rule" and rules["mark"]["strokeDash"]
    lines = dataset(scatter, rules)
    assert lines["days"].tolist() == pytest.approx([cycle.p50, cycle.p85, cycle.p95])
    assert lines["label"].tolist()[0].startswith("50 %: " if lang == "nl" else "50%: ")
    assert sum(mark(lyr) == "text" for lyr in scatter_spec["layer"]) >= 3  # labelled lines

    # the table below it: the same items, slowest first, with links to Jira
    table = at.dataframe[0].value
    assert len(table) == len(done)
    assert table["cycle_time_days"].is_monotonic_decreasing
    assert table["url"].iloc[0].startswith(source_url + "/browse/")

    # 2. histogram with the same percentile lines
    hist, hist_spec = charts["bins"]
    bars = layer(hist_spec, "bins")
    assert mark(bars) == "bar"
    assert bars["encoding"]["x"]["field"] == "cycle_time_days" and bars["encoding"]["x"]["bin"]
    assert bars["encoding"]["y"]["aggregate"] == "count"
    hist_lines = dataset(hist, layer(hist_spec, "percentiles"))
    assert hist_lines["days"].tolist() == pytest.approx([cycle.p50, cycle.p85, cycle.p95])

    # 3. throughput run chart with its median, worked out here from throughput_weekly
    run_chart, run_spec = charts["weeks"]
    weekly = layer(run_spec, "weeks")
    assert mark(weekly) == "line" and weekly["mark"]["point"]
    assert (
        weekly["encoding"]["x"]["field"] == "week" and weekly["encoding"]["y"]["field"] == "count"
    )
    expected_weeks = flow.throughput_weekly(period)
    assert dataset(run_chart, weekly)["count"].tolist() == expected_weeks["count"].tolist()
    median_rule = layer(run_spec, "median")
    assert mark(median_rule) == "rule" and median_rule["mark"]["strokeDash"]
    median = float(np.median(expected_weeks["count"]))
    assert dataset(run_chart, median_rule)["median"].tolist() == pytest.approx([median])

    # 4. WIP per day, as steps, with its average
    wip_chart, wip_spec = charts["days"]
    wip = layer(wip_spec, "days")
    assert mark(wip) == "line" and wip["mark"]["interpolate"] == "step-after"
    assert wip["encoding"]["x"]["field"] == "day" and wip["encoding"]["y"]["field"] == "wip"
    daily = flow.wip_daily(period)
    assert dataset(wip_chart, wip)["wip"].tolist() == daily["wip"].tolist()
    assert dataset(wip_chart, layer(wip_spec, "average"))["avg"].tolist() == pytest.approx(
        [daily["wip"].mean()]
    )

    # 5. net flow: bars from zero, colour and a legend in words, signed labels
    net_chart, net_spec = charts["net"]
    bars = layer(net_spec, "net")
    assert mark(bars) == "bar"
    enc = bars["encoding"]
    assert enc["y"]["field"] == "net" and enc["y2"]["datum"] == 0
    assert enc["x"]["field"] == "week" and enc["x2"]["field"] == "week_end"
    assert enc["color"]["field"] == "direction" and "legend" in enc["color"]
    more_started = {"nl": "meer gestart dan afgerond", "en": "more started than finished"}[lang]
    assert more_started in enc["color"]["scale"]["domain"]
    net_rows = dataset(net_chart, bars)
    net_flow = flow.net_flow_weekly(period)
    assert net_rows["net"].tolist() == (net_flow["started"] - net_flow["done"]).tolist()
    assert (net_rows.loc[net_rows["net"] > 0, "direction"] == more_started).all()
    assert all(label.startswith("+") for label in net_rows.loc[net_rows["net"] > 0, "label"])
    assert any(
        mark(lyr) == "rule" and lyr["encoding"]["y"]["field"] == "zero" for lyr in net_spec["layer"]
    )

    # 6. lead time against cycle time, with the line where they are equal
    lead_points = layer(lead_spec, "items")
    assert mark(lead_points) == "circle"
    assert lead_points["encoding"]["x"]["field"] == "cycle_time_days"
    assert lead_points["encoding"]["y"]["field"] == "lead_time_days"
    assert len(dataset(lead_chart, lead_points)) == len(done)
    diagonal = layer(lead_spec, "no_wait")
    assert mark(diagonal) == "rule" and diagonal["mark"]["strokeDash"]
    assert diagonal["encoding"]["x"]["field"] == diagonal["encoding"]["y"]["field"] == "top"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_a_period_without_data_shows_empty_states(demo_env: Path, team: str, lang: str) -> None:
    at = run_page(team, lang, "2024-01-01..2024-01-31")
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert not at.get("vega_lite_chart")
    assert not at.dataframe
    messages = [info.value for info in at.info]
    assert sum(NOTHING_DONE[lang] in m for m in messages) >= 4


def test_few_items_get_a_warning_about_the_percentiles(demo_env: Path, demo_config: Config) -> None:
    period = Period.last_weeks(demo_config.as_of, demo_config.timezone, 4)
    n = team_flow(demo_config, "subsidies").summary(period, "cycle_time").n
    assert 0 < n < 5  # the milestone team finishes little in the last four weeks
    at = run_page("subsidies", "nl", "4w")
    assert not at.exception
    assert any(f"Er zijn maar {n} items afgerond" in c.value for c in at.caption)
