"""Knelpunten / Bottlenecks: for coaches, where work waits, what ages and what gets stuck."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_days, fmt_int, fmt_pct
from metrics import bottlenecks as m
from ui import charts_bottlenecks as charts
from ui import data
from ui.app import page_view

view = page_view()
lang = view.lang
period = view.period
tz = view.cfg.timezone
st.title(t("bottlenecks.title", lang))

if view.team.jira is None:
    st.info(t("app.no_jira", lang))
    st.stop()

BROWSE = view.cfg.sources[view.team.jira.source].url.rstrip("/") + "/browse/"
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>$])")


def md(text: object) -> str:
    """Data (a status name) inside a markdown sentence: every markdown character escaped."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def local_date(values: pd.Series) -> list[str]:
    return [fmt_date(v, lang) for v in pd.to_datetime(values, utc=True).dt.tz_convert(tz)]


def item_table(rows: pd.DataFrame, columns: dict[str, pd.Series | list], alt: str) -> None:
    """A list of items with a link to each in Jira; `columns` maps a message key to values."""
    table = pd.DataFrame({t("bottlenecks.item", lang): BROWSE + rows["key"].astype(str)})
    table[t("bottlenecks.summary", lang)] = rows["summary"].to_list()
    for name, values in columns.items():
        table[t(f"bottlenecks.{name}", lang)] = list(values)
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            t("bottlenecks.item", lang): st.column_config.LinkColumn(
                t("bottlenecks.item", lang), display_text=r"/browse/(.+)$", width="small"
            ),
        },
        alt=alt,
    )


period_text = t(
    "bottlenecks.period",
    lang,
    start=fmt_date(period.start, lang),
    end=fmt_date(view.last_day, lang),
)
st.write(t("bottlenecks.intro", lang, team=md(view.team.name), period=period_text))
items_done, _ = data.flow(view, "counts", period)

# -- 1. time in status -----------------------------------------------------------------------------
st.subheader(t("bottlenecks.tis_title", lang))
st.caption(t("bottlenecks.tis_help", lang))
tis = data.flow(view, "time_in_status", period)
bottleneck = data.flow(view, "bottleneck", period)
if tis.empty:
    st.info(t("bottlenecks.no_done", lang))
else:
    if bottleneck is not None:
        row = tis[tis["status"] == bottleneck].iloc[0]
        st.markdown(
            t(
                "bottlenecks.bottleneck",
                lang,
                status=md(bottleneck),
                share=fmt_pct(row["share"], lang),
                days=fmt_days(row["median_days"], lang),
            )
        )
    elif view.team.workflow.waiting:
        st.markdown(t("bottlenecks.no_bottleneck", lang))
    else:
        st.markdown(t("bottlenecks.no_waiting_config", lang))
    order = m.status_order(view.team, tis.loc[tis["stage"] == "in_progress", "status"])
    top = tis.iloc[0]  # largest share first
    st.altair_chart(
        charts.time_in_status(tis, order, bottleneck, lang),
        alt=t(
            "bottlenecks.tis_alt",
            lang,
            items=fmt_int(items_done, lang),
            status=top["status"],
            share=fmt_pct(top["share"], lang),
        ),
    )

# -- 2. flow efficiency ----------------------------------------------------------------------------
st.subheader(t("bottlenecks.fe_title", lang))
st.caption(t("bottlenecks.fe_help", lang))
fe_weekly = data.call(view, m.flow_efficiency_weekly, period)
fe_overall = data.flow(view, "flow_efficiency", period)
if fe_overall is None:
    st.info(t("bottlenecks.no_done", lang))
else:
    st.altair_chart(
        charts.flow_efficiency(fe_weekly, fe_overall, lang),
        alt=t(
            "bottlenecks.fe_alt",
            lang,
            start=fmt_date(fe_weekly["week"].min(), lang),
            end=fmt_date(fe_weekly["week"].max(), lang),
            value=fmt_pct(fe_overall, lang),
        ),
    )

# -- 3. aging work ---------------------------------------------------------------------------------
st.subheader(t("bottlenecks.aging_title", lang))
aging, p85 = data.flow(view, "aging")
band = data.call(view, m.aging_band)
st.caption(t("bottlenecks.aging_help", lang))
if aging.empty:
    st.info(t("bottlenecks.no_wip", lang))
else:
    at_risk = aging[aging["at_risk"]]
    if p85 is None:
        st.info(t("bottlenecks.too_few_bands", lang))
    else:
        st.markdown(
            t(
                "bottlenecks.bands",
                lang,
                n=fmt_int(band.n, lang),
                p50=fmt_days(band.p50, lang),
                p85=fmt_days(p85, lang),
            )
        )
    order = m.status_order(view.team, aging["status"])
    st.altair_chart(
        charts.aging(aging, order, band.p50, p85, tz, lang),
        alt=t(
            "bottlenecks.aging_alt",
            lang,
            n=fmt_int(len(aging), lang),
            at_risk=fmt_int(len(at_risk), lang),
            p85=fmt_days(p85, lang),
            oldest=fmt_days(aging["age_days"].max(), lang),
        ),
    )
    st.markdown("**" + t("bottlenecks.at_risk_title", lang) + "**")
    if p85 is None:
        pass  # no threshold, so no item is at risk; the sentence above says why
    elif at_risk.empty:
        st.success(
            t("bottlenecks.no_at_risk", lang, p85=fmt_days(p85, lang)),
            icon=":material/check_circle:",
        )
    else:
        item_table(
            at_risk,  # oldest first, as `TeamFlow.aging` gives them
            {
                "status": at_risk["status"],
                "age": [fmt_days(d, lang) for d in at_risk["age_days"]],
                "started": local_date(at_risk["started_at"]),
                "type": at_risk["type"],
            },
            alt=t("bottlenecks.at_risk_table_alt", lang, n=fmt_int(len(at_risk), lang)),
        )

# -- 4. cumulative flow ----------------------------------------------------------------------------
st.subheader(t("bottlenecks.cfd_title", lang))
st.caption(t("bottlenecks.cfd_help", lang))
cfd = data.call(view, m.cfd_series, period)
if cfd.empty:
    st.info(t("bottlenecks.no_cfd", lang))
else:
    names = cfd.drop_duplicates("order").set_index("order")
    labels = {
        int(order): (t(f"bottlenecks.cfd_{stage}", lang) if stage != "in_progress" else str(status))
        for order, stage, status in zip(names.index, names["stage"], names["status"], strict=True)
    }
    last = m.stage_totals(cfd)
    st.altair_chart(
        charts.cfd(cfd, labels, lang),
        alt=t(
            "bottlenecks.cfd_alt",
            lang,
            start=fmt_date(cfd["day"].min(), lang),
            end=fmt_date(cfd["day"].max(), lang),
            done=fmt_int(last["done"], lang),
            wip=fmt_int(last["in_progress"], lang),
            backlog=fmt_int(last["backlog"], lang),
        ),
    )

# -- 5. blocked time -------------------------------------------------------------------------------
st.subheader(t("bottlenecks.blocked_title", lang))
st.caption(t("bottlenecks.blocked_help", lang))
blocked = data.call(view, m.blocked_done, period)
blocked_weekly = data.call(view, m.blocked_weekly, period)
if blocked.items_done:
    st.markdown(
        t(
            "bottlenecks.blocked_summary",
            lang,
            done=fmt_int(blocked.items_done, lang),
            blocked=fmt_int(blocked.items_blocked, lang),
            days=fmt_days(blocked.blocked_days, lang),
            share=fmt_pct(blocked.share, lang, decimals=1),
        )
    )
if not (blocked_weekly["blocked_days"] > 0).any():
    st.info(t("bottlenecks.no_blocked", lang))
else:
    st.altair_chart(
        charts.blocked(blocked_weekly, lang),
        alt=t(
            "bottlenecks.blocked_alt",
            lang,
            start=fmt_date(blocked_weekly["week"].min(), lang),
            end=fmt_date(blocked_weekly["week"].max(), lang),
            done=fmt_int(blocked.items_done, lang),
            blocked=fmt_int(blocked.items_blocked, lang),
            days=fmt_days(blocked.blocked_days, lang),
        ),
    )
st.markdown("**" + t("bottlenecks.blocked_now_title", lang) + "**")
now = data.call(view, m.blocked_now)
if now.empty:
    st.success(t("bottlenecks.none_blocked_now", lang), icon=":material/check_circle:")
else:
    item_table(
        now,
        {
            "status": now["status"],
            "flagged_since": local_date(now["flagged_since"]),
            "flagged_for": [fmt_days(d, lang) for d in now["flagged_days"]],
        },
        alt=t("bottlenecks.blocked_now_alt", lang, n=fmt_int(len(now), lang)),
    )

# -- 6. backward moves -----------------------------------------------------------------------------
st.subheader(t("bottlenecks.back_title", lang))
st.caption(t("bottlenecks.back_help", lang))
moves = data.call(view, m.backward_moves, period)
if moves.empty:
    st.info(t("bottlenecks.no_moves", lang))
else:
    weekly = data.call(view, m.backward_weekly, period)
    totals = data.call(view, m.backward_counts, period)
    st.altair_chart(
        charts.backward(weekly, lang),
        alt=t(
            "bottlenecks.back_alt",
            lang,
            start=fmt_date(weekly["week"].min(), lang),
            end=fmt_date(weekly["week"].max(), lang),
            total=fmt_int(len(moves), lang),
            reopened=fmt_int(totals["reopened"], lang),
            to_backlog=fmt_int(totals["to_backlog"], lang),
            earlier=fmt_int(totals["earlier_step"], lang),
        ),
    )
    item_table(
        moves,  # newest first
        {
            "moved_on": local_date(moves["changed_at"]),
            "from": moves["from_status"],
            "to": moves["to_status"],
            "kind": [t(f"bottlenecks.move_{k}", lang) for k in moves["kind"]],
            "status_now": moves["status_now"],
        },
        alt=t("bottlenecks.moves_table_alt", lang, n=fmt_int(len(moves), lang)),
    )
