"""GitLab REST v4: a team's projects (groups expanded), their merge requests with the commits and
notes of merged ones, environments, production-candidate deployments with the merge requests each
shipped, and incidents, incrementally (reference: shared/reference/jira-gitlab-apis.md §9–16).

Every list is offset-paged by following `Link rel="next"` (never the totals: GitLab drops them
above 10,000 rows), `per_page=100`, and a next link that points at another host than the
configured one (a proxy in front of GitLab, `external_url` drift) is rewritten to the configured
base. Deployments are asked with `updated_after` and `order_by=updated_at` only, never with a
`finished_*` filter (the deployment finder's rules, §11). Pages are landed as they come; people
are dropped by `store.raw` before anything is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import duckdb
import requests

from config import Source, Team
from connectors.http import BearerAuth, Budget, HttpError, Session, get_page, session
from errors import KoersError
from store.raw import (
    write_gitlab_deployment_mrs,
    write_gitlab_deployments,
    write_gitlab_environments,
    write_gitlab_issues,
    write_gitlab_merge_requests,
    write_gitlab_mr_commits,
    write_gitlab_mr_notes,
    write_gitlab_projects,
)
from store.sync_state import set_watermark, watermark

PER_PAGE = 100  # GitLab's maximum
OVERLAP = timedelta(minutes=5)  # re-read before the watermark (eventual consistency)
API = "/api/v4"
# GitLab infers the production tier from these names; used when an environment has no tier.
PRODUCTION_NAME = re.compile(r"^prod(uction)?(/.*)?$", re.IGNORECASE)


class PrivateTokenAuth(BearerAuth):
    """`PRIVATE-TOKEN: <token>` (a BearerAuth for the session's secret scrubbing)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["PRIVATE-TOKEN"] = self._token
        return request

    def __repr__(self) -> str:
        return "PrivateTokenAuth(***)"


@dataclass
class GitlabResult:
    """What one team's GitLab projects brought in."""

    source: str
    team: str
    projects: int = 0
    merge_requests: int = 0  # read
    landed: int = 0  # merge requests new or changed
    deployments: int = 0  # new or changed production-candidate deployments
    incidents: int = 0  # read
    full: bool = False
    watermark: datetime | None = None
    project_ids: list[int] = field(default_factory=list)


class GitlabClient:
    """One GitLab source: its session (token from the environment) and the endpoints read."""

    def __init__(self, source: Source, budget: Budget | None = None) -> None:
        self.source = source
        base = source.url.rstrip("/")
        if base.endswith(API):
            base = base[: -len(API)]
        self.base = base
        self.api = base + API
        name = source.token_env
        if not name:
            raise KoersError(
                f"{source.key}: [sources.{source.key}] has no token_env: name the environment "
                "variable that holds a GitLab token with the read_api scope"
            )
        token = os.environ.get(name, "").strip()
        if not token:
            raise KoersError(
                f"{source.key}: the environment variable {name} is not set; put a GitLab token "
                f"with the read_api scope in it (sources.{source.key}.token_env names it)"
            )
        self.http: Session = session(
            PrivateTokenAuth(token),
            read_posts=False,
            label=source.key,
            token_env=name,
            budget=budget,
        )
        self.rewritten = 0  # next links moved back onto the configured base

    # --- paging ---------------------------------------------------------------------------------

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
        """Every page of a list endpoint, following `Link rel="next"` until it is absent."""
        url: str | None = self.api + path
        query: dict[str, Any] | None = {**(params or {}), "per_page": PER_PAGE}
        seen: set[str] = set()
        while url:
            body, following = get_page(self.http, url, query)
            if not isinstance(body, list):
                raise KoersError(
                    f"{self.source.key}: unexpected answer from {urlsplit(url).path} (not a "
                    "list); is this GitLab?"
                )
            yield [item for item in body if isinstance(item, dict)]
            if not following or not body:
                return
            url, query = self._onto_base(following), None
            if url in seen:
                raise KoersError(
                    f"{self.source.key}: GitLab sent the same next page twice; the list does not "
                    "advance. Try again later"
                )
            seen.add(url)

    def all(self, path: str, params: dict[str, Any] | None = None) -> list[dict]:
        return [item for page in self.pages(path, params) for item in page]

    def _onto_base(self, link: str) -> str:
        """A next link on the configured base URL, whatever host GitLab put in it."""
        parts = urlsplit(link)
        at = parts.path.find(API + "/")
        if at < 0:
            return link
        base = urlsplit(self.api)
        moved = urlunsplit(
            (base.scheme, base.netloc, base.path + parts.path[at + len(API) :], parts.query, "")
        )
        if moved != link:
            self.rewritten += 1
        return moved

    # --- projects -------------------------------------------------------------------------------

    def projects(self, team: Team) -> list[dict]:
        """The team's configured paths, each a project or a group (subgroups and archived
        projects included), as project payloads, without duplicates."""
        assert team.gitlab is not None
        found: dict[int, dict] = {}
        for path in team.gitlab.projects:
            ident = quote(path.strip("/"), safe="")
            try:
                body, _ = get_page(self.http, f"{self.api}/projects/{ident}")
                listed = [body] if isinstance(body, dict) else []
            except HttpError as exc:
                if exc.status != 404:
                    raise
                try:
                    # no `archived` parameter: GitLab then lists archived projects too
                    listed = self.all(
                        f"/groups/{ident}/projects",
                        {"include_subgroups": "true", "order_by": "id", "sort": "asc"},
                    )
                except HttpError as inner:
                    if inner.status != 404:
                        raise
                    raise KoersError(
                        f"{self.source.key}: no GitLab project or group {path!r} (HTTP 404); "
                        f"check teams.{team.key}.gitlab.projects, and that the account behind "
                        f"${self.source.token_env} may see it"
                    ) from None
            for project in listed:
                if "id" in project:
                    found.setdefault(int(project["id"]), project)
        return list(found.values())


# --- one team, landed -----------------------------------------------------------------------------


def sync_team(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    team: Team,
    *,
    full: bool,
    fetched_at: datetime,
    bar: Any,
) -> GitlabResult:
    """Read one team's projects (everything, or since its watermark minus the overlap) and land
    them; the new watermark is written with the data."""
    assert team.gitlab is not None
    source = client.source.key
    query = "\n".join(sorted(team.gitlab.projects))
    # read even on a full sync: it also consumes any result left pending on the connection
    stored = watermark(con, source, team.key, query)
    since = None if full else stored
    result = GitlabResult(source=source, team=team.key, full=since is None)
    started = datetime.now(UTC)
    after = _gl_time(since - OVERLAP) if since is not None else None
    newest: datetime | None = since
    bar.update(0, None)

    projects = client.projects(team)
    write_gitlab_projects(con, source, fetched_at, projects)
    result.projects = len(projects)
    for project in sorted(projects, key=lambda p: int(p["id"])):
        pid = int(project["id"])
        result.project_ids.append(pid)
        newest = _later(newest, _sync_merge_requests(con, client, pid, after, fetched_at, result))
        bar.update(result.merge_requests, None)
        environments = client.all(f"/projects/{pid}/environments")
        write_gitlab_environments(con, source, pid, fetched_at, environments)
        names = production_candidates(environments, team.gitlab.production_environment)
        for name in names:
            newest = _later(
                newest, _sync_deployments(con, client, pid, name, after, fetched_at, result)
            )
        newest = _later(newest, _sync_incidents(con, client, pid, after, fetched_at, result))
    if newest is not None:
        # never past the moment this read began: what changed during it is read again
        newest = min(newest, started)
        set_watermark(con, source, team.key, query, newest)
    result.watermark = newest
    bar.update(result.merge_requests, result.merge_requests)
    if client.rewritten:
        bar.note(
            f"GitLab's next-page links pointed at another address than {client.base} "
            f"({client.rewritten}×); followed them on the configured one"
        )
        client.rewritten = 0
    return result


def production_candidates(environments: list[dict], configured: str | None) -> list[str]:
    """Environment names whose deployments may count as production (METRICS.md §3): tier
    production, the team's `production_environment`, or no tier and a production-like name."""
    names: list[str] = []
    for env in environments:
        name = env.get("name")
        if not isinstance(name, str) or not name:
            continue
        tier = env.get("tier")
        if tier == "production" or name == configured or (not tier and PRODUCTION_NAME.match(name)):
            names.append(name)
    if configured and configured not in names:
        names.append(configured)
    return sorted(dict.fromkeys(names))


def _sync_merge_requests(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    pid: int,
    after: str | None,
    fetched_at: datetime,
    result: GitlabResult,
) -> datetime | None:
    source = client.source.key
    params = {"state": "all", "order_by": "updated_at", "sort": "asc"}
    if after:
        params["updated_after"] = after
    newest = None
    for page in client.pages(f"/projects/{pid}/merge_requests", params):
        result.merge_requests += len(page)
        changed = page if result.full else _changed(con, "raw_gitlab_merge_requests", source, page)
        if changed:
            write_gitlab_merge_requests(con, source, pid, fetched_at, changed)
            result.landed += len(changed)
        for mr in changed:
            newest = _later(newest, _moment(mr.get("updated_at")))
            if mr.get("state") != "merged":
                continue
            iid = int(mr["iid"])
            commits = client.all(f"/projects/{pid}/merge_requests/{iid}/commits")
            write_gitlab_mr_commits(con, source, fetched_at, mr, commits)
            notes = client.all(
                f"/projects/{pid}/merge_requests/{iid}/notes",
                {"sort": "asc", "order_by": "created_at"},
            )
            write_gitlab_mr_notes(con, source, fetched_at, mr, notes)
    return newest


def _sync_deployments(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    pid: int,
    environment: str,
    after: str | None,
    fetched_at: datetime,
    result: GitlabResult,
) -> datetime | None:
    # The finder's rules: `updated_*` with `order_by=updated_at`, never with `finished_*`.
    source = client.source.key
    params = {
        "environment": environment,
        "status": "success",
        "order_by": "updated_at",
        "sort": "asc",
    }
    if after:
        params["updated_after"] = after
    newest = None
    for page in client.pages(f"/projects/{pid}/deployments", params):
        changed = page if result.full else _changed(con, "raw_gitlab_deployments", source, page)
        if not changed:
            continue
        write_gitlab_deployments(con, source, pid, fetched_at, changed)
        result.deployments += len(changed)
        for d in changed:
            newest = _later(newest, _moment(d.get("updated_at")))
            did = int(d["id"])
            mrs = client.all(f"/projects/{pid}/deployments/{did}/merge_requests")
            write_gitlab_deployment_mrs(con, source, pid, did, fetched_at, mrs)
    return newest


def _sync_incidents(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    pid: int,
    after: str | None,
    fetched_at: datetime,
    result: GitlabResult,
) -> datetime | None:
    source = client.source.key
    params = {"issue_type": "incident", "state": "all", "order_by": "updated_at", "sort": "asc"}
    if after:
        params["updated_after"] = after
    newest = None
    for page in client.pages(f"/projects/{pid}/issues", params):
        result.incidents += len(page)
        changed = page if result.full else _changed(con, "raw_gitlab_issues", source, page)
        if changed:
            write_gitlab_issues(con, source, pid, fetched_at, changed)
        for issue in changed:
            newest = _later(newest, _moment(issue.get("updated_at")))
    return newest


def _changed(
    con: duckdb.DuckDBPyConnection, table: str, source: str, rows: list[dict]
) -> list[dict]:
    """The rows that are new, or whose `updated_at` moved since the stored copy: the overlap
    re-reads the last minutes every time, and unchanged rows (and what hangs off them) stay."""
    assert table in ("raw_gitlab_merge_requests", "raw_gitlab_deployments", "raw_gitlab_issues")
    rows = [r for r in rows if "id" in r]
    if not rows:
        return []
    stored = dict(
        con.execute(
            "SELECT id, json_extract_string(payload, '$.updated_at') FROM "
            + table
            + " WHERE source = ? AND list_contains(?::BIGINT[], id)",
            [source, [int(r["id"]) for r in rows]],
        ).fetchall()
    )
    return [r for r in rows if stored.get(int(r["id"]), object()) != r.get("updated_at")]


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _gl_time(moment: datetime) -> str:
    """A query datetime in UTC with `Z` (no `+` to encode)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
