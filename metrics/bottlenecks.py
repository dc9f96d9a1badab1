"""Where work waits, ages and gets stuck: the coaches' view (METRICS.md sections 1 and 2).

Builds on `TeamFlow` (time in status, bottleneck candidate, aging, CFD) with the aggregates the
bottlenecks page needs on top: flow efficiency per week, the p50 band of the aging chart, blocked
time and items that moved backwards. Every number is SQL over the team's `item_facts`,
`team_intervals`, `flag_intervals` and `status_changes` (`metrics/sql/bottlenecks_*.sql`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from config import Team
from metrics.flow import AT_RISK_WINDOW_DAYS, Period, TeamFlow

STAGE_ORDER = ("backlog", "in_progress", "done")
MOVE_KINDS = ("reopened", "to_backlog", "earlier_step")


@dataclass(frozen=True)
class Band:
    """p50 cycle time of the items done in the at-risk window, and how many items that is."""

    p50: float | None
    n: int


@dataclass(frozen=True)
class Blocked:
    """Blocked time of the items done in a period."""

    items_done: int
    items_blocked: int  # items flagged at some moment of their cycle
    blocked_days: float
    cycle_days: float
    share: float | None  # Σ blocked / Σ cycle time; None without cycle time


def status_order(team: Team, statuses: Iterable[str]) -> list[str]:
    """In-progress statuses in workflow order: as the team's `workflow.in_progress` list names
    them (matched case-insensitively), then the others alphabetically.

    Every status the list names is included, also when `statuses` lacks it (an empty column on
    the aging chart says nothing waits there); a present status keeps the data's spelling.
    """
    present = {s.lower(): s for s in statuses if isinstance(s, str)}
    named = [present.get(name.lower(), name) for name in team.workflow.in_progress]
    known = {name.lower() for name in named}
    others = sorted((s for key, s in present.items() if key not in known), key=str.lower)
    return named + others


def flow_efficiency_weekly(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """[week, items, active_days, cycle_days, flow_efficiency] per ISO week of the period, over
    the items done that week; flow_efficiency is null for a week without cycle time."""
    return flow.query("bottlenecks_flow_efficiency_weekly", period)


def aging_band(flow: TeamFlow) -> Band:
    """p50 cycle time of the items done in the 84 days before `as_of`: the same items whose p85
    is the at-risk threshold of `TeamFlow.aging`."""
    row = flow.query("bottlenecks_aging_p50", window=AT_RISK_WINDOW_DAYS).iloc[0]
    return Band(None if pd.isna(row["p50"]) else float(row["p50"]), int(row["n"]))


def blocked_weekly(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """[week, blocked_days, items]: per ISO week, the days items were flagged during their cycle
    (start to done, or `as_of`), cut to the week and the period, and how many items."""
    return flow.query("bottlenecks_blocked_weekly", period)


def blocked_done(flow: TeamFlow, period: Period) -> Blocked:
    """Blocked time of the items done in the period (not discarded)."""
    row = flow.query("bottlenecks_blocked_done", period).iloc[0]
    share = row["share"]
    return Blocked(
        items_done=int(row["items_done"]),
        items_blocked=int(row["items_blocked"]),
        blocked_days=float(row["blocked_days"]),
        cycle_days=float(row["cycle_days"]),
        share=None if pd.isna(share) else float(share),
    )


def blocked_now(flow: TeamFlow) -> pd.DataFrame:
    """[key, summary, type, status, flagged_since, flagged_days]: items in progress that are
    flagged at `as_of`, flagged longest first."""
    return flow.query("bottlenecks_blocked_now")


def backward_moves(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """Status changes in the period that moved an item backwards, newest first:
    [key, summary, type, changed_at, week, from_status, to_status, from_stage, to_stage, kind,
    status_now], kind one of `MOVE_KINDS`."""
    return flow.query("bottlenecks_backward_moves", period)


def backward_weekly(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """[week, kind, count]: backward moves per ISO week of the period and kind, zero-filled."""
    moves = backward_moves(flow, period)
    monday = period.start - timedelta(days=period.start.weekday())
    weeks = pd.date_range(monday, period.last_day, freq="7D")
    counts = (
        moves.assign(week=pd.to_datetime(moves["week"]))
        .groupby(["week", "kind"])
        .size()
        .reindex(pd.MultiIndex.from_product([weeks, MOVE_KINDS], names=["week", "kind"]))
        .fillna(0)
        .astype(int)
    )
    return counts.rename("count").reset_index()


def backward_counts(flow: TeamFlow, period: Period) -> dict[str, int]:
    """How many backward moves of each kind the period had (every kind present)."""
    weekly = backward_weekly(flow, period)
    totals = weekly.groupby("kind")["count"].sum()
    return {kind: int(totals.get(kind, 0)) for kind in MOVE_KINDS}


def cfd_series(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """`TeamFlow.cfd_daily` as stackable series: [day, stage, status, count, order], every series
    on every day (zero where empty).

    Done counts the items done *since the period began*: the items that were done at the end of
    the day before it are left out, so the done band starts at zero and its slope is the
    delivery rate (otherwise years of finished work would flatten every other band). `order`
    stacks done at the bottom, then the in-progress statuses in workflow order, then the
    backlog on top.
    """
    eve = period.start - timedelta(days=1)
    cfd = flow.cfd_daily(Period(eve, period.end))
    if cfd.empty:
        return cfd.assign(order=pd.Series(dtype="int64"))
    day = pd.to_datetime(cfd["day"])
    done_before = int(cfd.loc[(day == pd.Timestamp(eve)) & (cfd["stage"] == "done"), "count"].sum())
    cfd = cfd[day > pd.Timestamp(eve)]
    if cfd.empty:
        return cfd.assign(order=pd.Series(dtype="int64"))
    in_progress = cfd.loc[cfd["stage"] == "in_progress", "status"].dropna().unique()
    ranks = {
        ("done", ""): 0,
        **{("in_progress", s): i + 1 for i, s in enumerate(status_order(flow.team, in_progress))},
    }
    ranks[("backlog", "")] = len(ranks)
    cfd = cfd.assign(status=cfd["status"].fillna(""))
    series = pd.MultiIndex.from_tuples(
        sorted({("done", ""), *zip(cfd["stage"], cfd["status"], strict=True)}, key=ranks.get),
        names=["stage", "status"],
    )
    wide = cfd.pivot_table(
        index="day", columns=["stage", "status"], values="count", aggfunc="sum", fill_value=0
    ).reindex(columns=series, fill_value=0)
    wide[("done", "")] -= done_before
    long = wide.stack(["stage", "status"], future_stack=True).rename("count").reset_index()
    long["count"] = long["count"].astype(int)
    long["order"] = pd.MultiIndex.from_frame(long[["stage", "status"]]).map(ranks).astype(int)
    return long.sort_values(["day", "order"], ignore_index=True)


def stage_totals(series: pd.DataFrame) -> dict[str, int]:
    """Items per stage on the last day of `cfd_series` (every stage present, zero if none)."""
    if series.empty:
        return dict.fromkeys(STAGE_ORDER, 0)
    last = series[series["day"] == series["day"].max()].groupby("stage")["count"].sum()
    return {stage: int(last.get(stage, 0)) for stage in STAGE_ORDER}
