"""The evidence chart of a win, for the Wins page, the presenter view and the published report.

The series holds team-level aggregates only (weeks or measurements, never items). Weekly counts
are bars, everything else a line with points. The before and after phases differ in colour and
also in a second cue: the legend's (or the panels') words and the labelled level rules, plus
opacity (bars) or a dashed line and square points (lines). Layers are named (`series`,
`level_before`, `level_after`, `level_label_before`, `level_label_after`, `level_halo_*`,
`empty`) so tests can find them.

A weekly comparison (baseline and recent window, months apart) is two panels side by side in
one view, so the months between take no room: `series` (before) and `series_after`, each panel
named above it (`panel_before`, `panel_after`), its own week axis and level, one shared y axis.
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
# Two panels: the room between them (px; wider for projector-sized axis labels) and the
# largest share of the width one panel takes, however long its phase.
PANEL_GAP, PANEL_GAP_LARGE = 36, 52
MAX_SHARE = 0.7
LABELS_PER_WIDTH = 10  # week labels over both panels together
# The series layer of each panel: the first keeps the one panel's name (pages look it up).
SERIES = {"before": "series", "after": "series_after"}


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

    A weekly comparison (a baseline and a recent window, months apart) is drawn as two panels
    side by side, each with its own week axis and a shared y axis (see `_panels`); every other
    series is one panel. `width` may be "container" for the page; exports need a number of
    pixels. `large` sets every text in projector sizes (the presenter view).
    """
    if not win.series:
        return _sized(configure(_empty(win, lang, width, height), lang), large)
    data = _frame(win, lang)
    bars = win.evidence.measure in BAR_MEASURES
    data["x_end"] = data["x"] + pd.Timedelta(days=6 if is_weekly(win) and bars else 0)
    if two_panels(win):
        chart = _panels(win, data, lang, width, height, large)
    else:
        chart = _single(win, data, lang, large)
    return _sized(configure(chart.properties(width=width, height=height), lang), large)


def two_panels(win: Win) -> bool:
    """A weekly comparison with both phases: two panels, so the months between the baseline
    and the recent window take no room. An indicator's measurements before and after its
    baseline's date follow on without a gap: one panel."""
    phases = {p.phase for p in win.series}
    return is_weekly(win) and {"before", "after"} <= phases


def _single(win: Win, data: pd.DataFrame, lang: str, large: bool) -> alt.LayerChart:
    """One panel on one time axis, phases told apart by colour, legend and second cue."""
    present = [p for p in PHASES if p in set(data["phase"])]
    weekly = is_weekly(win)
    axis = week_axis(data["x"]) if weekly else alt.Axis(format="%b %Y", labelAngle=0)
    x = alt.X("x:T", title=_x_title(win, lang), axis=axis)
    legend = present != [""]  # a single unnamed part needs no legend
    layers = [_series(win, data, lang, present, x, legend=legend).properties(name="series")]
    for phase, level in _levels(win, data, lang):
        layers += _level_layers(phase, level, large)
    return alt.layer(*layers)


def _panels(
    win: Win, data: pd.DataFrame, lang: str, width: int | str, height: int, large: bool
) -> alt.LayerChart:
    """Before (baseline) and after (recent) side by side in one view: each panel its own time
    scale over its own weeks, placed by a pixel range of the view's width, so the chart still
    fills a "container" width (Vega-Lite cannot size a concat to its container).
    The y scale is the view's one, shared, so heights compare honestly; its title shows once.
    Points of neither phase (weeks between the two) have no panel and are left out.
    """
    phases = ("before", "after")
    spans = {phase: _panel_span(win, data, phase) for phase in phases}
    days = {phase: (end - start).days + 1 for phase, (start, end) in spans.items()}
    # Panel widths follow the number of weeks, within bounds so a short window stays readable.
    share = min(MAX_SHARE, max(1 - MAX_SHARE, days["before"] / (days["before"] + days["after"])))
    gap = PANEL_GAP_LARGE if large else PANEL_GAP
    split, after, full, bottom = _split(width, height, share, gap)
    ranges = {"before": [0, split], "after": [after, full]}
    levels = dict(_levels(win, data, lang))
    size = LARGE_TEXT + 2 if large else 14
    layers: list[alt.Chart] = [
        # Invisible, over the whole width: Vega-Lite draws the y grid lines over the x scale
        # of the first layer with a y, and this one's spans both panels. Its y is the series'.
        alt.Chart(data.loc[data["phase"].isin(phases), ["value"]])
        .mark_point(opacity=0)
        .encode(
            y=alt.Y("value:Q", title=win.y_title(lang)),
            x=alt.X(
                datum=0,
                type="quantitative",
                scale=alt.Scale(domain=[0, 1]),
                axis=None,
            ),
        )
        .properties(name="frame"),
        # White over the gap, so the grid lines stop at each panel's edge.
        alt.Chart(pd.DataFrame({"gap": [0]}))
        .mark_rect(
            color="white",
            x=split,
            x2=after,
            y=0,
            y2=bottom,
        )
        .properties(name="gap"),
    ]
    for phase in phases:
        mine = data.loc[data["phase"] == phase]
        start, end = spans[phase]
        # labels on every n-th Monday, fewer in the narrower panel (about ten over the width)
        part = share if phase == "before" else 1 - share
        axis = week_axis(mine["x"], max_labels=max(2, round(part * LABELS_PER_WIDTH)))
        # bottom: a second independent x axis goes on top; grid: it gets none by default;
        # flush: the labels at a panel's edges stay inside it, clear of the other panel's;
        # some room between labels: a narrow panel skips a label rather than crowd them
        axis.orient, axis.grid, axis.labelFlush = "bottom", True, True
        axis.labelSeparation = 3
        # The panel's days, the same in each of its layers (as min and max: an explicit
        # `domain` on a rule's x and x2 compiles to a broken union)
        scale = alt.Scale(
            domainMin=_datetime(start), domainMax=_datetime(end), range=ranges[phase], nice=False
        )
        x = alt.X("x:T", title=_x_title(win, lang), axis=axis, scale=scale)
        title = pd.DataFrame({"text": [phase_label(phase, lang, win)]})
        layers += [
            _series(win, mine, lang, list(phases), x, legend=False).properties(name=SERIES[phase]),
            # The panel's name above it, high enough to clear a level label at the very top.
            alt.Chart(title)
            .mark_text(
                align="left",
                baseline="bottom",
                x=ranges[phase][0],
                y=-round(size * 1.4),
                fontSize=size,
                fontWeight="bold",
                color=COLOURS[phase],
            )
            .encode(text="text:N")
            .properties(name=f"panel_{phase}"),
        ]
        if phase in levels:
            layers += _level_layers(phase, levels[phase], large, scale)
    # One flat layer (nested layers get their names suffixed by Altair): every layer its own
    # x scale, a panel's layers all with the same domain and range, so they line up.
    return alt.layer(*layers).resolve_scale(x="independent")


def _split(
    width: int | str, height: int, share: float, gap: int
) -> tuple[float | alt.ExprRef, ...]:
    """Where the before panel ends, the after panel starts and ends, and the plot's bottom:
    pixels for a width in pixels; else (a "container" width, only on the page, where the
    chart is the top-level view and is fitted into its box) expressions of Vega's `width` and
    `height` signals. Inside a concat (a card) those are the whole canvas's, so pixels there."""
    if not isinstance(width, str):
        end = (width - gap) * share
        return end, end + gap, float(width), float(height)
    split = f"(width - {gap}) * {share:.4f}"
    signals = (split, f"{split} + {gap}", "width", "height")
    return tuple(alt.ExprRef(signal) for signal in signals)


def _x_title(win: Win, lang: str) -> str:
    return t("wins.chart_week" if is_weekly(win) else "wins.chart_date", lang)


def _series(
    win: Win, data: pd.DataFrame, lang: str, present: list[str], x: alt.X, *, legend: bool
) -> alt.Chart:
    """The points as bars (weekly counts) or a line with points, coloured per phase with a
    second cue: opacity (bars) or dash and point shape (lines)."""
    labels = [phase_label(p, lang, win) for p in present]
    y_title = win.y_title(lang)
    colour = alt.Color(
        "label:N",
        title=None,
        scale=alt.Scale(domain=labels, range=[COLOURS[p] for p in present]),
        legend=alt.Legend(orient="top", direction="horizontal", symbolSize=120) if legend else None,
    )
    x_title = _x_title(win, lang)
    tooltip = [
        alt.Tooltip("x:T", title=x_title, format="%-d %b %Y"),
        alt.Tooltip("value:Q", title=y_title, format=",.1~f"),
        alt.Tooltip("label:N", title=t("wins.chart_phase_title", lang)),
    ]
    if win.evidence.measure in BAR_MEASURES:
        return (
            alt.Chart(data)
            .mark_bar()
            .encode(
                x=x,
                # a bar spans its week, Monday to Sunday's start: a small gap between bars
                **({"x2": "x_end:T", "y2": alt.Y2(datum=0)} if is_weekly(win) else {}),
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
    return (
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


def _level_layers(
    phase: str, level: pd.DataFrame, large: bool, scale: alt.Scale | None = None
) -> list[alt.Chart]:
    """A level as a near-black rule over its span with its label. The label has a white halo
    (the same text drawn with a thick white stroke underneath) so bars never hide it. In a
    panel, `scale` is the panel's x scale (its series draws the axis)."""
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
    panel = {} if scale is None else {"scale": scale, "axis": None}
    start = alt.X("start:T", **panel)
    at = {
        "x": start if first else alt.X("end:T", **panel),
        "y": alt.Y("level:Q"),
        "text": "text:N",
    }
    return [
        alt.Chart(level)
        .mark_rule(strokeDash=DASHES[phase], strokeWidth=2.5, color=TEXT)
        .encode(x=start, x2="end:T", y=alt.Y("level:Q"))
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


def _panel_span(win: Win, data: pd.DataFrame, phase: str) -> tuple[date, date]:
    """The days a panel shows: its phase's weeks (bars: to the last one's end) and the
    evidence's period (half-open), whichever reaches further."""
    mine = data.loc[data["phase"] == phase]
    first, last = mine["x"].min().date(), mine["x_end"].max().date()
    period = win.evidence.before_period if phase == "before" else win.evidence.after_period
    if period is not None:
        first, last = min(first, period[0]), max(last, period[1] - timedelta(days=1))
    return first, last


def _datetime(day: date) -> alt.DateTime:
    """A day as Vega-Lite's local-time DateTime, like the week axis's tick values."""
    return alt.DateTime(year=day.year, month=day.month, date=day.day)


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
