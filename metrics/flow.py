"""Flow metrics of METRICS.md sections 1–2, computed in DuckDB SQL.

`TeamFlow` materializes one team's staged status intervals and per-item facts at one `as_of` in
temporary tables of its own cursor; every period aggregate is then one SQL query over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from config import Team
from errors import KoersError
from metrics.queries import run, run_df
from store.warehouse import cursor

AT_RISK_WINDOW_DAYS = 84
SUMMARY_SQL = {"lead_time": "lead_time_summary", "cycle_time": "cycle_time_summary"}
STATS = ("p50", "p85", "p95", "mean", "n")


@dataclass(frozen=True)
class Period:
    """Half-open `[start, end)` in local dates of the team's time zone."""

    start: date
    end: date

    @classmethod
    def default(cls, as_of: datetime, tz: str) -> Period:
        """The last 12 full ISO weeks before `as_of` plus the current week to date."""
        return cls.last_weeks(as_of, tz, 12)

    @classmethod
    def last_weeks(cls, as_of: datetime, tz: str, weeks: int) -> Period:
        """The last `weeks` full ISO weeks before `as_of` plus the current week to date."""
        today = as_of.astimezone(ZoneInfo(tz)).date()
        monday = today - timedelta(days=today.weekday())
        return cls(monday - timedelta(weeks=weeks), today + timedelta(days=1))

    @classmethod
    def since(cls, start: date, as_of: datetime, tz: str) -> Period:
        """From `start` up to and including the day of `as_of`."""
        return cls(start, as_of.astimezone(ZoneInfo(tz)).date() + timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @classmethod
    def weeks_before(cls, end: date, weeks: int) -> Period:
        return cls(end - timedelta(weeks=weeks), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """The period's start and end as aware datetimes (local midnights)."""
        zone = ZoneInfo(tz)
        return datetime.combine(self.start, time(), zone), datetime.combine(self.end, time(), zone)


@dataclass(frozen=True)
class Summary:
    """p50/p85/p95/mean/n of a duration in days; None where undefined."""

    p50: float | None
    p85: float | None
    p95: float | None
    mean: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in STATS}


class TeamFlow:
    """One team's flow facts at one moment; the aggregates take a period."""

    def __init__(self, con: duckdb.DuckDBPyConnection, team: Team, tz: str, as_of: datetime):
        if team.jira is None:
            raise KoersError(
                f"team '{team.key}' has no Jira source configured ([teams.{team.key}.jira])"
            )
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        self.team = team
        self.tz = tz
        self.as_of = as_of
        self.con = cursor(con)  # temp tables are per cursor: TeamFlows never share them
        self._wip: dict[Period, pd.DataFrame] = {}
        wf = team.workflow
        self.params: dict[str, Any] = {
            "source": team.jira.source,
            "team": team.key,
            "as_of": as_of,
            "tz": tz,
            "backlog": [s.lower() for s in wf.backlog],
            "in_progress": [s.lower() for s in wf.in_progress],
            "waiting": [s.lower() for s in wf.waiting],
            "done": [s.lower() for s in wf.done],
            "discard": [s.lower() for s in wf.discard_resolutions],
        }
        run(self.con, "team_intervals", self.params)
        run(self.con, "item_facts", self.params)
        run(self.con, "macros", self.params)

    def query(self, name: str, period: Period | None = None, **extra: Any) -> pd.DataFrame:
        params = dict(self.params, **extra)
        if period is not None:
            start, end = period.bounds(self.tz)
            last_day = min(
                period.end - timedelta(days=1), self.as_of.astimezone(ZoneInfo(self.tz)).date()
            )
            params |= {
                "start": start,
                "end": end,
                "first_day": period.start,
                "last_day": last_day,
                "period_last": period.end - timedelta(days=1),
            }
        return run_df(self.con, name, params)

    # -- per item ---------------------------------------------------------------------------------

    def items(self) -> pd.DataFrame:
        """Every item the team's query matches, with its facts (ARCHITECTURE.md `items`)."""
        return self.query("items")

    def time_in_status_per_item(self) -> pd.DataFrame:
        """[key, status, days]: each item's total time per status, all intervals, to `as_of`."""
        return self.query("item_time_in_status")

    # -- period aggregates ------------------------------------------------------------------------

    def counts(self, period: Period) -> tuple[int, int]:
        """(items done, items discarded) in the period."""
        row = self.query("done_counts", period).iloc[0]
        return int(row["items_done"]), int(row["items_discarded"])

    def summary(self, period: Period, measure: str) -> Summary:
        """Percentiles of `lead_time` or `cycle_time` over items done in the period."""
        if measure not in SUMMARY_SQL:
            raise ValueError(measure)
        row = self.query(SUMMARY_SQL[measure], period).iloc[0]
        return Summary(*(_float(row[name]) for name in STATS[:4]), n=int(row["n"]))

    def throughput_weekly(self, period: Period) -> pd.DataFrame:
        """[week (Monday), count] for every ISO week overlapping the period, zero-filled."""
        return self.query("throughput_weekly", period)

    def lead_time_weekly(self, period: Period) -> pd.DataFrame:
        """[week, p50, p85, n] of lead time of items done per ISO week (for trend charts)."""
        return self.query("lead_time_weekly", period)

    def wip_daily(self, period: Period) -> pd.DataFrame:
        """[day, wip]: items in progress at the end of each day (at `as_of` for today)."""
        if period not in self._wip:  # the report's average and the chart use the same days
            self._wip[period] = self.query("wip_daily", period)
        return self._wip[period].copy()

    def wip_avg(self, period: Period) -> float | None:
        wip = self.wip_daily(period)
        return None if wip.empty else float(wip["wip"].mean())

    def cfd_daily(self, period: Period) -> pd.DataFrame:
        """[day, stage, status, count] at the end of each day; status only for in-progress."""
        return self.query("cfd_daily", period)

    def net_flow_weekly(self, period: Period) -> pd.DataFrame:
        """[week, started, done, net] per ISO week."""
        return self.query("net_flow_weekly", period)

    def time_in_status(self, period: Period) -> pd.DataFrame:
        """[status, stage, waiting, total_days, median_days, items, share] over the cycle time of
        the items done in the period, largest share first."""
        return self.query("time_in_status", period)

    def bottleneck(self, period: Period) -> str | None:
        """The waiting status with the largest share of cycle time, if any."""
        tis = self.time_in_status(period)
        waiting = tis[tis["waiting"] & (tis["total_days"] > 0)]
        return None if waiting.empty else str(waiting.iloc[0]["status"])

    def flow_efficiency(self, period: Period) -> float | None:
        return _float(self.query("flow_efficiency", period).iloc[0]["flow_efficiency"])

    def aging(self) -> tuple[pd.DataFrame, float | None]:
        """Items in progress at `as_of` with age and at-risk flag, and the p85 threshold used."""
        threshold = _float(
            self.query("at_risk_threshold", window=AT_RISK_WINDOW_DAYS).iloc[0]["p85"]
        )
        aging = self.query("aging", threshold=threshold)
        return aging, threshold

    def report(self, period: Period) -> dict[str, Any]:
        """The `flow` part of `report --format json` (ARCHITECTURE.md)."""
        done, discarded = self.counts(period)
        throughput = self.throughput_weekly(period)
        aging, _ = self.aging()
        return {
            "items_done": done,
            "items_discarded": discarded,
            "lead_time_days": self.summary(period, "lead_time").as_dict(),
            "cycle_time_days": self.summary(period, "cycle_time").as_dict(),
            "throughput_weekly": [
                {"week": pd.Timestamp(week).date().isoformat(), "count": int(count)}
                for week, count in zip(throughput["week"], throughput["count"], strict=True)
            ],
            "wip_avg": self.wip_avg(period),
            "flow_efficiency": self.flow_efficiency(period),
            "at_risk": sorted(aging.loc[aging["at_risk"], "key"].tolist()),
        }


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
