"""Tests of the fake GitLab itself, with `requests`, as the connector will talk to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.fakes.gitlab import (
    BOTH_FILTERS,
    FINISHED_NEEDS_SORT,
    FINISHED_NEEDS_SUCCESS,
    FINISHED_SORT_NEEDS_FILTER,
    FINISHED_SORT_NEEDS_FILTER_OR_STATUS,
    UPDATED_NEEDS_SORT,
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

TOKEN = "glpat-secret"
HEADERS = {"PRIVATE-TOKEN": TOKEN}
APP = 4242
ANA = user(17, "ana")
BO = user(21, "bo")

PROJECTS = [
    {"id": APP, "path_with_namespace": "gov/app", "archived": False},
    {"id": 4243, "path_with_namespace": "gov/old", "archived": True},
    {"id": 4300, "path_with_namespace": "gov/sub/api", "archived": False},
    {"id": 4301, "path_with_namespace": "gov/sub/legacy", "archived": True},
    {"id": 5000, "path_with_namespace": "other/thing", "archived": False},
]
GROUPS = {
    "gov": ["gov/app", "gov/old"],
    "gov/sub": ["gov/sub/api", "gov/sub/legacy"],
    "other": ["other/thing"],
}


def at(day: int, hour: int = 9, minute: int = 0) -> str:
    return f"2026-03-{day:02d}T{hour:02d}:{minute:02d}:00.000Z"


def mrs(count: int, project_id: int = APP, start: int = 1) -> list[dict]:
    """Merged MRs, one updated each hour from 2026-03-01 00:00."""
    out = []
    for n in range(start, start + count):
        day, hour = divmod(n, 24)
        out.append(
            merge_request(
                project_id,
                n,
                created=at(1 + day, hour),
                merged=at(1 + day, hour, 30),
                path="gov/app",
            )
        )
    return out


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers.update(HEADERS)
        yield s


def get(s: requests.Session, fake: FakeGitLab, path: str, **params) -> requests.Response:
    return s.get(f"{fake.url}/api/v4{path}", params=params, timeout=5)


def links(response: requests.Response) -> dict[str, str]:
    return {rel: link["url"] for rel, link in response.links.items()}


def follow(s: requests.Session, fake: FakeGitLab, path: str, **params) -> list[dict]:
    """Everything, by `Link rel="next"` as the connector will do."""
    out: list[dict] = []
    r = get(s, fake, path, **params)
    while True:
        assert r.status_code == 200, r.text
        out += r.json()
        nxt = r.links.get("next")
        if not nxt:
            return out
        r = s.get(nxt["url"], timeout=5)


# --- paging -----------------------------------------------------------------------------------


def test_offset_paging_headers_and_links(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(8)) as fake:
        path = f"/projects/{APP}/merge_requests"
        r = get(session, fake, path, state="all", order_by="updated_at", sort="asc", page=2,
                per_page=3)  # fmt: skip
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/json"
        assert [m["iid"] for m in r.json()] == [4, 5, 6]
        h = r.headers
        assert (h["x-page"], h["x-per-page"], h["x-next-page"], h["x-prev-page"]) == (
            "2",
            "3",
            "3",
            "1",
        )
        assert (h["x-total"], h["x-total-pages"]) == ("8", "3")
        found = links(r)
        assert set(found) == {"prev", "next", "first", "last"}
        for rel, page in (("prev", "1"), ("next", "3"), ("first", "1"), ("last", "3")):
            split = urlsplit(found[rel])
            assert f"{split.scheme}://{split.netloc}" == fake.url
            assert split.path == f"/api/v4{path}"
            q = parse_qs(split.query)
            assert q["page"] == [page] and q["per_page"] == ["3"]
            assert q["order_by"] == ["updated_at"] and q["sort"] == ["asc"]
        # the order of the Link header as GitLab sends it
        assert [p.split('rel="')[1][:-1] for p in h["Link"].split(", ")] == [
            "prev",
            "next",
            "first",
            "last",
        ]

        last = session.get(found["last"], timeout=5)
        assert [m["iid"] for m in last.json()] == [7, 8]
        assert last.headers["x-next-page"] == "" and "next" not in last.links
        first = get(session, fake, path, per_page=3)
        assert first.headers["x-prev-page"] == "" and "prev" not in first.links
        # default order created_at desc; default per_page 20
        default = get(session, fake, path)
        assert default.headers["x-per-page"] == "20"
        assert [m["iid"] for m in default.json()] == [8, 7, 6, 5, 4, 3, 2, 1]
        past = get(session, fake, path, page=9, per_page=3)
        assert past.json() == [] and past.headers["x-next-page"] == ""


def test_totals_vanish_above_the_limit(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(12), totals_limit=10) as fake:
        path = f"/projects/{APP}/merge_requests"
        r = get(session, fake, path, per_page=5, sort="asc")
        for name in ("x-total", "x-total-pages"):
            assert name not in r.headers
        assert set(links(r)) == {"next", "first"}
        assert r.headers["x-next-page"] == "2"
        assert [m["iid"] for m in follow(session, fake, path, per_page=5, sort="asc")] == list(
            range(1, 13)
        )
        # at the limit the totals are still there
        small = get(session, fake, path, per_page=5, updated_before=at(1, 10, 30))
        assert small.headers["x-total"] == "10" and "last" in small.links


def test_per_page_is_clamped_and_echoed(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(130)) as fake:
        r = get(session, fake, f"/projects/{APP}/merge_requests", per_page=500)
        assert r.headers["x-per-page"] == "100" and len(r.json()) == 100
        assert parse_qs(urlsplit(r.links["next"]["url"]).query)["per_page"] == ["100"]
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(30), max_per_page=7) as fake:
        r = get(session, fake, f"/projects/{APP}/merge_requests", per_page=100)
        assert r.headers["x-per-page"] == "7" and r.headers["x-total-pages"] == "5"
        bad = get(session, fake, f"/projects/{APP}/merge_requests", page="two")
        assert bad.status_code == 400 and bad.json() == {"error": "page is invalid"}


def test_links_point_at_the_external_url(session: requests.Session) -> None:
    external = "https://gitlab.internal.example:8443"
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(5), external_url=external) as fake:
        r = get(session, fake, "/projects/gov%2Fapp/merge_requests", per_page=2)
        for url in links(r).values():
            assert url.startswith(f"{external}/api/v4/projects/gov%2Fapp/merge_requests?")
        # rewritten to the configured base, the link works
        nxt = r.links["next"]["url"].replace(external, fake.url)
        assert [m["iid"] for m in session.get(nxt, timeout=5).json()] == [3, 2]


# --- projects and groups --------------------------------------------------------------------------


def test_project_by_id_or_encoded_path(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, groups=GROUPS) as fake:
        by_path = get(session, fake, "/projects/gov%2Fsub%2Fapi").json()
        assert by_path["id"] == 4300 and by_path["path_with_namespace"] == "gov/sub/api"
        assert by_path["namespace"]["full_path"] == "gov/sub"
        assert get(session, fake, "/projects/4243").json()["archived"] is True
        missing = get(session, fake, "/projects/gov%2Fnope")
        assert missing.status_code == 404
        assert missing.json() == {"message": "404 Project Not Found"}
        assert get(session, fake, "/nothing/here").json() == {"error": "404 Not Found"}


def test_group_projects_subgroups_and_archived(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, groups=GROUPS) as fake:

        def ids(group: str, **params) -> set[int]:
            r = get(session, fake, f"/groups/{group}/projects", **params)
            assert r.status_code == 200, r.text
            return {p["id"] for p in r.json()}

        assert ids("gov") == {4242, 4243}
        assert ids("gov", include_subgroups="true") == {4242, 4243, 4300, 4301}
        assert ids("gov", include_subgroups="true", archived="false") == {4242, 4300}
        assert ids("gov", include_subgroups="true", archived="true") == {4243, 4301}
        assert ids("gov%2Fsub") == {4300, 4301}
        assert ids("1000") == {4242, 4243}  # group ids in the sorted order of the paths
        assert get(session, fake, "/groups/nope/projects").json() == {
            "message": "404 Group Not Found"
        }


def test_group_merge_requests_include_subgroups_and_honour_non_archived(
    session: requests.Session,
) -> None:
    data = mrs(2) + mrs(1, 4243, 10) + mrs(1, 4300, 20) + mrs(1, 4301, 30) + mrs(1, 5000, 40)
    with FakeGitLab(projects=PROJECTS, groups=GROUPS, merge_requests=data) as fake:

        def projects(**params) -> list[int]:
            return sorted(
                m["project_id"]
                for m in follow(session, fake, "/groups/gov/merge_requests", **params)
            )

        assert projects() == [4242, 4242, 4300]  # archived projects left out by default
        assert projects(non_archived="false") == [4242, 4242, 4243, 4300, 4301]


# --- merge requests, commits, notes -------------------------------------------------------------


def test_merge_request_filters(session: requests.Session) -> None:
    data = mrs(4) + [
        merge_request(APP, 9, created=at(2), updated=at(3)),
        merge_request(APP, 10, created=at(2), closed=at(4)),
    ]
    with FakeGitLab(projects=PROJECTS, merge_requests=data) as fake:
        path = f"/projects/{APP}/merge_requests"

        def iids(**params) -> list[int]:
            r = get(session, fake, path, **params)
            assert r.status_code == 200, r.text
            return [m["iid"] for m in r.json()]

        assert iids(state="merged", sort="asc") == [1, 2, 3, 4]
        assert iids(state="opened") == [9]
        assert iids(state="closed") == [10]
        # "on or after" / "on or before"
        assert iids(updated_after=at(1, 2, 30), updated_before=at(1, 3, 30), sort="asc") == [2, 3]
        assert iids(updated_after="2026-03-01T04:30:00+01:00", sort="asc") == [3, 4, 9, 10]
        assert iids(order_by="updated_at", sort="desc")[:2] == [10, 9]
        # an unencoded `+` arrives as a space
        raw = session.get(f"{fake.url}/api/v4{path}?updated_after=2026-03-01T00:00:00+01:00")
        assert raw.status_code == 400 and raw.json() == {"error": "updated_after is invalid"}
        bad = get(session, fake, path, state="done")
        assert bad.status_code == 400 and bad.json() == {
            "error": "state does not have a valid value"
        }
        single = get(session, fake, f"{path}/2").json()
        assert single["iid"] == 2 and "commits" not in single and "notes" not in single


def test_squash_and_fast_forward_shapes() -> None:
    squash = merge_request(APP, 1, created=at(1), merged=at(2), squash=True)
    ff = merge_request(APP, 2, created=at(1), merged=at(2), fast_forward=True)
    assert squash["squash_commit_sha"] and squash["merge_commit_sha"]
    assert ff["merge_commit_sha"] is None and ff["squash_commit_sha"] is None and ff["sha"]


def test_commits_and_notes_paged_and_sorted(session: requests.Session) -> None:
    commits = [
        commit("c" * 40, "2026-03-02T11:00:00.000+02:00"),
        commit("b" * 40, "2026-03-02T08:30:00.000Z"),
        commit("a" * 40, "2026-03-01T22:00:00.000-01:00"),
    ]
    notes = [
        note(3, ANA, at(3), "approved this merge request", system=True),
        note(1, BO, at(2, 10), "my own remark"),
        note(2, ANA, at(2, 12), "please rename", note_type="DiffNote"),
    ]
    mr = merge_request(APP, 7, created=at(1), merged=at(4), commits=commits, notes=notes)
    with FakeGitLab(projects=PROJECTS, merge_requests=[mr]) as fake:
        base = f"/projects/{APP}/merge_requests/7"
        got = follow(session, fake, f"{base}/commits", per_page=2)
        assert [c["authored_date"] for c in got] == [c["authored_date"] for c in commits]
        assert got[0]["authored_date"].endswith("+02:00")
        assert get(session, fake, f"{base}/commits", per_page=2).headers["x-total"] == "3"
        asc = get(session, fake, f"{base}/notes", sort="asc", order_by="created_at").json()
        assert [n["id"] for n in asc] == [1, 2, 3]
        assert [n["id"] for n in get(session, fake, f"{base}/notes").json()] == [3, 2, 1]
        assert asc[2]["system"] is True and asc[0]["author"]["id"] == BO["id"]
        missing = get(session, fake, f"/projects/{APP}/merge_requests/99/notes")
        assert missing.status_code == 404 and missing.json() == {"message": "404 Not found"}


# --- environments and deployments ---------------------------------------------------------------


ENVIRONMENTS = [
    environment(9, APP, "live", "production"),
    environment(10, APP, "staging", "staging"),
    environment(11, 4300, "production", "production"),
]


def deployments() -> list[dict]:
    return [
        deployment(41, APP, "live", at(4, 12), merge_request_iids=[1, 2]),
        deployment(42, APP, "staging", at(4, 11), merge_request_iids=[1, 2]),
        deployment(43, APP, "live", at(5, 12), job=False, merge_request_iids=[3]),
        deployment(44, APP, "live", at(6, 12), status="failed"),
        deployment(45, APP, "live", None, status="running"),
    ]


def test_environments_by_tier(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, environments=ENVIRONMENTS) as fake:
        prod = get(session, fake, f"/projects/{APP}/environments", tier="production").json()
        assert [(e["name"], e["tier"]) for e in prod] == [("live", "production")]
        assert "project_id" not in prod[0]
        every = get(session, fake, f"/projects/{APP}/environments").json()
        assert [e["name"] for e in every] == ["live", "staging"]
        bad = get(session, fake, f"/projects/{APP}/environments", tier="prod")
        assert bad.status_code == 400


def test_deployment_shapes_and_filters(session: requests.Session) -> None:
    with FakeGitLab(
        projects=PROJECTS, environments=ENVIRONMENTS, deployments=deployments()
    ) as fake:
        path = f"/projects/{APP}/deployments"
        dora = get(
            session,
            fake,
            path,
            environment="live",
            status="success",
            order_by="finished_at",
            sort="asc",
            finished_after=at(1),
        )
        assert dora.status_code == 200, dora.text
        got = dora.json()
        assert [d["id"] for d in got] == [41, 43]
        assert got[0]["environment"] == {
            "id": 9,
            "name": "live",
            "slug": "live",
            "external_url": None,
            "created_at": "2025-01-10T09:00:00.000Z",
            "updated_at": "2025-01-10T09:00:00.000Z",
        }
        assert got[0]["deployable"]["finished_at"] == at(4, 12)
        assert got[1]["deployable"] is None  # API-created: no job
        for d in got:
            assert "finished_at" not in d and "project_id" not in d
            assert "merge_request_iids" not in d
        window = get(session, fake, path, status="success", order_by="finished_at",
                     finished_after=at(4, 12), finished_before=at(4, 12))  # fmt: skip
        assert [d["id"] for d in window.json()] == [41]
        assert [d["id"] for d in get(session, fake, path).json()] == [41, 42, 43, 44, 45]
        desc = get(session, fake, path, environment="live", sort="desc").json()
        assert [d["id"] for d in desc] == [45, 44, 43, 41]
        upd = get(session, fake, path, order_by="updated_at", updated_after=at(5))
        assert [d["id"] for d in upd.json()] == [43, 44]
        bad = get(session, fake, path, status="done")
        assert bad.json() == {"error": "status does not have a valid value"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {
                "updated_after": at(1),
                "finished_after": at(1),
                "order_by": "finished_at",
                "status": "success",
            },
            BOTH_FILTERS,
        ),  # fmt: skip
        ({"finished_after": at(1), "status": "success"}, FINISHED_NEEDS_SORT),
        ({"finished_after": at(1), "order_by": "finished_at"}, FINISHED_NEEDS_SUCCESS),
        (
            {"finished_before": at(9), "order_by": "finished_at", "status": "failed"},
            FINISHED_NEEDS_SUCCESS,
        ),  # fmt: skip
        ({"order_by": "finished_at", "status": "success"}, FINISHED_SORT_NEEDS_FILTER),
        ({"order_by": "finished_at"}, FINISHED_SORT_NEEDS_FILTER),
        ({"updated_after": at(1)}, UPDATED_NEEDS_SORT),
    ],
)
def test_deployment_finder_rules(session: requests.Session, params: dict, message: str) -> None:
    with FakeGitLab(
        projects=PROJECTS, environments=ENVIRONMENTS, deployments=deployments()
    ) as fake:
        r = get(session, fake, f"/projects/{APP}/deployments", **params)
        assert r.status_code == 400
        assert r.json() == {"message": f"400 Bad request - {message}"}


def test_deployment_finder_variants(session: requests.Session) -> None:
    kw = {"projects": PROJECTS, "environments": ENVIRONMENTS, "deployments": deployments()}
    with FakeGitLab(strict_updated_sort=False, lenient_finished_sort=True, **kw) as fake:
        path = f"/projects/{APP}/deployments"
        upd = get(session, fake, path, updated_after=at(5), sort="desc")  # implicitly re-ordered
        assert [d["id"] for d in upd.json()] == [44, 43]
        ok = get(session, fake, path, order_by="finished_at", status="success", environment="live")
        assert [d["id"] for d in ok.json()] == [41, 43]
        r = get(session, fake, path, order_by="finished_at", status="running")
        assert r.json() == {"message": f"400 Bad request - {FINISHED_SORT_NEEDS_FILTER_OR_STATUS}"}


def test_deployment_merge_requests(session: requests.Session) -> None:
    data = [
        merge_request(APP, 1, created=at(1), merged=at(3), squash=True),
        merge_request(APP, 2, created=at(2), merged=at(3, 12), fast_forward=True),
        merge_request(APP, 3, created=at(2), merged=at(4)),
    ]
    with FakeGitLab(projects=PROJECTS, merge_requests=data, environments=ENVIRONMENTS,
                    deployments=deployments()) as fake:  # fmt: skip
        got = follow(session, fake, f"/projects/{APP}/deployments/41/merge_requests", per_page=1)
        assert sorted(m["iid"] for m in got) == [1, 2]
        by_iid = {m["iid"]: m for m in got}
        assert by_iid[1]["squash_commit_sha"] and by_iid[2]["merge_commit_sha"] is None
        none = get(session, fake, f"/projects/{APP}/deployments/44/merge_requests")
        assert none.json() == [] and none.headers["x-total"] == "0"
        missing = get(session, fake, f"/projects/{APP}/deployments/999/merge_requests")
        assert missing.status_code == 404
        # data put later is served
        fake.put_deployment(deployment(46, APP, "live", at(7), merge_request_iids=[3]))
        later = get(session, fake, f"/projects/{APP}/deployments/46/merge_requests").json()
        assert [m["iid"] for m in later] == [3]


# --- incidents ------------------------------------------------------------------------------------


def test_incidents_filter(session: requests.Session) -> None:
    issues = [
        incident(9001, APP, 7, at(5, 10), at(5, 11, 20)),
        incident(9002, APP, 8, at(6, 10)),
        incident(9003, APP, 9, at(6, 11), issue_type="issue"),
    ]
    with FakeGitLab(projects=PROJECTS, issues=issues) as fake:
        path = f"/projects/{APP}/issues"

        def iids(**params) -> list[int]:
            return [i["iid"] for i in get(session, fake, path, **params).json()]

        assert iids(issue_type="incident", state="all") == [8, 7]
        assert iids(issue_type="incident", state="closed") == [7]
        assert iids(issue_type="incident", updated_after=at(6)) == [8]
        assert iids() == [9, 8, 7]
        first = get(session, fake, path, issue_type="incident", sort="asc").json()[0]
        assert first["type"] == "INCIDENT" and first["closed_at"] == at(5, 11, 20)
        bad = get(session, fake, path, issue_type="bug")
        assert bad.status_code == 400


# --- personal namespaces, changes between syncs --------------------------------------------------


def test_a_project_in_a_persons_namespace_names_them_as_gitlab_does(
    session: requests.Session,
) -> None:
    anouk = user(17, "anouk.jansen", "Anouk Jansen")
    mine = {"id": 6000, "path_with_namespace": "anouk.jansen/tool", "owner": anouk}
    with FakeGitLab(projects=[*PROJECTS, mine]) as fake:
        got = get(session, fake, "/projects/anouk.jansen%2Ftool").json()
        assert got["namespace"] == {
            "id": 9017,
            "name": "Anouk Jansen",
            "path": "anouk.jansen",
            "kind": "user",
            "full_path": "anouk.jansen",
            "parent_id": None,
            "avatar_url": "https://gitlab.example.gov/uploads/-/system/user/avatar/17/avatar.png",
            "web_url": "https://gitlab.example.gov/anouk.jansen",
        }
        assert got["owner"] == anouk and got["creator_id"] == 17
        assert got["name_with_namespace"] == "Anouk Jansen / tool"
        assert got["http_url_to_repo"] == "https://gitlab.example.gov/anouk.jansen/tool.git"
        group = get(session, fake, f"/projects/{APP}").json()
        assert group["namespace"]["kind"] == "group" and "owner" not in group


def test_removals_and_moves(session: requests.Session) -> None:
    data = mrs(2)
    envs = [environment(9, APP, "live", "production"), environment(10, APP, "staging", "staging")]
    deps = [
        deployment(41, APP, "live", at(4, 12), merge_request_iids=[1, 2]),
        deployment(42, APP, "staging", at(4, 10), merge_request_iids=[1]),
        deployment(43, APP, "live", at(5, 12), merge_request_iids=[2]),
    ]
    issues = [incident(9001, APP, 7, at(5, 10)), incident(9002, 4300, 1, at(5, 10))]
    with FakeGitLab(projects=PROJECTS, groups=GROUPS, merge_requests=data, environments=envs,
                    deployments=deps, issues=issues) as fake:  # fmt: skip

        def ids(path: str, key: str = "id", **params) -> list[int]:
            r = get(session, fake, path, **params)
            assert r.status_code == 200, r.text
            return sorted(item[key] for item in r.json())

        fake.remove_merge_request(APP, 2)
        assert ids(f"/projects/{APP}/merge_requests", "iid") == [1]
        assert get(session, fake, f"/projects/{APP}/merge_requests/2/commits").status_code == 404
        assert ids(f"/projects/{APP}/deployments/41/merge_requests", "iid") == [1]
        fake.remove_deployment(43)
        assert ids(f"/projects/{APP}/deployments") == [41, 42]
        fake.remove_environment(10)  # staging, with deployment 42
        assert ids(f"/projects/{APP}/environments") == [9]
        assert ids(f"/projects/{APP}/deployments") == [41]
        fake.remove_issue(9001)
        assert ids(f"/projects/{APP}/issues") == []
        # moved: the new path answers, the old one and its group no longer do
        fake.put_project({"id": 4243, "path_with_namespace": "attic/old", "archived": True})
        assert get(session, fake, "/projects/attic%2Fold").json()["id"] == 4243
        assert get(session, fake, "/projects/gov%2Fold").status_code == 404
        assert ids("/groups/gov/projects") == [APP]
        # deleted: 404, out of its group, and its data gone
        fake.remove_project(4300)
        assert get(session, fake, "/projects/4300").json() == {"message": "404 Project Not Found"}
        assert ids("/groups/gov%2Fsub/projects") == [4301]
        assert ids(f"/projects/{APP}/issues") == []


def test_a_rate_limit_throttle_on_a_clock(session: requests.Session) -> None:
    now = [1_000_000.0]
    with FakeGitLab(projects=PROJECTS, rate_limit=2, rate_window=10.0,
                    clock=lambda: now[0]) as fake:  # fmt: skip
        url = f"{fake.url}/api/v4/projects/{APP}"
        first, second, third = (session.get(url, timeout=5) for _ in range(3))
        # the window opened at the first request: it resets 10 s later, at 1,000,010
        assert [r.status_code for r in (first, second, third)] == [200, 200, 429]
        assert [r.headers["RateLimit-Remaining"] for r in (first, second, third)] == ["1", "0", "0"]
        assert {r.headers["RateLimit-Reset"] for r in (first, second, third)} == {"1000010"}
        assert first.headers["RateLimit-Limit"] == "2"
        assert third.text == "Retry later\n" and third.headers["Retry-After"] == "10"
        assert "Retry-After" not in first.headers
        now[0] += 10  # a new window
        again = session.get(url, timeout=5)
        assert again.status_code == 200 and again.headers["RateLimit-Remaining"] == "1"
        assert again.headers["RateLimit-Reset"] == "1000020"
    with FakeGitLab(projects=PROJECTS) as fake:  # off by default
        r = session.get(f"{fake.url}/api/v4/projects/{APP}", timeout=5)
        assert not any(h.lower().startswith("ratelimit") for h in r.headers)


# --- auth, failures, down -------------------------------------------------------------------------


def test_auth(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS) as fake:
        url = f"{fake.url}/api/v4/projects/{APP}"
        for headers in ({}, {"PRIVATE-TOKEN": "wrong"}, {"Authorization": "Bearer wrong"},
                        {"Authorization": f"Basic {TOKEN}"}):  # fmt: skip
            r = requests.get(url, headers=headers, timeout=5)
            assert r.status_code == 401 and r.json() == {"message": "401 Unauthorized"}
        assert requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).ok
        assert session.get(url, timeout=5).ok
        for rec in fake.requests:
            assert TOKEN not in str(rec.headers) and "wrong" not in str(rec.headers)
        assert [r.status for r in fake.requests] == [401, 401, 401, 401, 200, 200]


def test_fail_429_with_and_without_headers(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(2)) as fake:
        path = f"/api/v4/projects/{APP}/merge_requests"
        fake.fail(path, 429, times=2)  # GitLab.com without headers
        fake.fail("/api/v4/projects", 429, headers=rate_limit_headers(retry_after=None, reset_in=3))
        fake.fail("/api/v4/", 429, headers=rate_limit_headers(retry_after=2))
        url = f"{fake.url}{path}"
        for _ in range(2):
            r = session.get(url, timeout=5)
            assert r.status_code == 429 and r.text == "Retry later\n"
            assert r.headers["Content-Type"] == "text/plain"
            assert "Retry-After" not in r.headers and "RateLimit-Reset" not in r.headers
        r = session.get(url, timeout=5)
        assert r.status_code == 429 and "Retry-After" not in r.headers
        reset = int(r.headers["RateLimit-Reset"])
        assert time.time() < reset <= time.time() + 4
        assert r.headers["RateLimit-Remaining"] == "0" and r.headers["RateLimit-ResetTime"]
        r = session.get(url, timeout=5)
        assert r.status_code == 429 and r.headers["Retry-After"] == "2"
        assert session.get(url, timeout=5).status_code == 200
        fake.fail(path, 503, body="<html>bad gateway</html>", content_type="text/html")
        r = session.get(url, timeout=5)
        assert r.status_code == 503 and r.headers["Content-Type"] == "text/html"
        fake.fail(path, 500)
        assert session.get(url, timeout=5).json() == {"message": "500 Internal Server Error"}
        assert [r.status for r in fake.requests] == [429, 429, 429, 429, 200, 503, 500]


def test_down_gives_a_quick_connection_error(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS) as fake:
        url = f"{fake.url}/api/v4/projects/{APP}"
        assert session.get(url, timeout=5).status_code == 200  # a pooled keep-alive connection
        fake.down = True
        started = time.monotonic()
        for client in (session, requests):
            with pytest.raises(requests.ConnectionError):
                client.get(url, headers=HEADERS, timeout=5)
        assert time.monotonic() - started < 2
        fake.down = False
        assert session.get(url, timeout=5).status_code == 200


def test_recorded_requests_and_concurrency(session: requests.Session) -> None:
    with FakeGitLab(projects=PROJECTS, merge_requests=mrs(50)) as fake:
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                with requests.Session() as s:
                    s.headers.update(HEADERS)
                    got = follow(s, fake, f"/projects/{APP}/merge_requests", per_page=10)
                    assert len(got) == 50
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert len(fake.requests) == 20
        rec = fake.requests[0]
        assert rec.method == "GET" and rec.path == f"/api/v4/projects/{APP}/merge_requests"
        assert "PRIVATE-TOKEN" not in rec.headers and rec.status == 200
        fake.put_merge_request(merge_request(APP, 99, created=at(20)))
        assert get(session, fake, f"/projects/{APP}/merge_requests").headers["x-total"] == "51"
