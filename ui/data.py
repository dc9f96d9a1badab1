"""Cached calls into `metrics/`, keyed by the warehouse file's identity: a rerun that only changes
a widget is quick, and a swapped-in warehouse refreshes everything.

`TeamFlow` materializes a team's facts once per (warehouse, team, as_of); every aggregate a page
asks for is then one cached query over them.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from metrics.flow import Period, TeamFlow
from metrics.overview import Tile, baseline_period, headline, since_pilot
from ui.app import View, connection, load_config

T = TypeVar("T")


@st.cache_resource(max_entries=8, show_spinner=False)
def _team_flow(db: tuple[str, int], team_key: str, as_of: datetime) -> tuple[TeamFlow, Any]:
    cfg = load_config()
    flow = TeamFlow(connection(*db), cfg.team(team_key), cfg.timezone, as_of)
    return flow, threading.Lock()  # one cursor: sessions take turns


def flow(view: View, method: str, *args: Any, team: str | None = None) -> Any:
    """`TeamFlow.<method>(*args)` for the view's team (or `team`), cached."""
    return _cached(view.db, team or view.team.key, view.as_of, method, args)


def call(view: View, fn: Callable[..., T], *args: Any, team: str | None = None) -> T:
    """`fn(team_flow, *args)` for the view's team (or `team`), cached.

    `fn` is a module-level function in `metrics/` whose first argument is a `TeamFlow`.
    """
    return _cached(
        view.db, team or view.team.key, view.as_of, f"{fn.__module__}:{fn.__name__}", args
    )


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(db: tuple[str, int], team_key: str, as_of: datetime, target: str, args: tuple) -> Any:
    team_flow, lock = _team_flow(db, team_key, as_of)
    if ":" in target:
        module, name = target.split(":")
        fn = getattr(importlib.import_module(module), name)
    else:
        fn = getattr(TeamFlow, target)
    with lock:
        return fn(team_flow, *args)


@dataclass(frozen=True)
class Overview:
    tiles: list[Tile]
    baseline: Period
    throughput: pd.DataFrame  # [week, count] over the selected period
    lead_time_trend: pd.DataFrame  # [week, p50, p85, n], at least a year, from the baseline on
    since_pilot: tuple[Period, list[Tile]] | None  # what changed since the pilot started


def overview(view: View) -> Overview:
    return _overview(view.db, view.team.key, view.as_of, view.period)


@st.cache_data(max_entries=64, show_spinner=False)
def _overview(db: tuple[str, int], team_key: str, as_of: datetime, period: Period) -> Overview:
    team_flow, lock = _team_flow(db, team_key, as_of)
    cfg = load_config()
    baseline = baseline_period(cfg.team(team_key), as_of, cfg.timezone)
    trend = Period(min(baseline.start, period.start, period.end - timedelta(weeks=52)), period.end)
    with lock:
        return Overview(
            tiles=headline(team_flow, period, baseline),
            baseline=baseline,
            throughput=team_flow.throughput_weekly(period),
            lead_time_trend=team_flow.lead_time_weekly(trend),
            since_pilot=since_pilot(team_flow, cfg.timezone),
        )
