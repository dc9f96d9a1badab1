"""`python -m koers sync` of GitLab sources against the loopback fake (issue 5).

Everything runs over real HTTP on 127.0.0.1 (`tests/fakes/gitlab.py`): one GitLab source, one
team whose projects are a project path or a group path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import config
from connectors.sync import Progress, sync
from errors import KoersError
from store.warehouse import connect_read
from tests.fakes.gitlab import (
    FakeGitLab,
    commit,
    deployment,
    environment,
    incident,
    merge_request,
    note,
    rate_limit_headers,
    user,
)

TOKEN = "glpat-test-secret-4f2a"
ENV = {"KOERS_TEST_GITLAB_TOKEN": TOKEN, "KOERS_RETRY_BACKOFF": "0.02"}
BOBBY = user(21, "bobby.devries", "Bobby de Vries")
ANOUK = user(17, "anouk.jansen", "Anouk Jansen")
PEOPLE = ["bobby.devries", "Bobby de Vries", "anouk.jansen", "Anouk Jansen", "bobby@gemeente.test"]
APP, LEGACY, API_ = 1, 2, 3
PROJECTS = [
    {"id": APP, "path_with_namespace": "gov/app"},
    {"id": LEGACY, "path_with_namespace": "gov/legacy", "archived": True},
    {"id": API_, "path_with_namespace": "gov/sub/api"},
]
GROUPS = {"gov": ["gov/app", "gov/legacy"], "gov/sub": ["gov/sub/api"]}


def t(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def mr(pid: int, iid: int, **kw: Any) -> dict:
    """A merged MR: first commit day 2, the author's own comment, an approval by Anouk."""
    kw.setdefault("created", t(2, 9))
    kw.setdefault("merged", t(4, 11))
    path = {APP: "gov/app", LEGACY: "gov/legacy", API_: "gov/sub/api"}[pid]
    return merge_request(
        pid,
        iid,
        author=BOBBY,
        merger=ANOUK,
        path=path,
        commits=[
            commit(f"{pid:02d}{iid:02d}" + "a" * 36, t(2, 8), author_name="Bobby de Vries",
                   author_email="bobby@gemeente.test", title="Bobby's work", path=path),
            commit(f"{pid:02d}{iid:02d}" + "b" * 36, "2026-03-03T10:00:00.000+02:00",
                   author_name="Bobby de Vries", author_email="bobby@gemeente.test", path=path),
        ],
        notes=[
            note(iid * 10 + 1, BOBBY, t(3, 9), "Ready for @anouk.jansen", noteable_iid=iid),
            note(iid * 10 + 2, ANOUK, t(3, 10), "approved this merge request", system=True,
                 noteable_iid=iid),
        ],
        **kw,
    )  # fmt: skip


def app_data() -> dict[str, Any]:
    return {
        "projects": PROJECTS,
        "groups": GROUPS,
        "merge_requests": [
            mr(APP, 1, squash=True),
            mr(APP, 2, fast_forward=True),
            merge_request(APP, 3, created=t(5), author=BOBBY),  # still open
            mr(LEGACY, 1),
            mr(API_, 1),
        ],
        "environments": [
            environment(50, APP, "live", "production"),  # production by tier, not by name
            environment(51, APP, "staging", "staging"),
            environment(52, API_, "production", "production"),
        ],
        "deployments": [
            deployment(10, APP, "live", t(5, 14), merge_request_iids=[1, 2]),
            deployment(11, APP, "staging", t(5, 10), merge_request_iids=[1, 2]),
            deployment(12, APP, "live", None, status="running"),
            deployment(13, API_, "production", t(6), merge_request_iids=[1], job=False),
        ],
        "issues": [
            incident(900, APP, 7, t(6, 10), t(6, 11)),
            incident(901, APP, 8, t(6, 10), issue_type="issue"),
        ],
    }


class Site:
    def __init__(self, tmp: Path, projects: list[str], **fake_kw: Any) -> None:
        kw = {**app_data(), **fake_kw}
        self.fake = FakeGitLab(token=TOKEN, **kw).start()
        self.database = tmp / "koers.duckdb"
        self.config_path = tmp / "koers.toml"
        listed = ", ".join(f'"{p}"' for p in projects)
        self.config_path.write_text(
            f"""
[koers]
database = "{self.database}"
timezone = "Europe/Amsterdam"
language = "en"

[sources.gitlab]
type = "gitlab"
url = "{self.fake.url}"
token_env = "KOERS_TEST_GITLAB_TOKEN"

[teams.vergunningen]
name = "Team Vergunningen"
gitlab = {{ source = "gitlab", projects = [{listed}] }}
""",
            encoding="utf-8",
        )

    @property
    def cfg(self) -> config.Config:
        return config.load(self.config_path)

    def sync(self, full: bool = False):
        return sync(self.cfg, None, full, Progress(None))

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = connect_read(self.database)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def requests(self, suffix: str) -> list[Any]:
        return [r for r in self.fake.requests if r.path.endswith(suffix)]

    def mrs(self) -> list[tuple]:
        return self.query(
            "SELECT project_id, iid, count(*) FROM raw_gitlab_merge_requests "
            "GROUP BY ALL ORDER BY ALL"
        )


@pytest.fixture()
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Site]]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KOERS_CONFIG", raising=False)
    sites: list[Site] = []

    def make(projects: list[str] = ("gov/app",), **kw: Any) -> Site:
        folder = tmp_path / f"site{len(sites)}"
        folder.mkdir()
        site = Site(folder, list(projects), **kw)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.fake.stop()


# --- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("totals_limit", [10_000, 2])
def test_paging_follows_link_next_with_and_without_totals(make_site, totals_limit) -> None:
    site = make_site(max_per_page=1, totals_limit=totals_limit)
    summary = site.sync()
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1)]
    lists = site.requests("/projects/1/merge_requests")
    assert [r.query.get("page", ["1"])[0] for r in lists] == ["1", "2", "3"]
    assert lists[0].query["per_page"] == ["100"]  # then the clamped size the links carry
    first = lists[0].query
    assert (first["state"], first["order_by"], first["sort"]) == (["all"], ["updated_at"], ["asc"])
    assert "updated_after" not in first
    # both notes and both commits of each merged MR, one page each
    assert site.query("SELECT count(*) FROM raw_gitlab_mr_notes") == [(4,)]
    assert site.query("SELECT count(*) FROM raw_gitlab_mr_commits") == [(4,)]
    assert summary.gitlab[0].merge_requests == 3


def test_next_links_on_another_host_are_rewritten_to_the_configured_base(make_site) -> None:
    site = make_site(max_per_page=1, external_url="https://gitlab.behind-a-proxy.test")
    site.sync()
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1)]
    assert len(site.requests("/projects/1/merge_requests")) == 3


# --- projects ------------------------------------------------------------------------------------


def test_a_group_expands_to_its_projects_with_subgroups_and_archived_ones(make_site) -> None:
    site = make_site(["gov"])
    site.sync()
    assert site.query("SELECT id FROM raw_gitlab_projects ORDER BY id") == [(1,), (2,), (3,)]
    assert {(p, i) for p, i, _ in site.mrs()} == {(1, 1), (1, 2), (1, 3), (2, 1), (3, 1)}
    (listing,) = site.requests("/groups/gov/projects")
    assert listing.query["include_subgroups"] == ["true"]
    assert "archived" not in listing.query  # GitLab then lists archived projects too


def test_an_unknown_project_or_group_is_one_line(make_site) -> None:
    site = make_site(["gov/nope"])
    with pytest.raises(KoersError) as caught:
        site.sync()
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        "gitlab: no GitLab project or group 'gov/nope' (HTTP 404); check "
        "teams.vergunningen.gitlab.projects, and that the account behind "
        "$KOERS_TEST_GITLAB_TOKEN may see it"
    )
    assert not site.database.exists()


# --- deployments ---------------------------------------------------------------------------------


def test_deployment_requests_follow_the_finder_rules(make_site) -> None:
    site = make_site(["gov"])
    site.sync()
    site.fake.put_merge_request(mr(APP, 3, created=t(5), merged=t(20), updated=t(20)))
    site.sync()
    asked = site.requests("/deployments")
    assert asked, "no deployment list was read"
    for r in asked:
        q = r.query
        assert q["order_by"] == ["updated_at"] and q["sort"] == ["asc"]
        assert q["status"] == ["success"]
        assert not {k for k in q if k.startswith("finished_")}
        assert r.status == 200
    # production candidates only: by tier ("live"), never the staging environment
    assert {(r.path, r.query["environment"][0]) for r in asked} == {
        ("/api/v4/projects/1/deployments", "live"),
        ("/api/v4/projects/3/deployments", "production"),
    }
    assert all("updated_after" not in r.query for r in asked[:2])
    assert all("updated_after" in r.query for r in asked[2:])


def test_squash_and_fast_forward_merges_link_to_their_deployment(make_site) -> None:
    site = make_site(["gov/app"])
    site.sync()
    squash, ff = site.query(
        "SELECT json_extract_string(payload, '$.squash_commit_sha'), "
        "json_extract_string(payload, '$.merge_commit_sha') FROM raw_gitlab_merge_requests "
        "WHERE iid IN (1, 2) ORDER BY iid"
    )
    assert squash[0] is not None and ff == (None, None)
    assert site.query("SELECT id FROM raw_gitlab_deployments") == [(10,)]
    assert site.query(
        "SELECT deployment_id, mr_iid FROM deployment_merge_requests ORDER BY ALL"
    ) == [(10, 1), (10, 2)]
    assert len(site.requests("/deployments/10/merge_requests")) == 1
    notes = site.query(
        "SELECT mr_iid, by_author, approval FROM raw_gitlab_mr_notes ORDER BY mr_iid, id"
    )
    assert notes == [(1, True, False), (1, False, True), (2, True, False), (2, False, True)]
    assert site.query("SELECT id FROM raw_gitlab_issues") == [(900,)]
    (incidents,) = site.requests("/projects/1/issues")
    assert incidents.query["issue_type"] == ["incident"] and incidents.query["state"] == ["all"]


# --- rate limits and failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        None,  # no rate-limit headers: backoff
        rate_limit_headers(retry_after=1),
        rate_limit_headers(retry_after=None, reset_in=1),  # RateLimit-Reset only
    ],
    ids=["bare", "retry-after", "ratelimit-reset"],
)
def test_429s_are_survived(make_site, headers) -> None:
    site = make_site()
    site.fake.fail("/api/v4/projects/1/merge_requests", 429, times=2, headers=headers)
    site.sync()
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1)]
    statuses = [r.status for r in site.requests("/projects/1/merge_requests")]
    assert statuses == [429, 429, 200]


def test_a_rejected_token_is_one_line_without_the_token(make_site, monkeypatch) -> None:
    site = make_site()
    monkeypatch.setenv("KOERS_TEST_GITLAB_TOKEN", "glpat-wrong-token")
    with pytest.raises(KoersError) as caught:
        site.sync()
    message = str(caught.value)
    assert message == (
        "gitlab: the credentials were rejected (HTTP 401: 401 Unauthorized); check the token "
        "in $KOERS_TEST_GITLAB_TOKEN"
    )
    assert not site.database.exists()


def test_a_missing_token_variable_is_named(make_site, monkeypatch) -> None:
    site = make_site()
    monkeypatch.delenv("KOERS_TEST_GITLAB_TOKEN")
    with pytest.raises(KoersError, match=r"^gitlab: the environment variable "
                                         r"KOERS_TEST_GITLAB_TOKEN is not set"):  # fmt: skip
        site.sync()
    assert site.fake.requests == []


@pytest.mark.parametrize("status", [403, 500])
def test_a_refusal_is_one_line_and_leaves_the_warehouse(make_site, status) -> None:
    site = make_site()
    site.sync()
    before = site.mrs()
    site.fake.fail("/api/v4/projects/1/environments", status, times=10)
    with pytest.raises(KoersError) as caught:
        site.sync(full=True)
    assert "\n" not in str(caught.value) and f"HTTP {status}" in str(caught.value)
    assert site.mrs() == before


def test_network_down_is_one_line(make_site) -> None:
    site = make_site()
    site.fake.down = True
    with pytest.raises(KoersError) as caught:
        site.sync()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("gitlab: cannot reach 127.0.0.1:")
    assert "is the network down or the URL wrong?" in message


# --- incremental ---------------------------------------------------------------------------------


def test_an_incremental_sync_picks_up_a_changed_mr_without_duplicates(make_site) -> None:
    site = make_site(["gov/app"])
    site.sync()
    (mark,) = site.query("SELECT watermark FROM sync_watermarks")
    assert mark[0] == t(6, 11)  # the newest change read (incident closed)
    site.fake.put_merge_request(mr(APP, 3, created=t(5), merged=t(20), updated=t(20)))
    site.fake.requests.clear()
    summary = site.sync()
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1)]
    assert site.query(
        "SELECT json_extract_string(payload, '$.state') FROM raw_gitlab_merge_requests "
        "WHERE iid = 3"
    ) == [("merged",)]
    (listing,) = site.requests("/projects/1/merge_requests")
    assert listing.query["updated_after"] == ["2026-03-06T10:55:00Z"]  # watermark − 5 minutes
    # only the changed MR's commits and notes were read again
    assert [r.path for r in site.requests("/commits")] == [
        "/api/v4/projects/1/merge_requests/3/commits"
    ]
    assert summary.gitlab[0].landed == 1
    assert site.query("SELECT watermark FROM sync_watermarks") == [(t(20),)]
    assert site.query("SELECT type FROM source_state") == [("gitlab",)]


# --- privacy -------------------------------------------------------------------------------------


def warehouse_text(path: Path) -> str:
    con = connect_read(path)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'warehouse'"
            ).fetchall()
        ]
        chunks = []
        for table in tables:
            rows = con.execute("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM " + table).fetchall()
            chunks.append("\n".join("\t".join(str(v) for v in row) for row in rows))
    finally:
        con.close()
    return "\n".join(chunks)


def test_no_person_reaches_the_warehouse(make_site) -> None:
    site = make_site(["gov"])
    site.sync()
    text = warehouse_text(site.database)
    assert len(text) > 1000
    for person in [*PEOPLE, "ana@example.gov"]:
        assert person.lower() not in text.lower(), person
    # the deployment builder's deployer and commit author ("ana", "Ana")
    assert not re.search(r"\b(ana|Ana|bo|Bo)\b", text)
    assert TOKEN not in text
