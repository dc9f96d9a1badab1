"""Landing API payloads in the raw layer, with people's fields removed first."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

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
        "raw_gitlab_projects",
        "raw_gitlab_merge_requests",
        "raw_gitlab_mr_commits",
        "raw_gitlab_mr_notes",
        "raw_gitlab_environments",
        "raw_gitlab_deployments",
        "raw_gitlab_deployment_mrs",
        "raw_gitlab_issues",
    }
)

# Free text in GitLab payloads that may name people (mentions, sign-offs, "requested review from
# @…"): note bodies, commit messages and trailers, MR and issue descriptions. Dropped at any depth,
# on top of store.privacy's people fields. Commits (recognised by `authored_date` or `short_id`)
# also lose their title, the message's first line.
GITLAB_TEXT_KEYS = frozenset({"body", "message", "description", "trailers", "extended_trailers"})
APPROVAL_NOTE = "approved this merge request"


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


# --- GitLab ---------------------------------------------------------------------------------------


def _gitlab_text_dropped(value: Any) -> Any:
    if isinstance(value, dict):
        commit_like = "authored_date" in value or "short_id" in value
        return {
            k: _gitlab_text_dropped(v)
            for k, v in value.items()
            if k not in GITLAB_TEXT_KEYS and not (commit_like and k == "title")
        }
    if isinstance(value, list):
        return [_gitlab_text_dropped(v) for v in value]
    return value


def _gitlab_json(payloads: Iterable[dict]) -> list[str]:
    return [
        json.dumps(_gitlab_text_dropped(scrub(p)), ensure_ascii=False, separators=(",", ":"))
        for p in payloads
    ]


def _gitlab_frame(
    source: str, fetched_at: datetime, payloads: list[dict], **columns: Any
) -> pd.DataFrame:
    data: dict[str, Any] = {"source": pd.Series([source] * len(payloads), dtype="string")}
    for name, values in columns.items():
        many = isinstance(values, list | pd.Series)
        data[name] = values if many else [values] * len(payloads)
    data["fetched_at"] = [fetched_at] * len(payloads)
    data["payload"] = pd.Series(_gitlab_json(payloads), dtype="string")
    return pd.DataFrame(data)


def _replace(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, keys: tuple[str, ...]
) -> None:
    """Land `frame`, replacing the rows with the same `keys` (a newer copy wins)."""
    assert table in RAW_TABLES, table
    if frame.empty:
        return
    match = " AND ".join(f"t.{k} = r.{k}" for k in keys)
    con.register("replaced", frame[list(keys)])
    try:
        con.execute(
            "DELETE FROM "
            + table
            + " AS t WHERE EXISTS (SELECT 1 FROM replaced AS r WHERE "
            + match
            + ")"
        )
    finally:
        con.unregister("replaced")
    _land(con, table, frame)


def _ids(payloads: list[dict], key: str = "id") -> list[int]:
    return [int(p[key]) for p in payloads]


def write_gitlab_projects(
    con: duckdb.DuckDBPyConnection, source: str, fetched_at: datetime, projects: list[dict]
) -> None:
    """Projects as `GET /projects/:id` or a group's project list returned them."""
    frame = _gitlab_frame(source, fetched_at, projects, id=_ids(projects))
    _replace(con, "raw_gitlab_projects", frame, ("source", "id"))


def write_gitlab_merge_requests(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    fetched_at: datetime,
    merge_requests: list[dict],
) -> None:
    """Merge requests of one project's list; a newer copy replaces an older one."""
    frame = _gitlab_frame(
        source,
        fetched_at,
        merge_requests,
        project_id=int(project_id),
        id=_ids(merge_requests),
        iid=_ids(merge_requests, "iid"),
    )
    _replace(con, "raw_gitlab_merge_requests", frame, ("source", "id"))


def write_gitlab_mr_commits(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_request: dict,
    commits: list[dict],
) -> None:
    """All commits of one MR (`GET .../merge_requests/:iid/commits`): they replace its earlier
    ones, so a rebased MR keeps only what it holds now."""
    project_id, iid = int(merge_request["project_id"]), int(merge_request["iid"])
    con.execute(
        "DELETE FROM raw_gitlab_mr_commits WHERE source = ? AND project_id = ? AND mr_iid = ?",
        [source, project_id, iid],
    )
    frame = _gitlab_frame(
        source,
        fetched_at,
        commits,
        project_id=project_id,
        mr_iid=iid,
        id=[str(c["id"]) for c in commits],
    )
    if not frame.empty:
        _land(con, "raw_gitlab_mr_commits", frame)


def write_gitlab_mr_notes(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_request: dict,
    notes: list[dict],
) -> None:
    """All notes of one MR, replacing its earlier ones. `merge_request` is the MR as the API
    returned it (with its author): before the people are dropped, each note records whether
    its author is the MR's author (`by_author`; null when either is unknown) and whether it is
    the system note of an approval (`approval`). No identity is stored (METRICS.md §7)."""
    project_id, iid = int(merge_request["project_id"]), int(merge_request["iid"])
    mr_author = _user_id(merge_request.get("author"))
    by_author: list[bool | None] = []
    for n in notes:
        note_author = _user_id(n.get("author"))
        by_author.append(
            None if mr_author is None or note_author is None else note_author == mr_author
        )
    approval = [
        bool(n.get("system")) and str(n.get("body") or "").strip().lower() == APPROVAL_NOTE
        for n in notes
    ]
    con.execute(
        "DELETE FROM raw_gitlab_mr_notes WHERE source = ? AND project_id = ? AND mr_iid = ?",
        [source, project_id, iid],
    )
    frame = _gitlab_frame(
        source,
        fetched_at,
        notes,
        project_id=project_id,
        mr_iid=iid,
        id=_ids(notes),
        by_author=pd.Series(by_author, dtype="boolean"),
        approval=approval,
    )
    if not frame.empty:
        _land(con, "raw_gitlab_mr_notes", frame)


def _user_id(user: Any) -> Any:
    return user.get("id") if isinstance(user, dict) else None


def write_gitlab_environments(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    fetched_at: datetime,
    environments: list[dict],
) -> None:
    """A project's whole environment list (with tiers): it replaces the earlier one."""
    con.execute(
        "DELETE FROM raw_gitlab_environments WHERE source = ? AND project_id = ?",
        [source, int(project_id)],
    )
    frame = _gitlab_frame(
        source, fetched_at, environments, project_id=int(project_id), id=_ids(environments)
    )
    if not frame.empty:
        _land(con, "raw_gitlab_environments", frame)


def write_gitlab_deployments(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    fetched_at: datetime,
    deployments: list[dict],
) -> None:
    """Deployments of one project (the entity has no project_id: `project_id` is the lineage)."""
    frame = _gitlab_frame(
        source, fetched_at, deployments, project_id=int(project_id), id=_ids(deployments)
    )
    _replace(con, "raw_gitlab_deployments", frame, ("source", "id"))


def write_gitlab_deployment_mrs(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    deployment_id: int,
    fetched_at: datetime,
    merge_requests: list[dict],
) -> None:
    """The merge requests a deployment shipped (`/deployments/:id/merge_requests`), replacing
    the deployment's earlier list."""
    con.execute(
        "DELETE FROM raw_gitlab_deployment_mrs WHERE source = ? AND deployment_id = ?",
        [source, int(deployment_id)],
    )
    frame = _gitlab_frame(
        source,
        fetched_at,
        merge_requests,
        project_id=int(project_id),
        deployment_id=int(deployment_id),
        mr_id=_ids(merge_requests),
    )
    if not frame.empty:
        _land(con, "raw_gitlab_deployment_mrs", frame)


def write_gitlab_issues(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    fetched_at: datetime,
    issues: list[dict],
) -> None:
    """Incidents (`issue_type=incident`) of one project; a newer copy replaces an older one."""
    frame = _gitlab_frame(source, fetched_at, issues, project_id=int(project_id), id=_ids(issues))
    _replace(con, "raw_gitlab_issues", frame, ("source", "id"))
