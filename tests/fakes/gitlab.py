"""A loopback fake of GitLab REST v4 for the GitLab connector's tests and benchmarks.

The connector is only ever tested against this server, so it reproduces what the reference
(shared/reference/jira-gitlab-apis.md, sections 9-14 and 16) documents: the entity shapes of §14
(builders below produce them), offset paging with `x-*` headers and `Link` (prev/next/first/last;
totals and `rel="last"` dropped above `totals_limit`), the `per_page` clamp, `Link` URLs on a
configured `external_url` (proxy drift), authentication (`PRIVATE-TOKEN` or `Authorization: Bearer`,
401 JSON otherwise), group expansion (subgroups by path prefix, archived projects), the group MR
list's `non_archived` default, the deployment finder's 400s (§11, messages from GitLab's
`DeploymentsFinder`), deployments without a `deployable`, a deployment's merge requests, MR commits
and notes, environments with their tier, and incidents (`issue_type=incident`).

Failures are injected per test: `fail()` (any status, body and headers; a 429 without a body
answers `Retry later` as text/plain, and `rate_limit_headers()` builds the `RateLimit-*` set) and
`down` (connections closed without an answer). `rate_limit` turns on a throttle with `RateLimit-*`
headers on every answer (on a `clock` a test may drive). Data changes between syncs with the
`put_*` and `remove_*` methods (a project moves by a new path and `set_groups`).

Standard library only: a `ThreadingHTTPServer` on 127.0.0.1 in a daemon thread. Entities are
serialised when they are stored; a list request filters and sorts references to those strings
(cached until the data changes) and joins one page of them, so a request never copies the data.

Choices where the reference is silent:
* Group ids are assigned 1000, 1001, ... in the sorted order of the group paths; a group answers
  to its id or its URL-encoded full path. A group's subgroups are the groups whose path starts
  with `<path>/`. `GET /groups/:id/projects` without `archived` lists archived projects too
  (GitLab's default), ordered by id descending (as `created_at desc` would).
* Orderings break ties by id in the same direction. Commits are served in the order given
  (GitLab serves newest first; the connector must not rely on it). Environments are ordered by name.
* `updated_*` filters on deployments without `order_by=updated_at` answer 400 as current GitLab
  does (`strict_updated_sort=False` gives the older implicit re-ordering instead), and
  `order_by=finished_at` needs a `finished_*` filter as the reference says
  (`lenient_finished_sort=True` also accepts a finished status, as GitLab 16+ does).
* A deployment's finish time (what `finished_*` filter and sort use) is its own `finished_at` key
  (kept server-side: the REST entity has none), else `deployable.finished_at`, else `updated_at`
  for a finished status.
* Page numbers past the end answer `[]` with the usual headers; `per_page` below 1 means 20.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from demo.gitlab_payloads import (  # noqa: F401 - re-exported for the tests
    WEB,
    commit,
    deployment,
    environment,
    gl_time,
    incident,
    merge_request,
    note,
    user,
)
from tests.fakes.loopback import Failure, Handler, LoopbackFake, Recorded, Server

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"

UNAUTHORIZED = {"message": "401 Unauthorized"}
RETRY_LATER = "Retry later\n"  # Rack::Attack's throttled response body
DEFAULT_PER_PAGE = 20

# DeploymentsFinder::InefficientQueryError messages (answered as "400 Bad request - <message>").
BOTH_FILTERS = "Both `updated_at` filter and `finished_at` filter can not be specified"
UPDATED_NEEDS_SORT = "`updated_at` filter requires `updated_at` sort"
FINISHED_NEEDS_SORT = "`finished_at` filter requires `finished_at` sort."
FINISHED_SORT_NEEDS_FILTER = "`finished_at` sort requires `finished_at` filter."
FINISHED_SORT_NEEDS_FILTER_OR_STATUS = (
    "`finished_at` sort requires `finished_at` filter or a filter with at least one of the "
    "finished statuses."
)
FINISHED_NEEDS_SUCCESS = "`finished_at` filter must be combined with `success` status filter."

DEPLOYMENT_STATUSES = ("created", "running", "success", "failed", "canceled", "blocked")
FINISHED_STATUSES = frozenset({"success", "failed", "canceled"})
MR_STATES = ("opened", "closed", "locked", "merged", "all")
TIERS = ("production", "staging", "testing", "development", "other")
ISSUE_TYPES = ("issue", "incident", "test_case", "task")

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class _Reply(Exception):
    """Raised anywhere in a handler to answer with this response."""

    def __init__(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = JSON_TYPE,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type


def _bad_request(message: str) -> _Reply:
    return _Reply(400, {"message": f"400 Bad request - {message}"})


def _invalid(param: str) -> _Reply:
    return _Reply(400, {"error": f"{param} does not have a valid value"})


def _not_found(what: str = "Not found") -> _Reply:
    return _Reply(404, {"message": f"404 {what}"})


def _epoch(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _param_time(query: dict[str, str], name: str) -> float | None:
    """A datetime query parameter; an unencoded `+` arrives as a space and is invalid."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    try:
        if " " in raw:
            raise ValueError(raw)
        return _epoch(raw)
    except ValueError:
        raise _Reply(400, {"error": f"{name} is invalid"}) from None


def rate_limit_headers(
    *,
    retry_after: int | None = 1,
    reset_in: int = 1,
    limit: int = 2000,
    name: str = "throttle_authenticated_api",
    now: float | None = None,
) -> dict[str, str]:
    """The headers of a Rack::Attack 429 (`RateLimit-Reset` in epoch seconds). `retry_after=None`
    leaves `Retry-After` out, so the client must fall back to `RateLimit-Reset`."""
    reset = int(now if now is not None else time.time()) + reset_in
    headers = {
        "RateLimit-Name": name,
        "RateLimit-Limit": str(limit),
        "RateLimit-Observed": str(limit + 1),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(reset),
        "RateLimit-ResetTime": formatdate(reset, usegmt=True),
    }
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


# --- stored entities ------------------------------------------------------------------------------


class _Row:
    """One stored entity: its JSON (without server-side keys) and what filters and sorts read."""

    __slots__ = ("json", "id", "keys", "data")

    def __init__(self, data: dict, public: dict, keys: dict[str, Any]) -> None:
        self.data = data
        self.json = _encode(public)
        self.id = data.get("id") or 0
        self.keys = keys


def _times(data: dict, *names: str) -> dict[str, float | None]:
    return {name: _epoch(data.get(name)) for name in names}


class _Handler(Handler):
    server_version = "nginx"


# --- the fake -------------------------------------------------------------------------------------


class FakeGitLab(LoopbackFake):
    """GitLab REST v4 on 127.0.0.1 (see the module docstring).

    `groups` maps a group's full path to its own projects' paths (subgroups are groups whose path
    extends it); `projects` are `{"id", "path_with_namespace", "archived", ...}`; merge requests,
    deployments and issues are entities as the builders of this module make them, with the
    server-side keys `commits`/`notes` (MRs), `project_id`/`environment` (a name)/
    `merge_request_iids`/`finished_at` (deployments) left out of the answers.
    """

    def __init__(
        self,
        *,
        token: str = "glpat-secret",
        groups: dict[str, list[str]] | None = None,
        projects: Iterable[dict] = (),
        merge_requests: Iterable[dict] = (),
        environments: Iterable[dict] = (),
        deployments: Iterable[dict] = (),
        issues: Iterable[dict] = (),
        max_per_page: int = 100,
        totals_limit: int = 10_000,
        external_url: str | None = None,
        strict_updated_sort: bool = True,
        lenient_finished_sort: bool = False,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.max_per_page = max_per_page
        self.totals_limit = totals_limit
        self.external_url = external_url
        self.strict_updated_sort = strict_updated_sort
        self.lenient_finished_sort = lenient_finished_sort
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.clock = clock
        self._window_end: float | None = None
        self._observed = 0
        self.url = ""
        self.requests: list[Recorded] = []
        self.down = False

        self._lock = threading.RLock()
        self._projects: dict[int, _Row] = {}
        self._project_paths: dict[str, int] = {}
        self._groups: dict[str, list[str]] = {}
        self._group_ids: dict[int, str] = {}
        self._mrs: dict[tuple[int, int], _Row] = {}
        self._commits: dict[tuple[int, int], list[_Row]] = {}
        self._notes: dict[tuple[int, int], list[_Row]] = {}
        self._environments: dict[int, _Row] = {}
        self._deployments: dict[int, _Row] = {}
        self._issues: dict[int, _Row] = {}
        self._version = 0
        self._results: OrderedDict[tuple, list[str]] = OrderedDict()
        self._failures: list[Failure] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

        for project in projects:
            self.put_project(project)
        self.set_groups(groups or {})
        for env in environments:
            self.put_environment(env)
        for mr in merge_requests:
            self.put_merge_request(mr)
        for d in deployments:
            self.put_deployment(d)
        for i in issues:
            self.put_issue(i)

    # -- lifecycle

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v4"

    # -- data

    def _changed(self) -> None:
        self._version += 1

    def put_project(self, project: dict) -> None:
        """Adds or replaces a project by id (a new `path_with_namespace` moves it). With an
        `owner` (a `user()`), it lives in that person's namespace, which carries their name,
        username and avatar as GitLab's does (`namespace.kind == "user"`)."""
        path = str(project["path_with_namespace"])
        namespace, _, name = path.rpartition("/")
        owner = project.get("owner")
        if owner:
            avatar = f"{WEB}/uploads/-/system/user/avatar/{owner['id']}/avatar.png"
            space = {
                "id": 9000 + int(owner["id"]),
                "name": owner["name"],
                "path": owner["username"],
                "kind": "user",
                "full_path": owner["username"],
                "parent_id": None,
                "avatar_url": avatar,
                "web_url": f"{WEB}/{owner['username']}",
            }
            shown = f"{owner['name']} / {name}"
        else:
            space = {
                "name": namespace.rpartition("/")[2],
                "path": namespace.rpartition("/")[2],
                "kind": "group",
                "full_path": namespace,
            }
            shown = " / ".join(path.split("/"))
        public = {
            "id": project["id"],
            "description": None,
            "name": name,
            "name_with_namespace": shown,
            "path": name,
            "path_with_namespace": path,
            "created_at": "2025-01-10T09:00:00.000Z",
            "default_branch": "main",
            "ssh_url_to_repo": f"git@gitlab.example.gov:{path}.git",
            "http_url_to_repo": f"{WEB}/{path}.git",
            "web_url": f"{WEB}/{path}",
            "readme_url": f"{WEB}/{path}/-/blob/main/README.md",
            "avatar_url": None,
            "archived": bool(project.get("archived", False)),
            "namespace": space,
        }
        if owner:
            public["owner"] = owner
            public["creator_id"] = owner["id"]
        public.update({k: v for k, v in project.items() if k != "id"})
        row = _Row(project, public, {"archived": public["archived"], "path": path})
        with self._lock:
            old = self._projects.get(row.id)
            if old is not None:
                self._project_paths.pop(old.keys["path"], None)
            self._projects[row.id] = row
            self._project_paths[path] = row.id
            self._changed()

    def set_groups(self, groups: dict[str, list[str]]) -> None:
        with self._lock:
            for paths in groups.values():
                for path in paths:
                    if path not in self._project_paths:
                        raise ValueError(f"group project {path!r} is not among the projects")
            self._groups = {g.strip("/"): list(p) for g, p in groups.items()}
            self._group_ids = {1000 + n: g for n, g in enumerate(sorted(self._groups))}
            self._changed()

    def remove_project(self, project_id: int) -> None:
        """Deletes a project (GitLab: 404 from then on) with everything in it."""
        with self._lock:
            row = self._projects.pop(project_id)
            self._project_paths.pop(row.keys["path"], None)
            self._groups = {
                g: [p for p in paths if p != row.keys["path"]] for g, paths in self._groups.items()
            }
            for table in (self._mrs, self._commits, self._notes):
                for key in [k for k in table if k[0] == project_id]:
                    del table[key]
            for table in (self._environments, self._deployments, self._issues):
                for key in [k for k, r in table.items() if r.keys["project_id"] == project_id]:
                    del table[key]
            self._changed()

    def remove_merge_request(self, project_id: int, iid: int) -> None:
        """Deletes an MR with its commits and notes (deployments keep listing what remains)."""
        with self._lock:
            for table in (self._mrs, self._commits, self._notes):
                del table[(project_id, iid)]
            self._changed()

    def remove_deployment(self, deployment_id: int) -> None:
        with self._lock:
            del self._deployments[deployment_id]
            self._changed()

    def remove_environment(self, env_id: int) -> None:
        """Deletes an environment and (as GitLab does) its deployments."""
        with self._lock:
            row = self._environments.pop(env_id)
            gone = [
                k
                for k, d in self._deployments.items()
                if d.keys["project_id"] == row.keys["project_id"]
                and d.keys["environment"] == row.keys["name"]
            ]
            for key in gone:
                del self._deployments[key]
            self._changed()

    def remove_issue(self, issue_id: int) -> None:
        with self._lock:
            del self._issues[issue_id]
            self._changed()

    def put_environment(self, env: dict) -> None:
        public = {k: v for k, v in env.items() if k != "project_id"}
        row = _Row(env, public, {"project_id": env["project_id"], "name": env["name"]})
        with self._lock:
            self._environments[row.id] = row
            self._changed()

    def put_merge_request(self, mr: dict) -> None:
        """Adds or replaces an MR by (project_id, iid), with its commits and notes."""
        public = {k: v for k, v in mr.items() if k not in ("commits", "notes")}
        keys = _times(mr, "created_at", "updated_at", "merged_at")
        keys.update(project_id=mr["project_id"], iid=mr["iid"], state=mr["state"])
        keys["title"] = mr.get("title") or ""
        row = _Row(mr, public, keys)
        key = (mr["project_id"], mr["iid"])
        commits = [_Row(c, c, {}) for c in mr.get("commits") or ()]
        notes = [_Row(n, n, _times(n, "created_at", "updated_at")) for n in mr.get("notes") or ()]
        with self._lock:
            self._mrs[key] = row
            self._commits[key] = commits
            self._notes[key] = notes
            self._changed()

    def put_deployment(self, d: dict) -> None:
        """Adds or replaces a deployment by id; `environment` is a name (or an environment dict).

        The environment is embedded when the deployment is stored: put environments first."""
        env = d.get("environment")
        name = env.get("name") if isinstance(env, dict) else env
        finished = d.get("finished_at")
        if finished is None and d.get("deployable"):
            finished = d["deployable"].get("finished_at")
        if finished is None and d.get("status") in FINISHED_STATUSES:
            finished = d.get("updated_at")
        keys = _times(d, "created_at", "updated_at")
        keys.update(
            finished_at=_epoch(finished),
            project_id=d["project_id"],
            iid=d.get("iid") or d["id"],
            environment=name,
            status=d.get("status"),
            mr_iids=tuple(d.get("merge_request_iids") or ()),
        )
        row = _Row(d, {}, keys)
        row.json = ""  # assembled with the environment when stored (below)
        with self._lock:
            row.json = self._deployment_json(d, name)
            self._deployments[row.id] = row
            self._changed()

    def _deployment_json(self, d: dict, name: str | None) -> str:
        env = d.get("environment")
        if not isinstance(env, dict):
            found = next(
                (
                    e.data
                    for e in self._environments.values()
                    if e.keys["project_id"] == d["project_id"] and e.keys["name"] == name
                ),
                None,
            )
            if found is not None:
                env = {
                    k: found.get(k)
                    for k in ("id", "name", "slug", "external_url", "created_at", "updated_at")
                }
            else:
                env = {"id": 0, "name": name, "slug": name, "external_url": None}
        skip = ("project_id", "merge_request_iids", "finished_at", "environment", "deployable")
        public = {k: v for k, v in d.items() if k not in skip}
        public["environment"] = env
        public["deployable"] = d.get("deployable")
        return _encode(public)

    def put_issue(self, i: dict) -> None:
        keys = _times(i, "created_at", "updated_at")
        keys.update(
            project_id=i["project_id"],
            state=i.get("state"),
            issue_type=i.get("issue_type") or "issue",
        )
        row = _Row(i, i, keys)
        with self._lock:
            self._issues[row.id] = row
            self._changed()

    def fail(
        self,
        path_prefix: str,
        status: int,
        *,
        times: int = 1,
        headers: dict | None = None,
        body: str | bytes | dict | list | None = None,
        content_type: str = JSON_TYPE,
    ) -> None:
        """The next `times` requests whose path starts with `path_prefix` get this response.

        Without a body, a 429 answers `Retry later` as text/plain (as Rack::Attack does) and any
        other status `{"message": "<status> <phrase>"}`."""
        if body is None and status == 429:
            body, content_type = RETRY_LATER, TEXT_TYPE
        elif body is None:
            try:
                phrase = HTTPStatus(status).phrase
            except ValueError:
                phrase = f"HTTP {status}"
            body = {"message": f"{status} {phrase}"}
        self._script(path_prefix, status, times, headers, body, content_type)

    # -- request handling

    def _serve(self, handler: _Handler, method: str) -> None:
        if self.down:  # close without answering: the client sees a connection error
            handler.close_connection = True
            return
        split = urlsplit(handler.path)
        path = split.path
        pairs = parse_qsl(split.query, keep_blank_values=True)
        query: dict[str, list[str]] = {}
        for name, value in pairs:
            query.setdefault(name, []).append(value)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body: Any = None
        if raw:
            with contextlib.suppress(ValueError):
                body = json.loads(raw)
        secret = {"authorization", "private-token"}
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in secret}
        record = Recorded(method, path, query, body, headers)
        self.requests.append(record)
        try:
            reply = self._dispatch(method, path, pairs, handler)
        except _Reply as r:
            reply = r
        except Exception as e:  # a bug in the fake: say so loudly instead of hanging the client
            reply = _Reply(500, {"message": f"500 FakeGitLab internal error: {e!r}"})
        if self.down:
            handler.close_connection = True
            return
        record.status = reply.status
        self._respond(handler, reply.status, reply.body, reply.content_type, reply.headers)

    def _authenticate(self, handler: _Handler) -> None:
        token = handler.headers.get("PRIVATE-TOKEN")
        if token is None:
            scheme, _, credentials = (handler.headers.get("Authorization") or "").partition(" ")
            if scheme.lower() == "bearer":
                token = credentials.strip()
        if not token or token != self.token:
            raise _Reply(401, UNAUTHORIZED)

    def _dispatch(
        self, method: str, path: str, pairs: list[tuple[str, str]], handler: _Handler
    ) -> _Reply:
        failure = self._take_failure(path)
        if failure is not None:
            return _Reply(failure.status, failure.body, failure.headers, failure.content_type)
        if not path.startswith("/api/v4/"):
            return _Reply(404, {"error": "404 Not Found"})
        self._authenticate(handler)
        limit = self._throttle()
        try:
            reply = self._route(method, path, pairs)
        except _Reply as r:
            reply = r
        reply.headers = {**limit, **reply.headers}
        return reply

    def _route(self, method: str, path: str, pairs: list[tuple[str, str]]) -> _Reply:
        if method != "GET":
            return _Reply(405, {"error": "405 Method Not Allowed"})
        parts = path[len("/api/v4/") :].rstrip("/").split("/")
        query = dict(pairs)  # the last value of a repeated parameter wins, as in Rack
        for route, handler_fn in self._routes:
            match = route.fullmatch("/".join(parts))
            if match:
                return handler_fn(self, [unquote(g) for g in match.groups()], query, path, pairs)
        return _Reply(404, {"error": "404 Not Found"})

    def _throttle(self) -> dict[str, str]:
        """Rack::Attack's authenticated API throttle, when `rate_limit` is set: that many
        requests per `rate_window` seconds (of `clock`) from the first one of a window, its
        `RateLimit-*` headers on every answer, and a 429 with `Retry-After` once used up."""
        if self.rate_limit is None:
            return {}
        with self._lock:
            now = self.clock()
            if self._window_end is None or now >= self._window_end:
                self._window_end, self._observed = now + self.rate_window, 0
            self._observed += 1
            reset = math.ceil(self._window_end)
            headers = {
                "RateLimit-Name": "throttle_authenticated_api",
                "RateLimit-Limit": str(self.rate_limit),
                "RateLimit-Observed": str(self._observed),
                "RateLimit-Remaining": str(max(self.rate_limit - self._observed, 0)),
                "RateLimit-Reset": str(reset),
                "RateLimit-ResetTime": formatdate(reset, usegmt=True),
            }
            if self._observed > self.rate_limit:
                wait = str(max(math.ceil(self._window_end - now), 1))
                raise _Reply(429, RETRY_LATER, {**headers, "Retry-After": wait}, TEXT_TYPE)
            return headers

    # -- lookups

    def _project(self, ident: str) -> _Row:
        with self._lock:
            pid = int(ident) if ident.isdigit() else self._project_paths.get(ident)
            row = self._projects.get(pid) if pid is not None else None
        if row is None:
            raise _not_found("Project Not Found")
        return row

    def _group_projects(self, ident: str, subgroups: bool) -> list[_Row]:
        with self._lock:
            group = self._group_ids.get(int(ident)) if ident.isdigit() else ident
            if group not in self._groups:
                raise _not_found("Group Not Found")
            paths = list(self._groups[group])
            if subgroups:
                for other, more in self._groups.items():
                    if other.startswith(group + "/"):
                        paths += more
            # a project moved or deleted has left its groups
            found = (self._project_paths.get(p) for p in dict.fromkeys(paths))
            return [self._projects[pid] for pid in found if pid is not None]

    def _cached(self, key: tuple, build: Callable[[], list[str]]) -> list[str]:
        with self._lock:
            key = (*key, self._version)
            cached = self._results.get(key)
            if cached is not None:
                self._results.move_to_end(key)
                return cached
            result = build()  # under the lock: the data cannot change while it is read
            self._results[key] = result
            while len(self._results) > 64:
                self._results.popitem(last=False)
            return result

    # -- paging

    def _int(self, query: dict[str, str], name: str, default: int) -> int:
        raw = query.get(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise _Reply(400, {"error": f"{name} is invalid"}) from None

    def _page(self, rows: list[str], query: dict[str, str], path: str, pairs: list) -> _Reply:
        page = max(1, self._int(query, "page", 1))
        per_page = self._int(query, "per_page", DEFAULT_PER_PAGE)
        if per_page < 1:
            per_page = DEFAULT_PER_PAGE
        per_page = min(per_page, self.max_per_page)
        total = len(rows)
        start = (page - 1) * per_page
        chunk = rows[start : start + per_page]
        has_next = start + per_page < total
        totals = total <= self.totals_limit
        total_pages = max(1, math.ceil(total / per_page))
        headers = {
            "x-page": str(page),
            "x-per-page": str(per_page),
            "x-next-page": str(page + 1) if has_next else "",
            "x-prev-page": str(page - 1) if page > 1 else "",
        }
        if totals:
            headers["x-total"] = str(total)
            headers["x-total-pages"] = str(total_pages)
        base = (self.external_url or self.url).rstrip("/") + path
        kept = [(k, v) for k, v in pairs if k not in ("page", "per_page")]

        def link(number: int, rel: str) -> str:
            qs = urlencode([*kept, ("page", str(number)), ("per_page", str(per_page))])
            return f'<{base}?{qs}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(page - 1, "prev"))
        if has_next:
            links.append(link(page + 1, "next"))
        links.append(link(1, "first"))
        if totals:
            links.append(link(total_pages, "last"))
        headers["Link"] = ", ".join(links)
        return _Reply(200, "[" + ",".join(chunk) + "]", headers)

    # -- sorting helpers

    @staticmethod
    def _choice(query: dict[str, str], name: str, allowed: Iterable[str], default: str) -> str:
        value = query.get(name) or default
        if value not in allowed:
            raise _invalid(name)
        return value

    @staticmethod
    def _sorted(rows: list[_Row], column: str, descending: bool) -> list[str]:
        """By a key (None last either way), ties by id in the same direction."""
        present = [r for r in rows if r.keys.get(column) is not None]
        missing = [r for r in rows if r.keys.get(column) is None]
        present.sort(key=lambda r: (r.keys[column], r.id), reverse=descending)
        missing.sort(key=lambda r: r.id, reverse=descending)
        return [r.json for r in present + missing]

    @staticmethod
    def _window(rows: list[_Row], query: dict[str, str], column: str) -> list[_Row]:
        after = _param_time(query, f"{column}_after")
        before = _param_time(query, f"{column}_before")
        if after is None and before is None:
            return rows
        column_at = f"{column}_at"
        out = []
        for r in rows:
            value = r.keys.get(column_at)
            if value is None:
                continue
            if after is not None and value < after:
                continue
            if before is not None and value > before:
                continue
            out.append(r)
        return out

    # -- endpoints

    def _get_project(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        return _Reply(200, self._project(args[0]).json)

    def _list_group_projects(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        subgroups = query.get("include_subgroups", "false").lower() in ("true", "1")
        archived = query.get("archived")
        order_by = self._choice(query, "order_by", ("id", "created_at", "path", "name"), "id")
        descending = self._choice(query, "sort", ("asc", "desc"), "desc") == "desc"

        def build() -> list[str]:
            rows = self._group_projects(args[0], subgroups)
            if archived is not None:
                wanted = archived.lower() in ("true", "1")
                rows = [r for r in rows if r.keys["archived"] == wanted]
            if order_by in ("path", "name"):
                rows.sort(key=lambda r: (r.keys["path"], r.id), reverse=descending)
            else:
                rows.sort(key=lambda r: r.id, reverse=descending)
            return [r.json for r in rows]

        key = ("group_projects", args[0], subgroups, archived, order_by, descending)
        return self._page(self._cached(key, build), query, path, pairs)

    def _mr_rows(self, rows: list[_Row], query: dict[str, str]) -> list[str]:
        state = self._choice(query, "state", MR_STATES, "all")
        order_by = self._choice(
            query, "order_by", ("created_at", "updated_at", "merged_at", "title"), "created_at"
        )
        descending = self._choice(query, "sort", ("asc", "desc"), "desc") == "desc"
        if state != "all":
            rows = [r for r in rows if r.keys["state"] == state]
        rows = self._window(rows, query, "updated")
        rows = self._window(rows, query, "created")
        rows = self._window(rows, query, "merged")
        if query.get("iids[]"):
            wanted = {int(v) for v in query["iids[]"].split(",") if v.strip().isdigit()}
            rows = [r for r in rows if r.keys["iid"] in wanted]
        return self._sorted(rows, order_by, descending)

    def _mr_filter_key(self, query: dict[str, str]) -> tuple:
        skip = ("page", "per_page")
        return tuple(sorted((k, v) for k, v in query.items() if k not in skip))

    def _list_project_mrs(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        project = self._project(args[0])

        def build() -> list[str]:
            rows = [r for r in self._mrs.values() if r.keys["project_id"] == project.id]
            return self._mr_rows(rows, query)

        key = ("project_mrs", project.id, self._mr_filter_key(query))
        return self._page(self._cached(key, build), query, path, pairs)

    def _list_group_mrs(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        non_archived = query.get("non_archived", "true").lower() not in ("false", "0")

        def build() -> list[str]:
            projects = self._group_projects(args[0], True)  # always with subgroups
            ids = {p.id for p in projects if not (non_archived and p.keys["archived"])}
            rows = [r for r in self._mrs.values() if r.keys["project_id"] in ids]
            return self._mr_rows(rows, query)

        key = ("group_mrs", args[0], non_archived, self._mr_filter_key(query))
        return self._page(self._cached(key, build), query, path, pairs)

    def _mr(self, args: list[str]) -> tuple[int, int]:
        project = self._project(args[0])
        if not args[1].isdigit():
            raise _Reply(404, {"error": "404 Not Found"})
        key = (project.id, int(args[1]))
        if key not in self._mrs:
            raise _not_found()
        return key

    def _get_mr(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        return _Reply(200, self._mrs[self._mr(args)].json)

    def _list_commits(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        key = self._mr(args)
        with self._lock:
            rows = [c.json for c in self._commits.get(key, ())]
        return self._page(rows, query, path, pairs)

    def _list_notes(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        key = self._mr(args)
        order_by = self._choice(query, "order_by", ("created_at", "updated_at"), "created_at")
        descending = self._choice(query, "sort", ("asc", "desc"), "desc") == "desc"

        def build() -> list[str]:
            return self._sorted(list(self._notes.get(key, ())), order_by, descending)

        cache = ("notes", key, order_by, descending)
        return self._page(self._cached(cache, build), query, path, pairs)

    def _list_environments(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        project = self._project(args[0])
        tier = query.get("tier")
        if tier is not None and tier not in TIERS:
            raise _invalid("tier")
        name = query.get("name")
        search = query.get("search")
        states = query.get("states")

        def build() -> list[str]:
            rows = [r for r in self._environments.values() if r.keys["project_id"] == project.id]
            if tier:
                rows = [r for r in rows if r.data.get("tier") == tier]
            if name:
                rows = [r for r in rows if r.keys["name"] == name]
            if search:
                rows = [r for r in rows if search in r.keys["name"]]
            if states:
                rows = [r for r in rows if r.data.get("state") == states]
            rows.sort(key=lambda r: (r.keys["name"], r.id))
            return [r.json for r in rows]

        key = ("environments", project.id, tier, name, search, states)
        return self._page(self._cached(key, build), query, path, pairs)

    def _list_deployments(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        project = self._project(args[0])
        order_by = self._choice(
            query, "order_by", ("id", "iid", "created_at", "updated_at", "finished_at"), "id"
        )
        descending = self._choice(query, "sort", ("asc", "desc"), "asc") == "desc"
        status = query.get("status") or None
        if status is not None and status not in DEPLOYMENT_STATUSES:
            raise _invalid("status")
        updated = bool(query.get("updated_after") or query.get("updated_before"))
        finished = bool(query.get("finished_after") or query.get("finished_before"))
        if updated and finished:
            raise _bad_request(BOTH_FILTERS)
        if updated and order_by != "updated_at":
            if self.strict_updated_sort:
                raise _bad_request(UPDATED_NEEDS_SORT)
            order_by = "updated_at"  # the older implicit re-ordering
        if finished and order_by != "finished_at":
            raise _bad_request(FINISHED_NEEDS_SORT)
        if order_by == "finished_at" and not finished:
            if not self.lenient_finished_sort:
                raise _bad_request(FINISHED_SORT_NEEDS_FILTER)
            if status not in FINISHED_STATUSES:
                raise _bad_request(FINISHED_SORT_NEEDS_FILTER_OR_STATUS)
        if finished and status != "success":
            raise _bad_request(FINISHED_NEEDS_SUCCESS)
        env = query.get("environment") or None
        if order_by in ("iid", "created_at"):
            order_by = "id"  # as GitLab: the same order

        def build() -> list[str]:
            rows = [r for r in self._deployments.values() if r.keys["project_id"] == project.id]
            rows = self._window(rows, query, "updated")
            rows = self._window(rows, query, "finished")
            if env is not None:
                rows = [r for r in rows if r.keys["environment"] == env]
            if status is not None:
                rows = [r for r in rows if r.keys["status"] == status]
            if order_by == "id":
                rows.sort(key=lambda r: r.id, reverse=descending)
                return [r.json for r in rows]
            return self._sorted(rows, order_by, descending)

        key = ("deployments", project.id, self._mr_filter_key(query), order_by)
        return self._page(self._cached(key, build), query, path, pairs)

    def _list_deployment_mrs(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        project = self._project(args[0])
        with self._lock:
            row = self._deployments.get(int(args[1])) if args[1].isdigit() else None
        if row is None or row.keys["project_id"] != project.id:
            raise _not_found()

        def build() -> list[str]:
            found = (self._mrs.get((project.id, iid)) for iid in dict.fromkeys(row.keys["mr_iids"]))
            return self._mr_rows([r for r in found if r is not None], query)

        key = ("deployment_mrs", row.id, self._mr_filter_key(query))
        return self._page(self._cached(key, build), query, path, pairs)

    def _list_issues(self, args: list[str], query: dict, path: str, pairs: list) -> _Reply:
        project = self._project(args[0])
        issue_type = query.get("issue_type") or None
        if issue_type is not None and issue_type not in ISSUE_TYPES:
            raise _invalid("issue_type")
        state = self._choice(query, "state", ("opened", "closed", "all"), "all")
        order_by = self._choice(query, "order_by", ("created_at", "updated_at"), "created_at")
        descending = self._choice(query, "sort", ("asc", "desc"), "desc") == "desc"

        def build() -> list[str]:
            rows = [r for r in self._issues.values() if r.keys["project_id"] == project.id]
            if issue_type:
                rows = [r for r in rows if r.keys["issue_type"] == issue_type]
            if state != "all":
                rows = [r for r in rows if r.keys["state"] == state]
            rows = self._window(rows, query, "updated")
            rows = self._window(rows, query, "created")
            return self._sorted(rows, order_by, descending)

        key = ("issues", project.id, self._mr_filter_key(query))
        return self._page(self._cached(key, build), query, path, pairs)

    _routes: list[tuple[re.Pattern[str], Callable[..., _Reply]]] = [
        (re.compile(r"projects/([^/]+)"), _get_project),
        (re.compile(r"groups/([^/]+)/projects"), _list_group_projects),
        (re.compile(r"groups/([^/]+)/merge_requests"), _list_group_mrs),
        (re.compile(r"projects/([^/]+)/merge_requests"), _list_project_mrs),
        (re.compile(r"projects/([^/]+)/merge_requests/([^/]+)"), _get_mr),
        (re.compile(r"projects/([^/]+)/merge_requests/([^/]+)/commits"), _list_commits),
        (re.compile(r"projects/([^/]+)/merge_requests/([^/]+)/notes"), _list_notes),
        (re.compile(r"projects/([^/]+)/environments"), _list_environments),
        (re.compile(r"projects/([^/]+)/deployments"), _list_deployments),
        (
            re.compile(r"projects/([^/]+)/deployments/([^/]+)/merge_requests"),
            _list_deployment_mrs,
        ),
        (re.compile(r"projects/([^/]+)/issues"), _list_issues),
    ]
