"""Altair charts of the Doorstroom / Flow page.

Every number arrives computed (from `metrics/`); these builders only draw it. Weeks arrive
bucketed in SQL as Monday dates; days and done times arrive as wall-clock times in the team's time
zone (naive), so the browser shows them as they are. Reference lines are labelled in words, so
colour is never the only cue.
"""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd

from i18n import t
from i18n.formats import MINUS, fmt_days, fmt_int, fmt_number, fmt_pct
from metrics.flow import Period, Summary
from ui.charts import BAD, GOOD, NEUTRAL, PALETTE, TEXT, TEXT_MUTED, configure, week_axis

HEIGHT = 300
PERCENTILES = (("p50", 0.5), ("p85", 0.85), ("p95", 0.95))
DASH = [6, 4]
# Percentile labels sit side by side (in pixels) so that close lines never make them overlap.
LABEL_STEP_X = 130
LABEL_STEP_Y = 15
DAY_FORMAT = "%-d %b %Y"


def jira_links(items: pd.DataFrame, base_url: str) -> pd.DataFrame:
    """The items with a `url` column: `{source url}/browse/{key}`."""
    return items.assign(url=base_url.rstrip("/") + "/browse/" + items["key"].astype(str))


def percentile_label(pct: float, days: float, lang: str) -> str:
    """ "50 %: 6,7 dagen" / "50%: 6.7 days"."""
    return t("flow.pct_label", lang, pct=fmt_pct(pct, lang), days=fmt_days(days, lang))


def count_text(value: float, lang: str) -> str:
    """A count that may be a median of counts: "7" or "7,5"."""
    return fmt_int(value, lang) if float(value).is_integer() else fmt_number(value, lang)


def _percentile_rows(summary: Summary, lang: str) -> pd.DataFrame:
    rows = [
        {"pct": name, "days": getattr(summary, name), "label": percentile_label(p, v, lang)}
        for name, p in PERCENTILES
        if (v := getattr(summary, name)) is not None
    ]
    return pd.DataFrame(rows, columns=["pct", "days", "label"])


def _labels(chart: alt.Chart, encoding: dict, **mark) -> list[alt.Chart]:
    """A bold text label drawn twice: first as a white halo, then the text itself, so it stays
    readable over points, bars and lines."""
    style = {"color": TEXT, "fontWeight": "bold", **mark}
    halo = chart.mark_text(**style, stroke="white", strokeWidth=4, strokeJoin="round")
    return [halo.encode(**encoding), chart.mark_text(**style).encode(**encoding)]


def _date(d: date) -> alt.DateTime:
    return alt.DateTime(year=d.year, month=d.month, date=d.day)


def _item_tooltip(lang: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("key:N", title=t("flow.item", lang)),
        alt.Tooltip("summary:N", title=t("flow.title_col", lang)),
    ]


def cycle_scatter(
    items: pd.DataFrame, summary: Summary, period: Period, lang: str, base_url: str
) -> alt.TopLevelMixin:
    """Cycle time of each item done in the period against its done date, with dashed, labelled
    p50/p85/p95 lines; a click on a point opens the item in Jira."""
    data = jira_links(items, base_url)
    x = alt.X(
        "done_local:T",
        title=t("flow.done_on", lang),
        scale=alt.Scale(domain=[_date(period.start), _date(period.end)]),
        axis=alt.Axis(format="%-d %b", labelAngle=0, labelOverlap=True),
    )
    y = alt.Y("cycle_time_days:Q", title=t("flow.cycle_days", lang), scale=alt.Scale(zero=True))
    points = (
        alt.Chart(data)
        .mark_circle(size=55, opacity=0.75, color=PALETTE[0], cursor="pointer")
        .encode(
            x=x,
            y=y,
            href=alt.Href("url:N"),
            tooltip=[
                *_item_tooltip(lang),
                alt.Tooltip("cycle_time_days:Q", title=t("flow.cycle_days", lang), format=",.1f"),
                alt.Tooltip("done_local:T", title=t("flow.done_on", lang), format=DAY_FORMAT),
                alt.Tooltip("url:N", title=t("flow.link", lang)),
            ],
        )
        .properties(name="items")
    )
    lines = _percentile_rows(summary, lang)
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=DASH, color=TEXT_MUTED, strokeWidth=1.5)
        .encode(y=alt.Y("days:Q"))
        .properties(name="percentiles")
    )
    labels = [
        layer
        for i in range(len(lines))
        for layer in _labels(
            alt.Chart(lines.iloc[[i]]),
            {"x": alt.value(4 + i * LABEL_STEP_X), "y": alt.Y("days:Q"), "text": "label:N"},
            align="left",
            baseline="bottom",
            dy=-3,
        )
    ]
    chart = alt.layer(points, rules, *labels).properties(height=HEIGHT)
    return configure(chart, lang)


def cycle_histogram(items: pd.DataFrame, summary: Summary, lang: str) -> alt.TopLevelMixin:
    """How many items took how long: bins of whole days (1, 2, 5, … days wide), with the same
    percentile lines as the scatterplot."""
    x_title = t("flow.cycle_days", lang)
    bars = (
        alt.Chart(items)
        .mark_bar(color=PALETTE[0], opacity=0.85)
        .encode(
            x=alt.X(
                "cycle_time_days:Q",
                bin=alt.Bin(maxbins=40, minstep=1),
                title=x_title,
                axis=alt.Axis(format=",d"),
            ),
            y=alt.Y("count():Q", title=t("flow.count", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("cycle_time_days:Q", bin=True, title=x_title, format=",d"),
                alt.Tooltip("count():Q", title=t("flow.count", lang)),
            ],
        )
        .properties(name="bins")
    )
    lines = _percentile_rows(summary, lang)
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=DASH, color=TEXT, strokeWidth=1.5)
        .encode(x=alt.X("days:Q"))
        .properties(name="percentiles")
    )
    # stacked at the top, one row each; the highest percentile's label sits left of its line
    last = len(lines) - 1
    labels = [
        layer
        for i in range(len(lines))
        for layer in _labels(
            alt.Chart(lines.iloc[[i]]),
            {"x": alt.X("days:Q"), "y": alt.value(2 + i * LABEL_STEP_Y), "text": "label:N"},
            align="right" if i == last and i > 0 else "left",
            dx=-4 if i == last and i > 0 else 4,
            baseline="top",
        )
    ]
    chart = alt.layer(bars, rules, *labels).properties(height=HEIGHT)
    return configure(chart, lang)


def throughput_run(weekly: pd.DataFrame, median: float, lang: str) -> alt.TopLevelMixin:
    """Items done per ISO week as a run chart, with the median as a dashed, labelled line."""
    data = weekly.assign(week=pd.to_datetime(weekly["week"]))
    line = (
        alt.Chart(data)
        .mark_line(color=PALETTE[0], point=alt.OverlayMarkDef(filled=True, size=45))
        .encode(
            x=alt.X("week:T", title=t("flow.week", lang), axis=week_axis(data["week"])),
            y=alt.Y("count:Q", title=t("flow.items", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("week:T", title=t("flow.week_of", lang), format=DAY_FORMAT),
                alt.Tooltip("count:Q", title=t("flow.items", lang)),
            ],
        )
        .properties(name="weeks")
    )
    marker = pd.DataFrame(
        {
            "median": [median],
            "label": [t("flow.median_label", lang, value=count_text(median, lang))],
        }
    )
    rule = (
        alt.Chart(marker)
        .mark_rule(strokeDash=DASH, color=TEXT_MUTED, strokeWidth=1.5)
        .encode(y="median:Q")
        .properties(name="median")
    )
    label = _labels(
        alt.Chart(marker),
        {"x": alt.value(4), "y": "median:Q", "text": "label:N"},
        align="left",
        baseline="bottom",
        dy=-3,
    )
    return configure(alt.layer(line, rule, *label).properties(height=HEIGHT), lang)


def wip_line(daily: pd.DataFrame, average: float, lang: str) -> alt.TopLevelMixin:
    """Items in progress at the end of each day, as steps, with the period's average."""
    data = daily.assign(day=pd.to_datetime(daily["day"]))
    line = (
        alt.Chart(data)
        .mark_line(color=PALETTE[0], interpolate="step-after", strokeWidth=2)
        .encode(
            x=alt.X(
                "day:T",
                title=t("flow.day", lang),
                axis=alt.Axis(format="%-d %b", labelAngle=0, labelOverlap=True),
            ),
            y=alt.Y("wip:Q", title=t("flow.items", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("day:T", title=t("flow.day", lang), format=DAY_FORMAT),
                alt.Tooltip("wip:Q", title=t("flow.wip_items", lang)),
            ],
        )
        .properties(name="days")
    )
    marker = pd.DataFrame(
        {"avg": [average], "label": [t("flow.avg_label", lang, value=fmt_number(average, lang))]}
    )
    rule = (
        alt.Chart(marker)
        .mark_rule(strokeDash=DASH, color=TEXT_MUTED, strokeWidth=1.5)
        .encode(y="avg:Q")
        .properties(name="average")
    )
    label = _labels(
        alt.Chart(marker),
        {"x": alt.value(4), "y": "avg:Q", "text": "label:N"},
        align="left",
        baseline="bottom",
        dy=-3,
    )
    return configure(alt.layer(line, rule, *label).properties(height=HEIGHT), lang)


def _signed(n: int, lang: str) -> str:
    return f"+{fmt_int(n, lang)}" if n > 0 else (f"{MINUS}{fmt_int(-n, lang)}" if n < 0 else "0")


def net_flow_bars(weekly: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Started minus done per ISO week: bars up (more started) or down (more done), coloured,
    labelled with their sign and explained in a legend in words; a solid zero line."""
    more_started, more_done, even = (
        t("flow.more_started", lang),
        t("flow.more_done", lang),
        t("flow.even", lang),
    )
    week = pd.to_datetime(weekly["week"])
    net = weekly["net"].astype(int)
    data = weekly.assign(
        week=week,
        # each bar spans Monday to Sunday, leaving a day's gap before the next week
        week_end=week + timedelta(days=6),
        week_mid=week + timedelta(days=3),
        direction=[more_started if n > 0 else more_done if n < 0 else even for n in net],
        label=[_signed(n, lang) for n in net],
    )
    x = alt.X("week:T", title=t("flow.week", lang), axis=week_axis(data["week"]))
    colour = alt.Color(
        "direction:N",
        title=None,
        scale=alt.Scale(domain=[more_started, more_done, even], range=[BAD, GOOD, NEUTRAL]),
        legend=alt.Legend(orient="top", direction="horizontal", symbolType="square"),
    )
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=x,
            x2="week_end:T",
            y=alt.Y(
                "net:Q",
                title=t("flow.net_axis", lang),
                axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(padding=18),  # room for the labels above and below the bars
            ),
            y2=alt.Y2(datum=0),
            color=colour,
            tooltip=[
                alt.Tooltip("week:T", title=t("flow.week_of", lang), format=DAY_FORMAT),
                alt.Tooltip("started:Q", title=t("flow.started", lang)),
                alt.Tooltip("done:Q", title=t("flow.done", lang)),
                alt.Tooltip("label:N", title=t("flow.net", lang)),
                alt.Tooltip("direction:N", title=t("flow.meaning", lang)),
            ],
        )
        .properties(name="net")
    )
    zero = alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color=TEXT).encode(y="zero:Q")
    # the label's position says the sign too: above a bar going up, below one going down
    at_bar = {"x": alt.X("week_mid:T"), "y": "net:Q", "text": "label:N"}
    up = alt.Chart(data).transform_filter("datum.net > 0").mark_text(baseline="bottom", dy=-2)
    down = alt.Chart(data).transform_filter("datum.net <= 0").mark_text(baseline="top", dy=3)
    chart = alt.layer(bars, zero, up.encode(**at_bar), down.encode(**at_bar))
    chart = chart.properties(height=HEIGHT)
    return configure(chart, lang)


def lead_vs_cycle(items: pd.DataFrame, lang: str, base_url: str) -> alt.TopLevelMixin:
    """Lead time against cycle time per item done, with the line where they are equal: the
    height of a point above that line is the time the item waited before work started."""
    data = jira_links(items, base_url)
    cycle_title, lead_title = t("flow.cycle_days", lang), t("flow.lead_days", lang)
    points = (
        alt.Chart(data)
        .mark_circle(size=55, opacity=0.75, color=PALETTE[0], cursor="pointer")
        .encode(
            x=alt.X("cycle_time_days:Q", title=cycle_title),
            y=alt.Y("lead_time_days:Q", title=lead_title),
            href=alt.Href("url:N"),
            tooltip=[
                *_item_tooltip(lang),
                alt.Tooltip("lead_time_days:Q", title=lead_title, format=",.1f"),
                alt.Tooltip("cycle_time_days:Q", title=cycle_title, format=",.1f"),
                alt.Tooltip("wait_days:Q", title=t("flow.wait_days", lang), format=",.1f"),
                alt.Tooltip("url:N", title=t("flow.link", lang)),
            ],
        )
        .properties(name="items")
    )
    # y = x from 0 to the longest lead time (never shorter than any cycle time)
    diagonal = (
        alt.Chart(data)
        .transform_aggregate(top="max(lead_time_days)")
        .mark_rule(strokeDash=DASH, color=TEXT_MUTED, strokeWidth=1.5)
        .encode(
            x=alt.X("top:Q"),
            y=alt.Y("top:Q"),
            x2=alt.X2(datum=0),
            y2=alt.Y2(datum=0),
        )
        .properties(name="no_wait")
    )
    label = _labels(
        alt.Chart(data).transform_aggregate(top="max(lead_time_days)"),
        {"x": "top:Q", "y": "top:Q", "text": alt.value(t("flow.no_wait_line", lang))},
        align="right",
        baseline="top",
        dx=-2,
        dy=6,
    )
    chart = alt.layer(points, diagonal, *label).properties(height=HEIGHT)
    return configure(chart, lang)
