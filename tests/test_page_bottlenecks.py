"""The bottlenecks page (Knelpunten), run with Streamlit's AppTest on the demo warehouse.

Numbers shown on the page are checked against values worked out here from `TeamFlow.items()`
with pandas, not copied from the page's own metric calls.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_days, fmt_int, fmt_pct
from metrics.flow import Period, TeamFlow
from store.warehouse import connect_read

TITLES = {"nl": "Knelpunten", "en": "Bottlenecks"}
AGE_COLUMN = {"nl": "Leeftijd", "en": "Age"}
BOTTLENECK = {
    "nl": "Werk wacht het langst in '{status}': {share} van de werktijd.",
    "en": "Work waits longest in '{status}': {share} of the cycle time.",
}
BANDS = {
    "nl": "was de helft binnen {p50} klaar en 85 % binnen {p85}",
    "en": "half was done within {p50} and 85% within {p85}",
}
BLOCKED = {
    "nl": "Van de {done} items die in deze periode af kwamen, waren er {blocked} een tijd "
    "geblokkeerd. Samen was dat {days}",
    "en": "Of the {done} items finished in this period, {blocked} were blocked for a while. "
    "Together that was {days}",
}
NOT_STARTED = {"nl": "Nog niet begonnen", "en": "Not started"}


def open_page(team: str, lang: str, period: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app_pages/bottlenecks.py"), default_timeout=60)
    at.query_params["team"] = team
    at.query_params["lang"] = lang
    if period:
        at.query_params["period"] = period
    return at.run()


def team_flow(cfg: Config, team: str) -> TeamFlow:
    return TeamFlow(connect_read(cfg.database), cfg.team(team), cfg.timezone, cfg.as_of)


def counted(items: pd.DataFrame) -> pd.DataFrame:
    """Items that aggregates count (METRICS.md §1)."""
    return items[items["in_flow"] & items["changelog_complete"]]


def done_in(items: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    done = counted(items)
    done = done[~done["discarded"] & done["done_at"].notna()]
    return done[(done["done_at"] >= start) & (done["done_at"] < end)]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def find(specs: list[dict], mark: str, y: str) -> dict:
    """The (layer of a) chart with this mark type and y field."""
    for spec in specs:
        for layer in layers(spec):
            kind = layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
            if kind == mark and layer.get("encoding", {}).get("y", {}).get("field") == y:
                return layer
    raise AssertionError(f"no {mark} chart with y = {y}")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_bottlenecks_page(demo_env: Path, demo_config: Config, team: str, lang: str) -> None:
    at = open_page(team, lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    text = "\n".join(m.value for m in at.markdown)

    cfg, tz, as_of = demo_config, demo_config.timezone, demo_config.as_of
    flow = team_flow(cfg, team)
    period = Period.default(as_of, tz)
    start, end = (pd.Timestamp(x) for x in period.bounds(tz))
    items = flow.items()

    # 1. The bottleneck sentence names the waiting status with the largest share.
    bottleneck = flow.bottleneck(period)
    tis = flow.time_in_status(period).set_index("status")
    waiting = tis[tis["waiting"]]
    assert bottleneck == waiting["share"].idxmax()
    share = fmt_pct(tis.loc[bottleneck, "share"], lang)
    assert BOTTLENECK[lang].format(status=bottleneck, share=share) in text

    # 2. Flow efficiency over the period: Σ active / Σ cycle time of the items done in it.
    done = done_in(items, start, end)
    efficiency = done["active_days"].sum() / done["cycle_time_days"].sum()
    assert fmt_pct(efficiency, lang) in at.get("vega_lite_chart")[1].proto.alt

    # 3. Aging: p50/p85 over the items done in the 84 days before as_of, and the at-risk list.
    window = counted(items)
    window = window[~window["discarded"] & window["done_at"].notna()]
    moment = pd.Timestamp(as_of)
    recent = window[
        (window["done_at"] > moment - timedelta(days=84)) & (window["done_at"] <= moment)
    ]
    p50, p85 = np.percentile(recent["cycle_time_days"], [50, 85])
    assert BANDS[lang].format(p50=fmt_days(p50, lang), p85=fmt_days(p85, lang)) in text
    wip = counted(items)
    wip = wip[wip["stage"] == "in_progress"]
    expected_at_risk = wip[wip["age_days"] > p85].sort_values("age_days", ascending=False)
    aging, threshold = flow.aging()
    assert threshold == pytest.approx(p85)
    assert len(expected_at_risk) == aging["at_risk"].sum()
    tables = [d.value for d in at.dataframe if AGE_COLUMN[lang] in d.value.columns]
    if expected_at_risk.empty:
        assert tables == []
        assert any(fmt_days(p85, lang) in s.value for s in at.success)
    else:
        (listed,) = tables
        assert len(listed) == aging["at_risk"].sum()
        url = cfg.sources[cfg.team(team).jira.source].url
        assert listed["Item"].tolist() == [f"{url}/browse/{k}" for k in expected_at_risk["key"]]

    # 5. Blocked time of the items done in the period.
    blocked = done[done["blocked_days"] > 0]
    assert (
        BLOCKED[lang].format(
            done=fmt_int(len(done), lang),
            blocked=fmt_int(len(blocked), lang),
            days=fmt_days(done["blocked_days"].sum(), lang),
        )
        in text
    )

    # Charts: marks, encodings, and a text alternative on each.
    specs = charts(at)
    assert len(specs) == 6
    assert all(el.proto.alt for el in at.get("vega_lite_chart"))
    bars = find(specs, "bar", "label")
    assert bars["encoding"]["x"]["field"] == "share"
    assert find(specs, "line", "flow_efficiency")["encoding"]["x"]["field"] == "week"
    points = find(specs, "point", "age_days")
    x = points["encoding"]["x"]
    assert x["field"] == "status" and x["type"] == "nominal"
    # workflow order: the team's in-progress statuses as its config lists them
    assert x["scale"]["domain"][: len(cfg.team(team).workflow.in_progress)] == list(
        cfg.team(team).workflow.in_progress
    )
    assert points["encoding"]["shape"]["field"] == "risk"  # at risk: another shape, not only colour
    area = find(specs, "area", "count")
    assert area["encoding"]["y"]["stack"] == "zero"
    assert area["encoding"]["color"]["field"] == "series"
    assert area["encoding"]["order"]["field"] == "order"
    colours = area["encoding"]["color"]["scale"]
    assert colours["domain"][0] == NOT_STARTED[lang]  # backlog on top, listed first
    assert "#D55E00" not in colours["range"]  # never red for work not started
    assert find(specs, "bar", "blocked_days")["encoding"]["x"]["field"] == "week"
    moves = find(specs, "bar", "y0")
    assert moves["encoding"]["color"]["field"] == "kind_label"
    for spec in specs:
        for layer in layers(spec):
            assert "timeUnit" not in layer.get("encoding", {}).get("x", {})


def test_the_bottleneck_is_marked_in_the_chart_not_by_colour_alone(demo_env: Path) -> None:
    at = open_page("subsidies", "nl")
    bars = find(charts(at), "bar", "label")
    labels = bars["encoding"]["y"]["sort"]
    assert "Klaar voor test (wachten, knelpunt)" in labels
    assert "Klaar voor release (wachten)" in labels
    assert bars["encoding"]["strokeDash"]["condition"]["test"] == "(datum.kind === 'waiting')"


def test_a_period_without_data_explains_itself(demo_env: Path) -> None:
    at = open_page("vergunningen", "nl", "2024-01-01..2024-01-14")
    assert not at.exception
    infos = "\n".join(i.value for i in at.info)
    assert "In deze periode is nog geen werk afgerond. Kies een langere periode." in infos
    assert "Er zijn nog geen items in deze periode." in infos
    assert "In deze periode was geen werk geblokkeerd." in infos
    assert "In deze periode ging geen werk terug" in infos
    # aging is about now, not the period: it is still drawn
    specs = charts(at)
    assert len(specs) == 1 and find(specs, "point", "age_days")
