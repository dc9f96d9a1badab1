"""Doorstroom / Flow: how work moves through the team in the chosen period.

Cycle time per item (scatterplot, table, histogram), finished per week, work in progress, started
minus finished, and lead time against cycle time. Every number comes from `metrics/`.
"""

from __future__ import annotations

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_days, fmt_int, fmt_number
from metrics.flow_charts_data import done_items, net_flow_totals, throughput_median
from ui import charts_flow, data
from ui.app import page_view

MIN_ITEMS_FOR_PERCENTILES = 5  # below this the percentile lines get a warning

view = page_view()
lang = view.lang
st.title(t("flow.title", lang))

if view.team.jira is None:
    st.info(t("app.no_jira", lang))
    st.stop()

period = view.period
base_url = view.cfg.sources[view.team.jira.source].url
cycle = data.flow(view, "summary", period, "cycle_time")
lead = data.flow(view, "summary", period, "lead_time")
items = data.call(view, done_items, period)
start, end = fmt_date(period.start, lang), fmt_date(view.last_day, lang)

st.write(
    t(
        "flow.intro",
        lang,
        team=view.team.name,
        period=t("flow.period", lang, start=start, end=end),
        done=fmt_int(cycle.n, lang),
    )
)


def heading(name: str) -> None:
    st.subheader(t(f"flow.{name}_heading", lang))
    st.caption(t(f"flow.{name}_help", lang))


def percentiles() -> dict[str, str]:
    return {name: fmt_days(getattr(cycle, name), lang) for name in ("p50", "p85", "p95")}


def few_items_warning() -> None:
    if cycle.n < MIN_ITEMS_FOR_PERCENTILES:
        st.caption(t("flow.few_items", lang, n=fmt_int(cycle.n, lang)))


# 1. Cycle time of each finished item, and the list of them
heading("scatter")
if cycle.n == 0:
    st.info(t("flow.no_done", lang))
else:
    st.altair_chart(
        charts_flow.cycle_scatter(items, cycle, period, lang, base_url),
        alt=t(
            "flow.scatter_alt",
            lang,
            n=fmt_int(cycle.n, lang),
            start=start,
            end=end,
            **percentiles(),
        ),
    )
    few_items_warning()
    st.caption(t("flow.table_caption", lang))
    table = charts_flow.jira_links(items, base_url)[
        ["url", "summary", "done_day", "lead_time_days", "cycle_time_days"]
    ]
    st.dataframe(
        # Dutch formats on screen; the numbers underneath stay numbers, so sorting works
        table.style.format(
            {
                "done_day": lambda d: fmt_date(d, lang),
                "lead_time_days": lambda d: fmt_number(d, lang),
                "cycle_time_days": lambda d: fmt_number(d, lang),
            }
        ),
        column_config={
            "url": st.column_config.LinkColumn(
                t("flow.item", lang), display_text=r"/browse/([^/]+)$", width="small"
            ),
            "summary": st.column_config.TextColumn(t("flow.title_col", lang), width="large"),
            "done_day": st.column_config.DateColumn(t("flow.done_on", lang)),
            "lead_time_days": st.column_config.NumberColumn(t("flow.lead_days", lang)),
            "cycle_time_days": st.column_config.NumberColumn(t("flow.cycle_days", lang)),
        },
        hide_index=True,
        height=280,
    )

# 2. Histogram and 6. lead time against cycle time, side by side
left, right = st.columns(2, gap="large")
with left:
    heading("hist")
    if cycle.n == 0:
        st.info(t("flow.no_done", lang))
    else:
        st.altair_chart(
            charts_flow.cycle_histogram(items, cycle, lang),
            alt=t("flow.hist_alt", lang, n=fmt_int(cycle.n, lang), **percentiles()),
        )
        few_items_warning()
with right:
    heading("lead")
    if lead.n == 0:
        st.info(t("flow.no_done", lang))
    else:
        lead_p50, cycle_p50 = fmt_days(lead.p50, lang), fmt_days(cycle.p50, lang)
        st.altair_chart(
            charts_flow.lead_vs_cycle(items, lang, base_url),
            alt=t("flow.lead_alt", lang, n=fmt_int(lead.n, lang), lead=lead_p50, cycle=cycle_p50),
        )
        st.caption(t("flow.lead_summary", lang, lead=lead_p50, cycle=cycle_p50))

# 3. Finished per week and 4. work in progress
left, right = st.columns(2, gap="large")
with left:
    heading("throughput")
    weekly = data.flow(view, "throughput_weekly", period)
    median = data.call(view, throughput_median, period)
    done, _ = data.flow(view, "counts", period)
    if done == 0 or median is None:
        st.info(t("flow.no_done", lang))
    else:
        st.altair_chart(
            charts_flow.throughput_run(weekly, median, lang),
            alt=t(
                "flow.throughput_alt",
                lang,
                start=start,
                end=end,
                total=fmt_int(done, lang),
                median=charts_flow.count_text(median, lang),
            ),
        )
with right:
    heading("wip")
    wip = data.flow(view, "wip_daily", period)
    wip_avg = data.flow(view, "wip_avg", period)
    if not wip_avg:  # None, or no work in progress on any day
        st.info(t("flow.no_wip", lang))
    else:
        st.altair_chart(
            charts_flow.wip_line(wip, wip_avg, lang),
            alt=t("flow.wip_alt", lang, start=start, end=end, avg=fmt_number(wip_avg, lang)),
        )

# 5. Started minus finished per week
heading("net")
net = data.flow(view, "net_flow_weekly", period)
totals = data.call(view, net_flow_totals, period)
if totals.started == 0 and totals.done == 0:
    st.info(t("flow.no_flow", lang))
else:
    st.altair_chart(
        charts_flow.net_flow_bars(net, lang),
        alt=t(
            "flow.net_alt",
            lang,
            start=start,
            end=end,
            started=fmt_int(totals.started, lang),
            done=fmt_int(totals.done, lang),
            weeks_started=fmt_int(totals.weeks_more_started, lang),
            weeks_done=fmt_int(totals.weeks_more_done, lang),
        ),
    )
