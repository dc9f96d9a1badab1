"""Delivery (DORA) metrics of METRICS.md section 3, computed in DuckDB SQL over the GitLab domain
tables (`deployments`, `merge_requests`, `deployment_merge_requests`, `incidents`) and the team's
Jira incidents (items of its `incident_types`).

`TeamDelivery` materializes one team's production deployments, deployed changes and attributed
incidents at one `as_of` in temporary tables of its own cursor; a period's figures are then one
SQL query over them. Which deployments are production is decided here, not at normalize, because
rule (b) depends on the team's `production_environment`.

Jira incidents come from the team's `TeamFlow` (`jira_incidents`), so their `done_at` and
`discarded` are the flow's own (METRICS.md §1); they are handed over as a small frame because
temporary tables do not cross cursors. A team with Jira incident types but no GitLab has no
deployments to count: its report gives only the time to restore (see `TeamDelivery.report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from metrics.flow import Period, TeamFlow
from metrics.queries import run, run_df
from store.warehouse import cursor

# What `jira_incidents` gives and `TeamDelivery` takes (metrics/sql/dora_jira_table.sql).
JIRA_INCIDENT_COLUMNS = (
    "source",
    "item_id",
    "key",
    "title",
    "created_at",
    "done_at",
    "discarded",
    "changelog_complete",
)


def jira_incidents(flow: TeamFlow, incident_types: Sequence[str]) -> pd.DataFrame:
    """The team's Jira items whose issue type is one of `incident_types` (case-insensitive),
    created by the flow's `as_of`, with their §1 facts (`JIRA_INCIDENT_COLUMNS`)."""
    return flow.query("dora_jira_incidents", incident_types=[t.lower() for t in incident_types])


class TeamDelivery:
    """One team's delivery facts at one moment; the figures take a period.

    `source` is the team's GitLab source, None for a team without GitLab (then only
    `jira_incidents`, a frame from `jira_incidents()`, can give it figures).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: str | None,
        projects: list[int],
        production_environment: str | None,
        tz: str,
        as_of: datetime,
        jira_incidents: pd.DataFrame | None = None,
    ):
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        self.tz = tz
        self.as_of = as_of
        self.gitlab = source is not None
        self.con = cursor(con)  # temp tables are per cursor
        self.params: dict[str, Any] = {
            "source": source,
            "projects": [int(p) for p in projects],
            "production_environment": production_environment,
            "as_of": as_of,
            "tz": tz,
        }
        rows = jira_incidents if jira_incidents is not None else pd.DataFrame()
        rows = rows.reindex(columns=list(JIRA_INCIDENT_COLUMNS))
        self.con.register("_jira_incident_rows", rows)
        try:
            run(self.con, "dora_jira_table", {})
        finally:
            self.con.unregister("_jira_incident_rows")
        run(self.con, "dora_deployments", self.params)
        run(self.con, "dora_changes", self.params)
        run(self.con, "dora_incidents", self.params)

    def _period(self, period: Period) -> dict[str, Any]:
        start, end = period.bounds(self.tz)
        return dict(
            self.params,
            start=start,
            end=end,
            first_day=period.start,
            period_last=period.end - timedelta(days=1),
            weeks=period.days / 7,
        )

    def deployments(self) -> pd.DataFrame:
        """The team's production deployments up to `as_of`."""
        return self.con.execute("SELECT * FROM _dora_deployments ORDER BY finished_at").df()

    def changes(self) -> pd.DataFrame:
        """Deployed MRs with lead time and its stages (coding, pickup, review, deploy) in days."""
        return self.con.execute("SELECT * FROM _dora_changes ORDER BY deployed_at, mr_id").df()

    def incidents(self) -> pd.DataFrame:
        """Incidents up to `as_of`, GitLab's (`origin` gitlab: project_id, incident_id, iid) and
        Jira's (`origin` jira: key), with closed_at, discarded, restore_days (null where the
        incident does not count for time to restore) and the deployment each is attributed to."""
        return self.con.execute(
            "SELECT * FROM _dora_incidents ORDER BY created_at, origin, incident_id, key"
        ).df()

    def report(self, period: Period) -> dict[str, Any]:
        """The `dora` part of `report --format json` (ARCHITECTURE.md). Without GitLab the
        deployment figures are undefined (null), not zero: only the time to restore is known."""
        row = run_df(self.con, "dora_summary", self._period(period)).iloc[0]
        if not self.gitlab:
            return {
                "deployments": None,
                "per_week": None,
                "deploy_days_per_week_median": None,
                "change_lead_time_days": {"p50": None, "p85": None, "n": 0},
                "change_failure_rate": None,
                "time_to_restore_days": {
                    "p50": _float(row["restore_p50"]),
                    "n": int(row["restore_n"]),
                },
            }
        return {
            "deployments": int(row["deployments"]),
            "per_week": _float(row["per_week"]),
            "deploy_days_per_week_median": _float(row["deploy_days_per_week_median"]),
            "change_lead_time_days": {
                "p50": _float(row["lead_p50"]),
                "p85": _float(row["lead_p85"]),
                "n": int(row["lead_n"]),
            },
            "change_failure_rate": _float(row["change_failure_rate"]),
            "time_to_restore_days": {
                "p50": _float(row["restore_p50"]),
                "n": int(row["restore_n"]),
            },
        }


def report(
    con: duckdb.DuckDBPyConnection,
    source: str | None,
    projects: list[int],
    production_environment: str | None,
    period: Period,
    tz: str,
    as_of: datetime,
    jira_incidents: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The `dora` JSON of one team and period at `as_of`."""
    facts = TeamDelivery(
        con, source, projects, production_environment, tz, as_of, jira_incidents=jira_incidents
    )
    return facts.report(period)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
