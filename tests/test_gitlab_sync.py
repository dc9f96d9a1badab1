"""`python -m koers sync` of GitLab sources against the loopback fake (issue 5).

Everything runs over real HTTP on 127.0.0.1 (`tests/fakes/gitlab.py`): one GitLab source, one
team whose projects are a project path or a group path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import config
from connectors.gitlab import GitlabClient
from connectors.sync import Progress, sync
from errors import KoersError
from metrics.delivery import project_ids
from store.raw import GITLAB_PROJECT_TABLES
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
from tests.warehouse_text import warehouse_text

TOKEN = "glpat-test-secret-4f2a"
ENV = {"KOERS_TEST_GITLAB_TOKEN": TOKEN, "KOERS_RETRY_BACKOFF": "0.02"}
BOBBY = user(21, "bobby.devries", "Bobby de Vries")
ANOUK = user(17, "anouk.jansen", "Anouk Jansen")
PEOPLE = ["bobby.devries", "Bobby de Vries", "anouk.jansen", "Anouk Jansen", "bobby@gemeente.test"]
APP, LEGACY, API_, OTHER, PERSONAL = 1, 2, 3, 4, 5
PATHS = {
    APP: "gov/app",
    LEGACY: "gov/legacy",
    API_: "gov/sub/api",
    OTHER: "other/tool",
    PERSONAL: "anouk.jansen/tool",  # in Anouk's own namespace
}
PROJECTS = [
    {"id": APP, "path_with_namespace": "gov/app"},
    {"id": LEGACY, "path_with_namespace": "gov/legacy", "archived": True},
    {"id": API_, "path_with_namespace": "gov/sub/api"},
    {"id": OTHER, "path_with_namespace": "other/tool"},
    {"id": PERSONAL, "path_with_namespace": "anouk.jansen/tool", "owner": ANOUK},
]
GROUPS = {"gov": ["gov/app", "gov/legacy"], "gov/sub": ["gov/sub/api"], "other": ["other/tool"]}


def t(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def mr(pid: int, iid: int, **kw: Any) -> dict:
    """A merged MR: first commit day 2, the author's own comment, an approval by Anouk."""
    kw.setdefault("created", t(2, 9))
    kw.setdefault("merged", t(4, 11))
    path = PATHS[pid]
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
            # only for teams that list them
            mr(OTHER, 1),
            mr(PERSONAL, 1),
        ],
        "environments": [
            environment(50, APP, "live", "production"),  # production by tier, not by name
            environment(51, APP, "staging", "staging"),
            environment(52, API_, "production", "production"),
            environment(53, OTHER, "production", "production"),
            environment(54, PERSONAL, "production", "production"),
        ],
        "deployments": [
            deployment(10, APP, "live", t(5, 14), merge_request_iids=[1, 2]),
            deployment(11, APP, "staging", t(5, 10), merge_request_iids=[1, 2]),
            deployment(12, APP, "live", None, status="running"),
            deployment(13, API_, "production", t(6), merge_request_iids=[1], job=False),
            deployment(14, OTHER, "production", t(7), merge_request_iids=[1], path=PATHS[OTHER]),
            deployment(
                15, PERSONAL, "production", t(7), merge_request_iids=[1], path=PATHS[PERSONAL]
            ),
        ],
        "issues": [
            incident(900, APP, 7, t(6, 10), t(6, 11)),
            incident(901, APP, 8, t(6, 10), issue_type="issue"),
            incident(902, OTHER, 1, t(7, 10), path=PATHS[OTHER]),
            incident(903, PERSONAL, 1, t(7, 10), t(7, 12), path=PATHS[PERSONAL]),
        ],
    }


def gitlab_table(projects: list[str], production_environment: str | None = None) -> str:
    listed = ", ".join(f'"{p}"' for p in projects)
    extra = f', production_environment = "{production_environment}"' * bool(production_environment)
    return f'{{ source = "gitlab", projects = [{listed}]{extra} }}'


class Site:
    def __init__(
        self,
        tmp: Path,
        projects: list[str],
        teams: dict[str, str] | None = None,
        **fake_kw: Any,
    ) -> None:
        """`teams`: more teams of the same GitLab, key → `gitlab_table(...)`."""
        kw = {**app_data(), **fake_kw}
        self.fake = FakeGitLab(token=TOKEN, **kw).start()
        self.database = tmp / "koers.duckdb"
        self.config_path = tmp / "koers.toml"
        listed = ", ".join(f'"{p}"' for p in projects)
        more = "".join(
            f'\n[teams.{key}]\nname = "{key}"\ngitlab = {table}\n'
            for key, table in (teams or {}).items()
        )
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
{more}""",
            encoding="utf-8",
        )

    @property
    def cfg(self) -> config.Config:
        return config.load(self.config_path)

    def sync(self, full: bool = False, team: str | None = None):
        return sync(self.cfg, team, full, Progress(None))

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

    def make(projects: list[str] = ("gov/app",), teams: dict | None = None, **kw: Any) -> Site:
        folder = tmp_path / f"site{len(sites)}"
        folder.mkdir()
        site = Site(folder, list(projects), teams, **kw)
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


# --- full syncs remove what GitLab no longer returns ----------------------------------------------


def landed(site: Site) -> dict[str, Any]:
    """What the raw layer holds beyond the MRs themselves."""
    one = lambda sql: [r[0] if len(r) == 1 else r for r in site.query(sql)]  # noqa: E731
    return {
        "commits": site.query("SELECT count(*) FROM raw_gitlab_mr_commits")[0][0],
        "notes": site.query("SELECT count(*) FROM raw_gitlab_mr_notes")[0][0],
        "deployments": one("SELECT id FROM raw_gitlab_deployments ORDER BY id"),
        "links": one(
            "SELECT deployment_id, json_extract(payload, '$.iid')::INT "
            "FROM raw_gitlab_deployment_mrs ORDER BY ALL"
        ),
        "incidents": one("SELECT id FROM raw_gitlab_issues ORDER BY id"),
    }


def test_an_incremental_sync_removes_nothing_and_a_full_one_what_gitlab_dropped(
    make_site,
) -> None:
    site = make_site(["gov"])
    site.sync()
    # gov holds APP (MRs 1 and 2 merged, 3 open), LEGACY (1 merged) and API (1 merged): 4 merged
    # MRs × 2 commits and 2 notes; production deployments 10 (APP "live", ships APP 1 and 2) and
    # 13 (API, ships API 1); incident 900 (901 is a plain issue)
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1), (LEGACY, 1, 1), (API_, 1, 1)]
    assert landed(site) == {
        "commits": 8,
        "notes": 8,
        "deployments": [10, 13],
        "links": [(10, 1), (10, 2), (13, 1)],
        "incidents": [900],
    }
    site.fake.remove_merge_request(APP, 2)  # deployment 10 now lists APP 1 only
    site.fake.remove_deployment(13)
    site.fake.remove_issue(900)

    incremental = site.sync()
    assert incremental.removed == 0 and incremental.gitlab[0].gone == {}
    assert len(site.mrs()) == 5 and landed(site)["deployments"] == [10, 13]

    full = site.sync(full=True)
    assert full.gitlab[0].gone == {
        "merge_requests": 1,
        "deployments": 1,
        "incidents": 1,
        "projects": 0,
    }
    assert full.removed == 3 and ", 3 removed, " in full.line()
    assert site.mrs() == [(APP, 1, 1), (APP, 3, 1), (LEGACY, 1, 1), (API_, 1, 1)]
    # APP 2's 2 commits and 2 notes went with it: 8 − 2 = 6 each
    assert landed(site) == {
        "commits": 6,
        "notes": 6,
        "deployments": [10],
        "links": [(10, 1)],
        "incidents": [],
    }
    # the domain tables were derived again from what is left
    assert site.query("SELECT count(*) FROM merge_requests") == [(4,)]
    assert site.query("SELECT deployment_id FROM deployments") == [(10,)]
    assert site.query("SELECT count(*) FROM incidents") == [(0,)]


def test_a_full_sync_drops_projects_that_left_and_keeps_another_teams(make_site) -> None:
    site = make_site(["gov"], teams={"subsidies": gitlab_table(["other"])})
    site.sync()
    assert site.query("SELECT id FROM raw_gitlab_projects ORDER BY id") == [(1,), (2,), (3,), (4,)]
    other_before = landed_of(site, OTHER)
    # OTHER: 1 merged MR with 2 commits and 2 notes, its environment, deployment 14 (ships MR 1),
    # incident 902
    assert other_before == {"mrs": 1, "commits": 2, "notes": 2, "environments": 1,
                            "deployments": 1, "links": 1, "incidents": 1}  # fmt: skip
    site.fake.put_project({"id": LEGACY, "path_with_namespace": "attic/legacy", "archived": True})
    site.fake.remove_project(API_)

    assert site.sync(team="vergunningen").removed == 0  # incremental
    assert len(site.query("SELECT id FROM raw_gitlab_projects")) == 4

    full = site.sync(team="vergunningen", full=True)
    assert full.gitlab[0].gone == {
        "merge_requests": 0,
        "deployments": 0,
        "incidents": 0,
        "projects": 2,
    }
    assert site.query("SELECT id FROM raw_gitlab_projects ORDER BY id") == [(APP,), (OTHER,)]
    for table in GITLAB_PROJECT_TABLES:
        left = site.query(f"SELECT DISTINCT project_id FROM {table} ORDER BY 1")
        assert set(left) <= {(APP,), (OTHER,)}, table
    assert landed_of(site, OTHER) == other_before
    # each project that left was asked for once: moved out of every team's paths, and deleted
    assert [r.status for r in site.requests("/projects/2")] == [200]
    assert [r.status for r in site.requests("/projects/3")] == [404]


def landed_of(site: Site, pid: int) -> dict[str, int]:
    tables = {
        "mrs": "raw_gitlab_merge_requests",
        "commits": "raw_gitlab_mr_commits",
        "notes": "raw_gitlab_mr_notes",
        "environments": "raw_gitlab_environments",
        "deployments": "raw_gitlab_deployments",
        "links": "raw_gitlab_deployment_mrs",
        "incidents": "raw_gitlab_issues",
    }
    return {
        key: site.query(f"SELECT count(*) FROM {table} WHERE project_id = ?", [pid])[0][0]
        for key, table in tables.items()
    }


def test_a_project_moved_into_another_teams_group_goes_over_whole(make_site) -> None:
    site = make_site(["gov"], teams={"subsidies": gitlab_table(["other"])})
    site.sync()
    marks = dict(site.query("SELECT team, watermark FROM sync_watermarks"))
    # the newest change each team read: API's deployment 13 on 6 March 12:00 (gov), OTHER's
    # deployment 14 on 7 March 12:00 (other)
    assert marks == {"vergunningen": t(6, 12), "subsidies": t(7, 12)}
    # LEGACY gets a merged MR (updated 7 March 00:00: between the two watermarks), then moves
    # into subsidies' group before vergunningen reads it again
    site.fake.put_merge_request(mr(LEGACY, 2, created=t(6, 12), merged=t(7, 0)))
    site.fake.put_project({"id": LEGACY, "path_with_namespace": "other/legacy", "archived": True})
    site.fake.set_groups({**GROUPS, "gov": ["gov/app"], "other": ["other/tool", "other/legacy"]})

    full = site.sync(team="vergunningen", full=True)
    # it left vergunningen: its project row goes, what was read of it stays for subsidies
    assert full.gitlab[0].gone["projects"] == 1
    assert site.query("SELECT id FROM raw_gitlab_projects ORDER BY id") == [(1,), (3,), (4,)]
    assert [(p, i) for p, i, _ in site.mrs() if p == LEGACY] == [(LEGACY, 1)]

    site.fake.requests.clear()
    moved = site.sync(team="subsidies")
    assert not moved.gitlab[0].full
    # new to subsidies, LEGACY is read whole; OTHER from the watermark minus 5 minutes
    (legacy,) = site.requests("/projects/2/merge_requests")
    (other,) = site.requests("/projects/4/merge_requests")
    assert "updated_after" not in legacy.query
    assert other.query["updated_after"] == ["2026-03-07T11:55:00Z"]
    assert [(p, i) for p, i, _ in site.mrs() if p == LEGACY] == [(LEGACY, 1), (LEGACY, 2)]
    # only the MR that changed was landed again, with its 2 commits: LEGACY 1 stayed as it was
    assert [r.path for r in site.requests("/commits")] == [
        "/api/v4/projects/2/merge_requests/2/commits"
    ]
    assert site.query("SELECT payload ->> 'path_with_namespace' FROM raw_gitlab_projects "
                      "WHERE id = 2") == [("other/legacy",)]  # fmt: skip


def test_only_the_listed_environments_deployments_go_and_those_of_a_deleted_one(
    make_site,
) -> None:
    # both teams look at gov/app; "releases" also counts its staging environment
    site = make_site(["gov/app"], teams={"releases": gitlab_table(["gov/app"], "staging")})
    site.sync()
    assert landed(site)["deployments"] == [10, 11]
    full = site.sync(team="vergunningen", full=True)
    # vergunningen lists "live" only: staging's deployment 11 is not its to judge
    assert full.removed == 0 and landed(site)["deployments"] == [10, 11]
    site.fake.remove_environment(51)  # staging, and with it deployment 11
    full = site.sync(team="vergunningen", full=True)
    assert full.gitlab[0].gone["deployments"] == 1
    assert landed(site)["deployments"] == [10]
    assert landed(site)["links"] == [(10, 1), (10, 2)]


def test_a_full_sync_that_fails_removes_nothing(make_site) -> None:
    site = make_site(["gov"])
    site.sync()
    before = (site.mrs(), landed(site))
    site.fake.remove_merge_request(APP, 2)
    site.fake.put_project({"id": LEGACY, "path_with_namespace": "attic/legacy", "archived": True})
    # asking after the project that left is the last request: the MR is already removed then
    site.fake.fail("/api/v4/projects/2", 500, times=10)
    with pytest.raises(KoersError, match="HTTP 500"):
        site.sync(full=True)
    assert (site.mrs(), landed(site)) == before
    assert site.query("SELECT id FROM raw_gitlab_projects ORDER BY id") == [(1,), (2,), (3,)]


def test_a_full_sync_that_only_removes_still_derives_the_tables_again(make_site) -> None:
    site = make_site(["gov/sub"])
    site.sync()
    assert site.query("SELECT project_id, iid FROM merge_requests") == [(API_, 1)]
    site.fake.remove_project(API_)  # the group is empty now: nothing new is read
    full = site.sync(full=True)
    assert full.gitlab[0].merge_requests == 0 and full.gitlab[0].gone["projects"] == 1
    assert site.query("SELECT count(*) FROM merge_requests") == [(0,)]
    assert site.query("SELECT count(*) FROM deployments") == [(0,)]


# --- pacing by RateLimit-Remaining ---------------------------------------------------------------


def test_requests_are_paced_before_the_rate_limit_is_reached(make_site, monkeypatch) -> None:
    now = [1_000_000.0]  # one clock for the fake's throttle and the client's waits
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(GitlabClient, "clock", staticmethod(lambda: now[0]))
    monkeypatch.setattr(GitlabClient, "sleep", staticmethod(sleep))
    site = make_site(["gov/app"], rate_limit=8, rate_window=2.0, clock=lambda: now[0])
    summary = site.sync()
    # 10 requests: the project, its MR list, commits and notes of MRs 1 and 2, environments,
    # "live" deployments, deployment 10's MRs, incidents. 8 per 2-second window: after the 3rd
    # answer of a window 8 − 3 = 5 remain (FEW_REMAINING), so the client waits for the reset
    # (2 s after the window's first request) before the 4th, 7th and 10th request.
    assert [r.status for r in site.fake.requests] == [200] * 10
    assert waits == [2.0, 2.0, 2.0]
    assert summary.gitlab[0].paced == 3
    assert site.mrs() == [(APP, 1, 1), (APP, 2, 1), (APP, 3, 1)]


def test_without_rate_limit_headers_nothing_waits(make_site, monkeypatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(GitlabClient, "sleep", staticmethod(waits.append))
    site = make_site(["gov/app"])
    assert site.sync().gitlab[0].paced == 0
    assert waits == []


# --- privacy -------------------------------------------------------------------------------------


def test_no_person_reaches_the_warehouse(make_site) -> None:
    # with a project in Anouk's own namespace: GitLab's payload names her as its owner and in
    # its namespace (name, username, avatar), its name_with_namespace and its URLs
    site = make_site(["gov", "anouk.jansen/tool"])
    site.sync()
    text = warehouse_text(site.database)
    assert len(text) > 1000
    for person in [*PEOPLE, "ana@example.gov"]:
        # her username may stay only inside the path the team wrote in its config
        assert person.lower() not in text.lower().replace("anouk.jansen/tool", ""), person
    assert "user/avatar" not in text and "9017" not in text  # her avatar, her namespace id
    # the deployment builder's deployer and commit author ("ana", "Ana")
    assert not re.search(r"\b(ana|Ana|bo|Bo)\b", text)
    assert TOKEN not in text
    (stored,) = site.query("SELECT payload FROM raw_gitlab_projects WHERE id = ?", [PERSONAL])
    assert json.loads(stored[0]) == {
        "id": PERSONAL,
        "name": "tool",
        "path": "tool",
        "path_with_namespace": "anouk.jansen/tool",
        "created_at": "2025-01-10T09:00:00.000Z",
        "default_branch": "main",
        "archived": False,
        "namespace": {"kind": "user"},
    }
    # and it still counts for the team, its data with it
    con = connect_read(site.database)
    try:
        assert project_ids(con, "gitlab", ["gov", "anouk.jansen/tool"]) == [1, 2, 3, PERSONAL]
    finally:
        con.close()
    assert site.query("SELECT deployment_id FROM deployments WHERE project_id = ?", [PERSONAL]) == [
        (15,)
    ]
