"""The Teams page's table and small multiples: every team against its own baseline.

Teams stay in the config's order; nothing is sorted by performance.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler

from config import Team
from i18n import t
from i18n.formats import fmt_days, fmt_delta_pct, fmt_number
from metrics.overview import Tile
from metrics.teams import MEASURES, Comparison, Periods
from ui.charts import NEUTRAL, PALETTE, TEXT, configure

DAY_MEASURES = {"lead_time_p50", "lead_time_p85"}
UNITS = {
    "lead_time_p50": "unit_days",
    "lead_time_p85": "unit_days",
    "throughput": "unit_per_week",
    "wip": "unit_items",
}
# The baseline bar is grey; the bar after it is blue for a pilot (since its start) and reddish
# purple for another team (the chosen period): the pilot stands out, and the labels say the same.
PHASE_COLOURS = {"baseline": NEUTRAL, "pilot": PALETTE[0], "selected": PALETTE[3]}
# Good/bad news as *text* needs 4.5:1 on white: the darker green and red of the tiles' deltas
# (.streamlit/config.toml greenTextColor/redTextColor), with the word beside them.
TEXT_GOOD = "#1A7F37"
TEXT_BAD = "#B42318"
CHANGE_COLOURS = {True: TEXT_GOOD, False: TEXT_BAD, None: NEUTRAL}
PANEL_WIDTH = 128
PANEL_HEIGHT = 130
HEADROOM = 1.3  # the y scale runs to 1.3 × the largest value: room for the change text


@dataclass(frozen=True)
class TeamRow:
    """One team on the page: who, over which periods, and its numbers."""

    team: Team
    periods: Periods
    comparison: Comparison


def team_label(team: Team, lang: str, sep: str = " ") -> str:
    """The team's name, a pilot marked as one in words (never by colour only)."""
    return f"{team.name}{sep}({t('app.pilot_badge', lang)})" if team.pilot_start else team.name


def value_text(measure: str, value: float | None, lang: str) -> str:
    if value is None:
        return t("teams.too_few", lang)
    return fmt_days(value, lang) if measure in DAY_MEASURES else fmt_number(value, lang)


def change_text(tile: Tile, lang: str) -> str:
    """The change in numbers and, in words, whether it is good news: "−68 % (beter)"."""
    if tile.change_pct is None:
        return t("teams.no_change", lang)
    word = {True: "better", False: "worse", None: "same"}[tile.good_news]
    return t(
        "tiles.vs_baseline",
        lang,
        change=fmt_delta_pct(tile.change_pct, lang),
        word=t(f"tiles.{word}", lang),
    )


def table(rows: list[TeamRow], lang: str) -> Styler:
    """One line per team and measure (teams in config order), styled: the change in green or
    red (with the word beside it) and the pilot's lines shaded."""
    records = [
        {
            "team": team_label(row.team, lang),
            "measure": t(f"tiles.{measure}", lang),
            "baseline": value_text(measure, tile.baseline, lang),
            "since": value_text(measure, tile.value, lang),
            "change": change_text(tile, lang),
            "_good": tile.good_news,
            "_pilot": row.team.pilot_start is not None,
        }
        for row in rows
        for measure, tile in row.comparison.tiles.items()
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["team", "measure", "baseline", "since", "change", "_good", "_pilot"]
    )
    shown = frame.drop(columns=["_good", "_pilot"])

    def shade(line: pd.Series) -> list[str]:
        pilot = "background-color: #EAF1F8" if frame.at[line.name, "_pilot"] else ""
        return [pilot] * len(line)

    def colour(column: pd.Series) -> list[str]:
        good = frame.loc[column.index, "_good"]
        return [
            f"color: {CHANGE_COLOURS[g]}; font-weight: 600" if g is not None else "" for g in good
        ]

    return shown.style.apply(shade, axis=1).apply(colour, subset=["change"])


def chart_frame(rows: list[TeamRow], lang: str) -> pd.DataFrame:
    """Two bars per team and measure: [team, team_name, measure, measure_name, phase, role,
    value, label, change, good] ("|" in `team` breaks the row header into two lines)."""
    records = []
    for row in rows:
        role = row.periods.since_kind
        for measure, tile in row.comparison.tiles.items():
            for phase_role, value in (("baseline", tile.baseline), (role, tile.value)):
                records.append(
                    {
                        "team": team_label(row.team, lang, sep="|"),
                        "team_name": team_label(row.team, lang),
                        "measure": measure,
                        "measure_name": t(f"tiles.{measure}", lang),
                        "phase": t(f"teams.phase_{phase_role}", lang),
                        "role": phase_role,
                        "value": value,
                        "label": fmt_number(value, lang) if value is not None else "–",
                        "change": change_text(tile, lang) if phase_role != "baseline" else "",
                        "good": {True: "good", False: "bad", None: "same"}[tile.good_news],
                    }
                )
    return pd.DataFrame.from_records(records)


def small_multiples(rows: list[TeamRow], lang: str) -> alt.TopLevelMixin:
    """A grid: one row per team (config order), one column per measure; each panel the baseline
    bar next to the bar after it, with the values on the bars and the change in words above.

    Every panel of one measure has the same y scale (from 0 to that measure's largest value over
    all teams), so a taller bar means a larger number across teams too.
    """
    data = chart_frame(rows, lang)
    teams = list(dict.fromkeys(data["team"]))
    roles = list(dict.fromkeys(data["role"]))
    phases = [t(f"teams.phase_{role}", lang) for role in roles]
    # Two-line headers ("|" splits them), so names stay whole in narrow panels.
    headers = {m: f"{t(f'tiles.{m}', lang)}|{t(f'teams.{UNITS[m]}', lang)}" for m in MEASURES}
    data = data.assign(
        header=data["measure"].map(headers),
        top=data.groupby("measure")["value"].transform("max") * HEADROOM,
    )
    x = alt.X(
        "phase:N",
        title=None,
        sort=phases,
        # one word a line: "Gekozen / periode" fits under its bar
        axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')"),
    )
    y = alt.Y("value:Q", title=None, axis=alt.Axis(tickCount=4, format="~s"))
    base = alt.Chart()
    bars = base.mark_bar(width=36).encode(
        x=x,
        y=y,
        color=alt.Color(
            "phase:N",
            title=t("teams.legend", lang),
            scale=alt.Scale(domain=phases, range=[PHASE_COLOURS[r] for r in roles]),
            legend=alt.Legend(orient="bottom", direction="horizontal"),
        ),
        tooltip=[
            alt.Tooltip("team_name:N", title=t("teams.col_team", lang)),
            alt.Tooltip("measure_name:N", title=t("teams.col_measure", lang)),
            alt.Tooltip("phase:N", title=t("teams.legend", lang)),
            alt.Tooltip("label:N", title=t("teams.col_value", lang)),
        ],
    )
    labels = base.mark_text(dy=-4, baseline="bottom", color=TEXT).encode(x=x, y=y, text="label:N")
    # The same top for every panel of a measure: an invisible point a third above the measure's
    # maximum over all teams (each panel has its own scale, so the facet needs none per column);
    # the room above the bars is for the change in words.
    top = base.mark_point(opacity=0).encode(y=alt.Y("top:Q"), x=alt.value(0))
    # The change in words, top right, in the colour of its news.
    news = (
        alt.when(alt.datum.good == "good")
        .then(alt.value(TEXT_GOOD))
        .when(alt.datum.good == "bad")
        .then(alt.value(TEXT_BAD))
        .otherwise(alt.value(NEUTRAL))
    )
    change = (
        base.transform_filter(alt.datum.change != "")
        .mark_text(align="right", baseline="top", fontWeight="bold")
        .encode(x=alt.value(PANEL_WIDTH), y=alt.value(0), text="change:N", color=news)
    )
    chart = (
        alt.layer(bars, labels, top, change)
        .properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)
        .facet(
            data=data,
            row=alt.Row(
                "team:N",
                sort=teams,
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelFontWeight="bold",
                    labelExpr="split(datum.value, '|')",
                ),
            ),
            column=alt.Column(
                "header:N",
                sort=[headers[m] for m in MEASURES],
                title=None,
                header=alt.Header(labelFontWeight="bold", labelExpr="split(datum.value, '|')"),
            ),
            spacing={"row": 36, "column": 28},
        )
        .resolve_scale(y="independent", x="independent")
        .properties(title=t("teams.chart_title", lang))
    )
    return configure(chart, lang)


def alt_text(rows: list[TeamRow], lang: str) -> str:
    """One sentence with each team's lead time, throughput and WIP, before and after."""

    def values(measure: str, row: TeamRow) -> tuple[str, str]:
        tile = row.comparison.tiles[measure]
        return value_text(measure, tile.baseline, lang), value_text(measure, tile.value, lang)

    parts = []
    for row in rows:
        (lead_b, lead_s), (tp_b, tp_s), (wip_b, wip_s) = (
            values(m, row) for m in ("lead_time_p50", "throughput", "wip")
        )
        parts.append(
            t(
                "teams.alt_team",
                lang,
                team=row.team.name,
                lead_before=lead_b,
                lead_since=lead_s,
                tp_before=tp_b,
                tp_since=tp_s,
                wip_before=wip_b,
                wip_since=wip_s,
            )
        )
    return t("teams.chart_alt", lang, teams=t("teams.alt_join", lang).join(parts))
