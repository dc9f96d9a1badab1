"""Teams: for leaders, every team side by side against its own baseline, the pilot highlighted.

Small multiples, not a ranking: one row per team in the config's order.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_int
from metrics import teams
from metrics.flow import Period
from ui import charts_teams, data
from ui.app import page_view
from ui.charts_teams import TeamRow

view = page_view()
lang = view.lang
st.title(t("teams.title", lang))
st.write(t("teams.intro", lang))


TODAY = view.as_of.astimezone(ZoneInfo(view.cfg.timezone)).date()


def _span(period: Period) -> str:
    last = min(period.last_day, TODAY)  # a period that runs on is shown up to today
    return t("teams.span", lang, start=fmt_date(period.start, lang), end=fmt_date(last, lang))


rows: list[TeamRow] = []
for key, team in view.cfg.teams.items():
    if team.jira is None:
        st.info(t("teams.no_jira", lang, team=team.name), icon=":material/info:")
        continue
    periods = teams.periods(team, view.as_of, view.cfg.timezone, view.period)
    comparison = data.call(view, teams.compare, periods.baseline, periods.since, team=key)
    rows.append(TeamRow(team, periods, comparison))

if not rows:
    st.info(t("teams.no_teams", lang))
    st.stop()

for row in rows:
    st.markdown(
        t(
            f"teams.periods_{row.periods.since_kind}",
            lang,
            team=row.team.name,
            badge=t("app.pilot_badge", lang),
            baseline=_span(row.periods.baseline),
            since=_span(row.periods.since),
            before=fmt_int(row.comparison.done_baseline, lang),
            after=fmt_int(row.comparison.done_since, lang),
        )
    )

st.dataframe(
    charts_teams.table(rows, lang),
    hide_index=True,
    column_config={
        "team": st.column_config.TextColumn(t("teams.col_team", lang)),
        "measure": st.column_config.TextColumn(t("teams.col_measure", lang)),
        "baseline": st.column_config.TextColumn(t("teams.col_baseline", lang)),
        "since": st.column_config.TextColumn(
            t("teams.col_since", lang), help=t("teams.col_since_help", lang)
        ),
        "change": st.column_config.TextColumn(
            t("teams.col_change", lang), help=t("teams.col_change_help", lang)
        ),
    },
)
st.caption(t("teams.direction", lang))

st.altair_chart(
    charts_teams.small_multiples(rows, lang),
    alt=charts_teams.alt_text(rows, lang),
    width="content",
)

with st.expander(t("teams.help_heading", lang)):
    for measure in teams.MEASURES:
        help_text = t(f"tiles.{measure}_help", lang)
        if measure in charts_teams.DAY_MEASURES:
            help_text += " " + t("tiles.exact_help", lang)
        st.markdown(f"**{t(f'tiles.{measure}', lang)}**: {help_text}")
