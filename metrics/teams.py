"""Every team side by side, each against its own baseline (the Teams page, for leaders).

Each team is compared with itself only: its baseline period (METRICS.md §5) against the time since
its pilot started, or, for a team without a pilot, against the period chosen in the sidebar.
Nothing here ranks teams; callers keep the config's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from config import Team
from metrics.flow import Period, TeamFlow
from metrics.overview import Tile, baseline_period, headline

# The measures shown per team, in this order.
MEASURES = ("lead_time_p50", "lead_time_p85", "throughput", "wip")


@dataclass(frozen=True)
class Periods:
    """The two periods a team is compared over."""

    baseline: Period
    since: Period
    since_kind: Literal["pilot", "selected"]  # since the pilot's start, or the chosen period


def periods(team: Team, as_of: datetime, tz: str, selected: Period) -> Periods:
    """Baseline and "since" period of one team: since `pilot_start` up to `as_of` for a pilot
    team, the selected period for a team without one."""
    baseline = baseline_period(team, as_of, tz)
    if team.pilot_start is not None:
        return Periods(baseline, Period.since(team.pilot_start, as_of, tz), "pilot")
    return Periods(baseline, selected, "selected")


@dataclass(frozen=True)
class Comparison:
    """One team's measures, baseline against since, and the sample sizes behind them."""

    tiles: dict[str, Tile]  # keyed by MEASURES, in that order
    done_baseline: int  # items done (not discarded) in the baseline period
    done_since: int  # … and in the "since" period

    def as_dict(self) -> dict[str, dict[str, float | bool | None]]:
        """{measure: {baseline, since, change_pct, good_news}}."""
        return {
            key: {
                "baseline": tile.baseline,
                "since": tile.value,
                "change_pct": tile.change_pct,
                "good_news": tile.good_news,
            }
            for key, tile in self.tiles.items()
        }


def compare(flow: TeamFlow, baseline: Period, since: Period) -> Comparison:
    """p50 and p85 lead time (lower is better), throughput per week (higher is better) and average
    WIP (lower is better) in `since`, each against `baseline`: the overview's headline numbers."""
    tiles = {tile.key: tile for tile in headline(flow, since, baseline) if tile.key in MEASURES}
    return Comparison(
        {key: tiles[key] for key in MEASURES}, flow.counts(baseline)[0], flow.counts(since)[0]
    )
