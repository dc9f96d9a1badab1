"""The evidence chart of a win, for the Wins page, the presenter view and the published report.

The series holds team-level aggregates only (weeks or measurements, never items). Weekly counts
are bars, everything else a line with points. The before and after phases differ in colour and
also in a second cue: the legend's words and the labelled level rules, plus opacity (bars) or a
dashed line and square points (lines). Layers are named (`series`, `level_before`, `level_after`,
`level_label_before`, `level_label_after`, `level_halo_*`, `empty`) so tests can find them.
Renders in Streamlit and offline through `ui.charts.to_svg`/`to_png`.
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from i18n import catalogue, t
from i18n.formats import fmt_date, fmt_delta_pct, fmt_int, fmt_number
from metrics.wins import SeriesPoint, Win
from ui.charts import PALETTE, TEXT, TEXT_MUTED, configure, week_axis

PHASES = ("before", "after", "")
# Weekly counts read best as bars; durations, medians and measurements as a line.
BAR_MEASURES = frozenset(
    {
        "throughput_weekly_median",
        "deployments_per_week",
        "deploy_streak_weeks",
        "throughput_week",
        "first_deployment",
    }
)
WEEKLY_MEASURES = BAR_MEASURES | {"lead_time_p50", "cycle_time_p85"}
# Before: dark grey (7.6:1), after: Koers blue (5.1:1); history: a lighter grey for context only.
COLOURS = {"before": TEXT_MUTED, "after": PALETTE[0], "": "#9AA3AD"}
OPACITY = {"before": 0.85, "after": 1.0, "": 0.55}
DASHES = {"before": [6, 4], "after": [1, 0], "": [2, 3]}
SHAPES = {"before": "square", "after": "circle", "": "circle"}
LARGE_TEXT = 18  # px: chart text in the presenter view


def value_text(value: float | None, lang: str) -> str:
    """A level as people read it: whole numbers without decimals; below 10 up to two decimals
    (a 1–5 score: "3,21"; "0,25" deployments a week), else one ("36,8" days)."""
    if value is None:
        return fmt_number(None, lang)
    value = float(value)
    if value.is_integer():
        return fmt_int(value, lang)
    two = abs(value) < 10 and fmt_number(value, lang, 2) != fmt_number(value, lang, 1) + "0"
    return fmt_number(value, lang, 2 if two else 1)


# Rules whose series has no baseline phase name their parts themselves: the weeks before a
# record and the record week; the weeks of a deploy streak.
OWN_WORDS = {"throughput_week": "record", "deploy_streak_weeks": "streak"}


def _key(win: Win, name: str) -> str:
    """The i18n key `name`, or its variant for this rule's own words when there is one."""
    own = f"{name}_{OWN_WORDS[win.evidence.measure]}" if win.evidence.measure in OWN_WORDS else ""
    return own if own and own in catalogue("nl") else name


def phase_label(phase: str, lang: str, win: Win | None = None) -> str:
    name = f"wins.chart_phase_{phase or 'other'}"
    return t(_key(win, name) if win is not None else name, lang)


def phase_of(win: Win, point: SeriesPoint) -> str:
    """A point's phase; for a record week or a streak (a series without phases) the part of
    the evidence's periods it falls in, so the record or the streak stands out."""
    if point.phase in PHASES[:2] or win.evidence.measure not in OWN_WORDS:
        return point.phase if point.phase in PHASES else ""
    for phase, period in (
        ("after", win.evidence.after_period),
        ("before", win.evidence.before_period),
    ):
        if period is not None and period[0] <= point.x < period[1]:
            return phase
    return ""


def is_weekly(win: Win) -> bool:
    """A weekly series: a weekly measure, every x a Monday (weeks are bucketed in SQL)."""
    return (
        win.evidence.measure in WEEKLY_MEASURES
        and bool(win.series)
        and all(p.x.weekday() == 0 for p in win.series)
    )


def evidence_chart(
    win: Win, lang: str, *, width: int | str = 560, height: int = 260, large: bool = False
) -> alt.TopLevelMixin:
    """The win's series (before/after phases told apart by colour *and* dash or label, the
    before and after levels as rules), configured with `ui.charts.configure`.

    `width` may be "container" for the page; exports need a number of pixels. `large` sets
    every text in projector sizes (the presenter view).
    """
    if not win.series:
        return _sized(configure(_empty(win, lang, width, height), lang), large)
    weekly = is_weekly(win)
    bars = win.evidence.measure in BAR_MEASURES
    data = _frame(win, lang)
    data["x_end"] = data["x"] + pd.Timedelta(days=6 if weekly and bars else 0)
    present = [p for p in PHASES if p in set(data["phase"])]
    labels = [phase_label(p, lang, win) for p in present]
    x_title = t("wins.chart_week" if weekly else "wins.chart_date", lang)
    axis = week_axis(data["x"]) if weekly else alt.Axis(format="%b %Y", labelAngle=0)
    x = alt.X("x:T", title=x_title, axis=axis)
    y_title = win.y_title(lang)
    colour = alt.Color(
        "label:N",
        title=None,
        scale=alt.Scale(domain=labels, range=[COLOURS[p] for p in present]),
        # a single unnamed part needs no legend
        legend=alt.Legend(orient="top", direction="horizontal", symbolSize=120)
        if present != [""]
        else None,
    )
    tooltip = [
        alt.Tooltip("x:T", title=x_title, format="%-d %b %Y"),
        alt.Tooltip("value:Q", title=y_title, format=",.1~f"),
        alt.Tooltip("label:N", title=t("wins.chart_phase_title", lang)),
    ]
    if bars:
        series = (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=x,
                # a bar spans its week, Monday to Sunday's start: a small gap between bars
                **({"x2": "x_end:T", "y2": alt.Y2(datum=0)} if weekly else {}),
                y=alt.Y("value:Q", title=y_title, axis=alt.Axis(tickMinStep=1)),
                color=colour,
                opacity=alt.Opacity(
                    "label:N",
                    scale=alt.Scale(domain=labels, range=[OPACITY[p] for p in present]),
                    legend=None,
                ),
                tooltip=tooltip,
            )
        )
    else:
        series = (
            alt.Chart(data)
            .mark_line(point=alt.OverlayMarkDef(filled=True, size=60), strokeWidth=2.5)
            .encode(
                x=x,
                y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
                color=colour,
                strokeDash=alt.StrokeDash(
                    "label:N",
                    scale=alt.Scale(domain=labels, range=[DASHES[p] for p in present]),
                    legend=None,
                ),
                shape=alt.Shape(
                    "label:N",
                    scale=alt.Scale(domain=labels, range=[SHAPES[p] for p in present]),
                    legend=None,
                ),
                detail="phase:N",
                tooltip=tooltip,
            )
        )
    layers: list[alt.Chart] = [series.properties(name="series")]
    for phase, level in _levels(win, data, lang):
        # Near-black rules over any bar colour; the label says which level it is, with a white
        # halo (the same text drawn with a thick white stroke underneath) so bars never hide it.
        size = LARGE_TEXT + 2 if large else 13
        # The before label starts at its rule's start, the after label ends at its rule's end:
        # both stay inside the plot, even when the after phase runs to the right edge.
        first = phase == "before"
        label = {
            "align": "left" if first else "right",
            "dx": 3 if first else -3,
            "dy": -size * 0.75,
            "fontWeight": "bold",
            "fontSize": size,
        }
        at = {"x": "start:T" if first else "end:T", "y": alt.Y("level:Q"), "text": "text:N"}
        layers += [
            alt.Chart(level)
            .mark_rule(strokeDash=DASHES[phase], strokeWidth=2.5, color=TEXT)
            .encode(x="start:T", x2="end:T", y=alt.Y("level:Q"))
            .properties(name=f"level_{phase}"),
            alt.Chart(level)
            .mark_text(**label, stroke="white", strokeWidth=4, strokeJoin="round")
            .encode(**at)
            .properties(name=f"level_halo_{phase}"),
            alt.Chart(level)
            .mark_text(**label, color=TEXT)
            .encode(**at)
            .properties(name=f"level_label_{phase}"),
        ]
    chart = alt.layer(*layers).properties(width=width, height=height)
    return _sized(configure(chart, lang), large)


def _sized(chart: alt.TopLevelMixin, large: bool) -> alt.TopLevelMixin:
    """Projector sizes on top of the theme: labels, titles and legend readable from afar."""
    if large:
        for part in (chart.config.axis, chart.config.legend):
            part.labelFontSize = LARGE_TEXT
            part.titleFontSize = LARGE_TEXT
        chart.config.legend.symbolSize = 240
    return chart


def _frame(win: Win, lang: str) -> pd.DataFrame:
    phases = [phase_of(win, p) for p in win.series]
    return pd.DataFrame(
        {
            "x": pd.to_datetime([p.x for p in win.series]),
            "value": [float(p.value) for p in win.series],
            "phase": phases,
            "label": [phase_label(phase, lang, win) for phase in phases],
        }
    )


def _span(win: Win, data: pd.DataFrame, phase: str) -> tuple[date, date] | None:
    """Where a level rule runs: over its phase's points (bars: to the end of the last one),
    else over the evidence's period."""
    mine = data.loc[data["phase"] == phase]
    if len(mine) >= 2:
        return mine["x"].min().date(), mine["x_end"].max().date()
    period = win.evidence.before_period if phase == "before" else win.evidence.after_period
    if period is not None:
        return period[0], max(period[0], period[1] - timedelta(days=1))
    if len(mine) == 1:
        return mine["x"].iloc[0].date(), mine["x_end"].iloc[0].date()
    return None


def _levels(win: Win, data: pd.DataFrame, lang: str) -> list[tuple[str, pd.DataFrame]]:
    """One row per level that the evidence has: where its rule runs, its value and label."""
    levels = []
    for phase, value in (("before", win.evidence.before), ("after", win.evidence.after)):
        span = _span(win, data, phase)
        if value is None or span is None:
            continue
        text = t(_key(win, f"wins.chart_level_{phase}"), lang, value=value_text(value, lang))
        frame = pd.DataFrame(
            {
                "start": [pd.Timestamp(span[0])],
                "end": [pd.Timestamp(span[1])],
                "level": [float(value)],
                "text": [text],
            }
        )
        levels.append((phase, frame))
    return levels


def _empty(win: Win, lang: str, width: int | str, height: int) -> alt.LayerChart:
    """No series (a rule without one): the figure and a plain sentence, never a broken chart."""
    frame = pd.DataFrame({"text": [win.figure(lang)], "note": [t("wins.chart_no_series", lang)]})
    figure = (
        alt.Chart(frame)
        .mark_text(fontSize=48, fontWeight="bold", dy=-14)
        .encode(text="text:N")
        .properties(name="empty")
    )
    note = alt.Chart(frame).mark_text(fontSize=14, dy=30, color=TEXT_MUTED).encode(text="note:N")
    return alt.layer(figure, note).properties(width=width, height=min(height, 160))


def evidence_alt(win: Win, lang: str) -> str:
    """The chart's text alternative: one sentence with the numbers that matter."""
    title = win.y_title(lang)
    if not win.series:
        return t("wins.alt_no_series", lang, title=win.title(lang))
    xs = [p.x for p in win.series]
    values = [p.value for p in win.series]
    kind = "bars" if win.evidence.measure in BAR_MEASURES else "line"
    text = t(
        f"wins.alt_{kind}",
        lang,
        title=title,
        n=fmt_int(len(win.series), lang),
        first=fmt_date(min(xs), lang),
        last=fmt_date(max(xs), lang),
        low=value_text(min(values), lang),
        high=value_text(max(values), lang),
    )
    ev = win.evidence
    if ev.before is not None and ev.after is not None:
        change = ev.change_pct
        text = text.removesuffix(".") + t(
            "wins.alt_levels" if change is not None else "wins.alt_levels_no_change",
            lang,
            before=value_text(ev.before, lang),
            after=value_text(ev.after, lang),
            change=fmt_delta_pct(change, lang),
        )
    return text
