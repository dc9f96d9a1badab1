"""Warehouse schema: the raw layer and sync bookkeeping, versioned with forward migrations.

Domain tables are not listed here: `store.normalize` derives them from the raw layer on every
build, so a changed mapping re-derives without re-fetching. What must survive an upgrade is the raw
layer, so that is what migrations change. A warehouse built by an older Koers is upgraded in place
by running the migrations it has not seen yet, in order.
"""

from __future__ import annotations

import duckdb

from errors import KoersError

# Each entry upgrades the schema by one version. Append only; never edit a released entry.
MIGRATIONS: list[tuple[str, ...]] = [
    (  # 1: the Jira raw layer and per-source sync state
        """CREATE TABLE raw_jira_server_info (
            source VARCHAR PRIMARY KEY, fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL)""",
        """CREATE TABLE raw_jira_statuses (
            source VARCHAR NOT NULL, id VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
            payload JSON NOT NULL, PRIMARY KEY (source, id))""",
        """CREATE TABLE raw_jira_fields (
            source VARCHAR NOT NULL, id VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
            payload JSON NOT NULL, PRIMARY KEY (source, id))""",
        # One row per issue and team query that matched it: the team is the request's lineage.
        """CREATE TABLE raw_jira_issues (
            source VARCHAR NOT NULL, team VARCHAR NOT NULL, id VARCHAR NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL)""",
        # Histories fetched from the paged changelog endpoints to complete a truncated one.
        """CREATE TABLE raw_jira_changelogs (
            source VARCHAR NOT NULL, issue_id VARCHAR NOT NULL, id VARCHAR NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL)""",
        """CREATE TABLE source_state (
            source VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, flavour VARCHAR,
            last_sync_at TIMESTAMPTZ, watermark TIMESTAMPTZ,
            demo BOOLEAN NOT NULL DEFAULT false)""",
        # Which normalize SQL derived the domain tables: a newer Koers re-derives on open.
        "CREATE TABLE build_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    ),
    (  # 2: incremental syncs
        # How far each team's query has been read; it moves only with the data it covers.
        """CREATE TABLE sync_watermarks (
            source VARCHAR NOT NULL, team VARCHAR NOT NULL, query VARCHAR NOT NULL,
            watermark TIMESTAMPTZ NOT NULL, PRIMARY KEY (source, team))""",
        # Issues whose whole history was read from a changelog endpoint (a truncated embedded
        # changelog completed): their history is complete even where a filtered endpoint sent
        # fewer histories than the embedded total.
        """CREATE TABLE raw_jira_changelog_fetches (
            source VARCHAR NOT NULL, issue_id VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (source, issue_id))""",
    ),
    (  # 3: the GitLab raw layer. `project_id` is the request's lineage (the project whose
        # endpoint answered); payloads are scrubbed of people (store.raw).
        """CREATE TABLE raw_gitlab_projects (
            source VARCHAR NOT NULL, id BIGINT NOT NULL, fetched_at TIMESTAMPTZ NOT NULL,
            payload JSON NOT NULL, PRIMARY KEY (source, id))""",
        """CREATE TABLE raw_gitlab_merge_requests (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, id BIGINT NOT NULL,
            iid BIGINT NOT NULL, fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL,
            PRIMARY KEY (source, id))""",
        """CREATE TABLE raw_gitlab_mr_commits (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, mr_iid BIGINT NOT NULL,
            id VARCHAR NOT NULL, fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL,
            PRIMARY KEY (source, project_id, mr_iid, id))""",
        # The note's author is dropped at landing; what METRICS.md §3 needs of it is kept as
        # facts decided then: `by_author` (the note's author is the MR's author; null when either
        # is unknown) and `approval` (the system note "approved this merge request"; the body,
        # which may name people, is dropped).
        """CREATE TABLE raw_gitlab_mr_notes (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, mr_iid BIGINT NOT NULL,
            id BIGINT NOT NULL, by_author BOOLEAN, approval BOOLEAN NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL,
            PRIMARY KEY (source, project_id, mr_iid, id))""",
        """CREATE TABLE raw_gitlab_environments (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, id BIGINT NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL,
            PRIMARY KEY (source, project_id, id))""",
        # The deployment entity has no project_id: the lineage column is the only one.
        """CREATE TABLE raw_gitlab_deployments (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, id BIGINT NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL, PRIMARY KEY (source, id))""",
        # `GET /projects/:id/deployments/:deployment_id/merge_requests`, one row per MR listed.
        """CREATE TABLE raw_gitlab_deployment_mrs (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, deployment_id BIGINT NOT NULL,
            mr_id BIGINT NOT NULL, fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL,
            PRIMARY KEY (source, deployment_id, mr_id))""",
        # Issues with issue_type=incident.
        """CREATE TABLE raw_gitlab_issues (
            source VARCHAR NOT NULL, project_id BIGINT NOT NULL, id BIGINT NOT NULL,
            fetched_at TIMESTAMPTZ NOT NULL, payload JSON NOT NULL, PRIMARY KEY (source, id))""",
    ),
]


def latest_version() -> int:
    """The schema version this Koers writes."""
    return len(MIGRATIONS)


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version a warehouse is at; 0 for an empty file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_name = 'schema_version' AND table_catalog = current_database()"
    ).fetchall()[0][0]
    if not exists:
        return 0
    # fetchall: DuckDB keeps a half-read result open, which blocks the next registered relation
    (version,) = con.execute("SELECT max(version) FROM schema_version").fetchall()[0]
    return int(version or 0)


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring a writable warehouse up to the latest version; returns the version it is now at."""
    steps = MIGRATIONS
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version "
        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    version = current_version(con)
    if version > len(steps):
        raise KoersError(
            f"the warehouse is at schema version {version}, newer than this Koers knows "
            f"({len(steps)}); upgrade Koers or rebuild the warehouse"
        )
    for number, statements in enumerate(steps[version:], start=version + 1):
        con.execute("BEGIN TRANSACTION")
        for statement in statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?, now())", [number])
        con.execute("COMMIT")
    return len(steps)
