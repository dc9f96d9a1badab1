"""Chart of one outcome indicator: its measurements over time, the baseline, the straight line to
the target (what `on_track` compares with), the target, and the delivery dates of linked epics.

Layers are named (`measurements`, `baseline`, `baseline_label`, `path`, `target`, `target_label`,
`epics`, `epic_labels`) so tests can find them.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from i18n import t
from outcomes.store import Indicator, Measurement
from ui.charts import BAD, NEUTRAL, PALETTE, configure


def indicator_chart(
    indicator: Indicator,
    measurements: list[Measurement],
    epics: pd.DataFrame,
    lang: str,
    unit: str,
) -> alt.TopLevelMixin:
    """`epics`: [epic, done_at (date)] of the linked epics that have been delivered."""
    value_title = f"{indicator.name(lang)} ({unit})"
    date_title = t("outcomes.chart_date", lang)
    points = pd.DataFrame(
        {
            "date": pd.to_datetime([m.date for m in measurements]),
            "value": [m.value for m in measurements],
            "note": [m.note for m in measurements],
        }
    )
    x = alt.X("date:T", title=date_title, axis=alt.Axis(format="%b %Y", labelAngle=0))
    y = alt.Y("value:Q", title=value_title, scale=alt.Scale(zero=False))
    tooltip = [
        alt.Tooltip("date:T", title=date_title, format="%-d %b %Y"),
        alt.Tooltip("value:Q", title=indicator.name(lang)),
    ]
    layers = [
        alt.Chart(points)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=50), color=PALETTE[0])
        .encode(x=x, y=y, tooltip=[*tooltip, alt.Tooltip("note:N", title=t("outcomes.note", lang))])
        .properties(name="measurements")
    ]
    base = indicator.baseline
    base_df = pd.DataFrame(
        {
            "value": [base.value],
            "date": pd.to_datetime([base.date]),
            "label": [t("outcomes.chart_baseline", lang)],
        }
    )
    layers += [
        alt.Chart(base_df)
        .mark_rule(strokeDash=[2, 2], color=NEUTRAL)
        .encode(y="value:Q")
        .properties(name="baseline"),
        alt.Chart(base_df)
        .mark_text(align="left", dx=4, dy=-7, color=NEUTRAL)
        .encode(x="date:T", y="value:Q", text="label:N")
        .properties(name="baseline_label"),
    ]
    if indicator.target is not None:
        target = indicator.target
        path = pd.DataFrame(
            {
                "date": pd.to_datetime([base.date, target.date]),
                "value": [base.value, target.value],
            }
        )
        target_df = pd.DataFrame(
            {
                "date": pd.to_datetime([target.date]),
                "value": [target.value],
                "label": [t("outcomes.chart_target", lang)],
            }
        )
        layers += [
            alt.Chart(path)
            .mark_line(strokeDash=[6, 4], color=NEUTRAL)
            .encode(x="date:T", y="value:Q")
            .properties(name="path"),
            alt.Chart(target_df)
            .mark_point(shape="diamond", filled=True, size=140, color=PALETTE[2])
            .encode(x="date:T", y="value:Q", tooltip=tooltip)
            .properties(name="target"),
            alt.Chart(target_df)
            .mark_text(align="right", dx=-8, dy=-10)
            .encode(x="date:T", y="value:Q", text="label:N")
            .properties(name="target_label"),
        ]
    if not epics.empty:
        epic_df = epics.assign(
            date=pd.to_datetime(epics["done_at"]),
            label=[t("outcomes.chart_epic", lang, epic=e) for e in epics["epic"]],
        )[["date", "label"]]
        layers += [
            alt.Chart(epic_df)
            .mark_rule(strokeDash=[4, 3], color=BAD, strokeWidth=1.5)
            .encode(
                x="date:T",
                tooltip=[
                    alt.Tooltip("label:N", title=t("outcomes.chart_epic_title", lang)),
                    alt.Tooltip("date:T", title=date_title, format="%-d %b %Y"),
                ],
            )
            .properties(name="epics"),
            alt.Chart(epic_df)
            .mark_text(align="left", baseline="top", dx=4, y=4, color=BAD)
            .encode(x="date:T", text="label:N")
            .properties(name="epic_labels"),
        ]
    chart = alt.layer(*layers).properties(height=280, width="container")
    return configure(chart, lang)
