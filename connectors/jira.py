"""Jira Cloud and Data Center: the catalogues, then every team query's issues with their complete
status history, incrementally (reference: shared/reference/jira-gitlab-apis.md §1–8).

Read as declarations: the flavour decides the search endpoint and its paging (Cloud `search/jql`
with `nextPageToken`; Data Center `search` with `startAt`, in key windows under the result
window), the changelog completion (Cloud only: a truncated embedded changelog is completed through
`changelog/bulkfetch`, or the paged per-issue changelog), and nothing else differs. Pages are
landed as they come; people are dropped by `store.raw` before anything is written.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from config import Source, Team
from connectors.http import (
    BasicAuth,
    BearerAuth,
    Budget,
    HttpError,
    Session,
    get_json,
    post_json,
    session,
)
from errors import KoersError
from store.privacy import scrub
from store.raw import (
    delete_jira_issues,
    write_jira_catalogue,
    write_jira_changelogs,
    write_jira_issues,
)
from store.sync_state import set_watermark, watermark

BASE_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "created",
    "updated",
    "resolution",
    "resolutiondate",
    "labels",
    "components",
    "parent",
    "priority",
)
STORY_POINTS_SCHEMA = "com.pyxis.greenhopper.jira:jsw-story-points"
EPIC_LINK_SCHEMA = "com.pyxis.greenhopper.jira:gh-epic-link"
PAGE_SIZE = 100  # issues per search page (changelogs embedded: keep pages moderate, §3.3)
BULK_IDS = 1000  # issue ids per changelog/bulkfetch call (the endpoint's maximum)
BULK_HISTORIES = 1000  # histories per changelog/bulkfetch page
CHANGELOG_PAGE = 100  # histories per page of /issue/{key}/changelog (its maximum)
RESULT_WINDOW = 10_000  # Data Center: startAt + maxResults may not pass this (§4)
OVERLAP = timedelta(minutes=5)  # re-read before the watermark: eventual consistency (§2.2, §6)
JQL_TIME = "%Y/%m/%d %H:%M"


class Bar(Protocol):
    """Where a query reports how far it is (connectors.sync draws it on stderr)."""

    def update(self, done: int, total: int | None) -> None: ...

    def note(self, text: str) -> None: ...


@dataclass(frozen=True)
class Catalogue:
    """What a Jira instance tells before any issue: flavour, statuses, fields, the time zone."""

    flavour: str  # "cloud" | "datacenter"
    server_info: dict
    statuses: list[dict]
    fields: list[dict]
    timezone: ZoneInfo
    flagged_fields: tuple[str, ...] = ()
    points_fields: tuple[str, ...] = ()
    epic_link_fields: tuple[str, ...] = ()

    @property
    def cloud(self) -> bool:
        return self.flavour == "cloud"

    @property
    def search_fields(self) -> list[str]:
        custom = self.flagged_fields + self.points_fields + self.epic_link_fields
        return list(BASE_FIELDS) + sorted(set(custom))


@dataclass
class QueryResult:
    """What one team query brought in."""

    source: str
    team: str
    issues: int = 0  # distinct issues read
    landed: int = 0  # issues new or changed since they were stored (all of them on a full read)
    completed: int = 0  # truncated changelogs completed
    removed: int = 0  # issues gone from the query (full reads only)
    full: bool = False
    watermark: datetime | None = None


class JiraClient:
    """One Jira source: its session (auth from the environment) and the endpoints Koers reads."""

    def __init__(
        self, source: Source, budget: Budget | None = None, fallback_timezone: str = "UTC"
    ) -> None:
        self.source = source
        self.url = source.url.rstrip("/")
        self.budget = budget
        self.fallback_timezone = fallback_timezone
        token = _env(source, "token_env", "the API token (Cloud) or personal access token (DC)")
        email = _env(source, "email_env", "the e-mail address of the Jira Cloud account")
        auth = BasicAuth(email, token) if email else BearerAuth(token)
        self._token = token
        self.http = self._session(auth)
        self._bulk_changelog = True
        self.warnings: list[str] = []  # what Jira said alongside results (shown, not fatal)

    def _session(self, auth: Any) -> Session:
        return session(
            auth,
            read_posts=True,  # Jira's search and bulk-fetch POSTs only read
            label=self.source.key,
            token_env=self.source.token_env,
            email_env=self.source.email_env,
            budget=self.budget,
        )

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return get_json(self.http, self.url + path, params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return post_json(self.http, self.url + path, body)

    # --- catalogue ---------------------------------------------------------------------------

    def catalogue(self) -> Catalogue:
        key = self.source.key
        try:
            info = _object(self.get("/rest/api/2/serverInfo"), key, "serverInfo")
        except HttpError as exc:
            if exc.status == 403 and self.source.email_env:
                code = f"HTTP 403: {exc.detail}" if exc.detail else "HTTP 403"
                raise KoersError(
                    f"{key}: the server refused basic authentication ({code}); for Jira Data "
                    f"Center leave out email_env in [sources.{key}] and put a personal access "
                    f"token in ${self.source.token_env}"
                ) from None
            raise
        cloud = info.get("deploymentType") == "Cloud"
        if cloud and not self.source.email_env:
            raise KoersError(
                f"{key}: {self.url} is Jira Cloud, which needs the account's e-mail address with "
                f'the API token: add email_env = "KOERS_JIRA_EMAIL" (or another variable name) to '
                f"[sources.{key}] and put the address in that variable"
            )
        if not cloud and self.source.email_env:
            # Data Center takes a personal access token as Bearer; Jira 11 refuses basic auth.
            self.http = self._session(BearerAuth(self._token))
        statuses = _list(self.get("/rest/api/2/status"), key, "status")
        fields = _list(self.get("/rest/api/2/field"), key, "field")
        myself = _object(self.get("/rest/api/2/myself"), key, "myself")
        return Catalogue(
            flavour="cloud" if cloud else "datacenter",
            server_info=info,
            statuses=statuses,
            fields=fields,
            timezone=self._zone(myself.get("timeZone")),
            flagged_fields=_field_ids(fields, lambda f: _name(f) == "flagged"),
            points_fields=_field_ids(
                fields,
                lambda f: (
                    _schema(f) == STORY_POINTS_SCHEMA
                    or _name(f) in ("story points", "story point estimate")
                ),
            ),
            epic_link_fields=_field_ids(fields, lambda f: _schema(f) == EPIC_LINK_SCHEMA),
        )

    def _zone(self, name: Any) -> ZoneInfo:
        for candidate in (name, self.fallback_timezone, "UTC"):
            if isinstance(candidate, str) and candidate:
                try:
                    return ZoneInfo(candidate)
                except (ZoneInfoNotFoundError, ValueError):
                    continue
        return ZoneInfo("UTC")

    # --- search ------------------------------------------------------------------------------

    def count(self, condition: str) -> int | None:
        """Cloud's approximate count, for the progress bar only (never for completeness)."""
        try:
            answer = self.post("/rest/api/3/search/approximate-count", {"jql": condition})
        except HttpError as exc:
            if exc.status in (400, 403, 404, 405, 410, 501):
                return None
            raise
        count = answer.get("count") if isinstance(answer, dict) else None
        return count if isinstance(count, int) else None

    def search(self, cat: Catalogue, condition: str) -> Iterator[tuple[list[dict], int | None]]:
        """Pages of issues (changelog embedded) matching `condition`, with the total if known."""
        if cat.cloud:
            yield from self._search_cloud(cat, condition)
        else:
            yield from self._search_dc(cat, condition)

    def _search_cloud(self, cat: Catalogue, condition: str) -> Iterator[tuple[list[dict], None]]:
        # nextPageToken paging: no totals; a short page is not the end, only isLast or no token.
        jql = condition + " ORDER BY key ASC"
        token: str | None = None
        tokens: set[str] = set()
        while True:
            body: dict[str, Any] = {
                "jql": jql,
                "fields": cat.search_fields,
                "expand": "changelog",  # a comma-separated string, even in the POST body
                "maxResults": PAGE_SIZE,
            }
            if token:
                body["nextPageToken"] = token
            page = _object(self.post("/rest/api/3/search/jql", body), self.source.key, "search")
            self._warn(page.get("warnings"))
            yield _issues(page, self.source.key), None
            token = page.get("nextPageToken")
            if page.get("isLast") is True or not token:
                return
            if token in tokens:
                raise KoersError(
                    f"{self.source.key}: Jira sent the same page token twice; the search does "
                    "not advance. Try again later"
                )
            tokens.add(token)

    def _search_dc(self, cat: Catalogue, condition: str) -> Iterator[tuple[list[dict], int]]:
        """startAt paging in key windows, so that no request passes the result window (§4).

        `key > "LAST"` continues after the last key of a full window. Should the instance read
        that clause within one project only, the totals tell: issues still missing are then read
        from the projects not seen yet.
        """
        window = RESULT_WINDOW
        size = PAGE_SIZE
        expected: int | None = None  # the total of the whole query (first window's first page)
        received: set[str] = set()
        projects: set[str] = set()
        after: str | None = None
        excluded: tuple[str, ...] = ()
        while True:
            jql = condition
            if after:
                jql += f' AND key > "{after}"'
            if excluded:
                jql += " AND project not in (" + ", ".join(f'"{p}"' for p in excluded) + ")"
            jql += " ORDER BY key ASC"
            start, last_key, total = 0, None, 0
            exhausted = False
            while start < window:
                asked = min(size, window - start)
                body = {
                    "jql": jql,
                    "startAt": start,
                    "maxResults": asked,
                    "fields": cat.search_fields,
                    "expand": ["changelog"],
                }
                try:
                    page = _object(self.post("/rest/api/2/search", body), self.source.key, "search")
                except HttpError as exc:
                    limit = _window_limit(exc)
                    if limit is None or limit >= window:
                        raise
                    window = limit  # an instance with a smaller result window than 10,000
                    continue
                issues = _issues(page, self.source.key)
                self._warn(page.get("warningMessages"))
                total = int(page.get("total") or 0)
                if expected is None:
                    expected = total
                window = min(window, int(page.get("maxResultWindow") or window))
                echoed = page.get("maxResults")
                if isinstance(echoed, int) and 0 < echoed < asked:
                    size = echoed  # the server's cap, echoed
                received.update(str(i["id"]) for i in issues)
                projects.update(str(i.get("key") or "").rsplit("-", 1)[0] for i in issues)
                if issues:
                    last_key = issues[-1].get("key") or last_key
                yield issues, expected
                start += len(issues)
                if not issues or start >= total:
                    exhausted = True
                    break
            if not exhausted:
                if not last_key:
                    return
                after = last_key
                continue
            if after is None or len(received) >= (expected or 0):
                return
            seen = tuple(sorted(p for p in projects if p))
            if seen == excluded:
                return
            excluded, after = seen, None

    def _warn(self, said: Any) -> None:
        for item in said if isinstance(said, list) else []:
            text = item.get("message") if isinstance(item, dict) else item
            if isinstance(text, str) and text and text not in self.warnings:
                self.warnings.append(text)

    # --- changelogs ----------------------------------------------------------------------------

    def changelogs(
        self, cat: Catalogue, issues: list[tuple[str, str]]
    ) -> Iterator[list[tuple[str, dict]]]:
        """The complete status history of these (id, key) issues, in pages of (issue id,
        history); Cloud's bulk endpoint first, the paged per-issue changelog where it is
        missing. Histories may repeat across pages: the caller de-duplicates on id."""
        if self._bulk_changelog:
            try:
                yield from self._bulk(cat, [issue_id for issue_id, _ in issues])
                return
            except HttpError as exc:
                if exc.status not in (400, 404, 405, 410, 501):
                    raise
                self._bulk_changelog = False
        for issue_id, key in issues:
            yield from self._per_issue(issue_id, key)

    def _bulk(self, cat: Catalogue, ids: list[str]) -> Iterator[list[tuple[str, dict]]]:
        field_ids = ["status", "resolution", *cat.flagged_fields][:10]
        token: str | None = None
        tokens: set[str] = set()
        while True:
            body: dict[str, Any] = {
                "issueIdsOrKeys": ids,
                "fieldIds": field_ids,
                "maxResults": BULK_HISTORIES,
            }
            if token:
                body["nextPageToken"] = token
            page = _object(
                self.post("/rest/api/3/changelog/bulkfetch", body), self.source.key, "changelog"
            )
            yield [
                (str(log.get("issueId")), history)
                for log in page.get("issueChangeLogs") or []
                for history in log.get("changeHistories") or []
            ]
            token = page.get("nextPageToken")
            if not token or token in tokens:
                return
            tokens.add(token)

    def _per_issue(self, issue_id: str, key: str) -> Iterator[list[tuple[str, dict]]]:
        start = 0
        while True:
            page = _object(
                self.get(
                    f"/rest/api/3/issue/{key or issue_id}/changelog",
                    {"startAt": start, "maxResults": CHANGELOG_PAGE},
                ),
                self.source.key,
                "changelog",
            )
            values = page.get("values") or []
            yield [(issue_id, history) for history in values]
            start += len(values)
            total = page.get("total")
            if (
                not values
                or page.get("isLast") is True
                or (isinstance(total, int) and start >= total)
            ):
                return


# --- one team query, landed -------------------------------------------------------------------


def land_catalogue(
    con: duckdb.DuckDBPyConnection, source: str, fetched_at: datetime, cat: Catalogue
) -> bool:
    """Land the status and field catalogues when they differ from the stored ones (a renamed
    status, a new custom field); returns whether they did."""
    stored = {
        table: {
            row[0]: json.loads(row[1])
            for row in con.execute(
                "SELECT id, payload FROM " + table + " WHERE source = ?", [source]
            ).fetchall()
        }
        for table in ("raw_jira_statuses", "raw_jira_fields")  # constants, not input
    }
    fresh = {
        "raw_jira_statuses": {str(s["id"]): scrub(s) for s in cat.statuses},
        "raw_jira_fields": {str(f["id"]): scrub(f) for f in cat.fields},
    }
    if stored == fresh:
        return False
    write_jira_catalogue(con, source, fetched_at, cat.server_info, cat.statuses, cat.fields)
    return True


def sync_query(
    con: duckdb.DuckDBPyConnection,
    client: JiraClient,
    cat: Catalogue,
    team: Team,
    *,
    full: bool,
    fetched_at: datetime,
    bar: Bar,
) -> QueryResult:
    """Read one team's query (everything, or since its watermark) and land it page by page,
    completing truncated changelogs; the new watermark is written with the data."""
    assert team.jira is not None
    source = client.source.key
    query = team.jira.jql
    since = None if full else watermark(con, source, team.key, query)
    result = QueryResult(source=source, team=team.key, full=since is None)
    condition = f"({strip_order_by(query)})"
    if since is not None:
        condition += f' AND updated >= "{jql_time(since, cat.timezone)}"'

    total = client.count(condition) if cat.cloud else None
    bar.update(0, total)
    seen: set[str] = set()
    truncated: dict[str, str] = {}  # id → key of issues whose embedded changelog is cut short
    newest = since
    try:
        for issues, page_total in client.search(cat, condition):
            total = page_total if page_total is not None else total
            changed = issues if since is None else _changed(con, source, team.key, issues)
            if changed:
                write_jira_issues(con, source, team.key, fetched_at, changed)
                result.landed += len(changed)
            for issue in changed:
                issue_id = str(issue["id"])
                updated = _updated(issue)
                if updated is not None and (newest is None or updated > newest):
                    newest = updated
                if cat.cloud and _is_truncated(issue):
                    truncated[issue_id] = str(issue.get("key") or "")
                elif issue_id in truncated:
                    del truncated[issue_id]  # a newer copy arrived whole
            seen.update(str(issue["id"]) for issue in issues)
            if len(truncated) >= BULK_IDS:
                result.completed += _complete(con, client, cat, truncated, fetched_at)
                truncated.clear()
            bar.update(len(seen), max(total, len(seen)) if total is not None else None)
    except HttpError as exc:
        code = f"HTTP {exc.status}: {exc.detail}" if exc.detail else f"HTTP {exc.status}"
        if exc.status == 400:
            raise KoersError(
                f"{source}: Jira refused the query of team {team.key} ({code}); fix "
                f"teams.{team.key}.jira.jql in the config (now: {query})"
            ) from None
        if exc.status == 403:
            raise KoersError(
                f"{source}: access denied to the query of team {team.key} ({code}); give the "
                f"account behind ${client.source.token_env} access to its projects, or ask a "
                "Jira administrator"
            ) from None
        raise
    for warning in client.warnings:
        bar.note(f"Jira says: {warning}")
    client.warnings.clear()
    if truncated:
        result.completed += _complete(con, client, cat, truncated, fetched_at)
    result.issues = len(seen)
    if result.full:
        result.removed = delete_jira_issues(con, source, team.key, sorted(seen))
    if newest is not None:
        set_watermark(con, source, team.key, query, newest)
    result.watermark = newest
    return result


def _changed(
    con: duckdb.DuckDBPyConnection, source: str, team: str, issues: list[dict]
) -> list[dict]:
    """The issues of an incremental page that are new, or whose `updated` moved since the stored
    copy: the overlap re-reads the last minutes every time, and unchanged issues stay as stored."""
    stored = dict(
        con.execute(
            "SELECT id, json_extract_string(payload, '$.fields.updated') FROM raw_jira_issues "
            "WHERE source = ? AND team = ? AND list_contains(?::VARCHAR[], id)",
            [source, team, [str(i["id"]) for i in issues]],
        ).fetchall()
    )
    return [
        i
        for i in issues
        if str(i["id"]) not in stored
        or stored[str(i["id"])] != (i.get("fields") or {}).get("updated")
    ]


def _complete(
    con: duckdb.DuckDBPyConnection,
    client: JiraClient,
    cat: Catalogue,
    truncated: dict[str, str],
    fetched_at: datetime,
) -> int:
    """Read the whole history of these issues and land what is not stored yet."""
    source = client.source.key
    ids = list(truncated)
    stored = {
        (row[0], row[1])
        for row in con.execute(
            "SELECT issue_id, id FROM raw_jira_changelogs "
            "WHERE source = ? AND list_contains(?::VARCHAR[], issue_id)",
            [source, ids],
        ).fetchall()
    }
    for start in range(0, len(ids), BULK_IDS):
        batch = ids[start : start + BULK_IDS]
        for page in client.changelogs(cat, [(i, truncated[i]) for i in batch]):
            fresh = []
            for issue_id, history in page:
                if not isinstance(history, dict) or history.get("id") is None:
                    continue
                mark = (issue_id, str(history["id"]))
                if mark not in stored:
                    stored.add(mark)
                    fresh.append((issue_id, history))
            if fresh:
                write_jira_changelogs(con, source, fetched_at, fresh)
        write_jira_changelogs(con, source, fetched_at, [], completed=batch)
    return len(ids)


# --- JQL, time and payload helpers ------------------------------------------------------------

_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


def strip_order_by(jql: str) -> str:
    """The query without its ORDER BY clause (outside quotes), so clauses can be added."""
    masked = _QUOTED.sub(lambda m: "x" * len(m.group()), jql)
    found = list(_ORDER_BY.finditer(masked))
    return (jql[: found[-1].start()] if found else jql).strip()


def jql_time(moment: datetime, zone: ZoneInfo, overlap: timedelta = OVERLAP) -> str:
    """A watermark as a JQL date-time in the Jira user's time zone: minus the overlap, floored to
    the minute. In the hour the autumn DST change repeats, Jira may read the wall time as its
    second occurrence: the first occurrence is then written an hour earlier."""
    local = (moment - overlap).astimezone(zone).replace(second=0, microsecond=0)
    wall = local.replace(tzinfo=None)
    ambiguous = (
        wall.replace(tzinfo=zone, fold=0).utcoffset()
        != wall.replace(tzinfo=zone, fold=1).utcoffset()
    )
    if ambiguous and local.fold == 0:
        wall -= timedelta(hours=1)
    return wall.strftime(JQL_TIME)


def _window_limit(exc: HttpError) -> int | None:
    """The result window named in Data Center's 500 "Search limit exceeded … limit of 10,000"."""
    if exc.status != 500 or "limit exceeded" not in exc.detail.lower():
        return None
    found = re.search(r"limit of ([\d.,]+)", exc.detail)
    digits = re.sub(r"[.,]", "", found.group(1)) if found else ""
    return int(digits) if digits.isdigit() and int(digits) > 0 else None


def _updated(issue: dict) -> datetime | None:
    value = (issue.get("fields") or {}).get("updated")
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _is_truncated(issue: dict) -> bool:
    changelog = issue.get("changelog")
    if not isinstance(changelog, dict):
        return True  # cannot tell: complete it
    histories = changelog.get("histories") or []
    total = changelog.get("total")
    return not isinstance(total, int) or len(histories) < total


def _issues(page: dict, source: str) -> list[dict]:
    issues = page.get("issues")
    if not isinstance(issues, list) or not all(isinstance(i, dict) and "id" in i for i in issues):
        raise KoersError(f"{source}: the search answer has no list of issues; is this Jira?")
    return issues


def _object(value: Any, source: str, what: str) -> dict:
    if not isinstance(value, dict):
        raise KoersError(f"{source}: unexpected answer from the {what} endpoint; is this Jira?")
    return value


def _list(value: Any, source: str, what: str) -> list[dict]:
    if not isinstance(value, list):
        raise KoersError(f"{source}: unexpected answer from the {what} endpoint; is this Jira?")
    return [v for v in value if isinstance(v, dict) and "id" in v]


def _name(f: dict) -> str:
    return str(f.get("name") or "").strip().lower()


def _schema(f: dict) -> str:
    schema = f.get("schema")
    return str(schema.get("custom") or "") if isinstance(schema, dict) else ""


def _field_ids(fields: list[dict], match: Callable[[dict], bool]) -> tuple[str, ...]:
    return tuple(sorted(str(f["id"]) for f in fields if match(f)))


def _env(source: Source, attr: str, what: str) -> str | None:
    name = getattr(source, attr)
    if name is None:
        if attr == "token_env":
            raise KoersError(
                f"{source.key}: [sources.{source.key}] has no token_env: name the environment "
                f"variable that holds {what}"
            )
        return None
    value = os.environ.get(name, "").strip()
    if not value:
        raise KoersError(
            f"{source.key}: the environment variable {name} is not set; put {what} in it "
            f"(sources.{source.key}.{attr} names it)"
        )
    return value
