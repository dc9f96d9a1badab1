"""Delivery (DORA) metrics of METRICS.md section 3, computed in DuckDB SQL over the GitLab domain
tables (`deployments`, `merge_requests`, `deployment_merge_requests`, `incidents`).

`TeamDelivery` materializes one team's production deployments, deployed changes and attributed
incidents at one `as_of` in temporary tables of its own cursor; a period's figures are then one
SQL query over them. Which deployments are production is decided here, not at normalize, because
rule (b) depends on the team's `production_environment`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from metrics.flow import Period
from metrics.queries import run, run_df
from store.warehouse import cursor


class TeamDelivery:
    """One team's delivery facts at one moment; the figures take a period."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source: str,
        projects: list[int],
        production_environment: str | None,
        tz: str,
        as_of: datetime,
    ):
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        self.tz = tz
        self.as_of = as_of
        self.con = cursor(con)  # temp tables are per cursor
        self.params: dict[str, Any] = {
            "source": source,
            "projects": [int(p) for p in projects],
            "production_environment": production_environment,
            "as_of": as_of,
            "tz": tz,
        }
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
        """Incidents up to `as_of` with the deployment each is attributed to."""
        return self.con.execute("SELECT * FROM _dora_incidents ORDER BY created_at").df()

    def report(self, period: Period) -> dict[str, Any]:
        """The `dora` part of `report --format json` (ARCHITECTURE.md)."""
        row = run_df(self.con, "dora_summary", self._period(period)).iloc[0]
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
    source: str,
    projects: list[int],
    production_environment: str | None,
    period: Period,
    tz: str,
    as_of: datetime,
) -> dict[str, Any]:
    """The `dora` JSON of one team and period at `as_of`."""
    return TeamDelivery(con, source, projects, production_environment, tz, as_of).report(period)


def _float(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
