"""Altair charts of the Monte Carlo forecasts (metrics/forecast.py).

The 50/85/95 % answers are drawn as rules that differ in dash and width, each with a text label
in a band above the data, so colour is never the only cue and labels never cover the marks.
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from i18n import t
from i18n.formats import fmt_date, fmt_int, fmt_pct
from ui.charts import NEUTRAL, PALETTE, TEXT, configure

# likelihood → (dash, width, colour): 85 % is the answer people quote, so it stands out
RULES = {
    50: ([2, 3], 1.5, NEUTRAL),
    85: ([1, 0], 2.5, TEXT),
    95: ([7, 4], 1.5, NEUTRAL),
}
HEIGHT = 320
LABEL_ROW = 16  # px per label row; the rows sit in the top HEADROOM of the plot
HEADROOM = 0.25  # share of the y axis kept free above the data for the labels


def _answers(marks: pd.DataFrame, x: alt.X, label_align: str) -> list[alt.Chart]:
    """A rule and a label per likelihood; `marks` has [likelihood, x's field, label]. The labels
    stack in rows (50 % on top), so equal answers stay readable."""
    layers: list[alt.Chart] = []
    for row, (likelihood, (dash, width, colour)) in enumerate(RULES.items()):
        one = marks[marks["likelihood"] == likelihood]
        if one.empty:
            continue
        layers.append(
            alt.Chart(one).mark_rule(strokeDash=dash, strokeWidth=width, color=colour).encode(x=x)
        )
        text = {
            "align": label_align,
            "baseline": "top",
            "dx": 5 if label_align == "left" else -5,
            "fontWeight": "bold" if likelihood == 85 else "normal",
        }
        where = {"x": x, "y": alt.value(4 + row * LABEL_ROW), "text": "label:N"}
        # a white halo first, so that a label stays readable where another rule crosses it
        halo = alt.Chart(one).mark_text(**text, color="white", stroke="white", strokeWidth=4)
        layers.append(halo.encode(**where))
        layers.append(alt.Chart(one).mark_text(**text, color=colour).encode(**where))
    return layers


def _date_format(distribution: pd.DataFrame) -> str:
    """Day and month on a short axis ("14 jan"), month and year on a long one ("jan 2027")."""
    if distribution.empty:
        return "%-d %b"
    span = distribution["day"].max() - distribution["day"].min()
    return "%-d %b" if span <= pd.Timedelta(days=120) else "%b %Y"


def how_many_histogram(
    distribution: pd.DataFrame, items: dict[int, int], until: date, lang: str
) -> alt.TopLevelMixin:
    """How often the replays ended with each number of finished items, with the 50/85/95 %
    answers. `distribution` is [start, end, trials, share], one row per bar."""
    x_title = t("forecast.how_many_x", lang)
    y_title = t("forecast.how_many_y", lang)
    top = float(distribution["share"].max()) / (1 - HEADROOM)
    bars = (
        alt.Chart(distribution)
        .mark_bar(color=PALETTE[0], opacity=0.75, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("start:Q", title=x_title, axis=alt.Axis(tickMinStep=1)),
            x2="end:Q",
            y=alt.Y(
                "share:Q",
                title=y_title,
                scale=alt.Scale(domain=[0, top], nice=False),
                axis=alt.Axis(format=".0%", tickCount=5),
            ),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("start:Q", title=x_title),
                alt.Tooltip("share:Q", title=y_title, format=".1%"),
            ],
        )
    )
    marks = pd.DataFrame(
        {
            "likelihood": list(items),
            "start": list(items.values()),
            "label": [
                t(
                    "forecast.how_many_rule",
                    lang,
                    pct=fmt_pct(q / 100, lang),
                    items=fmt_int(n, lang),
                )
                for q, n in items.items()
            ],
        }
    )
    chart = alt.layer(bars, *_answers(marks, alt.X("start:Q", title=x_title), "left")).properties(
        height=HEIGHT, title=t("forecast.how_many_chart", lang, date=fmt_date(until, lang))
    )
    return configure(chart, lang)


def when_cumulative(
    distribution: pd.DataFrame, dates: dict[int, date | None], what: str, lang: str
) -> alt.TopLevelMixin:
    """The likelihood that the work is done on or before each date, with the 50/85/95 % dates.

    `distribution` is [day, days, share] with `share` cumulative; dates that are None (not
    reached within the forecast's horizon) get no rule.
    """
    x_title = t("forecast.when_x", lang)
    y_title = t("forecast.when_y", lang)
    line = (
        alt.Chart(distribution)
        .mark_line(interpolate="step-after", color=PALETTE[0], strokeWidth=2.5)
        .encode(
            x=alt.X(
                "day:T",
                title=x_title,
                axis=alt.Axis(format=_date_format(distribution), labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y(
                "share:Q",
                title=y_title,
                scale=alt.Scale(domain=[0, 1 / (1 - HEADROOM)], nice=False),
                axis=alt.Axis(format=".0%", values=[0, 0.2, 0.4, 0.6, 0.8, 1]),
            ),
            tooltip=[
                alt.Tooltip("day:T", title=x_title, format="%-d %b %Y"),
                alt.Tooltip("share:Q", title=y_title, format=".1%"),
            ],
        )
    )
    known = {q: d for q, d in dates.items() if d is not None}
    marks = pd.DataFrame(
        {
            "likelihood": list(known),
            "day": pd.to_datetime(list(known.values())),
            "label": [
                t("forecast.when_rule", lang, pct=fmt_pct(q / 100, lang), date=fmt_date(d, lang))
                for q, d in known.items()
            ],
        }
    )
    chart = alt.layer(line, *_answers(marks, alt.X("day:T", title=x_title), "right")).properties(
        height=HEIGHT, title=t("forecast.when_chart", lang, what=what)
    )
    return configure(chart, lang)
