"""Altair charts of flow metrics. Weeks arrive bucketed from SQL (ISO, Monday dates)."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from i18n import t
from ui.charts import NEUTRAL, PALETTE, configure, week_axis


def throughput_bars(weekly: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    data = weekly.assign(week=pd.to_datetime(weekly["week"]))
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("week:T", title=t("overview.week", lang), axis=week_axis(data["week"])),
            y=alt.Y("count:Q", title=t("overview.items", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("week:T", title=t("overview.week", lang), format="%-d %b %Y"),
                alt.Tooltip("count:Q", title=t("overview.items", lang)),
            ],
        )
        .properties(height=260, title=t("overview.throughput_chart", lang))
    )
    return configure(chart, lang)


def lead_time_trend(weekly: pd.DataFrame, lang: str, pilot_start: date | None) -> alt.TopLevelMixin:
    """Weekly median lead time as points on a line, with the pilot's start marked."""
    data = weekly.dropna(subset=["p50"]).assign(week=pd.to_datetime(weekly["week"]))
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=40), color=PALETTE[0])
        .encode(
            x=alt.X("week:T", title=t("overview.week", lang), axis=week_axis(data["week"])),
            y=alt.Y("p50:Q", title=t("overview.median", lang)),
            tooltip=[
                alt.Tooltip("week:T", title=t("overview.week", lang), format="%-d %b %Y"),
                alt.Tooltip("p50:Q", title=t("overview.median", lang), format=",.1f"),
                alt.Tooltip("n:Q", title=t("overview.items", lang)),
            ],
        )
    )
    layers: list[alt.Chart] = [line]
    if pilot_start is not None:
        marker = pd.DataFrame(
            {"week": [pd.Timestamp(pilot_start)], "label": [t("overview.pilot_start", lang)]}
        )
        rule = alt.Chart(marker).mark_rule(strokeDash=[6, 4], color=NEUTRAL).encode(x="week:T")
        text = (
            alt.Chart(marker)
            .mark_text(align="left", dx=4, dy=-6, baseline="top", color=NEUTRAL)
            .encode(x="week:T", y=alt.value(0), text="label:N")
        )
        layers += [rule, text]
    chart = alt.layer(*layers).properties(height=260, title=t("overview.lead_time_chart", lang))
    return configure(chart, lang)
