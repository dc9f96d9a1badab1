"""What the Levering / Delivery page and `report` need on top of `metrics.dora`: a team's GitLab
project ids from its configured paths, the weekly deployments series, the lead time's stages and
the headline tiles against the baseline (METRICS.md §3 and §5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from config import Config, Team
from metrics.dora import TeamDelivery, jira_incidents
from metrics.flow import Period, TeamFlow
from metrics.overview import Tile, baseline_period
from metrics.queries import run_df

STAGES = ("coding", "pickup", "review", "deploy")


def project_ids(con: duckdb.DuckDBPyConnection, source: str, paths: list[str]) -> list[int]:
    """The ids of the projects at `paths` (a group path stands for its projects, subgroups too)."""
    rows = run_df(con, "delivery_projects", {"source": source, "paths": list(paths)})
    return [int(p) for p in rows["project_id"]]


def team_delivery(
    con: duckdb.DuckDBPyConnection,
    cfg: Config,
    team: Team,
    as_of: datetime,
    flow: TeamFlow | None = None,
) -> TeamDelivery | None:
    """The team's `TeamDelivery`: its GitLab projects and, when it names `incident_types`, the
    Jira incidents of its query (from `flow`, or a `TeamFlow` built here at `as_of`). None when
    it has neither GitLab nor Jira incident types: there is nothing to report then."""
    from_jira = bool(team.incident_types) and team.jira is not None
    if team.gitlab is None and not from_jira:
        return None
    incidents = None
    if from_jira:
        flow = flow if flow is not None else TeamFlow(con, team, cfg.timezone, as_of)
        incidents = jira_incidents(flow, team.incident_types)
    if team.gitlab is None:
        # no deployments to attribute to: the time to restore is all it can tell (METRICS §3)
        return TeamDelivery(con, None, [], None, cfg.timezone, as_of, jira_incidents=incidents)
    projects = project_ids(con, team.gitlab.source, team.gitlab.projects)
    return TeamDelivery(
        con,
        team.gitlab.source,
        projects,
        team.gitlab.production_environment,
        cfg.timezone,
        as_of,
        jira_incidents=incidents,
    )


def weekly_deployments(delivery: TeamDelivery, period: Period) -> pd.DataFrame:
    """[week (Monday), deployments, deploy_days] for every week the period touches."""
    frame = run_df(delivery.con, "delivery_weekly", delivery._period(period))
    frame["week"] = pd.to_datetime(frame["week"])
    return frame


def stage_medians(delivery: TeamDelivery, period: Period) -> pd.DataFrame:
    """[stage, p50, n]: the median days of each lead-time stage over the period's changes."""
    frame = run_df(delivery.con, "delivery_stages", delivery._period(period))
    frame = frame.set_index("stage").reindex(list(STAGES)).reset_index()
    frame["n"] = frame["n"].fillna(0).astype(int)
    return frame


TILE_KEYS = (
    ("per_week", "higher"),
    ("deploy_days", "higher"),
    ("lead_p50", "lower"),
    ("failure_rate", "lower"),
    ("restore_p50", "lower"),
)


def _tile_values(report: dict[str, Any]) -> dict[str, float | None]:
    return {
        "per_week": report["per_week"],
        "deploy_days": report["deploy_days_per_week_median"],
        "lead_p50": report["change_lead_time_days"]["p50"],
        "failure_rate": report["change_failure_rate"],
        "restore_p50": report["time_to_restore_days"]["p50"],
    }


def delivery_tiles(now: dict[str, Any], baseline: dict[str, Any]) -> list[Tile]:
    """The page's headline numbers from two `dora` reports: the period against the baseline."""
    values, before = _tile_values(now), _tile_values(baseline)
    return [Tile(key, values[key], before[key], better) for key, better in TILE_KEYS]


@dataclass(frozen=True)
class Delivery:
    period: Period
    baseline: Period
    report: dict[str, Any]  # the `dora` JSON of the period
    baseline_report: dict[str, Any]
    tiles: list[Tile]
    weekly: pd.DataFrame  # [week, deployments, deploy_days] over the period
    stages: pd.DataFrame  # [period ("baseline" | "period"), stage, p50, n]


def delivery(
    con: duckdb.DuckDBPyConnection, cfg: Config, team: Team, as_of: datetime, period: Period
) -> Delivery | None:
    """Everything the Delivery page shows for one team and period; None without GitLab (the
    page has nothing to show then: no deployments, no changes)."""
    if team.gitlab is None:
        return None
    facts = team_delivery(con, cfg, team, as_of)
    assert facts is not None
    baseline = baseline_period(team, as_of, cfg.timezone)
    now, before = facts.report(period), facts.report(baseline)
    stages = pd.concat(
        [
            stage_medians(facts, baseline).assign(period="baseline"),
            stage_medians(facts, period).assign(period="period"),
        ],
        ignore_index=True,
    )
    return Delivery(
        period=period,
        baseline=baseline,
        report=now,
        baseline_report=before,
        tiles=delivery_tiles(now, before),
        weekly=weekly_deployments(facts, period),
        stages=stages[["period", "stage", "p50", "n"]],
    )
