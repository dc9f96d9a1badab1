"""GitLab REST v4: a team's projects (groups expanded), their merge requests with the commits and
notes of merged ones, environments, production-candidate deployments with the merge requests each
shipped, and incidents, incrementally (reference: shared/reference/jira-gitlab-apis.md §9–16).

Every list is offset-paged by following `Link rel="next"` (never the totals: GitLab drops them
above 10,000 rows), `per_page=100`, and a next link that points at another host than the
configured one (a proxy in front of GitLab, `external_url` drift) is rewritten to the configured
base. Deployments are asked with `updated_after` and `order_by=updated_at` only, never with a
`finished_*` filter (the deployment finder's rules, §11). Pages are landed as they come, each in
one write per table (a page of merged MRs with all their commits and notes); people are dropped by
`store.raw` before anything is written. When an answer says few requests remain
(`RateLimit-Remaining`), the next waits for `RateLimit-Reset`. A full read (`sync --full`, or a
changed config) also removes what GitLab no longer returns for the team's projects.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
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
    delete_gitlab_gone,
    delete_gitlab_projects,
    gitlab_projects_under,
    write_gitlab_deployment_mrs_batch,
    write_gitlab_deployments,
    write_gitlab_environments,
    write_gitlab_issues,
    write_gitlab_merge_requests,
    write_gitlab_mr_commits_batch,
    write_gitlab_mr_notes_batch,
    write_gitlab_projects,
)
from store.sync_state import set_watermark, watermark

PER_PAGE = 100  # GitLab's maximum
OVERLAP = timedelta(minutes=5)  # re-read before the watermark (eventual consistency)
API = "/api/v4"
# GitLab infers the production tier from these names; used when an environment has no tier.
PRODUCTION_NAME = re.compile(r"^prod(uction)?(/.*)?$", re.IGNORECASE)
# Pacing (§9.2): when a response says this few requests remain (`RateLimit-Remaining`), wait for
# `RateLimit-Reset` before the next one instead of running into a 429; never longer than
# PACE_MAX seconds (a 429 after that is retried as usual).
FEW_REMAINING = 5
PACE_MAX = 60.0


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
    # what a full read no longer found: merge_requests, deployments, incidents, projects
    gone: dict[str, int] = field(default_factory=dict)
    paced: int = 0  # waits for a rate limit's reset before it was reached

    @property
    def removed(self) -> int:
        """Merge requests, deployments, incidents and projects removed (full reads only)."""
        return sum(self.gone.values())


class GitlabClient:
    """One GitLab source: its session (token from the environment) and the endpoints read."""

    # the pacing's clock and wait (epoch seconds, as `RateLimit-Reset`); tests replace them
    clock: Callable[[], float] = staticmethod(time.time)
    sleep: Callable[[float], None] = staticmethod(time.sleep)

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
        # Every request goes to the one configured host (next links are moved onto it): read the
        # environment's proxy and CA bundle once, not on each of thousands of requests (requests
        # re-reads os.environ per call while trust_env is on; a fifth of a full sync's time).
        self.http.proxies.update(requests.utils.get_environ_proxies(self.api))
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if bundle:
            self.http.verify = bundle
        self.http.trust_env = False
        self.rewritten = 0  # next links moved back onto the configured base
        self.paced = 0  # waits for a rate limit's reset
        self._limit: tuple[int, float] | None = None  # (remaining, reset) of the last answer
        self.http.hooks["response"].append(self._observe)

    # --- pacing ---------------------------------------------------------------------------------

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Note the rate limit the answer announces (GitLab sends `RateLimit-*` when a throttle
        is on); nothing when it has none."""
        remaining = (response.headers.get("RateLimit-Remaining") or "").strip()
        reset = (response.headers.get("RateLimit-Reset") or "").strip()
        ok = remaining.isdigit() and reset.isdigit()
        self._limit = (int(remaining), float(reset)) if ok else None

    def _pace(self) -> None:
        """Before a request: when the last answer said few requests remain, wait for the reset."""
        if self._limit is None:
            return
        remaining, reset = self._limit
        if remaining > FEW_REMAINING:
            return
        wait = min(reset - self.clock(), PACE_MAX)
        self._limit = None
        if wait <= 0:
            return
        if self.http.budget is not None:
            self.http.budget.check(self.source.key, wait)
        self.sleep(wait)
        self.paced += 1

    def get(self, url: str, params: dict[str, Any] | None = None) -> tuple[Any, str | None]:
        """One page (`connectors.http.get_page`), paced."""
        self._pace()
        return get_page(self.http, url, params)

    # --- paging ---------------------------------------------------------------------------------

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[list[dict]]:
        """Every page of a list endpoint, following `Link rel="next"` until it is absent."""
        url: str | None = self.api + path
        query: dict[str, Any] | None = {**(params or {}), "per_page": PER_PAGE}
        seen: set[str] = set()
        while url:
            body, following = self.get(url, query)
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

    def projects(self, team: Team) -> tuple[list[dict], dict[int, str]]:
        """The team's configured paths, each a project or a group (subgroups and archived
        projects included), as project payloads without duplicates; and, for the projects named
        by their own path, that path as the team wrote it (id → path)."""
        assert team.gitlab is not None
        found: dict[int, dict] = {}
        written: dict[int, str] = {}
        for path in team.gitlab.projects:
            ident = quote(path.strip("/"), safe="")
            try:
                body, _ = self.get(f"{self.api}/projects/{ident}")
                listed = [body] if isinstance(body, dict) else []
                for project in listed:
                    if "id" in project:
                        written.setdefault(int(project["id"]), path.strip("/"))
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
        return list(found.values()), written

    def project(self, project_id: int) -> dict | None:
        """One project as GitLab has it now; None when it is gone (or out of the token's
        sight: GitLab answers 404 to both)."""
        try:
            body, _ = self.get(f"{self.api}/projects/{int(project_id)}")
        except HttpError as exc:
            if exc.status == 404:
                return None
            raise
        return body if isinstance(body, dict) and "id" in body else None


# --- one team, landed -----------------------------------------------------------------------------


@dataclass
class _Read:
    """The ids a read of the team's projects returned (what a full read keeps)."""

    merge_requests: list[int] = field(default_factory=list)
    deployments: list[int] = field(default_factory=list)
    environments: list[tuple[int, str]] = field(default_factory=list)  # (project, name) listed
    incidents: list[int] = field(default_factory=list)


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
    them; the new watermark is written with the data. A full read also removes what GitLab no
    longer returns for the team's projects (`_remove_gone`)."""
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

    queries = _team_queries(con, source)
    projects, written = client.projects(team)
    # the team's projects as stored before this read: under its paths now, or under the paths
    # of its previous read (a changed config), to see which left it and which are new to it
    had_before = gitlab_projects_under(
        con, source, [*team.gitlab.projects, *queries.pop(team.key, ())]
    )
    mine_before = gitlab_projects_under(con, source, team.gitlab.projects)
    write_gitlab_projects(con, source, fetched_at, projects, written)
    result.projects = len(projects)
    read = _Read()
    for project in sorted(projects, key=lambda p: int(p["id"])):
        pid = int(project["id"])
        result.project_ids.append(pid)
        # a project new to the team (added to its group, moved in) is read whole: what it did
        # before the watermark is not in the warehouse yet
        since_pid = after if pid in mine_before else None
        newest = _later(
            newest, _sync_merge_requests(con, client, pid, since_pid, fetched_at, result, read)
        )
        bar.update(result.merge_requests, None)
        environments = client.all(f"/projects/{pid}/environments")
        write_gitlab_environments(con, source, pid, fetched_at, environments)
        names = production_candidates(environments, team.gitlab.production_environment)
        for name in names:
            read.environments.append((pid, name))
            newest = _later(
                newest,
                _sync_deployments(con, client, pid, name, since_pid, fetched_at, result, read),
            )
        newest = _later(
            newest, _sync_incidents(con, client, pid, since_pid, fetched_at, result, read)
        )
    if result.full:
        others = [path for paths in queries.values() for path in paths]
        left = sorted(set(had_before) - set(result.project_ids))
        _remove_gone(con, client, team, result, read, left, others)
        if result.removed:
            bar.note(_removed_note(result.gone))
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
    if client.paced:
        bar.note(
            f"GitLab said its rate limit was nearly reached; waited for it to reset "
            f"{client.paced}× instead of being refused"
        )
        result.paced, client.paced = client.paced, 0
    return result


def _team_queries(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, list[str]]:
    """Each team's configured paths on this source as its last read stored them (the
    watermark's query): what the teams of the warehouse look at."""
    rows = con.execute(
        "SELECT team, query FROM sync_watermarks WHERE source = ?", [source]
    ).fetchall()
    return {team: [p for p in query.split("\n") if p] for team, query in rows}


def _under(path: str, paths: list[str]) -> bool:
    """Whether a project path is one of `paths` or inside one of them (a group)."""
    path = path.strip("/").lower()
    for p in paths:
        p = p.strip("/").lower()
        if p and (path == p or path.startswith(p + "/")):
            return True
    return False


def _remove_gone(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    team: Team,
    result: GitlabResult,
    read: _Read,
    left: list[int],
    others: list[str],
) -> None:
    """After a full read: remove what GitLab no longer returns for the team's projects, and the
    projects that left the team (moved out of its groups, deleted, or no longer configured).

    A project that left is asked for once. When GitLab still has it at a path this team or
    another team of the warehouse looks at (`others`: their stored queries), only its project
    row goes: no team counts it until the team that holds it now reads it, whole, as a project
    new to it (`sync_team`), and the data read so far stays for that. Otherwise it goes with
    everything landed from it. Only the team's own projects are touched, and of their
    deployments only the environments this read listed (another team's
    `production_environment` may name others)."""
    assert team.gitlab is not None
    source = client.source.key
    gone = delete_gitlab_gone(
        con,
        source,
        result.project_ids,
        merge_requests=read.merge_requests,
        deployments=read.deployments,
        listed_environments=read.environments,
        incidents=read.incidents,
    )
    moved: list[int] = []
    dropped: list[int] = []
    wanted = [*team.gitlab.projects, *others]
    for pid in left:
        now = client.project(pid)
        if now is not None and _under(str(now.get("path_with_namespace") or ""), wanted):
            moved.append(pid)
        else:
            dropped.append(pid)
    gone["projects"] = delete_gitlab_projects(con, source, dropped) + delete_gitlab_projects(
        con, source, moved, with_data=False
    )
    result.gone = gone


def _removed_note(gone: dict[str, int]) -> str:
    words = {
        "merge_requests": ("merge request", "merge requests"),
        "deployments": ("deployment", "deployments"),
        "incidents": ("incident", "incidents"),
        "projects": ("project", "projects"),
    }
    parts = [
        f"{n} {words[k][0] if n == 1 else words[k][1]}" for k, n in gone.items() if n and k in words
    ]
    return "GitLab no longer returns " + ", ".join(parts) + "; removed from the warehouse"


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
    read: _Read,
) -> datetime | None:
    """A project's merge requests, page by page; each page's merged MRs cost two requests each
    (commits, notes), and the page lands in one write per table."""
    source = client.source.key
    params = {"state": "all", "order_by": "updated_at", "sort": "asc"}
    if after:
        params["updated_after"] = after
    newest = None
    for page in client.pages(f"/projects/{pid}/merge_requests", params):
        page = [mr for mr in page if "id" in mr and "iid" in mr]
        result.merge_requests += len(page)
        read.merge_requests.extend(int(mr["id"]) for mr in page)
        changed = page if result.full else _changed(con, "raw_gitlab_merge_requests", source, page)
        if not changed:
            continue
        write_gitlab_merge_requests(con, source, pid, fetched_at, changed)
        result.landed += len(changed)
        commits: list[tuple[dict, list[dict]]] = []
        notes: list[tuple[dict, list[dict]]] = []
        for mr in changed:
            newest = _later(newest, _moment(mr.get("updated_at")))
            if mr.get("state") != "merged":
                continue
            # the project whose list holds the MR is the lineage of its commits and notes
            mr = {**mr, "project_id": pid}
            iid = int(mr["iid"])
            commits.append((mr, client.all(f"/projects/{pid}/merge_requests/{iid}/commits")))
            notes.append(
                (
                    mr,
                    client.all(
                        f"/projects/{pid}/merge_requests/{iid}/notes",
                        {"sort": "asc", "order_by": "created_at"},
                    ),
                )
            )
        if commits:
            write_gitlab_mr_commits_batch(con, source, fetched_at, commits)
            write_gitlab_mr_notes_batch(con, source, fetched_at, notes)
    return newest


def _sync_deployments(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    pid: int,
    environment: str,
    after: str | None,
    fetched_at: datetime,
    result: GitlabResult,
    read: _Read,
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
        page = [d for d in page if "id" in d]
        read.deployments.extend(int(d["id"]) for d in page)
        changed = page if result.full else _changed(con, "raw_gitlab_deployments", source, page)
        if not changed:
            continue
        write_gitlab_deployments(con, source, pid, fetched_at, changed)
        result.deployments += len(changed)
        shipped: list[tuple[int, list[dict]]] = []
        for d in changed:
            newest = _later(newest, _moment(d.get("updated_at")))
            did = int(d["id"])
            shipped.append((did, client.all(f"/projects/{pid}/deployments/{did}/merge_requests")))
        write_gitlab_deployment_mrs_batch(con, source, pid, fetched_at, shipped)
    return newest


def _sync_incidents(
    con: duckdb.DuckDBPyConnection,
    client: GitlabClient,
    pid: int,
    after: str | None,
    fetched_at: datetime,
    result: GitlabResult,
    read: _Read,
) -> datetime | None:
    source = client.source.key
    params = {"issue_type": "incident", "state": "all", "order_by": "updated_at", "sort": "asc"}
    if after:
        params["updated_after"] = after
    newest = None
    for page in client.pages(f"/projects/{pid}/issues", params):
        page = [i for i in page if "id" in i]
        result.incidents += len(page)
        read.incidents.extend(int(i["id"]) for i in page)
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
