"""Landing API payloads in the raw layer, with people's fields removed first."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import duckdb
import pandas as pd

from store.privacy import scrub

RAW_TABLES = frozenset(
    {
        "raw_jira_server_info",
        "raw_jira_statuses",
        "raw_jira_fields",
        "raw_jira_issues",
        "raw_jira_changelogs",
    }
)


def _land(con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame) -> None:
    # Identifiers cannot be bound: `table` is one of RAW_TABLES, the values arrive as a relation.
    assert table in RAW_TABLES, table
    columns = ", ".join(rows.columns)
    statement = "INSERT INTO " + table + " (" + columns + ") SELECT " + columns + " FROM incoming"
    con.register("incoming", rows)
    try:
        con.execute(statement)
    finally:
        con.unregister("incoming")


def _json(payloads: Iterable[dict]) -> list[str]:
    return [json.dumps(scrub(p), ensure_ascii=False, separators=(",", ":")) for p in payloads]


def write_jira_catalogue(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    server_info: dict,
    statuses: list[dict],
    fields: list[dict],
) -> None:
    """What a Jira sync reads before issues: the flavour, the status and field catalogues."""
    con.execute("DELETE FROM raw_jira_server_info WHERE source = ?", [source])
    con.execute("DELETE FROM raw_jira_statuses WHERE source = ?", [source])
    con.execute("DELETE FROM raw_jira_fields WHERE source = ?", [source])
    _land(con, "raw_jira_server_info", _frame(source, fetched_at, [server_info]))
    _land(con, "raw_jira_statuses", _frame(source, fetched_at, statuses, ids=True))
    _land(con, "raw_jira_fields", _frame(source, fetched_at, fields, ids=True))


def write_jira_issues(
    con: duckdb.DuckDBPyConnection,
    source: str,
    team: str,
    fetched_at: datetime,
    issues: list[dict],
) -> None:
    """Issues as the search endpoint returned them; a newer copy replaces an older one."""
    frame = _frame(source, fetched_at, issues, ids=True)
    frame.insert(1, "team", team)
    con.register("replaced", frame[["id"]])
    try:
        con.execute(
            "DELETE FROM raw_jira_issues WHERE source = ? AND team = ? "
            "AND id IN (SELECT id FROM replaced)",
            [source, team],
        )
    finally:
        con.unregister("replaced")
    _land(con, "raw_jira_issues", frame)


def write_jira_changelogs(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    histories: list[tuple[str, dict]],
    completed: list[str] = (),
) -> None:
    """Histories from the changelog endpoints, as (issue id, history) pairs; `completed` names
    the issues whose whole history has now been read."""
    if completed:
        con.executemany(
            "INSERT OR REPLACE INTO raw_jira_changelog_fetches VALUES (?, ?, ?)",
            [(source, issue_id, fetched_at) for issue_id in completed],
        )
    if not histories:
        return
    frame = pd.DataFrame(
        {
            "source": source,
            "issue_id": [issue_id for issue_id, _ in histories],
            "id": [str(h["id"]) for _, h in histories],
            "fetched_at": fetched_at,
            "payload": _json(h for _, h in histories),
        }
    )
    _land(con, "raw_jira_changelogs", frame)


def delete_jira_issues(
    con: duckdb.DuckDBPyConnection, source: str, team: str, keep_ids: list[str]
) -> int:
    """After a full read: drop the team's issues that the query no longer returns (deleted, or
    moved out of it). Returns how many went."""
    con.register("kept", pd.DataFrame({"id": pd.Series(keep_ids, dtype="string")}))
    try:
        gone = con.execute(
            "DELETE FROM raw_jira_issues WHERE source = ? AND team = ? "
            "AND id NOT IN (SELECT id FROM kept)",
            [source, team],
        ).fetchall()[0][0]
    finally:
        con.unregister("kept")
    # histories of issues that no team of this source has any more go with them
    for table in ("raw_jira_changelogs", "raw_jira_changelog_fetches"):
        con.execute(
            "DELETE FROM " + table + " WHERE source = ? AND issue_id NOT IN "
            "(SELECT id FROM raw_jira_issues WHERE source = ?)",
            [source, source],
        )
    return int(gone)


def _frame(
    source: str, fetched_at: datetime, payloads: list[dict], ids: bool = False
) -> pd.DataFrame:
    data = {"source": source, "fetched_at": fetched_at, "payload": _json(payloads)}
    if ids:
        data = {"source": source, "id": [str(p["id"]) for p in payloads], **data}
    return pd.DataFrame(data)
