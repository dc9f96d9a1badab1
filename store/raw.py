"""Landing API payloads in the raw layer, with people's fields removed first."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from store.privacy import is_personal_project, personal_project, scrub

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

# Every GitLab raw table whose `project_id` is the lineage: what goes when a project does.
GITLAB_PROJECT_TABLES = (
    "raw_gitlab_merge_requests",
    "raw_gitlab_mr_commits",
    "raw_gitlab_mr_notes",
    "raw_gitlab_environments",
    "raw_gitlab_deployments",
    "raw_gitlab_deployment_mrs",
    "raw_gitlab_issues",
)


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


def _delete_matching(
    con: duckdb.DuckDBPyConnection, table: str, keys: pd.DataFrame, columns: tuple[str, ...]
) -> int:
    """Delete the rows of `table` whose `columns` equal those of a row of `keys`, in one
    statement; returns how many went."""
    assert table in RAW_TABLES, table
    if keys.empty:
        return 0
    match = " AND ".join(f"t.{c} = r.{c}" for c in columns)
    con.register("replaced", keys[list(columns)])
    try:
        gone = con.execute(
            "DELETE FROM "
            + table
            + " AS t WHERE EXISTS (SELECT 1 FROM replaced AS r WHERE "
            + match
            + ")"
        ).fetchall()[0][0]
    finally:
        con.unregister("replaced")
    return int(gone)


def _replace(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, keys: tuple[str, ...]
) -> None:
    """Land `frame`, replacing the rows with the same `keys` (a newer copy wins)."""
    if frame.empty:
        return
    _delete_matching(con, table, frame, keys)
    _land(con, table, frame)


def _ids(payloads: list[dict], key: str = "id") -> list[int]:
    return [int(p[key]) for p in payloads]


def _last_per_key(rows: list[tuple[tuple, dict]]) -> list[tuple[tuple, dict]]:
    """One row per key, the last one read (offset paging may show a row twice when the list
    shifts between two pages)."""
    return list({key: (key, row) for key, row in rows}.values())


def write_gitlab_projects(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    projects: list[dict],
    configured_paths: Mapping[int, str] | None = None,
) -> None:
    """Projects as `GET /projects/:id` or a group's project list returned them. A project in a
    person's namespace keeps only what names no one (`store.privacy.personal_project`), with
    the path the team wrote in its config (`configured_paths`: project id → that path)."""
    paths = configured_paths or {}
    kept = [
        personal_project(p, paths.get(int(p["id"]))) if is_personal_project(p) else p
        for p in projects
    ]
    frame = _gitlab_frame(source, fetched_at, kept, id=_ids(kept))
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


def _mr_keys(source: str, merge_requests: Iterable[dict]) -> pd.DataFrame:
    mrs = list(merge_requests)
    return pd.DataFrame(
        {
            "source": pd.Series([source] * len(mrs), dtype="string"),
            "project_id": [int(m["project_id"]) for m in mrs],
            "mr_iid": [int(m["iid"]) for m in mrs],
        }
    )


def write_gitlab_mr_commits_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_requests: list[tuple[dict, list[dict]]],
) -> None:
    """All commits of each (MR, commits) pair (`GET .../merge_requests/:iid/commits`): they
    replace the MR's earlier ones, so a rebased MR keeps only what it holds now. One delete and
    one insert for the lot (a page of MRs)."""
    _delete_matching(
        con,
        "raw_gitlab_mr_commits",
        _mr_keys(source, (mr for mr, _ in merge_requests)),
        ("source", "project_id", "mr_iid"),
    )
    rows = _last_per_key(
        [
            ((int(mr["project_id"]), int(mr["iid"]), str(c["id"])), c)
            for mr, commits in merge_requests
            for c in commits
        ]
    )
    if not rows:
        return
    frame = _gitlab_frame(
        source,
        fetched_at,
        [c for _, c in rows],
        project_id=[k[0] for k, _ in rows],
        mr_iid=[k[1] for k, _ in rows],
        id=[k[2] for k, _ in rows],
    )
    _land(con, "raw_gitlab_mr_commits", frame)


def write_gitlab_mr_commits(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_request: dict,
    commits: list[dict],
) -> None:
    """All commits of one MR, replacing its earlier ones (see the batch version)."""
    write_gitlab_mr_commits_batch(con, source, fetched_at, [(merge_request, commits)])


def write_gitlab_mr_notes_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_requests: list[tuple[dict, list[dict]]],
) -> None:
    """All notes of each (MR, notes) pair, replacing the MR's earlier ones; one delete and one
    insert for the lot. Each MR is as the API returned it (with its author): before the people
    are dropped, each note records whether its author is the MR's author (`by_author`; null when
    either is unknown) and whether it is the system note of an approval (`approval`). No identity
    is stored (METRICS.md §7)."""
    _delete_matching(
        con,
        "raw_gitlab_mr_notes",
        _mr_keys(source, (mr for mr, _ in merge_requests)),
        ("source", "project_id", "mr_iid"),
    )
    rows = []
    for mr, notes in merge_requests:
        mr_author = _user_id(mr.get("author"))
        for n in notes:
            note_author = _user_id(n.get("author"))
            by_author = (
                None if mr_author is None or note_author is None else note_author == mr_author
            )
            approval = (
                bool(n.get("system")) and str(n.get("body") or "").strip().lower() == APPROVAL_NOTE
            )
            key = (int(mr["project_id"]), int(mr["iid"]), int(n["id"]))
            rows.append((key, {"note": n, "by_author": by_author, "approval": approval}))
    rows = _last_per_key(rows)
    if not rows:
        return
    frame = _gitlab_frame(
        source,
        fetched_at,
        [r["note"] for _, r in rows],
        project_id=[k[0] for k, _ in rows],
        mr_iid=[k[1] for k, _ in rows],
        id=[k[2] for k, _ in rows],
        by_author=pd.Series([r["by_author"] for _, r in rows], dtype="boolean"),
        approval=[r["approval"] for _, r in rows],
    )
    _land(con, "raw_gitlab_mr_notes", frame)


def write_gitlab_mr_notes(
    con: duckdb.DuckDBPyConnection,
    source: str,
    fetched_at: datetime,
    merge_request: dict,
    notes: list[dict],
) -> None:
    """All notes of one MR, replacing its earlier ones (see the batch version)."""
    write_gitlab_mr_notes_batch(con, source, fetched_at, [(merge_request, notes)])


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
    rows = _last_per_key([((int(e["id"]),), e) for e in environments])
    kept = [e for _, e in rows]
    frame = _gitlab_frame(source, fetched_at, kept, project_id=int(project_id), id=_ids(kept))
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


def write_gitlab_deployment_mrs_batch(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    fetched_at: datetime,
    deployments: list[tuple[int, list[dict]]],
) -> None:
    """The merge requests each deployment shipped, as (deployment id, `/deployments/:id/
    merge_requests`) pairs, replacing each deployment's earlier list; one delete and one insert
    for the lot."""
    keys = pd.DataFrame(
        {
            "source": pd.Series([source] * len(deployments), dtype="string"),
            "deployment_id": [int(did) for did, _ in deployments],
        }
    )
    _delete_matching(con, "raw_gitlab_deployment_mrs", keys, ("source", "deployment_id"))
    rows = _last_per_key(
        [
            ((int(did), int(m["id"])), m)
            for did, merge_requests in deployments
            for m in merge_requests
        ]
    )
    if not rows:
        return
    frame = _gitlab_frame(
        source,
        fetched_at,
        [m for _, m in rows],
        project_id=int(project_id),
        deployment_id=[k[0] for k, _ in rows],
        mr_id=[k[1] for k, _ in rows],
    )
    _land(con, "raw_gitlab_deployment_mrs", frame)


def write_gitlab_deployment_mrs(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_id: int,
    deployment_id: int,
    fetched_at: datetime,
    merge_requests: list[dict],
) -> None:
    """The merge requests one deployment shipped, replacing its earlier list."""
    write_gitlab_deployment_mrs_batch(
        con, source, project_id, fetched_at, [(int(deployment_id), merge_requests)]
    )


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


# --- GitLab: what a full read no longer returns ------------------------------------------------


def gitlab_projects_under(
    con: duckdb.DuckDBPyConnection, source: str, paths: Iterable[str]
) -> dict[int, str]:
    """The stored projects (id → path) at `paths`: a project path itself, or a group path that
    holds it, subgroups included (as metrics/sql/delivery_projects.sql decides a team's)."""
    wanted = sorted({p.strip("/").lower() for p in paths if p.strip("/")})
    if not wanted:
        return {}
    rows = con.execute(
        "WITH paths AS (SELECT unnest(?::VARCHAR[]) AS path) "
        "SELECT DISTINCT p.id, p.payload ->> 'path_with_namespace' FROM raw_gitlab_projects AS p "
        "JOIN paths ON lower(p.payload ->> 'path_with_namespace') = paths.path "
        "OR starts_with(lower(p.payload ->> 'path_with_namespace'), paths.path || '/') "
        "WHERE p.source = ?",
        [wanted, source],
    ).fetchall()
    return {int(pid): str(path) for pid, path in rows}


def delete_gitlab_gone(
    con: duckdb.DuckDBPyConnection,
    source: str,
    project_ids: list[int],
    *,
    merge_requests: list[int],
    deployments: list[int],
    listed_environments: list[tuple[int, str]],
    incidents: list[int],
) -> dict[str, int]:
    """After a full read of the projects `project_ids`: drop what GitLab no longer returned for
    them. Merge requests and incidents not among the ids read (with the commits and notes of
    the MRs that went); deployments not read of an environment whose list was read
    (`listed_environments`: (project id, name)), and deployments of an environment the project no
    longer has (GitLab deletes them with it); deployment links of deployments that went.
    Deployments of an environment that still exists but was not listed stay: another team's
    `production_environment` may name it. Returns how many of each went."""
    ids = [int(p) for p in project_ids]
    gone = {"merge_requests": 0, "deployments": 0, "incidents": 0}
    if not ids:
        return gone
    gone["merge_requests"] = _delete_unread(
        con, "raw_gitlab_merge_requests", source, ids, merge_requests
    )
    gone["incidents"] = _delete_unread(con, "raw_gitlab_issues", source, ids, incidents)
    listed = pd.DataFrame(
        {
            "project_id": pd.Series([int(p) for p, _ in listed_environments], dtype="int64"),
            "environment": pd.Series([str(e) for _, e in listed_environments], dtype="string"),
        }
    )
    con.register("listed", listed)
    try:
        gone["deployments"] = int(
            con.execute(
                "DELETE FROM raw_gitlab_deployments AS d "
                "WHERE d.source = ? AND list_contains(?::BIGINT[], d.project_id) "
                "AND d.id NOT IN (SELECT unnest(?::BIGINT[])) AND ("
                "  EXISTS (SELECT 1 FROM listed AS l WHERE l.project_id = d.project_id "
                "    AND l.environment = d.payload -> 'environment' ->> 'name') "
                "  OR NOT EXISTS (SELECT 1 FROM raw_gitlab_environments AS e "
                "    WHERE e.source = d.source AND e.project_id = d.project_id "
                "    AND e.payload ->> 'name' = d.payload -> 'environment' ->> 'name'))",
                [source, ids, [int(d) for d in deployments]],
            ).fetchall()[0][0]
        )
    finally:
        con.unregister("listed")
    # what hung off the rows that went
    for table in ("raw_gitlab_mr_commits", "raw_gitlab_mr_notes"):
        con.execute(
            "DELETE FROM "
            + table
            + " AS c WHERE c.source = ? AND list_contains(?::BIGINT[], c.project_id) "
            "AND NOT EXISTS (SELECT 1 FROM raw_gitlab_merge_requests AS m WHERE "
            "m.source = c.source AND m.project_id = c.project_id AND m.iid = c.mr_iid)",
            [source, ids],
        )
    con.execute(
        "DELETE FROM raw_gitlab_deployment_mrs AS l WHERE l.source = ? "
        "AND list_contains(?::BIGINT[], l.project_id) AND NOT EXISTS (SELECT 1 FROM "
        "raw_gitlab_deployments AS d WHERE d.source = l.source AND d.id = l.deployment_id)",
        [source, ids],
    )
    return gone


def _delete_unread(
    con: duckdb.DuckDBPyConnection, table: str, source: str, project_ids: list[int], read: list[int]
) -> int:
    assert table in ("raw_gitlab_merge_requests", "raw_gitlab_issues"), table
    return int(
        con.execute(
            "DELETE FROM " + table + " WHERE source = ? AND list_contains(?::BIGINT[], project_id) "
            "AND id NOT IN (SELECT unnest(?::BIGINT[]))",
            [source, project_ids, [int(i) for i in read]],
        ).fetchall()[0][0]
    )


def delete_gitlab_projects(
    con: duckdb.DuckDBPyConnection, source: str, project_ids: list[int], *, with_data: bool = True
) -> int:
    """Drop projects and everything landed from them (only their project rows when not
    `with_data`); returns how many projects went."""
    ids = [int(p) for p in project_ids]
    if not ids:
        return 0
    for table in GITLAB_PROJECT_TABLES if with_data else ():
        con.execute(
            "DELETE FROM " + table + " WHERE source = ? AND list_contains(?::BIGINT[], project_id)",
            [source, ids],
        )
    gone = con.execute(
        "DELETE FROM raw_gitlab_projects WHERE source = ? AND list_contains(?::BIGINT[], id)",
        [source, ids],
    ).fetchall()[0][0]
    return int(gone)

