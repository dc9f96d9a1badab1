"""Tests of the fake Jira itself, with `requests`, as the connector will talk to it."""

from __future__ import annotations

import base64
import threading
import time
from datetime import UTC, datetime
from itertools import count

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from demo.jira import generate_subsidies, generate_vergunningen
from tests import jira_payloads as jp
from tests.fakes.jira import BASIC_DISABLED, JSON_TYPE, NOT_AUTHENTICATED, REMOVED_SEARCH, FakeJira

AUTH = ("bot@example.gov", "secret-token")
BEARER = {"Authorization": "Bearer secret-token"}
JQL_ALL = "project = ABC ORDER BY key ASC"
_ids = count(50_000)


def ts(text: str) -> str:
    """'2026-03-30 09:00 +0200' → '2026-03-30T09:00:00.000+0200'."""
    return jp.ts(text)


def issue(
    key: str,
    updated: str = "2026-03-02 10:00 +0100",
    histories: list[dict] | tuple = (),
    *,
    status: str = "In Progress",
    issue_id: str | None = None,
) -> dict:
    """A Cloud-shaped issue (tests/jira_payloads.py) with its own id and `updated`."""
    out = jp.issue(key, "2026-03-01 09:00 +0100", status, histories)
    out["id"] = issue_id or str(next(_ids))
    out["fields"]["updated"] = ts(updated)
    out["fields"]["labels"] = []
    return out


def dc_issue(key: str, updated: str = "2026-03-02 10:00 +0100", histories=(), **kw) -> dict:
    """The same issue as Data Center returns it: no `fieldId` in changelog items."""
    out = issue(key, updated, histories, **kw)
    for history in out["changelog"]["histories"]:
        for item in history["items"]:
            item.pop("fieldId", None)
    return out


def moves(count_: int, start_day: int = 1) -> list[dict]:
    """`count_` status changes, one a minute, oldest first."""
    return [
        jp.move(f"2026-03-{start_day:02d} {9 + n // 60:02d}:{n % 60:02d} +0100", "To Do", "Done")
        for n in range(count_)
    ]


def make(flavour: str, issues: list[dict], **kw) -> FakeJira:
    _, statuses, fields = jp.catalogue()
    return FakeJira(flavour, statuses=statuses, fields=fields, issues=issues, **kw)


@pytest.fixture()
def session() -> requests.Session:
    s = requests.Session()
    s.auth = AUTH
    return s


@pytest.fixture()
def dc_session() -> requests.Session:
    s = requests.Session()
    s.headers.update(BEARER)
    return s


def cloud_pages(
    fake: FakeJira, s: requests.Session, jql: str = JQL_ALL, method: str = "POST", **params
) -> list[dict]:
    pages, token = [], None
    for _ in range(1000):
        if method == "POST":
            body = {"jql": jql, **params}
            if token:
                body["nextPageToken"] = token
            r = s.post(f"{fake.url}/rest/api/3/search/jql", json=body, timeout=10)
        else:
            query = {"jql": jql, **params}
            if token:
                query["nextPageToken"] = token
            r = s.get(f"{fake.url}/rest/api/3/search/jql", params=query, timeout=10)
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append(page)
        token = page.get("nextPageToken")
        if page.get("isLast") or not token:
            return pages
    raise AssertionError("paging never ended")


def dc_pages(fake: FakeJira, s: requests.Session, jql: str = JQL_ALL, **params) -> list[dict]:
    pages, start = [], 0
    while True:
        query = {"jql": jql, "startAt": start, **params}
        r = s.get(f"{fake.url}/rest/api/2/search", params=query, timeout=10)
        assert r.status_code == 200, r.text
        page = r.json()
        pages.append(page)
        start += len(page["issues"])
        if start >= page["total"] or not page["issues"]:
            return pages


def keys(pages: list[dict]) -> list[str]:
    return [i["key"] for p in pages for i in p["issues"]]


# --- catalogue endpoints -------------------------------------------------------------------------


def test_cloud_server_info_myself_fields_statuses(session: requests.Session) -> None:
    _, statuses, fields = jp.catalogue()
    with make("cloud", [], timezone="America/New_York") as fake:
        info = requests.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5)  # anonymous is fine
        assert info.status_code == 200
        assert info.headers["Content-Type"] == "application/json;charset=UTF-8" == JSON_TYPE
        assert info.json()["deploymentType"] == "Cloud"
        assert info.json()["baseUrl"] == fake.url
        assert {"version", "serverTitle"} <= info.json().keys()
        me = session.get(f"{fake.url}/rest/api/3/myself", timeout=5).json()
        assert me["timeZone"] == "America/New_York"
        assert me["accountId"] and me["displayName"] and "name" not in me
        assert session.get(f"{fake.url}/rest/api/3/field", timeout=5).json() == fields
        assert session.get(f"{fake.url}/rest/api/2/status", timeout=5).json() == statuses


def test_dc_server_info_and_myself(dc_session: requests.Session) -> None:
    with make("dc", []) as fake:
        info = dc_session.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5).json()
        assert info["deploymentType"] == "Server"
        me = dc_session.get(f"{fake.url}/rest/api/2/myself", timeout=5).json()
        assert me["name"] == "bot" and me["key"] and me["emailAddress"] == "bot@example.gov"
        assert me["timeZone"] == "Europe/Amsterdam" and "accountId" not in me
        # No REST v3 and no Cloud-only endpoints on Data Center.
        assert dc_session.get(f"{fake.url}/rest/api/3/myself", timeout=5).status_code == 404
        r = dc_session.post(f"{fake.url}/rest/api/2/search/jql", json={"jql": "x"}, timeout=5)
        assert r.status_code == 404


# --- Cloud search/jql ----------------------------------------------------------------------------


def test_cloud_paging_ends_without_token(session: requests.Session) -> None:
    with make("cloud", [issue(f"ABC-{n}") for n in range(1, 8)]) as fake:
        pages = cloud_pages(fake, session, maxResults=3, fields=["summary"])
        assert [len(p["issues"]) for p in pages] == [3, 3, 1]
        assert keys(pages) == [f"ABC-{n}" for n in range(1, 8)]
        for page in pages[:-1]:
            assert page["isLast"] is False and isinstance(page["nextPageToken"], str)
        assert pages[-1]["isLast"] is True
        assert "nextPageToken" not in pages[-1]  # absent, not null (JRACLOUD-92184)
        for page in pages:  # no offset paging in the envelope any more
            assert not {"total", "startAt", "maxResults"} & page.keys()
        got = cloud_pages(fake, session, method="GET", maxResults="3", fields="summary,status")
        assert keys(got) == keys(pages)
        assert got[0]["issues"][0]["fields"].keys() == {"summary", "status"}
        v2 = session.post(f"{fake.url}/rest/api/2/search/jql", json={"jql": JQL_ALL}, timeout=5)
        assert v2.status_code == 200 and v2.json()["isLast"] is True


def test_cloud_default_page_size_and_cap(session: requests.Session) -> None:
    with make("cloud", [issue(f"ABC-{n}") for n in range(1, 131)], page_cap=100) as fake:
        assert [len(p["issues"]) for p in cloud_pages(fake, session)] == [50, 50, 30]
        assert [len(p["issues"]) for p in cloud_pages(fake, session, maxResults=500)] == [100, 30]


def test_cloud_short_pages(session: requests.Session) -> None:
    with make("cloud", [issue(f"ABC-{n}") for n in range(1, 61)], short_pages=True) as fake:
        pages = cloud_pages(fake, session, maxResults=10, fields=["summary"])
        assert keys(pages) == [f"ABC-{n}" for n in range(1, 61)]  # nothing lost, nothing twice
        sizes = [len(p["issues"]) for p in pages]
        assert all(1 <= n <= 10 for n in sizes)
        assert any(n < 10 and "nextPageToken" in p for n, p in zip(sizes, pages, strict=True))


def test_cloud_page_token_is_bound_to_its_jql(session: requests.Session) -> None:
    with make("cloud", [issue(f"ABC-{n}") for n in range(1, 5)]) as fake:
        url = f"{fake.url}/rest/api/3/search/jql"
        first = session.post(url, json={"jql": JQL_ALL, "maxResults": 2}, timeout=5).json()
        token = first["nextPageToken"]
        other = {"jql": "project = ABC ORDER BY key DESC", "nextPageToken": token}
        r = session.post(url, json=other, timeout=5)
        assert r.status_code == 400 and r.json()["errorMessages"]
        r = session.post(url, json={"jql": JQL_ALL, "nextPageToken": "not-a-token"}, timeout=5)
        assert r.status_code == 400


def test_cloud_fields_default_to_id_only(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1", issue_id="10001")]) as fake:
        url = f"{fake.url}/rest/api/3/search/jql"
        plain = session.post(url, json={"jql": JQL_ALL}, timeout=5).json()
        assert plain["issues"] == [{"id": "10001"}]
        assert session.get(url, params={"jql": JQL_ALL}, timeout=5).json()["issues"] == [
            {"id": "10001"}
        ]
        one = session.post(url, json={"jql": JQL_ALL, "fields": ["summary"]}, timeout=5).json()
        found = one["issues"][0]
        assert found["id"] == "10001" and found["key"] == "ABC-1" and "self" in found
        assert found["fields"] == {"summary": "Item ABC-1"} and "changelog" not in found
        every = session.post(url, json={"jql": JQL_ALL, "fields": ["*all"]}, timeout=5).json()
        assert {"summary", "status", "updated", jp.FLAGGED_FIELD} <= every["issues"][0][
            "fields"
        ].keys()
        query = {"jql": JQL_ALL, "fields": "*navigable,-summary"}
        less = session.get(url, params=query, timeout=5).json()["issues"][0]["fields"]
        assert "summary" not in less and "status" in less


def test_cloud_embedded_changelog_is_capped_newest_first(session: requests.Session) -> None:
    histories = moves(45)
    with make("cloud", [issue("ABC-1", histories=histories)]) as fake:
        url = f"{fake.url}/rest/api/3/search/jql"
        body = {"jql": JQL_ALL, "fields": ["status"], "expand": "changelog"}
        found = session.post(url, json=body, timeout=5).json()["issues"][0]
        changelog = found["changelog"]
        assert changelog["total"] == 45
        assert changelog["startAt"] == 0 and changelog["maxResults"] == 40
        assert [h["id"] for h in changelog["histories"]] == [h["id"] for h in histories[::-1][:40]]
        assert list(found) == ["expand", "id", "self", "key", "changelog", "fields"]
        # `expand` is a string even in POST; an array is refused as by Cloud.
        body["expand"] = ["changelog"]
        assert session.post(url, json=body, timeout=5).status_code == 400
        query = {"jql": JQL_ALL, "expand": "names,changelog"}
        got = session.get(url, params=query, timeout=5).json()["issues"][0]
        assert got["id"] and got["changelog"]["total"] == 45
    with make("cloud", [issue("ABC-1", histories=histories)], embedded_changelog_cap=3) as fake:
        body = {"jql": JQL_ALL, "fields": ["status"], "expand": "changelog"}
        found = session.post(f"{fake.url}/rest/api/3/search/jql", json=body, timeout=5).json()
        changelog = found["issues"][0]["changelog"]
        assert len(changelog["histories"]) == 3 and changelog["total"] == 45


def test_cloud_old_search_is_gone(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        for api in ("2", "3"):
            got = session.get(f"{fake.url}/rest/api/{api}/search", params={"jql": JQL_ALL})
            assert got.status_code == 410
            assert got.json() == {"errorMessages": [REMOVED_SEARCH]}
            posted = session.post(f"{fake.url}/rest/api/{api}/search", json={"jql": JQL_ALL})
            assert posted.status_code == 410


def test_cloud_approximate_count_and_unbounded_jql(session: requests.Session) -> None:
    issues = [issue(f"ABC-{n}") for n in range(1, 6)] + [issue("XYZ-1")]
    with make("cloud", issues) as fake:
        url = f"{fake.url}/rest/api/3/search/approximate-count"
        assert session.post(url, json={"jql": "project = ABC"}, timeout=5).json() == {"count": 5}
        for jql in ("", "ORDER BY key DESC"):
            r = session.post(f"{fake.url}/rest/api/3/search/jql", json={"jql": jql}, timeout=5)
            assert r.status_code == 400
            assert "Unbounded JQL" in r.json()["errorMessages"][0]
            assert session.post(url, json={"jql": jql}, timeout=5).status_code == 400


# --- Cloud changelogs ----------------------------------------------------------------------------


def test_cloud_paged_changelog_bean(session: requests.Session) -> None:
    histories = moves(150)
    with make("cloud", [issue("ABC-1", histories=histories, issue_id="10001")]) as fake:
        url = f"{fake.url}/rest/api/3/issue/ABC-1/changelog"
        first = session.get(url, timeout=5).json()
        assert list(first) == [
            "self",
            "nextPage",
            "maxResults",
            "startAt",
            "total",
            "isLast",
            "values",
        ]
        assert first["maxResults"] == 100 and first["startAt"] == 0 and first["total"] == 150
        assert first["isLast"] is False
        assert [h["id"] for h in first["values"]] == [h["id"] for h in histories[:100]]
        second = session.get(first["nextPage"], timeout=5).json()
        assert second["startAt"] == 100 and second["isLast"] is True and "nextPage" not in second
        assert [h["id"] for h in second["values"]] == [h["id"] for h in histories[100:]]
        capped = session.get(url, params={"maxResults": 1000}, timeout=5).json()
        assert capped["maxResults"] == 100 and len(capped["values"]) == 100
        by_id = session.get(f"{fake.url}/rest/api/3/issue/10001/changelog", timeout=5).json()
        assert by_id["total"] == 150
        missing = session.get(f"{fake.url}/rest/api/3/issue/ABC-9/changelog", timeout=5)
        assert missing.status_code == 404 and missing.json()["errorMessages"]


def _bulk_issues() -> list[dict]:
    a = issue(
        "ABC-1",
        issue_id="10001",
        histories=[
            jp.move("2026-03-02 09:00 +0100", "To Do", "In Progress", hid=1),
            jp.flag("2026-03-02 10:00 +0100", True, hid=2),
            {
                **jp.move("2026-03-04 09:00 +0100", "In Progress", "Done", hid=5),
                "items": [
                    jp.resolve("2026-03-04 09:00 +0100", None, "Done")["items"][0],
                    jp.move("2026-03-04 09:00 +0100", "In Progress", "Done")["items"][0],
                ],
            },
        ],
    )
    b = issue(
        "ABC-2",
        issue_id="10002",
        histories=[
            jp.move("2026-03-02 09:00 +0100", "To Do", "In Progress", hid=3),  # same time as #1
            jp.move("2026-03-03 09:00 +0100", "In Progress", "Testing", hid=4),
        ],
    )
    return [a, b]


def bulk_pages(fake: FakeJira, s: requests.Session, body: dict) -> list[dict]:
    pages, token = [], None
    while True:
        payload = {**body, **({"nextPageToken": token} if token else {})}
        r = s.post(f"{fake.url}/rest/api/3/changelog/bulkfetch", json=payload, timeout=10)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        token = pages[-1].get("nextPageToken")
        if not token:
            return pages


def flat(pages: list[dict]) -> list[tuple[str, str, list[str]]]:
    return [
        (log["issueId"], h["id"], [i["field"] for i in h["items"]])
        for page in pages
        for log in page["issueChangeLogs"]
        for h in log["changeHistories"]
    ]


def test_bulkfetch_filters_sorts_and_pages(session: requests.Session) -> None:
    with make("cloud", _bulk_issues()) as fake:
        body = {"issueIdsOrKeys": ["ABC-1", "10002", "NOPE-1", "99999"], "fieldIds": ["status"]}
        (page,) = bulk_pages(fake, session, body)
        assert "nextPageToken" not in page
        # Oldest first, by date then issue id; the flag-only history is left out; the history
        # with resolution + status keeps only its status item; unknown issues are omitted.
        assert flat([page]) == [
            ("10001", "1", ["status"]),
            ("10002", "3", ["status"]),
            ("10002", "4", ["status"]),
            ("10001", "5", ["status"]),
        ]
        assert [log["issueId"] for log in page["issueChangeLogs"]] == ["10001", "10002", "10001"]
        pages = bulk_pages(fake, session, {**body, "maxResults": 3})
        assert [len(flat([p])) for p in pages] == [3, 1]
        assert flat(pages) == flat([page])
        both = {"issueIdsOrKeys": ["ABC-1"], "fieldIds": ["resolution", jp.FLAGGED_FIELD]}
        assert flat(bulk_pages(fake, session, both)) == [
            ("10001", "2", ["Flagged"]),
            ("10001", "5", ["resolution"]),
        ]
        everything = flat(bulk_pages(fake, session, {"issueIdsOrKeys": ["ABC-1"]}))
        assert [h for _, h, _ in everything] == ["1", "2", "5"]


def test_bulkfetch_limits(session: requests.Session) -> None:
    with make("cloud", _bulk_issues()) as fake:
        url = f"{fake.url}/rest/api/3/changelog/bulkfetch"
        many = {"issueIdsOrKeys": [str(n) for n in range(1001)], "fieldIds": ["status"]}
        assert session.post(url, json=many, timeout=5).status_code == 400
        many["issueIdsOrKeys"] = many["issueIdsOrKeys"][:1000]
        assert session.post(url, json=many, timeout=5).status_code == 200
        fields = {"issueIdsOrKeys": ["ABC-1"], "fieldIds": [f"customfield_{n}" for n in range(11)]}
        assert session.post(url, json=fields, timeout=5).status_code == 400
        assert session.post(url, json={"issueIdsOrKeys": []}, timeout=5).status_code == 400


def test_bulkfetch_quirks_repeat_and_epoch(session: requests.Session) -> None:
    body = {"issueIdsOrKeys": ["ABC-1", "ABC-2"], "fieldIds": ["status"], "maxResults": 2}
    with make("cloud", _bulk_issues(), bulkfetch_repeats_last=True) as fake:
        got = flat(bulk_pages(fake, session, body))
    assert [h for _, h, _ in got] == ["1", "3", "3", "4", "4", "5"]  # JRACLOUD-94906
    with make("cloud", _bulk_issues(), bulkfetch_epoch_created=True) as fake:
        (page,) = bulk_pages(fake, session, {**body, "maxResults": 10})
    created = page["issueChangeLogs"][0]["changeHistories"][0]["created"]
    assert created == int(datetime.fromisoformat(ts("2026-03-02 09:00 +0100")).timestamp() * 1000)


# --- Data Center /rest/api/2/search --------------------------------------------------------------


def test_dc_offset_paging_echoes_the_cap(dc_session: requests.Session) -> None:
    issues = [dc_issue(f"ABC-{n}", histories=moves(3)) for n in range(1, 8)]
    with make("dc", issues, page_cap=3) as fake:
        pages = dc_pages(fake, dc_session, maxResults=50, expand="changelog")
        assert [p["maxResults"] for p in pages] == [3, 3, 3]  # the cap it used, echoed
        assert [p["startAt"] for p in pages] == [0, 3, 6]
        assert all(p["total"] == 7 and p["expand"] == "schema,names" for p in pages)
        assert keys(pages) == [f"ABC-{n}" for n in range(1, 8)]
        first = pages[0]["issues"][0]
        assert list(first) == ["expand", "id", "self", "key", "fields", "changelog"]
        assert {"summary", "status", "updated"} <= first["fields"].keys()  # *navigable default
        changelog = first["changelog"]  # complete, oldest first
        assert changelog["total"] == len(changelog["histories"]) == changelog["maxResults"] == 3
        created = [h["created"] for h in changelog["histories"]]
        assert created == sorted(created)
        url = f"{fake.url}/rest/api/2/search"
        body = {"jql": JQL_ALL, "maxResults": 2, "fields": ["summary"], "expand": ["changelog"]}
        posted = dc_session.post(url, json=body, timeout=5).json()
        assert posted["maxResults"] == 2 and posted["issues"][0]["fields"] == {
            "summary": "Item ABC-1"
        }
        body["expand"] = "changelog"  # DC wants arrays in POST
        assert dc_session.post(url, json=body, timeout=5).status_code == 400
        count_only = dc_session.get(url, params={"jql": JQL_ALL, "maxResults": 0}, timeout=5)
        assert count_only.json()["total"] == 7 and count_only.json()["issues"] == []
        everything = dc_session.get(url, params={"jql": ""}, timeout=5)  # DC allows unbounded
        assert everything.json()["total"] == 7


def test_dc_search_limit_exceeded(dc_session: requests.Session) -> None:
    issues = [dc_issue(f"ABC-{n}") for n in range(1, 31)]
    with make("dc", issues, result_window=10, page_cap=10) as fake:
        url = f"{fake.url}/rest/api/2/search"
        ok = dc_session.get(url, params={"jql": JQL_ALL, "maxResults": 10}, timeout=5)
        assert ok.status_code == 200
        r = dc_session.get(url, params={"jql": JQL_ALL, "startAt": 5, "maxResults": 10}, timeout=5)
        assert r.status_code == 500
        message = r.json()["errorMessages"][0]
        assert message.startswith("Search limit exceeded.") and "limit of 10" in message
        # The documented way around it: window the JQL by key.
        seen: list[str] = []
        last = "ABC-0"
        while True:
            jql = f'project = ABC AND key > "{last}" ORDER BY key ASC'
            page = dc_session.get(url, params={"jql": jql, "maxResults": 10}, timeout=5).json()
            if not page["issues"]:
                break
            seen += [i["key"] for i in page["issues"]]
            last = seen[-1]
        assert seen == [f"ABC-{n}" for n in range(1, 31)]


# --- JQL -----------------------------------------------------------------------------------------


def test_jql_updated_uses_the_account_time_zone_across_dst(session: requests.Session) -> None:
    issues = [
        issue("ABC-1", "2026-03-28 08:59 +0100"),  # winter time (CET, +0100)
        issue("ABC-2", "2026-03-28 09:00 +0100"),
        issue("ABC-3", "2026-03-30 08:59 +0200"),  # summer time (CEST, +0200) after 29 March
        issue("ABC-4", "2026-03-30 09:00 +0200"),
        issue("ABC-5", "2026-03-30 07:30 +0000"),  # = 09:30 in Amsterdam
    ]

    def found(fake: FakeJira, clause: str) -> list[str]:
        jql = f"(project = ABC) AND {clause} ORDER BY updated ASC, key ASC"
        return keys(cloud_pages(fake, session, jql, fields=["updated"]))

    with make("cloud", issues) as fake:
        assert found(fake, 'updated >= "2026/03/30 09:00"') == ["ABC-4", "ABC-5"]
        assert found(fake, 'updated >= "2026-03-28 09:00"') == [f"ABC-{n}" for n in (2, 3, 4, 5)]
        assert found(fake, 'updated > "2026/03/30 09:00"') == ["ABC-5"]
        assert found(fake, 'updated >= "2026/03/30"') == ["ABC-3", "ABC-4", "ABC-5"]
        epoch = int(datetime(2026, 3, 30, 7, 0, tzinfo=UTC).timestamp() * 1000)
        assert found(fake, f"updated >= {epoch}") == ["ABC-4", "ABC-5"]  # epoch milliseconds
        r = session.post(
            f"{fake.url}/rest/api/3/search/jql",
            json={"jql": 'project = ABC AND updated >= "30/03/2026 09:00"'},
            timeout=5,
        )
        assert r.status_code == 400 and "Date value '30/03/2026 09:00'" in r.text
    # The same watermark read by an account in UTC: 09:00 UTC is 11:00 in Amsterdam.
    with make("cloud", issues, timezone="UTC") as fake:
        assert found(fake, 'updated >= "2026/03/30 07:00"') == ["ABC-4", "ABC-5"]
        assert found(fake, 'updated >= "2026/03/30 09:00"') == []


def test_jql_key_greater_than(session: requests.Session) -> None:
    issues = [issue(f"ABC-{n}") for n in range(1, 13)] + [issue("ABD-1"), issue("AB-5")]
    with make("cloud", issues) as fake:

        def found(jql: str) -> list[str]:
            return keys(cloud_pages(fake, session, jql, fields=["summary"]))

        # Same project: by number (ABC-10 > ABC-9); other projects: by project key.
        assert found('key > "ABC-9" ORDER BY key ASC') == ["ABC-10", "ABC-11", "ABC-12", "ABD-1"]
        assert found("project = ABC AND key > ABC-9 ORDER BY key DESC") == [
            "ABC-12",
            "ABC-11",
            "ABC-10",
        ]
        assert found('project = ABC AND key >= "ABC-12"') == ["ABC-12"]
        assert found('project in (ABC, AB) AND key <= "ABC-1" ORDER BY key ASC') == [
            "AB-5",
            "ABC-1",
        ]


def test_jql_clauses_and_order(session: requests.Session) -> None:
    issues = [
        issue("ABC-1", "2026-03-02 10:00 +0100", status="Done"),
        issue("ABC-2", "2026-03-02 09:00 +0100"),
        issue("ABC-3", "2026-03-02 09:00 +0100"),
        issue("XYZ-1", "2026-03-01 09:00 +0100"),
    ]
    with make("cloud", issues) as fake:

        def found(jql: str) -> list[str]:
            return keys(cloud_pages(fake, session, jql, fields=["summary"]))

        assert found("project = ABC ORDER BY updated ASC, key ASC") == ["ABC-2", "ABC-3", "ABC-1"]
        assert found("project = ABC ORDER BY updated ASC, key DESC") == ["ABC-3", "ABC-2", "ABC-1"]
        assert found("project in (ABC, xyz) ORDER BY key ASC") == [
            "ABC-1",
            "ABC-2",
            "ABC-3",
            "XYZ-1",
        ]
        jql = '(project = ABC AND status = "Done") OR project = XYZ ORDER BY key DESC'
        assert found(jql) == ["XYZ-1", "ABC-1"]
        assert found("project = ABC AND NOT status = Done ORDER BY key ASC") == ["ABC-2", "ABC-3"]
        assert found("project != ABC AND statusCategory = new") == []
        assert found("project = ABC AND resolution is EMPTY ORDER BY key ASC") == [
            "ABC-1",
            "ABC-2",
            "ABC-3",
        ]


def test_jql_errors(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        fake.forbidden_projects.add("ABC")
        url = f"{fake.url}/rest/api/3/search/jql"

        def post(jql: str) -> requests.Response:
            return session.post(url, json={"jql": jql}, timeout=5)

        r = post('project = "NOPE" ORDER BY key ASC')
        assert r.status_code == 400
        assert r.json() == {
            "errorMessages": ["The value 'NOPE' does not exist for the field 'project'."],
            "errors": {},
        }
        assert post("project = ABC").status_code == 403  # forbidden_projects
        fake.forbidden_projects.clear()
        assert post("project = ABC").status_code == 200
        for bad in (
            "project = ",
            "project = ABC AND",
            "project = ABC updated",
            "(project = ABC",
            'project = "ABC',
            "project ABC",
            "project = ABC ORDER updated",
        ):
            r = post(bad)
            assert r.status_code == 400, bad
            assert r.json()["errorMessages"][0].startswith("Error in the JQL Query"), bad
        r = post("projekt = ABC")
        assert r.status_code == 400 and "Field 'projekt' does not exist" in r.text
        assert post('project = ABC AND key = "ABC-99"').status_code == 400  # no such issue
        assert post("project = ABC AND updated ~ x").status_code == 400


# --- auth ----------------------------------------------------------------------------------------


def test_cloud_auth() -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        url = f"{fake.url}/rest/api/3/search/jql"
        body = {"jql": JQL_ALL}
        for kwargs in (
            {},
            {"auth": ("bot@example.gov", "wrong")},
            {"auth": ("other@example.gov", "secret-token")},
            {"headers": BEARER},  # PATs are Data Center only
        ):
            r = requests.post(url, json=body, timeout=5, **kwargs)
            assert r.status_code == 401, kwargs
            assert r.json() == {"errorMessages": [NOT_AUTHENTICATED], "errors": {}}
            assert r.headers["Content-Type"] == JSON_TYPE
        assert requests.post(url, json=body, auth=AUTH, timeout=5).status_code == 200
        bad = requests.get(f"{fake.url}/rest/api/2/serverInfo", auth=("x", "y"), timeout=5)
        assert bad.status_code == 401


def test_dc_auth() -> None:
    with make("dc", [dc_issue("ABC-1")]) as fake:
        url = f"{fake.url}/rest/api/2/search"
        assert requests.get(url, headers=BEARER, timeout=5).status_code == 200
        wrong = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
        assert wrong.status_code == 401 and wrong.json()["errorMessages"] == [NOT_AUTHENTICATED]
        assert requests.get(url, timeout=5).status_code == 401
        basic = requests.get(url, auth=AUTH, timeout=5)
        assert basic.status_code == 403
        assert basic.json() == {"message": BASIC_DISABLED}
    with make("dc", [dc_issue("ABC-1")], basic_auth_disabled=False) as fake:
        url = f"{fake.url}/rest/api/2/search"
        assert requests.get(url, auth=("bot", "secret-token"), timeout=5).status_code == 200
        assert requests.get(url, auth=("bot", "nope"), timeout=5).status_code == 401


# --- failures ------------------------------------------------------------------------------------


def test_fail_with_rate_limit_then_success(session: requests.Session) -> None:
    headers = {
        "Retry-After": "1",
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2026-03-02T09:01Z",
        "RateLimit-Reason": "jira-burst-based",
    }
    with make("cloud", [issue("ABC-1")]) as fake:
        fake.fail(
            "/rest/api/3/search/jql", 429, headers=headers, body={"errorMessages": ["Rate limit"]}
        )
        fake.fail("/rest/api/3/myself", 503, times=2, headers={"Retry-After": "2"}, body="busy")
        url = f"{fake.url}/rest/api/3/search/jql"
        assert session.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5).status_code == 200
        limited = session.post(url, json={"jql": JQL_ALL}, timeout=5)
        assert limited.status_code == 429
        for name, value in headers.items():
            assert limited.headers[name] == value
        assert limited.json() == {"errorMessages": ["Rate limit"]}
        assert session.post(url, json={"jql": JQL_ALL}, timeout=5).status_code == 200
        me = f"{fake.url}/rest/api/3/myself"
        assert [session.get(me, timeout=5).status_code for _ in range(3)] == [503, 503, 200]
        assert fake.requests[-2].status == 503 and fake.requests[-1].status == 200


def test_fail_is_retried_by_the_documented_retry_policy(session: requests.Session) -> None:
    retry = Retry(
        total=8,
        status=6,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"POST"},
        respect_retry_after_header=True,
        backoff_factor=0,
        raise_on_status=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=retry))
    with make("cloud", [issue("ABC-1")]) as fake:
        fake.fail("/rest/api/3/search/jql", 429, times=2, headers={"Retry-After": "0"})
        r = session.post(f"{fake.url}/rest/api/3/search/jql", json={"jql": JQL_ALL}, timeout=5)
        assert r.status_code == 200
        assert [x.status for x in fake.requests] == [429, 429, 200]


def test_sso_login_page(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        fake.sso_login_page = True
        for path in ("/rest/api/2/serverInfo", "/rest/api/3/search/jql"):
            r = session.get(fake.url + path, params={"jql": JQL_ALL}, timeout=5)
            assert r.status_code == 200
            assert r.headers["Content-Type"].startswith("text/html")
            assert '<form id="login-form" action="/login"' in r.text
            with pytest.raises(requests.JSONDecodeError):
                r.json()
        fake.sso_login_page = False
        assert session.get(fake.url + "/rest/api/3/myself", timeout=5).status_code == 200


def test_down_gives_a_quick_connection_error(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        url = f"{fake.url}/rest/api/3/myself"
        assert session.get(url, timeout=5).status_code == 200  # a pooled keep-alive connection
        fake.down = True
        started = time.monotonic()
        for client in (session, requests):  # the kept-alive connection and a new one
            with pytest.raises(requests.ConnectionError):
                client.get(url, auth=AUTH, timeout=5)
            with pytest.raises(requests.ConnectionError):
                client.post(f"{fake.url}/rest/api/3/search/jql", json={"jql": JQL_ALL}, auth=AUTH)
        assert time.monotonic() - started < 2
        fake.down = False
        assert session.get(url, timeout=5).status_code == 200


def test_stop_closes_kept_alive_connections(session: requests.Session) -> None:
    fake = make("cloud", [issue("ABC-1")]).start()
    url = f"{fake.url}/rest/api/3/myself"
    assert session.get(url, timeout=5).status_code == 200
    fake.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url, timeout=5)


# --- data changes and the request log ------------------------------------------------------------


def test_put_delete_and_move_between_requests(
    session: requests.Session, dc_session: requests.Session
) -> None:
    issues = [dc_issue(f"ABC-{n}", issue_id=str(10000 + n)) for n in range(1, 7)]
    with make("dc", issues) as fake:
        url = f"{fake.url}/rest/api/2/search"
        first = dc_session.get(url, params={"jql": JQL_ALL, "maxResults": 3}, timeout=5).json()
        fake.delete_issue("10002")  # offset paging is not stable: a row shifts past the window
        query = {"jql": JQL_ALL, "maxResults": 3, "startAt": 3}
        second = dc_session.get(url, params=query, timeout=5).json()
        assert keys([first, second]) == ["ABC-1", "ABC-2", "ABC-3", "ABC-5", "ABC-6"]
        assert second["total"] == 5
        fake.put_issue(dc_issue("ABC-7", "2026-03-05 12:00 +0100"))
        recent = dc_session.get(
            url, params={"jql": 'project = ABC AND updated >= "2026-03-05 12:00"'}, timeout=5
        ).json()
        assert keys([recent]) == ["ABC-7"]
        with pytest.raises(KeyError):
            fake.delete_issue("10002")

    moved_from = issue("ABC-3", issue_id="10003", histories=moves(2))
    with make("cloud", [issue("ABC-1"), moved_from], projects=["XYZ"]) as fake:
        assert keys(cloud_pages(fake, session, "project = XYZ", fields=["summary"])) == []
        moved = issue("XYZ-1", "2026-03-06 09:00 +0100", histories=moves(3), issue_id="10003")
        fake.put_issue(moved)  # same id, new key: moved to another project
        assert keys(cloud_pages(fake, session, JQL_ALL, fields=["summary"])) == ["ABC-1"]
        assert keys(cloud_pages(fake, session, "project = XYZ", fields=["summary"])) == ["XYZ-1"]
        old = session.get(f"{fake.url}/rest/api/3/issue/ABC-3/changelog", timeout=5).json()
        assert old["total"] == 3  # the former key still answers, with the new data
        body = {"issueIdsOrKeys": ["ABC-3"], "fieldIds": ["status"]}
        (page,) = bulk_pages(fake, session, body)
        assert {log["issueId"] for log in page["issueChangeLogs"]} == {"10003"}
        got = session.get(f"{fake.url}/rest/api/3/issue/ABC-3", timeout=5).json()
        assert got["key"] == "XYZ-1"


def test_request_log(session: requests.Session) -> None:
    with make("cloud", [issue("ABC-1")]) as fake:
        session.get(
            f"{fake.url}/rest/api/3/search/jql",
            params={"jql": JQL_ALL, "fields": "summary,status"},
            headers={"X-Test": "yes"},
            timeout=5,
        )
        body = {"jql": JQL_ALL, "fields": ["summary"], "maxResults": 10}
        session.post(f"{fake.url}/rest/api/3/search/jql", json=body, timeout=5)
        get, post = fake.requests
        assert (get.method, get.path, get.json_body) == ("GET", "/rest/api/3/search/jql", None)
        assert get.query == {"jql": [JQL_ALL], "fields": ["summary,status"]}
        assert get.headers["X-Test"] == "yes"
        assert (post.method, post.json_body, post.query) == ("POST", body, {})
        for recorded in fake.requests:
            assert recorded.status == 200
            assert "authorization" not in {h.lower() for h in recorded.headers}
        assert base64.b64encode(b"bot@example.gov:secret-token").decode() not in repr(fake.requests)


def test_concurrent_requests_while_data_changes(dc_session: requests.Session) -> None:
    issues = [dc_issue(f"ABC-{n}", histories=moves(5)) for n in range(1, 301)]
    errors: list[str] = []
    with make("dc", issues, page_cap=50) as fake:

        def sync() -> None:
            s = requests.Session()
            s.headers.update(BEARER)
            try:
                for _ in range(3):
                    pages = dc_pages(fake, s, maxResults=50, expand="changelog")
                    if len(keys(pages)) < 250:
                        errors.append(f"short sync: {len(keys(pages))}")
            except Exception as e:  # collected for the assertion below
                errors.append(repr(e))

        threads = [threading.Thread(target=sync) for _ in range(6)]
        for t in threads:
            t.start()
        for n in range(301, 351):
            fake.put_issue(dc_issue(f"ABC-{n}"))
        for t in threads:
            t.join(timeout=60)
        assert not errors
        assert dc_pages(fake, dc_session, maxResults=100)[0]["total"] == 350


# --- the demo data set and speed -----------------------------------------------------------------


END = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_serves_the_demo_payloads(session: requests.Session, dc_session: requests.Session) -> None:
    cloud = generate_vergunningen(END)
    with FakeJira.from_payloads("cloud", cloud) as fake:
        info = session.get(f"{fake.url}/rest/api/2/serverInfo", timeout=5).json()
        assert info == cloud.server_info
        pages = cloud_pages(
            fake, session, "project = VERG ORDER BY key ASC", fields=["*all"], expand="changelog"
        )
        served = [i for p in pages for i in p["issues"]]
        assert len(served) == len(cloud.issues)
        by_id = {i["id"]: i for i in cloud.issues}
        for got in served:
            want = by_id[got["id"]]
            assert got["fields"] == want["fields"]
            assert got["changelog"]["total"] == want["changelog"]["total"]
            assert got["changelog"]["histories"] == want["changelog"]["histories"][:40]
    dc = generate_subsidies(END)
    with FakeJira.from_payloads("dc", dc) as fake:
        pages = dc_pages(fake, dc_session, "project = SUB ORDER BY key ASC", expand="changelog")
        served = [i for p in pages for i in p["issues"]]
        assert {i["id"] for i in served} == {i["id"] for i in dc.issues}
        by_id = {i["id"]: i for i in dc.issues}
        assert all(got == by_id[got["id"]] for got in served)  # DC: byte-for-byte the payload


def test_twenty_thousand_issues_are_served_quickly(session: requests.Session) -> None:
    _, statuses, fields = jp.catalogue()
    author = {"accountId": "abc123", "displayName": "Ana de Tester"}
    issues = []
    for n in range(1, 20_001):
        histories = [
            {
                "id": str(n * 10 + h),
                "author": author,
                "created": f"2026-03-{1 + h:02d}T09:{n % 60:02d}:00.000+0100",
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": "1",
                        "fromString": "To Do",
                        "to": "2",
                        "toString": "In Progress",
                    }
                ],
            }
            for h in range(10)
        ]
        issues.append(
            {
                "id": str(100_000 + n),
                "key": f"BIG-{n}",
                "changelog": {"startAt": 0, "maxResults": 10, "total": 10, "histories": histories},
                "fields": {
                    "summary": f"Item {n}",
                    "status": jp.status_obj("In Progress"),
                    "updated": f"2026-03-11T{n % 24:02d}:{n % 60:02d}:00.000+0100",
                    "created": "2026-03-01T09:00:00.000+0100",
                    "labels": [],
                },
            }
        )
    fake = FakeJira("cloud", statuses=statuses, fields=fields, issues=issues)
    with fake:
        started = time.monotonic()
        pages = cloud_pages(
            fake,
            session,
            "project = BIG ORDER BY updated ASC, key ASC",
            fields=["summary", "status", "updated"],
            expand="changelog",
            maxResults=100,
        )
        elapsed = time.monotonic() - started
    assert sum(len(p["issues"]) for p in pages) == 20_000
    assert sum(len(i["changelog"]["histories"]) for p in pages for i in p["issues"]) == 200_000
    print(f"served 20,000 issues in {elapsed:.2f} s")
    assert elapsed < 10, f"{elapsed:.1f} s"
