"""Numbers for the Doorstroom / Flow page that `TeamFlow` does not give directly.

Same definitions as METRICS.md §2: an item "done in the period" is in flow, not discarded, with
`done_at` in the period (and by `as_of`), exactly as the percentiles and counts of `TeamFlow`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.flow import Period, TeamFlow


def done_items(flow: TeamFlow, period: Period) -> pd.DataFrame:
    """The items done in the period, slowest first.

    Columns: key, summary, type, done_at (UTC), done_local (wall-clock time in the team's time
    zone, naive), done_day (local date), lead_time_days, cycle_time_days and wait_days (from
    created to the start of work: the part of the lead time before the cycle).
    """
    return flow.query("flowpage_done_items", period)


def throughput_median(flow: TeamFlow, period: Period) -> float | None:
    """Median of the weekly throughput over the ISO weeks that overlap the period (zero weeks
    included, partial weeks counting only their days inside the period); None without weeks."""
    weekly = flow.throughput_weekly(period)
    return None if weekly.empty else float(weekly["count"].median())


@dataclass(frozen=True)
class NetFlowTotals:
    """Items started and done in the period, and the weeks in which more started than finished."""

    started: int
    done: int
    weeks_more_started: int
    weeks_more_done: int

    @property
    def net(self) -> int:
        return self.started - self.done


def net_flow_totals(flow: TeamFlow, period: Period) -> NetFlowTotals:
    """Totals of `TeamFlow.net_flow_weekly` over the period."""
    weekly = flow.net_flow_weekly(period)
    return NetFlowTotals(
        started=int(weekly["started"].sum()),
        done=int(weekly["done"].sum()),
        weeks_more_started=int((weekly["net"] > 0).sum()),
        weeks_more_done=int((weekly["net"] < 0).sum()),
    )
