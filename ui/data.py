"""Cached calls into `metrics/`: keyed by the warehouse file's identity, so a rerun that only
changes a widget is quick and a swapped-in warehouse refreshes everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from metrics.flow import Period, TeamFlow
from metrics.overview import Tile, baseline_period, headline
from ui.app import View, connection, load_config


@dataclass(frozen=True)
class Overview:
    tiles: list[Tile]
    baseline: Period
    throughput: pd.DataFrame  # [week, count] over the selected period
    lead_time_trend: pd.DataFrame  # [week, p50, p85, n] from the baseline's start


def overview(view: View) -> Overview:
    return _overview(view.db, view.team.key, view.as_of, view.period)


@st.cache_data(max_entries=64, show_spinner=False)
def _overview(db: tuple[str, int], team_key: str, as_of: datetime, period: Period) -> Overview:
    cfg = load_config()
    team = cfg.team(team_key)
    flow = TeamFlow(connection(*db), team, cfg.timezone, as_of)
    baseline = baseline_period(team, as_of, cfg.timezone)
    trend = Period(min(baseline.start, period.start), period.end)
    if trend.start > period.end - timedelta(weeks=52):  # at least a year of trend when there is one
        trend = Period(period.end - timedelta(weeks=52), period.end)
    return Overview(
        tiles=headline(flow, period, baseline),
        baseline=baseline,
        throughput=flow.throughput_weekly(period),
        lead_time_trend=flow.lead_time_weekly(trend),
    )
