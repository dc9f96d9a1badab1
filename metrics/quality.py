"""Where the numbers come from, and what to distrust: sources, table sizes and the data-quality
warnings of one team (METRICS.md §1 for Jira, §3 for GitLab), for the Data page.

The team-level Jira functions take a `TeamFlow`, so they read its temp tables `team_intervals` and
`item_facts` (the mapping and facts the metrics really used); the GitLab ones read the temp tables
of a `TeamDelivery` (the production deployments and deployed changes the DORA metrics used). The
source-level ones take a connection to the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from config import Team
from metrics.delivery import project_ids
from metrics.dora import TeamDelivery
from metrics.flow import TeamFlow
from metrics.queries import run_df
from store.warehouse import cursor

# The domain tables the Data page counts (besides every raw_* table), in the order shown: Jira's
# (store/sql/0*), then GitLab's (store/sql/2*).
DOMAIN_TABLES = (
    "work_items",
    "status_changes",
    "status_intervals",
    "flag_intervals",
    "jira_statuses",
    "merge_requests",
    "deployments",
    "deployment_merge_requests",
    "incidents",
)
# A merged MR that no production deployment carries after this many days is reported.
WAITING_DAYS = 30


# -- the warehouse ------------------------------------------------------------------------------


def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """[source, type, flavour, last_sync_at, watermark, demo], one row per synced source."""
    return run_df(cursor(con), "quality_sources", {})


def table_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """[table_name, layer ('raw' | 'domain'), rows] for the raw tables and the domain tables.

    The table names come from `information_schema`, and each count binds its name as a
    parameter (`query_table`), so no SQL text is ever built from a name.
    """
    cur = cursor(con)
    tables = run_df(cur, "quality_tables", {"domain": list(DOMAIN_TABLES)})
    rows = [
        int(run_df(cur, "quality_table_rows", {"table": name})["rows"].iloc[0])
        for name in tables["table_name"]  # a dozen tables, one count(*) each
    ]
    return tables.assign(rows=pd.Series(rows, index=tables.index, dtype="int64"))


# -- one team -----------------------------------------------------------------------------------


def mapping(flow: TeamFlow) -> pd.DataFrame:
    """The workflow mapping in effect: every status the team's items visited up to `as_of`.

    Columns: status (current name), stage, waiting, origin (`config`, `category`, `name` or
    `unknown`: see metrics/sql/quality_mapping.sql), category (the Jira status category, null
    when neither the id nor the name is in the catalogue), status_ids, unknown_status (the id is
    not in the catalogue), old_names (other names the changelog used for the same id, null if
    none), old_name_items (items whose history uses such a name), items (distinct items that
    visited it, epics and sub-tasks included). In workflow order: backlog, in progress, done.
    """
    return flow.query("quality_mapping")


@dataclass(frozen=True)
class Quality:
    """One team's data-quality findings at the flow's `as_of`; an empty frame means all is well."""

    mapping: pd.DataFrame  # see `mapping()`
    truncated: pd.DataFrame  # [key, type, status, stage]: incomplete changelogs
    no_transitions: pd.DataFrame  # [key, type, status, stage, in_flow]: never changed status
    # [reason, items]: epic, subtask, incomplete_changelog, discarded, and the items `counted`
    excluded: pd.DataFrame

    @property
    def category_default(self) -> pd.DataFrame:
        """[status, stage, category, items]: statuses the config does not name, staged by their
        Jira status category."""
        return _rows(self.mapping, self.mapping["origin"] == "category", "stage", "category")

    @property
    def unknown_status(self) -> pd.DataFrame:
        """[status, status_ids, stage, origin, items]: statuses whose id is not in the Jira
        status catalogue (deleted statuses); origin says how their stage was still found."""
        return _rows(self.mapping, self.mapping["unknown_status"], "status_ids", "stage", "origin")

    @property
    def renamed(self) -> pd.DataFrame:
        """[status, old_names, old_name_items, items]: statuses the changelog also knows by an
        older name, with how many items carry that name in their history."""
        return _rows(self.mapping, self.mapping["old_names"].notna(), "old_names", "old_name_items")

    @property
    def no_transitions_started(self) -> pd.DataFrame:
        """The items without a status change that are in progress or done all the same: they were
        created that way (copied, imported), so their clock starts at creation."""
        return self.no_transitions[self.no_transitions["stage"] != "backlog"]

    @property
    def items_total(self) -> int:
        """Every item the team's query matches (created up to `as_of`)."""
        return int(self.excluded["items"].sum())

    @property
    def items_counted(self) -> int:
        """The items the flow aggregates may count: in flow, complete, not discarded."""
        return int(self.excluded.loc[self.excluded["reason"] == "counted", "items"].sum())


def quality(flow: TeamFlow) -> Quality:
    """Everything the Data page reports about one team."""
    return Quality(
        mapping=mapping(flow),
        truncated=flow.query("quality_truncated"),
        no_transitions=flow.query("quality_no_transitions"),
        excluded=flow.query("quality_excluded"),
    )


def _rows(frame: pd.DataFrame, where: pd.Series, *columns: str) -> pd.DataFrame:
    return frame.loc[where, ["status", *columns, "items"]].reset_index(drop=True)


# -- one team's GitLab ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GitlabQuality:
    """One team's GitLab projects and what to distrust about them, at `as_of`."""

    # [path, project_id, project, archived, merged, deployments, incidents]: each configured path
    # with the projects it stands for; a path that matches no project has one row without one
    projects: pd.DataFrame
    # [project_id, project, environment, tier, known, deployments]: the projects' environments
    # and the production deployments counted to each; the configured production_environment is
    # a row with known = False when no project has an environment of that name
    environments: pd.DataFrame
    # [project_id, project, iid, title, merged_at, days_waiting]: merged more than WAITING_DAYS
    # days before as_of, after the first production deployment, and in none by as_of
    waiting: pd.DataFrame
    production_environment: str | None

    @property
    def missing_paths(self) -> pd.Series:
        """Configured paths with no project in the warehouse (not synced yet, or an empty
        group)."""
        return self.projects.loc[self.projects["project_id"].isna(), "path"].reset_index(drop=True)

    @property
    def production_environment_missing(self) -> bool:
        """The team names a production environment that none of its projects has."""
        return bool((~self.environments["known"].astype(bool)).any())

    @property
    def deployments(self) -> int:
        """Production deployments counted up to `as_of`, over all the team's projects."""
        return int(self.environments["deployments"].sum())

    @property
    def no_production(self) -> bool:
        """The team has projects, but not one production deployment counts."""
        return bool(self.projects["project_id"].notna().any()) and self.deployments == 0

    @property
    def merged(self) -> int:
        """Merged MRs up to `as_of`, over all the team's projects."""
        return int(self.projects["merged"].fillna(0).sum())


def gitlab_quality(
    con: duckdb.DuckDBPyConnection, team: Team, tz: str, as_of: datetime
) -> GitlabQuality | None:
    """The Data page's GitLab findings for one team; None for a team without GitLab."""
    if team.gitlab is None:
        return None
    gitlab = team.gitlab
    projects = project_ids(con, gitlab.source, list(gitlab.projects))
    facts = TeamDelivery(con, gitlab.source, projects, gitlab.production_environment, tz, as_of)
    params = dict(facts.params, paths=list(gitlab.projects), waiting_days=WAITING_DAYS)
    return GitlabQuality(
        projects=run_df(facts.con, "quality_gitlab_projects", params),
        environments=run_df(facts.con, "quality_gitlab_environments", params),
        waiting=run_df(facts.con, "quality_gitlab_waiting", params),
        production_environment=gitlab.production_environment,
    )
