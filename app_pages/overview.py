"""Overzicht / Overview: the pilot team's headline numbers against its baseline, and two trends."""

from __future__ import annotations

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_int
from outcomes.store import OutcomesError
from ui import charts_overview, data, outcome_cards, tiles
from ui.app import page_view

view = page_view()
lang = view.lang
st.title(t("overview.title", lang))

# Outcomes first (issue 6): what the work should change, before how the work flows.
try:
    outcomes = outcome_cards.load(view)
except OutcomesError as exc:
    st.error(t("outcomes.file_error", lang, error=str(exc)), icon=":material/error:")
else:
    if outcomes.indicators:
        st.subheader(t("outcomes.overview_heading", lang))
        outcome_cards.render(outcomes, lang)
    else:
        st.info(t("outcomes.overview_empty", lang), icon=":material/flag:")

if view.team.jira is None:
    st.info(t("app.no_jira", lang))
    st.stop()

overview = data.overview(view)


def _span(start, end) -> str:
    return t("overview.period", lang, start=fmt_date(start, lang), end=fmt_date(end, lang))


period_text = _span(view.period.start, view.last_day)
baseline_text = _span(overview.baseline.start, overview.baseline.last_day)
key = "overview.intro" if view.team.pilot_start else "overview.intro_no_baseline"
st.write(t(key, lang, team=view.team.name, period=period_text, baseline=baseline_text))

tiles.render(overview.tiles, lang)

if overview.since_pilot is not None and view.team.pilot_start is not None:
    since, changes = overview.since_pilot
    st.subheader(t("overview.summary_heading", lang, date=fmt_date(view.team.pilot_start, lang)))
    sentences = [s for s in (tiles.summary_sentence(tile, lang) for tile in changes) if s]
    if sentences:
        st.markdown(t("overview.summary_intro", lang, baseline=baseline_text))
        st.markdown("\n".join(f"- {sentence}" for sentence in sentences))
    else:
        st.info(t("overview.summary_none", lang))

left, right = st.columns(2)
throughput = overview.throughput
with left:
    if throughput["count"].sum() == 0:
        st.info(t("overview.no_items", lang))
    else:
        st.altair_chart(
            charts_overview.throughput_bars(throughput, lang),
            alt=t(
                "overview.throughput_alt",
                lang,
                start=fmt_date(throughput["week"].min(), lang),
                end=fmt_date(throughput["week"].max(), lang),
                total=fmt_int(throughput["count"].sum(), lang),
            ),
        )
trend = overview.lead_time_trend
with right:
    if trend["p50"].notna().sum() == 0:
        st.info(t("overview.no_items", lang))
    else:
        st.altair_chart(
            charts_overview.lead_time_trend(trend, lang, view.team.pilot_start),
            alt=t(
                "overview.lead_time_alt",
                lang,
                start=fmt_date(trend["week"].min(), lang),
                end=fmt_date(trend["week"].max(), lang),
            ),
        )
