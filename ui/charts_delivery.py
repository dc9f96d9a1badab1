"""Altair charts of the Levering / Delivery page. Weeks arrive bucketed from SQL (ISO, Monday)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from i18n import t
from metrics.delivery import STAGES
from ui.charts import PALETTE, configure, week_axis


def weekly_deployments(weekly: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Bars: production deployments per week; diamonds on a line: the week's deployment days."""
    data = weekly.assign(week=pd.to_datetime(weekly["week"]))
    x = alt.X("week:T", title=t("delivery.week", lang), axis=week_axis(data["week"]))
    tooltip = [
        alt.Tooltip("week:T", title=t("delivery.week", lang), format="%-d %b %Y"),
        alt.Tooltip("deployments:Q", title=t("delivery.deployments", lang)),
        alt.Tooltip("deploy_days:Q", title=t("delivery.days", lang)),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[0], opacity=0.85, size=18)
        .encode(
            x=x,
            y=alt.Y(
                "deployments:Q", title=t("delivery.deployments", lang), axis=alt.Axis(tickMinStep=1)
            ),
            tooltip=tooltip,
        )
    )
    days = (
        alt.Chart(data)
        .mark_line(
            color=PALETTE[1],
            strokeDash=[4, 3],
            point=alt.OverlayMarkDef(shape="diamond", filled=True, size=70, color=PALETTE[1]),
        )
        .encode(x=x, y=alt.Y("deploy_days:Q"), tooltip=tooltip)
    )
    chart = alt.layer(bars, days).properties(height=280, title=t("delivery.weekly_heading", lang))
    return configure(chart, lang)


def stage_bars(stages: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """One stacked horizontal bar per period (baseline, selected): median days per stage, each
    segment labelled with its value so colour is not the only cue."""
    labels = {s: t(f"delivery.stage_{s}", lang) for s in STAGES}
    order = {s: i for i, s in enumerate(STAGES)}
    data = stages.dropna(subset=["p50"]).assign(
        label=lambda d: d["period"].map(lambda p: t(f"delivery.label_{p}", lang)),
        stage_label=lambda d: d["stage"].map(labels),
        step=lambda d: d["stage"].map(order),
    )
    stage_order = [labels[s] for s in STAGES]
    periods = [t(f"delivery.label_{p}", lang) for p in ("baseline", "period")]
    y = alt.Y("label:N", title=None, sort=periods, axis=alt.Axis(labelLimit=200))
    x = alt.X("p50:Q", stack="zero", title=t("delivery.median_days", lang))
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "stage_label:N",
                title=t("delivery.stage", lang),
                sort=stage_order,
                scale=alt.Scale(domain=stage_order, range=PALETTE[:4]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("step:Q"),
            tooltip=[
                alt.Tooltip("label:N", title=" "),
                alt.Tooltip("stage_label:N", title=t("delivery.stage", lang)),
                alt.Tooltip("p50:Q", title=t("delivery.median_days", lang), format=",.1f"),
                alt.Tooltip("n:Q", title=t("delivery.changes", lang)),
            ],
        )
    )
    text = (
        alt.Chart(data)
        .transform_joinaggregate(total="sum(p50)", groupby=["label"])
        .transform_filter("datum.p50 >= 0.12 * datum.total")
        .mark_text(align="right", dx=-4, color="white", fontWeight="bold")
        .encode(
            x=x,
            y=y,
            detail="stage_label:N",
            order=alt.Order("step:Q"),
            text=alt.Text("p50:Q", format=",.1f"),
        )
    )
    chart = alt.layer(bars, text).properties(
        height=70 + 45 * data["label"].nunique(), title=t("delivery.stages_heading", lang)
    )
    return configure(chart, lang)
