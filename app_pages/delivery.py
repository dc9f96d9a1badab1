"""Levering / Delivery: the DORA metrics from GitLab (METRICS.md §3) against the baseline, the
weekly deployments with deployment days, and where a change's lead time goes."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_days, fmt_int, fmt_number, fmt_pct
from metrics.delivery import STAGES, Delivery, delivery
from metrics.flow import Period
from metrics.overview import Tile
from ui import charts_delivery, tiles
from ui.app import connection, load_config, page_view

view = page_view()
lang = view.lang
st.title(t("delivery.title", lang))

if view.team.gitlab is None:
    st.info(t("delivery.no_gitlab", lang))
    st.stop()


@st.cache_data(max_entries=64, show_spinner=False)
def _delivery(db: tuple[str, int], team_key: str, as_of: datetime, period: Period) -> Delivery:
    cfg = load_config()
    result = delivery(connection(*db), cfg, cfg.team(team_key), as_of, period)
    assert result is not None
    return result


facts = _delivery(view.db, view.team.key, view.as_of, view.period)


def _span(start, end) -> str:
    return t("delivery.span", lang, start=fmt_date(start, lang), end=fmt_date(end, lang))


st.write(
    t(
        "delivery.intro",
        lang,
        team=view.team.name,
        period=_span(view.period.start, view.last_day),
        baseline=_span(facts.baseline.start, facts.baseline.last_day),
    )
)


def value_text(tile: Tile) -> str:
    if tile.value is None:
        return t("delivery.too_few" if tile.key == "lead_p50" else "delivery.none", lang)
    if tile.key in ("lead_p50", "restore_p50"):
        return fmt_days(tile.value, lang)
    if tile.key == "failure_rate":
        return fmt_pct(tile.value, lang)
    return fmt_number(tile.value, lang)


p85 = facts.report["change_lead_time_days"]["p85"]
p85_text = fmt_days(p85, lang) if p85 is not None else t("delivery.too_few", lang)
for column, tile in zip(st.columns(len(facts.tiles)), facts.tiles, strict=True):
    change = tile.change_pct
    column.metric(
        t(f"delivery.{tile.key}", lang),
        value_text(tile),
        delta=tiles.delta_text(tile, lang),
        # colour says good or bad news, the arrow which way the number moved
        delta_color={True: "green", False: "red", None: "gray"}[tile.good_news],
        delta_arrow="off" if tile.unchanged else ("down" if change < 0 else "up"),
        help=t(f"delivery.{tile.key}_help", lang, p85=p85_text),
        border=True,
    )

st.subheader(t("delivery.weekly_heading", lang))
weekly = facts.weekly
if weekly["deployments"].sum() == 0:
    st.info(t("delivery.weekly_empty", lang))
else:
    st.caption(t("delivery.weekly_caption", lang))
    st.altair_chart(
        charts_delivery.weekly_deployments(weekly, lang),
        alt=t(
            "delivery.weekly_alt",
            lang,
            start=fmt_date(weekly["week"].min(), lang),
            end=fmt_date(weekly["week"].max(), lang),
            total=fmt_int(weekly["deployments"].sum(), lang),
            per_week=fmt_number(facts.report["per_week"], lang),
            days=fmt_int(weekly["deploy_days"].sum(), lang),
        ),
    )

st.subheader(t("delivery.stages_heading", lang))
stages = facts.stages
if stages["p50"].notna().sum() == 0:
    st.info(t("delivery.stages_empty", lang))
else:
    st.caption(t("delivery.stages_caption", lang))
    rows = []
    for label, part in stages.groupby("period", sort=False):
        if part["p50"].notna().any():
            values = dict(zip(part["stage"], part["p50"], strict=True))
            texts = {
                s: fmt_number(values[s], lang) if values[s] == values[s] else "–" for s in STAGES
            }
            rows.append(
                t(
                    "delivery.stages_alt_row",
                    lang,
                    label=t(f"delivery.label_{label}", lang),
                    **texts,
                )
            )
    st.altair_chart(
        charts_delivery.stage_bars(stages, lang),
        alt=t("delivery.stages_alt", lang, rows=" ".join(rows)),
    )

st.subheader(t("delivery.explain_heading", lang))
st.markdown(t("delivery.explain", lang))
