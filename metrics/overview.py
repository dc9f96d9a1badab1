"""The headline numbers of a team's overview, each compared with its baseline period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from config import Team
from metrics.flow import Period, TeamFlow

BASELINE_WITHOUT_PILOT_WEEKS = 12
RECENT_WEEKS = 8
# A change smaller than half a percent shows as "0 %": calling it better or worse would mislead.
NO_CHANGE = 0.005
# (ratio now ÷ before below which, the words for it); above the last: "more than doubled"
CHANGE_KINDS = (
    (0.5, "more_than_halved"),
    (0.6, "about_halved"),
    (0.95, "down"),
    (1.05, "same"),
    (1.8, "up"),
    (2.0, "about_doubled"),
)


@dataclass(frozen=True)
class Tile:
    """One headline number: its value now and in the baseline, and whether the change is good."""

    key: str
    value: float | None
    baseline: float | None
    better: Literal["lower", "higher"]

    @property
    def change_pct(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return (self.value - self.baseline) / abs(self.baseline)

    @property
    def unchanged(self) -> bool:
        """No comparison, or a change too small to show."""
        return self.change_pct is None or abs(self.change_pct) < NO_CHANGE

    @property
    def change_kind(self) -> str | None:
        """How a person would say the change, as a key: `more_than_halved` … `more_than_doubled`."""
        if self.value is None or not self.baseline:
            return None
        ratio = self.value / self.baseline
        for limit, kind in CHANGE_KINDS:
            if ratio < limit:
                return kind
        return "more_than_doubled"

    @property
    def good_news(self) -> bool | None:
        """True when the change points the good way, None when there is no change to judge."""
        if self.unchanged:
            return None
        return (self.change_pct < 0) == (self.better == "lower")


def baseline_period(team: Team, as_of: datetime, tz: str) -> Period:
    """METRICS.md §5: `baseline_weeks` before `pilot_start`; without one, the 12 weeks before the
    last 8."""
    if team.pilot_start is not None:
        return Period.weeks_before(team.pilot_start, team.baseline_weeks)
    recent_start = Period.default(as_of, tz).end - timedelta(weeks=RECENT_WEEKS)
    return Period.weeks_before(recent_start, BASELINE_WITHOUT_PILOT_WEEKS)


def per_week(items: int, period: Period) -> float:
    """METRICS.md: "per week" figures divide by the period's calendar days ÷ 7."""
    return items / (period.days / 7)


def since_pilot(flow: TeamFlow, tz: str) -> tuple[Period, list[Tile]] | None:
    """What changed since the pilot started: the headline numbers since `pilot_start` against
    the baseline. None for a team without a pilot start."""
    team = flow.team
    if team.pilot_start is None or team.pilot_start > flow.as_of.date():
        return None
    since = Period.since(team.pilot_start, flow.as_of, tz)
    return since, headline(flow, since, baseline_period(team, flow.as_of, tz))


def headline(flow: TeamFlow, period: Period, baseline: Period) -> list[Tile]:
    """Lead time p50 and p85, cycle time p50, throughput per week and WIP, now vs baseline."""
    now_lead, base_lead = flow.summary(period, "lead_time"), flow.summary(baseline, "lead_time")
    now_cycle, base_cycle = flow.summary(period, "cycle_time"), flow.summary(baseline, "cycle_time")
    return [
        Tile("lead_time_p50", now_lead.p50, base_lead.p50, "lower"),
        Tile("lead_time_p85", now_lead.p85, base_lead.p85, "lower"),
        Tile("cycle_time_p50", now_cycle.p50, base_cycle.p50, "lower"),
        Tile(
            "throughput",
            per_week(flow.counts(period)[0], period),
            per_week(flow.counts(baseline)[0], baseline),
            "higher",
        ),
        # fewer items at once means less waiting and switching (Little's law)
        Tile("wip", flow.wip_avg(period), flow.wip_avg(baseline), "lower"),
    ]
