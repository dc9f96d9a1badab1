"""Altair charts of the bottlenecks page: time in status, flow efficiency, aging work, the
cumulative flow diagram, blocked time and backward moves.

Colour is never the only cue: waiting statuses say so in their label and have a lighter,
dashed-outline bar; at-risk items are triangles as well as orange; every series has a legend in
words. Weeks arrive bucketed from SQL (ISO, Monday dates).
"""

from __future__ import annotations

import zlib

import altair as alt
import pandas as pd

from i18n import t
from i18n.formats import fmt_date, fmt_days, fmt_pct
from metrics.bottlenecks import MOVE_KINDS
from ui.charts import BAD, NEUTRAL, PALETTE, TEXT, configure, week_axis

ACTIVE = PALETTE[0]  # blue
WAITING = "#9CC7E8"  # the same blue, lighter: waiting is in progress but nobody works on it
OTHER = "#B8BEC6"  # backlog or done statuses inside a cycle (moved back, reopened)
DONE = PALETTE[2]  # bluish green
BACKLOG = "#D5D9DE"  # light grey: work not started is neither good nor bad, never red
# in-progress statuses of the CFD, in workflow order (no red, no grey: those mean other things)
IN_PROGRESS = ["#0072B2", "#56B4E9", "#CC79A7", "#E69F00", "#F0E442", "#000000"]
MOVE_COLOURS = {"reopened": PALETTE[1], "to_backlog": PALETTE[3], "earlier_step": "#56B4E9"}
BAND_P50 = "#E3F1EA"  # light green: half of the recent work was done within this age
BAND_P85 = "#FDF0D5"  # light yellow: up to the at-risk threshold
HEIGHT = 300
SMALL = 240  # blocked time and backward moves
DATE = "%-d %b %Y"


# a bar spans its whole ISO week (Monday to Monday), with a small gap on either side
WEEK_BAR = {"xOffset": 2, "x2Offset": -2}


def _weeks(weekly: pd.DataFrame) -> pd.DataFrame:
    week = pd.to_datetime(weekly["week"])
    return weekly.assign(week=week, week_end=week + pd.Timedelta(days=7))


def _tz_date(values: pd.Series, tz: str, lang: str) -> list[str]:
    return [fmt_date(v, lang) for v in pd.to_datetime(values, utc=True).dt.tz_convert(tz)]


def time_in_status(
    tis: pd.DataFrame, order: list[str], bottleneck: str | None, lang: str
) -> alt.TopLevelMixin:
    """Horizontal bars of each status's share of the cycle time, in workflow order.

    `order` gives the in-progress statuses in workflow order; backlog and done statuses (time an
    item spent there inside its cycle) follow. Bars say "waiting" in their label."""
    rank = {status: i for i, status in enumerate(order)}
    stage_rank = {"in_progress": 0, "backlog": 1, "done": 2}
    data = tis.assign(
        kind=[
            "waiting" if w else ("active" if s == "in_progress" else "other")
            for w, s in zip(tis["waiting"], tis["stage"], strict=True)
        ],
        sort=[
            (stage_rank.get(stage, 3), rank.get(status, len(rank)), status)
            for stage, status in zip(tis["stage"], tis["status"], strict=True)
        ],
    ).sort_values("sort")
    kinds = {k: t(f"bottlenecks.kind_{k}", lang) for k in ("active", "waiting", "other")}
    data = data.assign(
        label=[
            _status_label(status, kind == "waiting", status == bottleneck, lang)
            for status, kind in zip(data["status"], data["kind"], strict=True)
        ],
        kind_label=data["kind"].map(kinds),
        text=[
            t("bottlenecks.tis_bar", lang, share=fmt_pct(share, lang), days=fmt_days(days, lang))
            for share, days in zip(data["share"], data["median_days"], strict=True)
        ],
        total=[fmt_days(d, lang) for d in data["total_days"]],
    ).drop(columns="sort")
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=260))
    top = float(data["share"].max()) if len(data) else 1.0
    x = alt.X(
        "share:Q",
        title=t("bottlenecks.tis_x", lang),
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, min(1.0, top * 1.7) or 1.0]),
    )
    tooltip = [
        alt.Tooltip("status:N", title=t("bottlenecks.status", lang)),
        alt.Tooltip("kind_label:N", title=t("bottlenecks.kind", lang)),
        alt.Tooltip("share:Q", title=t("bottlenecks.tis_x", lang), format=".0%"),
        alt.Tooltip("total:N", title=t("bottlenecks.total_days", lang)),
        alt.Tooltip("text:N", title=t("bottlenecks.median_per_item", lang)),
        alt.Tooltip("items:Q", title=t("bottlenecks.items", lang)),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(strokeWidth=1.5, height={"band": 0.7})
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "kind_label:N",
                title=None,
                scale=alt.Scale(domain=list(kinds.values()), range=[ACTIVE, WAITING, OTHER]),
                legend=alt.Legend(orient="bottom"),
            ),
            # waiting bars also get a dashed outline, so the difference is not colour alone
            stroke=alt.condition(
                alt.datum.kind == "waiting", alt.value(ACTIVE), alt.value("transparent")
            ),
            strokeDash=alt.condition(
                alt.datum.kind == "waiting", alt.value([4, 2]), alt.value([1, 0])
            ),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=4, color=TEXT)
        .encode(x=x, y=y, text="text:N", tooltip=tooltip)
    )
    # the height holds the axis and the legend too (autosize fit): 36 px per bar plus those
    chart = alt.layer(bars, labels).properties(height=90 + 36 * len(data))
    return configure(chart, lang)


def _status_label(status: str, waiting: bool, bottleneck: bool, lang: str) -> str:
    notes = [t("bottlenecks.waiting_note", lang)] if waiting else []
    if bottleneck:
        notes.append(t("bottlenecks.bottleneck_note", lang))
    return f"{status} ({', '.join(notes)})" if notes else status


def flow_efficiency(weekly: pd.DataFrame, overall: float | None, lang: str) -> alt.TopLevelMixin:
    """Weekly flow efficiency as a line with points, and the period's value as a labelled rule."""
    data = weekly.assign(week=pd.to_datetime(weekly["week"]))
    x = alt.X("week:T", title=t("bottlenecks.week", lang), axis=week_axis(data["week"]))
    y = alt.Y(
        "flow_efficiency:Q",
        title=t("bottlenecks.fe_y", lang),
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    tooltip = [
        alt.Tooltip("week:T", title=t("bottlenecks.week", lang), format=DATE),
        alt.Tooltip("flow_efficiency:Q", title=t("bottlenecks.fe_y", lang), format=".0%"),
        alt.Tooltip("items:Q", title=t("bottlenecks.items_done", lang)),
        alt.Tooltip("active_days:Q", title=t("bottlenecks.active_days", lang), format=",.1f"),
        alt.Tooltip("cycle_days:Q", title=t("bottlenecks.cycle_days", lang), format=",.1f"),
    ]
    # the line breaks over weeks in which nothing was finished (no value, not zero)
    line = (
        alt.Chart(data)
        .mark_line(color=PALETTE[0], invalid="break-paths-show-domains")
        .encode(x=x, y=y)
    )
    points = (
        alt.Chart(data)
        .transform_filter("isValid(datum.flow_efficiency)")
        .mark_circle(color=PALETTE[0], opacity=1)
        .encode(
            x=x,
            y=y,
            # a week with many finished items weighs more than a week with one
            size=alt.Size(
                "items:Q",
                title=t("bottlenecks.items_done", lang),
                scale=alt.Scale(range=[30, 300]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tooltip,
        )
    )
    layers: list[alt.Chart] = [line, points]
    if overall is not None:
        rule_data = pd.DataFrame(
            {
                "value": [overall],
                "label": [t("bottlenecks.fe_rule", lang, value=fmt_pct(overall, lang))],
            }
        )
        rule = alt.Chart(rule_data).mark_rule(strokeDash=[6, 4], color=NEUTRAL).encode(y="value:Q")
        text = (
            alt.Chart(rule_data)
            .mark_text(align="right", baseline="bottom", dx=-4, dy=-4, color=TEXT)
            .encode(y="value:Q", x=alt.value("width"), text="label:N")
        )
        layers += [rule, text]
    return configure(alt.layer(*layers).properties(height=HEIGHT), lang)


def aging(
    items: pd.DataFrame,
    order: list[str],
    p50: float | None,
    p85: float | None,
    tz: str,
    lang: str,
) -> alt.TopLevelMixin:
    """Items in progress by status (workflow order) and age, with the p50 and p85 cycle-time
    bands of recent work; at-risk items are orange triangles, the others blue circles."""
    risk = {True: t("bottlenecks.at_risk_label", lang), False: t("bottlenecks.on_time_label", lang)}
    data = items.assign(
        risk=items["at_risk"].map(risk),
        # a fixed spread per item (not random) so the chart looks the same on every run
        jitter=[zlib.crc32(str(k).encode()) % 1000 / 1000 for k in items["key"]],
        started=_tz_date(items["started_at"], tz, lang),
        age=[fmt_days(d, lang) for d in items["age_days"]],
    ).drop(columns=["started_at"])
    top = max([float(data["age_days"].max()) if len(data) else 0.0, p85 or 0.0, 1.0]) * 1.08
    y_scale = alt.Scale(domain=[0, top], nice=False)
    y_title = t("bottlenecks.age_y", lang)
    layers: list[alt.Chart] = []
    if p50 is not None and p85 is not None:
        bands = pd.DataFrame(
            {
                "from": [0.0, p50],
                "to": [p50, p85],
                "band": ["p50", "p85"],
                "label": [
                    t("bottlenecks.p50_label", lang, days=fmt_days(p50, lang)),
                    t("bottlenecks.p85_label", lang, days=fmt_days(p85, lang)),
                ],
            }
        )
        for band, fill in (("p50", BAND_P50), ("p85", BAND_P85)):
            # a constant fill per band: a colour encoding would share its scale with the points
            layers.append(
                alt.Chart(bands[bands["band"] == band])
                .mark_rect(color=fill)
                .encode(y=alt.Y("from:Q", scale=y_scale, title=y_title), y2="to:Q")
            )
        layers.append(
            alt.Chart(bands)
            .mark_rule(strokeDash=[6, 4], color=NEUTRAL)
            .encode(y=alt.Y("to:Q", scale=y_scale, title=y_title))
        )
        layers.append(
            alt.Chart(bands)
            .mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=TEXT)
            .encode(y=alt.Y("to:Q", scale=y_scale, title=y_title), x=alt.value(0), text="label:N")
        )
    points = (
        alt.Chart(data)
        .mark_point(filled=True, opacity=0.9, stroke="white", strokeWidth=0.8)
        .encode(
            x=alt.X(
                "status:N",
                sort=order,
                scale=alt.Scale(domain=order),
                title=t("bottlenecks.status", lang),
                axis=alt.Axis(labelAngle=0, labelLimit=160),
            ),
            xOffset=alt.XOffset("jitter:Q", scale=alt.Scale(domain=[-0.6, 1.6])),
            y=alt.Y("age_days:Q", scale=y_scale, title=y_title),
            color=alt.Color(
                "risk:N",
                title=None,
                scale=alt.Scale(domain=[risk[False], risk[True]], range=[PALETTE[0], BAD]),
                legend=alt.Legend(orient="bottom", labelLimit=320),
            ),
            shape=alt.Shape(
                "risk:N",
                title=None,
                scale=alt.Scale(domain=[risk[False], risk[True]], range=["circle", "triangle-up"]),
                legend=alt.Legend(orient="bottom", labelLimit=320),
            ),
            # Vega's triangle covers less area than its circle: draw it larger to match
            size=alt.Size(
                "risk:N",
                title=None,
                scale=alt.Scale(domain=[risk[False], risk[True]], range=[90, 170]),
                legend=alt.Legend(orient="bottom", labelLimit=320),
            ),
            tooltip=[
                alt.Tooltip("key:N", title=t("bottlenecks.item", lang)),
                alt.Tooltip("summary:N", title=t("bottlenecks.summary", lang)),
                alt.Tooltip("status:N", title=t("bottlenecks.status", lang)),
                alt.Tooltip("age:N", title=t("bottlenecks.age", lang)),
                alt.Tooltip("started:N", title=t("bottlenecks.started", lang)),
                alt.Tooltip("risk:N", title=t("bottlenecks.risk", lang)),
            ],
        )
    )
    layers.append(points)
    chart = alt.layer(*layers).properties(height=380)
    return configure(chart, lang)


def cfd(series: pd.DataFrame, labels: dict[int, str], lang: str) -> alt.TopLevelMixin:
    """Stacked areas per day: done at the bottom, in-progress statuses in workflow order, the
    backlog on top. `labels` names each series by its `order`; the legend lists them top down."""
    data = series.assign(day=pd.to_datetime(series["day"]), series=series["order"].map(labels))
    stages = series.drop_duplicates("order").set_index("order")["stage"].sort_index()
    in_progress = iter(IN_PROGRESS * 2)
    colours = {
        order: DONE if stage == "done" else BACKLOG if stage == "backlog" else next(in_progress)
        for order, stage in stages.items()
    }
    top_down = list(reversed(stages.index))
    chart = (
        alt.Chart(data)
        .mark_area(line={"color": "white", "strokeWidth": 0.5}, interpolate="step-after")
        .encode(
            x=alt.X("day:T", title=t("bottlenecks.day", lang), axis=alt.Axis(format="%-d %b")),
            y=alt.Y("count:Q", stack="zero", title=t("bottlenecks.items", lang)),
            color=alt.Color(
                "series:N",
                title=None,
                sort=[labels[r] for r in top_down],
                scale=alt.Scale(
                    domain=[labels[r] for r in top_down], range=[colours[r] for r in top_down]
                ),
                legend=alt.Legend(orient="right", labelLimit=220),
            ),
            order=alt.Order("order:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip("day:T", title=t("bottlenecks.day", lang), format=DATE),
                alt.Tooltip("series:N", title=t("bottlenecks.series", lang)),
                alt.Tooltip("count:Q", title=t("bottlenecks.items", lang)),
            ],
        )
        .properties(height=360)
    )
    return configure(chart, lang)


def blocked(weekly: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Days of flagged work per ISO week."""
    data = _weeks(weekly)
    chart = (
        alt.Chart(data)
        .mark_bar(color=PALETTE[3], **WEEK_BAR)
        .encode(
            x=alt.X("week:T", title=t("bottlenecks.week", lang), axis=week_axis(data["week"])),
            x2="week_end:T",
            y=alt.Y("blocked_days:Q", title=t("bottlenecks.blocked_y", lang)),
            y2=alt.datum(0),
            tooltip=[
                alt.Tooltip("week:T", title=t("bottlenecks.week", lang), format=DATE),
                alt.Tooltip(
                    "blocked_days:Q", title=t("bottlenecks.blocked_y", lang), format=",.1f"
                ),
                alt.Tooltip("items:Q", title=t("bottlenecks.items", lang)),
            ],
        )
        .properties(height=SMALL)
    )
    return configure(chart, lang)


def backward(weekly: pd.DataFrame, lang: str) -> alt.TopLevelMixin:
    """Backward moves per ISO week, stacked by kind (colour and legend in words)."""
    names = {k: t(f"bottlenecks.move_{k}", lang) for k in MOVE_KINDS}
    rank = {k: i for i, k in enumerate(MOVE_KINDS)}
    data = _weeks(weekly).assign(
        kind_label=weekly["kind"].map(names), kind_rank=weekly["kind"].map(rank)
    )
    chart = (
        alt.Chart(data)
        # stacked in the spec, because a bar that spans its week (x to x2) is not stacked for us
        .transform_stack(
            as_=["y0", "y1"], stack="count", groupby=["week"], sort=[{"field": "kind_rank"}]
        )
        .mark_bar(**WEEK_BAR)
        .encode(
            x=alt.X("week:T", title=t("bottlenecks.week", lang), axis=week_axis(data["week"])),
            x2="week_end:T",
            y=alt.Y("y0:Q", title=t("bottlenecks.moves_y", lang), axis=alt.Axis(tickMinStep=1)),
            y2="y1:Q",
            color=alt.Color(
                "kind_label:N",
                title=None,
                scale=alt.Scale(
                    domain=[names[k] for k in MOVE_KINDS],
                    range=[MOVE_COLOURS[k] for k in MOVE_KINDS],
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("week:T", title=t("bottlenecks.week", lang), format=DATE),
                alt.Tooltip("kind_label:N", title=t("bottlenecks.kind", lang)),
                alt.Tooltip("count:Q", title=t("bottlenecks.moves_y", lang)),
            ],
        )
        .properties(height=SMALL)
    )
    return configure(chart, lang)
