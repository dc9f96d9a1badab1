"""`python -m koers sync` against loopback fakes of Jira Cloud and Jira Data Center (issue 4).

Everything runs over real HTTP on 127.0.0.1 (`tests/fakes/jira.py`): two sources in one small
config, a Cloud fake for team `vergunningen` (project VERG) and a Data Center fake for team
`subsidies` (project SUB). Facts are checked by hand-computed cycle and lead times.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

import config
from config import REPO_ROOT
from connectors import jira as jira_connector
from connectors.sync import Progress, sync
from demo import jira as demo_jira
from errors import KoersError
from metrics.flow import TeamFlow
from store.lock import exclusive
from store.warehouse import connect_read
from tests.fakes.jira import FakeJira
from tests.jira_payloads import STATUSES, flag, issue, move, status_obj, ts
from tests.warehouse_text import warehouse_text

CLOUD_EMAIL = "koers-bot@gemeente.test"
CLOUD_TOKEN = "cloud-secret-token-8d1f"
DC_TOKEN = "dc-secret-pat-77c2"
ENV = {
    "KOERS_TEST_CLOUD_TOKEN": CLOUD_TOKEN,
    "KOERS_TEST_CLOUD_EMAIL": CLOUD_EMAIL,
    "KOERS_TEST_DC_TOKEN": DC_TOKEN,
    "KOERS_RETRY_BACKOFF": "0.02",  # keep backoff waits short; Retry-After stays honoured
}
AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
TEAM = {"cloud": "vergunningen", "dc": "subsidies"}
SOURCE = {"cloud": "jira-cloud", "dc": "jira-dc"}
PROJECT = {"cloud": "VERG", "dc": "SUB"}
STATUS_LIST = [status_obj(name) for name, _ in STATUSES.values()]
CLOUD_FIELDS = [
    {"id": "summary", "key": "summary", "name": "Summary", "custom": False,
     "schema": {"type": "string", "system": "summary"}},
    {"id": "customfield_10021", "key": "customfield_10021", "name": "Flagged", "custom": True,
     "schema": {"type": "array", "items": "option",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes"}},
    {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate",
     "custom": True,
     "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points"}},
]  # fmt: skip
DC_FIELDS = [
    {"id": "summary", "name": "Summary", "custom": False,
     "schema": {"type": "string", "system": "summary"}},
    {"id": "customfield_10200", "name": "Flagged", "custom": True,
     "schema": {"type": "array", "items": "option",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes"}},
    {"id": "customfield_10106", "name": "Story Points", "custom": True,
     "schema": {"type": "number",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"}},
    {"id": "customfield_10100", "name": "Epic Link", "custom": True,
     "schema": {"type": "any", "custom": "com.pyxis.greenhopper.jira:gh-epic-link"}},
]  # fmt: skip


# --- payloads ------------------------------------------------------------------------------------


def _moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M %z")


def story(
    flavour: str,
    number: int,
    created: str,
    moves: list[tuple[str, str, str]] = (),
    *,
    flags: list[tuple[str, bool]] = (),
    key: str | None = None,
) -> dict[str, Any]:
    """An issue of the flavour's project; `moves` are (when, from, to) status changes and the
    issue's `updated` is its last change."""
    histories = [move(when, old, new) for when, old, new in moves]
    histories += [flag(when, on) for when, on in flags]
    status = moves[-1][2] if moves else "To Do"
    done = STATUSES[[k for k, v in STATUSES.items() if v[0] == status][0]][1] == "done"
    result = issue(
        f"{PROJECT[flavour]}-{number}",
        created,
        status,
        histories,
        resolution="Done" if done else None,
    )
    last = max(
        [created, *(when for when, _, _ in moves), *(when for when, _ in flags)], key=_moment
    )
    result["fields"]["updated"] = ts(last)
    result["fields"]["summary"] = f"Werkitem {number}"
    if key:
        result["key"] = key
    return to_dc(result) if flavour == "dc" else result


def to_dc(cloud: dict) -> dict:
    """Data Center shapes: no fieldId in changelog items, users by name/key/e-mail."""
    dc = copy.deepcopy(cloud)
    dc["fields"].pop("customfield_10021", None)
    dc["fields"]["issuetype"].pop("hierarchyLevel", None)
    dc["fields"]["assignee"] = {
        "name": "adtester",
        "key": "JIRAUSER10101",
        "emailAddress": "ana.de.tester@provincie.test",
        "displayName": "Ana de Tester",
    }
    for history in dc["changelog"]["histories"]:
        history["author"] = dict(dc["fields"]["assignee"])
        for item in history["items"]:
            item.pop("fieldId", None)
    return dc


def simple(flavour: str, number: int, day: int = 1) -> dict:
    """A plain story done in May 2026: started 10:00, done 16:00 on the same day."""
    created = f"2026-05-{day:02d} 09:00 +0200"
    return story(
        flavour,
        number,
        created,
        [
            (f"2026-05-{day:02d} 10:00 +0200", "To Do", "In Progress"),
            (f"2026-05-{day:02d} 16:00 +0200", "In Progress", "Done"),
        ],
    )


# --- a site: two fakes and a config --------------------------------------------------------------


class Site:
    def __init__(
        self,
        tmp: Path,
        cloud: list[dict] = (),
        dc: list[dict] = (),
        cloud_kw: dict | None = None,
        dc_kw: dict | None = None,
        cloud_jql: str = "project = VERG",
        dc_jql: str = "project = SUB",
    ) -> None:
        self.tmp = tmp
        self.fakes = {
            "cloud": FakeJira(
                "cloud",
                statuses=STATUS_LIST,
                fields=CLOUD_FIELDS,
                issues=cloud,
                email=CLOUD_EMAIL,
                token=CLOUD_TOKEN,
                **{"projects": ["VERG"], **(cloud_kw or {})},
            ).start(),
            "dc": FakeJira(
                "dc",
                statuses=STATUS_LIST,
                fields=DC_FIELDS,
                issues=dc,
                token=DC_TOKEN,
                **{"projects": ["SUB"], **(dc_kw or {})},
            ).start(),
        }
        self.database = tmp / "koers.duckdb"
        self.config_path = tmp / "koers.toml"
        self.config_path.write_text(
            f"""
[koers]
database = "{self.database}"
timezone = "Europe/Amsterdam"
language = "en"

[sources.jira-cloud]
type = "jira"
url = "{self.fakes["cloud"].url}"
token_env = "KOERS_TEST_CLOUD_TOKEN"
email_env = "KOERS_TEST_CLOUD_EMAIL"

[sources.jira-dc]
type = "jira"
url = "{self.fakes["dc"].url}"
token_env = "KOERS_TEST_DC_TOKEN"

[teams.vergunningen]
name = "Team Vergunningen"
jira = {{ source = "jira-cloud", jql = '{cloud_jql}' }}

[teams.subsidies]
name = "Team Subsidies"
jira = {{ source = "jira-dc", jql = '{dc_jql}' }}
""",
            encoding="utf-8",
        )

    @property
    def cfg(self) -> config.Config:
        return config.load(self.config_path)

    def sync(self, team: str | None = None, full: bool = False):
        return sync(self.cfg, team, full, Progress(None))

    def items(self, flavour: str) -> pd.DataFrame:
        con = connect_read(self.database)
        try:
            cfg = self.cfg
            frame = TeamFlow(con, cfg.team(TEAM[flavour]), cfg.timezone, AS_OF).items()
        finally:
            con.close()
        return frame.set_index("key")

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = connect_read(self.database)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def searches(self, flavour: str) -> list[Any]:
        path = "/rest/api/3/search/jql" if flavour == "cloud" else "/rest/api/2/search"
        return [r for r in self.fakes[flavour].requests if r.path == path]

    def digest(self) -> str:
        return hashlib.sha256(self.database.read_bytes()).hexdigest()

    def leftovers(self) -> list[Path]:
        return sorted(self.tmp.glob("koers.duckdb.*.tmp*"))

    def close(self) -> None:
        for fake in self.fakes.values():
            fake.stop()


@pytest.fixture()
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Site]]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KOERS_CONFIG", raising=False)
    sites: list[Site] = []

    def make(**kw: Any) -> Site:
        site = Site(tmp_path / f"site{len(sites)}", **kw) if sites else Site(tmp_path, **kw)
        sites.append(site)
        return site

    yield make
    for site in sites:
        site.close()


def koers(*args: str, site: Site, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KOERS_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "koers", *args, "--config", str(site.config_path)],
        capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=timeout,
    )  # fmt: skip


def days(hours: float) -> float:
    return hours / 24


# --- paging --------------------------------------------------------------------------------------


def test_both_flavours_over_several_pages(make_site) -> None:
    site = make_site(
        cloud=[simple("cloud", n, 1 + n % 28) for n in range(1, 131)],
        dc=[simple("dc", n, 1 + n % 28) for n in range(1, 131)],
        cloud_kw={"page_cap": 25, "short_pages": True},
        dc_kw={"page_cap": 30},
    )
    summary = site.sync()
    assert summary.issues == 260 and summary.sources == ["jira-cloud", "jira-dc"]

    cloud = site.searches("cloud")
    assert len(cloud) > 130 / 25  # short pages: more pages than a full cap would need
    bodies = [r.json_body for r in cloud]
    assert "nextPageToken" not in bodies[0] and all("nextPageToken" in b for b in bodies[1:])
    assert bodies[0]["expand"] == "changelog"
    assert {"summary", "status", "updated", "customfield_10021", "customfield_10016"} <= set(
        bodies[0]["fields"]
    )
    dc = [r.json_body for r in site.searches("dc")]
    assert [b["startAt"] for b in dc] == [0, 30, 60, 90, 120]
    assert dc[0]["maxResults"] == 100 and all(b["maxResults"] == 30 for b in dc[1:])  # echoed
    assert {"customfield_10200", "customfield_10106", "customfield_10100"} <= set(dc[0]["fields"])

    for flavour in ("cloud", "dc"):
        items = site.items(flavour)
        assert len(items) == 130 and items.index.is_unique
        assert items["cycle_time_days"].round(6).eq(round(days(6), 6)).all()


@pytest.mark.parametrize("known", [True, False])
def test_data_center_windows_stay_under_the_result_window(make_site, monkeypatch, known) -> None:
    # known: the connector's window is the instance's (10,000 in real life, 100 here); else the
    # instance has a smaller one than the connector expects, and says so in its HTTP 500
    monkeypatch.setattr(jira_connector, "RESULT_WINDOW", 100 if known else 10_000)
    site = make_site(
        dc=[simple("dc", n, 1 + n % 28) for n in range(1, 251)],
        dc_kw={"page_cap": 30, "result_window": 100},
    )
    summary = site.sync(team="subsidies")
    assert summary.issues == 250
    answered = [r for r in site.searches("dc") if r.status == 200]
    assert len(site.searches("dc")) - len(answered) == (0 if known else 7)  # 1 + 6 retries
    bodies = [r.json_body for r in answered]
    assert all(b["startAt"] + b["maxResults"] <= 100 for b in bodies)
    windows = sorted({b["jql"] for b in bodies})
    assert windows == [
        '(project = SUB) AND key > "SUB-100" ORDER BY key ASC',
        '(project = SUB) AND key > "SUB-200" ORDER BY key ASC',
        "(project = SUB) ORDER BY key ASC",
    ]
    assert len(site.items("dc")) == 250


# --- complete changelogs -------------------------------------------------------------------------


def long_story(flavour: str, number: int) -> dict:
    """Nine histories; the embedded changelog (cap 3) holds only the flag and the move to Done.
    Cycle time by hand: started 2026-05-04 10:00 +0200 (08:00Z), done 2026-05-08 12:00 +0200
    (10:00Z) = 4 days 2 hours. Lead time: created 09:00 +0200 → 4 days 3 hours."""
    return story(
        flavour,
        number,
        "2026-05-04 09:00 +0200",
        [
            ("2026-05-04 10:00 +0200", "To Do", "In Progress"),
            ("2026-05-05 11:00 +0200", "In Progress", "Ready for test"),
            ("2026-05-05 15:00 +0200", "Ready for test", "Testing"),
            ("2026-05-06 09:00 +0200", "Testing", "In Progress"),
            ("2026-05-06 16:00 +0200", "In Progress", "Ready for test"),
            ("2026-05-07 10:00 +0200", "Ready for test", "Testing"),
            ("2026-05-08 12:00 +0200", "Testing", "Done"),
        ],
        flags=[("2026-05-07 11:00 +0200", True), ("2026-05-07 14:00 +0200", False)],
    )


@pytest.mark.parametrize("route", ["bulkfetch", "per-issue"])
def test_a_truncated_changelog_is_completed(make_site, monkeypatch, route) -> None:
    monkeypatch.setattr(jira_connector, "BULK_HISTORIES", 4)  # several bulk pages
    site = make_site(
        cloud=[long_story("cloud", n) for n in range(1, 6)] + [simple("cloud", 6)],
        cloud_kw={
            "embedded_changelog_cap": 3,
            "bulkfetch_repeats_last": True,  # JRACLOUD-94906
            "bulkfetch_epoch_created": True,
        },
    )
    if route == "per-issue":
        site.fakes["cloud"].fail("/rest/api/3/changelog/bulkfetch", 404)
    summary = site.sync(team="vergunningen")
    assert summary.completed == 5  # VERG-6 was whole already

    paths = [r.path for r in site.fakes["cloud"].requests]
    if route == "bulkfetch":
        bulk = [r.json_body for r in site.fakes["cloud"].requests if "bulkfetch" in r.path]
        assert len(bulk) > 2 and bulk[0]["fieldIds"] == [
            "status",
            "resolution",
            "customfield_10021",
        ]
        assert sorted(bulk[0]["issueIdsOrKeys"]) == [str(10000 + n) for n in range(1, 6)]
    else:
        assert sum(p.endswith("/changelog") for p in paths) == 5

    items = site.items("cloud")
    for n in range(1, 6):
        item = items.loc[f"VERG-{n}"]
        assert item["cycle_time_days"] == pytest.approx(4 + 2 / 24)
        assert item["lead_time_days"] == pytest.approx(4 + 3 / 24)
    assert site.query(
        "SELECT count(*) FROM work_items WHERE source = 'jira-cloud' AND NOT changelog_complete"
    ) == [(0,)]
    assert site.query(
        "SELECT count(*) FROM (SELECT issue_id, id FROM raw_jira_changelogs "
        "GROUP BY ALL HAVING count(*) > 1)"
    ) == [(0,)]
    # a repeat sync re-reads the overlap but stores no history twice
    site.sync(team="vergunningen", full=True)
    assert site.query(
        "SELECT count(*) FROM (SELECT issue_id, id FROM raw_jira_changelogs "
        "GROUP BY ALL HAVING count(*) > 1)"
    ) == [(0,)]
    assert site.items("cloud").loc["VERG-3", "cycle_time_days"] == pytest.approx(4 + 2 / 24)


# --- resilience ----------------------------------------------------------------------------------


@pytest.mark.parametrize("flavour", ["cloud", "dc"])
def test_the_sync_survives_a_429_and_a_503(make_site, flavour) -> None:
    site = make_site(
        **{flavour: [simple(flavour, n) for n in range(1, 41)]},
        **{f"{flavour}_kw": {"page_cap": 10}},
    )
    fake = site.fakes[flavour]
    path = "/rest/api/3/search/jql" if flavour == "cloud" else "/rest/api/2/search"
    fake.fail(
        path,
        429,
        headers={"Retry-After": "1", "X-RateLimit-Remaining": "0", "RateLimit-Reason": "burst"},
        body={"errorMessages": ["Rate limit exceeded."]},
    )
    fake.fail("/rest/api/2/field", 503, body="Service Unavailable", content_type="text/plain")
    started = time.monotonic()
    summary = site.sync(team=TEAM[flavour])
    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert summary.issues == 40
    statuses = [r.status for r in fake.requests if r.path == path]
    assert statuses[:2] == [429, 200]
    assert [r.status for r in fake.requests if r.path == "/rest/api/2/field"] == [503, 200]
    assert len(site.items(flavour)) == 40


@pytest.mark.parametrize("flavour", ["cloud", "dc"])
def test_a_cycle_time_across_the_dst_change(make_site, flavour) -> None:
    # Started Friday 27 March 2026 16:00 CET (+0100 → 15:00Z); done Monday 30 March 10:00 CEST
    # (+0200 → 08:00Z): 2 days 17 hours, not 2 days 18. Created 25 March 10:00 +0100 (09:00Z):
    # lead time 4 days 23 hours.
    dst = story(
        flavour,
        1,
        "2026-03-25 10:00 +0100",
        [
            ("2026-03-27 16:00 +0100", "To Do", "In Progress"),
            ("2026-03-30 10:00 +0200", "In Progress", "Done"),
        ],
    )
    site = make_site(**{flavour: [dst]})
    site.sync(team=TEAM[flavour])
    item = site.items(flavour).loc[f"{PROJECT[flavour]}-1"]
    assert item["cycle_time_days"] == pytest.approx(2 + 17 / 24)
    assert item["lead_time_days"] == pytest.approx(4 + 23 / 24)
    assert item["started_at"] == pd.Timestamp("2026-03-27T15:00:00Z")


# --- incremental ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flavour", "zone", "expected"),
    [
        # last update 2026-06-10 14:32:45 +0200 = 12:32:45Z = 18:02:45 in Kolkata (+05:30);
        # minus the 5-minute overlap, floored to the minute: 17:57
        ("cloud", "Asia/Kolkata", "2026/06/10 17:57"),
        # 12:32:45Z = 09:32:45 in São Paulo (-03:00) → 09:27
        ("dc", "America/Sao_Paulo", "2026/06/10 09:27"),
    ],
)
def test_an_incremental_sync_picks_up_changes_without_duplicates(
    make_site, flavour, zone, expected
) -> None:
    issues = [simple(flavour, n, n) for n in range(1, 11)]
    issues.append(
        story(
            flavour,
            11,
            "2026-06-08 09:00 +0200",
            [("2026-06-10 14:32 +0200", "To Do", "In Progress")],
        )
    )
    issues[-1]["fields"]["updated"] = "2026-06-10T14:32:45.120+0200"
    site = make_site(**{flavour: issues}, **{f"{flavour}_kw": {"timezone": zone}})
    first = site.sync(team=TEAM[flavour])
    assert first.issues == 11 and first.queries[0].full

    fake = site.fakes[flavour]
    changed = simple(flavour, 3, 3)  # VERG-3 / SUB-3 reopened and done again
    changed["changelog"]["histories"] += [
        move("2026-06-11 09:00 +0200", "Done", "In Progress"),
        move("2026-06-11 15:00 +0200", "In Progress", "Done"),
    ]
    changed["changelog"]["total"] = len(changed["changelog"]["histories"])
    changed["changelog"]["maxResults"] = changed["changelog"]["total"]
    changed["fields"]["updated"] = ts("2026-06-11 15:00 +0200")
    fake.put_issue(changed)
    new = simple(flavour, 12, 12)
    new["fields"]["updated"] = ts("2026-06-12 16:00 +0200")
    fake.put_issue(new)
    before = len(site.searches(flavour))

    second = site.sync(team=TEAM[flavour])
    assert not second.queries[0].full
    jql = site.searches(flavour)[before].json_body["jql"]
    assert f'updated >= "{expected}"' in jql
    assert second.issues == 3  # the overlap (issue 11), the changed and the new issue

    key = PROJECT[flavour]
    items = site.items(flavour)
    assert len(items) == 12 and items.index.is_unique
    assert items.loc[f"{key}-12", "done_at"] is not pd.NaT
    assert items.loc[f"{key}-3", "done_at"] == pd.Timestamp("2026-06-11T13:00:00Z")
    assert site.query(
        "SELECT count(*), count(DISTINCT id) FROM raw_jira_issues WHERE team = ?", [TEAM[flavour]]
    ) == [(12, 12)]
    assert site.query("SELECT watermark FROM sync_watermarks WHERE team = ?", [TEAM[flavour]]) == [
        (datetime(2026, 6, 12, 14, 0, tzinfo=UTC),)
    ]


@pytest.mark.parametrize("flavour", ["cloud", "dc"])
def test_a_moved_issue_stays_one_item_and_full_removes_a_deleted_one(make_site, flavour) -> None:
    key = PROJECT[flavour]
    jql = {f"{flavour}_jql": f"project in ({key}, LOKET) ORDER BY created DESC"}
    site = make_site(
        **{flavour: [simple(flavour, n, n) for n in range(1, 6)]},
        **{f"{flavour}_kw": {"projects": [key, "LOKET"]}},
        **jql,
    )
    site.sync(team=TEAM[flavour])
    fake = site.fakes[flavour]
    moved = simple(flavour, 4, 4)
    moved["key"] = "LOKET-1"
    moved["fields"]["updated"] = ts("2026-07-01 10:00 +0200")
    fake.put_issue(moved)
    fake.delete_issue(str(10000 + 2))

    incremental = site.sync(team=TEAM[flavour])
    assert incremental.removed == 0  # an incremental read cannot see deletions
    items = site.items(flavour)
    assert "LOKET-1" in items.index and f"{key}-4" not in items.index
    assert len(items) == 5 and items.index.is_unique

    full = site.sync(team=TEAM[flavour], full=True)
    assert full.removed == 1 and full.issues == 4
    items = site.items(flavour)
    assert sorted(items.index) == sorted(["LOKET-1", f"{key}-1", f"{key}-3", f"{key}-5"])


def test_an_unchanged_repeat_lands_nothing_but_a_renamed_status_is_noticed(make_site) -> None:
    site = make_site(cloud=[simple("cloud", n, n) for n in range(1, 6)], dc=[simple("dc", 1)])
    site.sync()
    before = site.query("SELECT source, last_sync_at FROM source_state ORDER BY source")
    raw = site.query("SELECT id, fetched_at FROM raw_jira_issues ORDER BY ALL")

    lines: list[str] = []
    progress = Progress(None)
    progress.note = lines.append  # type: ignore[method-assign]
    again = sync(site.cfg, None, False, progress)
    assert again.issues == 2 and again.landed == 0  # the overlap re-read, nothing new
    assert "normalizing" not in lines
    assert site.query("SELECT id, fetched_at FROM raw_jira_issues ORDER BY ALL") == raw
    after = site.query("SELECT source, last_sync_at FROM source_state ORDER BY source")
    assert [a[1] > b[1] for a, b in zip(after, before, strict=True)] == [True, True]

    # Jira renames a status: same id, new name; the mapping follows without any issue changing
    renamed = [dict(s, name="In Arbeit") if s["name"] == "In Progress" else s for s in STATUS_LIST]
    site.fakes["cloud"].statuses[:] = renamed
    site.fakes["cloud"]._statuses_json = json.dumps(renamed).encode()  # the fake serves a cache
    lines.clear()
    sync(site.cfg, None, False, progress)
    assert "normalizing" in lines
    assert site.query(
        "SELECT name FROM jira_statuses WHERE source = 'jira-cloud' AND status_id = '2'"
    ) == [("In Arbeit",)]


# --- safety --------------------------------------------------------------------------------------


def test_a_killed_sync_leaves_the_warehouse_and_a_second_sync_refuses(make_site) -> None:
    site = make_site(
        cloud=[long_story("cloud", n) for n in range(1, 21)],
        dc=[simple("dc", n) for n in range(1, 21)],
        cloud_kw={"embedded_changelog_cap": 3},
    )
    site.sync()
    before = site.digest()
    fake = site.fakes["cloud"]
    for n in (1, 2):  # work for the next sync: two changed issues, whose changelogs need completing
        changed = long_story("cloud", n)
        changed["fields"]["updated"] = ts("2026-08-01 10:00 +0200")
        fake.put_issue(changed)
    # The next sync lands the search page, then waits on changelog/bulkfetch (Retry-After: 1).
    slow = "/rest/api/3/changelog/bulkfetch"
    fake.fail(slow, 503, times=8, headers={"Retry-After": "1"})
    start = len(fake.requests)
    first = subprocess.Popen(
        [sys.executable, "-m", "koers", "sync", "--config", str(site.config_path)],
        cwd=REPO_ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not any(r.path == slow for r in fake.requests[start:]):
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the sync never reached bulkfetch"
            time.sleep(0.05)
        assert site.leftovers(), "the sync should be writing its copy"

        second = koers("sync", site=site)
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"koers: another sync is already running on {site.database} (process "
            f"{first.pid}); wait until it has finished, then try again"
        ]
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    assert site.digest() == before  # byte for byte the previous warehouse
    assert len(site.items("cloud")) == 20  # and readable
    assert site.leftovers()  # the killed sync's copy is still there …

    while requests.post(fake.url + slow, json={}, timeout=5).status_code == 503:
        pass  # use up the injected failures
    good = koers("sync", site=site)
    assert good.returncode == 0, good.stderr
    assert site.leftovers() == []  # … until the next sync sweeps it
    assert site.digest() != before
    assert site.query("SELECT watermark FROM sync_watermarks WHERE team = 'vergunningen'") == [
        (datetime(2026, 8, 1, 8, 0, tzinfo=UTC),)
    ]
    assert site.items("cloud").loc["VERG-1", "cycle_time_days"] == pytest.approx(4 + 2 / 24)


def test_a_second_sync_refuses_while_one_holds_the_lock(make_site) -> None:
    site = make_site(cloud=[simple("cloud", 1)])
    with exclusive(site.database), pytest.raises(KoersError, match="another sync is already"):
        site.sync()


# --- errors: one line, exit 1, nothing half-written ----------------------------------------------


def _break(site: Site, case: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Break the site as `case` says; returns the expected stderr line (the broken source's
    team is synced alone, so that no other team's progress is on stderr)."""
    cloud, dc = site.fakes["cloud"], site.fakes["dc"]
    if case == "rejected token":
        monkeypatch.setenv("KOERS_TEST_DC_TOKEN", "an-expired-token")
        return (
            "jira-dc: the credentials were rejected (HTTP 401: Client must be authenticated to "
            "access this resource); check the token in $KOERS_TEST_DC_TOKEN"
        )
    if case == "403":
        cloud.forbidden_projects.add("VERG")
        return (
            "jira-cloud: access denied to the query of team vergunningen (HTTP 403: You do not "
            "have permission to browse project 'VERG'); give the account behind "
            "$KOERS_TEST_CLOUD_TOKEN access to its projects, or ask a Jira administrator"
        )
    if case == "unknown project":
        _set_jql(site, "project = VERG", "project = VERGUNNING")
        return (
            "jira-cloud: Jira refused the query of team vergunningen (HTTP 400: The value "
            "'VERGUNNING' does not exist for the field 'project'); fix "
            "teams.vergunningen.jira.jql in the config (now: project = VERGUNNING)"
        )
    if case == "JQL refused":
        _set_jql(site, "project = SUB", 'project = SUB AND status = "Klaar"')
        return (
            "jira-dc: Jira refused the query of team subsidies (HTTP 400: The value 'Klaar' "
            "does not exist for the field 'status'); fix teams.subsidies.jira.jql in the "
            'config (now: project = SUB AND status = "Klaar")'
        )
    if case == "HTML login page":
        cloud.sso_login_page = True
        return (
            "jira-cloud: got an HTML page where JSON was expected from /rest/api/2/serverInfo: "
            "a single-sign-on proxy or login page is in the way. Ask for the API to be let "
            "through for token access, or use the address the API answers on"
        )
    if case == "410":
        cloud.fail(
            "/rest/api/3/search/jql",
            410,
            body={"errorMessages": ["The requested API has been removed."]},
        )
        return (
            "jira-cloud: /rest/api/3/search/jql has been removed from the server's API (HTTP "
            "410: The requested API has been removed); upgrade Koers to a version that uses "
            "its successor"
        )
    if case == "network down":
        dc.down = True
        host = dc.url.removeprefix("http://")
        return (
            f"jira-dc: cannot reach {host} (the connection was closed without an answer); is "
            "the network down or the URL wrong?"
        )
    if case == "server gone":
        cloud.stop()
        host = cloud.url.removeprefix("http://")
        return (
            f"jira-cloud: cannot reach {host} (connection refused); is the network down or the "
            "URL wrong?"
        )
    if case == "missing variable":
        monkeypatch.delenv("KOERS_TEST_CLOUD_EMAIL")
        return (
            "jira-cloud: the environment variable KOERS_TEST_CLOUD_EMAIL is not set; put the "
            "e-mail address of the Jira Cloud account in it (sources.jira-cloud.email_env "
            "names it)"
        )
    raise AssertionError(case)


def _set_jql(site: Site, old: str, new: str) -> None:
    text = site.config_path.read_text(encoding="utf-8")
    site.config_path.write_text(text.replace(f"'{old}'", f"'{new}'"), encoding="utf-8")


@pytest.mark.parametrize(
    "case",
    [
        "rejected token",
        "403",
        "unknown project",
        "JQL refused",
        "HTML login page",
        "410",
        "network down",
        "server gone",
        "missing variable",
    ],
)
def test_every_error_is_one_line_and_exit_1(make_site, monkeypatch, case) -> None:
    site = make_site(cloud=[simple("cloud", 1)], dc=[simple("dc", 1)])
    site.sync()
    before = site.digest()
    expected = _break(site, case, monkeypatch)
    team = "subsidies" if expected.startswith("jira-dc") else "vergunningen"
    result = koers("sync", "--team", team, site=site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"koers: {expected}"]
    assert result.stdout == ""
    assert CLOUD_TOKEN not in result.stderr and DC_TOKEN not in result.stderr
    assert site.digest() == before and site.leftovers() == []


def test_the_demo_config_is_refused(demo_config: config.Config) -> None:
    with pytest.raises(KoersError, match="is the demo config: it has no real sources to sync"):
        sync(demo_config, None, False)


def test_a_team_without_a_jira_query_has_nothing_to_sync(tmp_path) -> None:
    path = tmp_path / "koers.toml"
    path.write_text('[teams.t]\nname = "T"\n', encoding="utf-8")
    with pytest.raises(KoersError) as caught:
        sync(config.load(path), "t", False)
    assert str(caught.value) == (
        f"{path}: nothing to sync: team t has no jira query ([teams.t] jira = …)"
    )
    assert not (tmp_path / "data").exists()  # nothing locked, copied or written


def test_the_cli_shows_progress_and_a_summary(make_site) -> None:
    site = make_site(cloud=[simple("cloud", n) for n in range(1, 4)], dc=[simple("dc", 1)])
    result = koers("sync", site=site)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "jira-cloud · vergunningen  3/3 issues [########################]" in lines
    assert "jira-dc · subsidies  1/1 issues [########################]" in lines
    assert lines[-1].startswith(
        "koers: synced 2 sources, 2 team queries: 4 issues read (4 new or changed), "
        "0 changelogs completed, 0 removed, in "
    )
    state = site.query("SELECT source, type, flavour, demo FROM source_state ORDER BY source")
    assert state == [
        ("jira-cloud", "jira", "cloud", False),
        ("jira-dc", "jira", "datacenter", False),
    ]


# --- privacy -------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["bulkfetch", "per-issue"])
def test_no_person_reaches_the_warehouse(tmp_path, monkeypatch, route) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    end = datetime(2026, 11, 27, 16, tzinfo=UTC)
    cloud = FakeJira.from_payloads(
        "cloud",
        demo_jira.generate_vergunningen(end),
        email=CLOUD_EMAIL,
        token=CLOUD_TOKEN,
        embedded_changelog_cap=4,  # most histories come from the changelog endpoints
    ).start()
    dc = FakeJira.from_payloads("dc", demo_jira.generate_subsidies(end), token=DC_TOKEN).start()
    try:
        if route == "per-issue":
            cloud.fail("/rest/api/3/changelog/bulkfetch", 404)
        path = tmp_path / "koers.toml"
        path.write_text(
            f'[koers]\ndatabase = "{tmp_path / "w.duckdb"}"\n'
            f'[sources.jc]\ntype = "jira"\nurl = "{cloud.url}"\n'
            'token_env = "KOERS_TEST_CLOUD_TOKEN"\nemail_env = "KOERS_TEST_CLOUD_EMAIL"\n'
            f'[sources.jd]\ntype = "jira"\nurl = "{dc.url}"\ntoken_env = "KOERS_TEST_DC_TOKEN"\n'
            '[teams.vergunningen]\njira = { source = "jc", jql = "project = VERG" }\n'
            '[teams.subsidies]\njira = { source = "jd", jql = "project = SUB" }\n',
            encoding="utf-8",
        )
        summary = sync(config.load(path), None, False)
        assert summary.completed > 100
    finally:
        cloud.stop()
        dc.stop()
    text = warehouse_text(tmp_path / "w.duckdb")
    assert len(text) > 1_000_000
    assert "In uitvoering" in text  # the histories really are in there
    for person in demo_jira.FICTIONAL_PEOPLE:
        for value in (
            person.display_name,
            person.email,
            person.account_id,
            person.username,
            person.user_key,
        ):
            assert value not in text, f"{value!r} reached the warehouse"
    for value in (CLOUD_EMAIL, CLOUD_TOKEN, DC_TOKEN, "koers-bot"):
        assert value not in text
    for key in ("author", "assignee", "reporter", "creator", "emailAddress", "accountId"):
        assert f'"{key}":' not in text


# --- JQL helpers ---------------------------------------------------------------------------------


def test_order_by_is_stripped_outside_quotes_only() -> None:
    strip = jira_connector.strip_order_by
    assert strip("project = VERG ORDER BY created DESC") == "project = VERG"
    assert strip('summary ~ "order by" AND project = A order  by key') == (
        'summary ~ "order by" AND project = A'
    )
    assert strip("project = A") == "project = A"


def test_a_watermark_in_the_ambiguous_autumn_hour_is_read_an_hour_early() -> None:
    zone = jira_connector.ZoneInfo("Europe/Amsterdam")
    # 25 October 2026: 02:00-03:00 happens twice. 00:40Z is 02:40 CEST (the first 02:40); minus
    # the overlap 02:35, which Jira could read as CET (01:35Z, an hour too late): 01:35 instead.
    assert jira_connector.jql_time(datetime(2026, 10, 25, 0, 40, tzinfo=UTC), zone) == (
        "2026/10/25 01:35"
    )
    # 01:40Z is 02:40 CET (the second one): 02:35 read either way is not later than 01:35Z
    assert jira_connector.jql_time(datetime(2026, 10, 25, 1, 40, tzinfo=UTC), zone) == (
        "2026/10/25 02:35"
    )
    # an ordinary moment: minus five minutes, floored to the minute, in the account's zone
    assert jira_connector.jql_time(datetime(2026, 6, 10, 12, 32, 45, tzinfo=UTC), zone) == (
        "2026/06/10 14:27"
    )


def test_the_example_configs_in_the_docs_work(tmp_path, monkeypatch) -> None:
    text = (REPO_ROOT / "docs" / "connect-jira.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```toml\n")[1:]]
    assert len(blocks) == 2 and "email_env" in blocks[0] and "email_env" not in blocks[1]
    site = Site(tmp_path, cloud=[simple("cloud", 1)], dc=[simple("dc", 1)])
    try:
        monkeypatch.setenv("KOERS_JIRA_EMAIL", CLOUD_EMAIL)
        monkeypatch.setenv("KOERS_JIRA_TOKEN", CLOUD_TOKEN)
        monkeypatch.setenv("KOERS_JIRA_DC_TOKEN", DC_TOKEN)
        for block, flavour in zip(blocks, ("cloud", "dc"), strict=True):
            url = next(line for line in block.splitlines() if line.startswith("url = "))
            folder = tmp_path / flavour
            folder.mkdir()
            path = folder / "koers.toml"
            path.write_text(block.replace(url, f'url = "{site.fakes[flavour].url}"'), "utf-8")
            summary = sync(config.load(path), None, False)
            assert summary.issues == 1
            assert (folder / "data" / "koers.duckdb").exists()
    finally:
        site.close()


def test_the_progress_bar_redraws_on_a_terminal_and_logs_lines_elsewhere() -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    now = [0.0]
    tty = Terminal()
    bar = Progress(tty, "nl", clock=lambda: now[0]).bar("jira-cloud · vergunningen")
    bar.update(0, 2345)
    now[0] = 1.0
    bar.update(1200, 2345)
    bar.close()
    assert tty.getvalue().split("\r")[1:] == [
        "jira-cloud · vergunningen  0/2.345 issues [------------------------]",
        "jira-cloud · vergunningen  1.200/2.345 issues [############------------]",
        "jira-cloud · vergunningen  1.200/2.345 issues [############------------]\n",
    ]

    log = io.StringIO()
    bar = Progress(log, "en", every=5, clock=lambda: now[0]).bar("jira-dc · subsidies")
    for done in range(0, 3000, 100):
        now[0] += 1
        bar.update(done, None)
    bar.close()
    lines = log.getvalue().splitlines()
    assert lines[0] == "jira-dc · subsidies  500 issues" and len(lines) == 6  # every 5 s
    assert lines[-1] == "jira-dc · subsidies  2,900 issues"


def test_the_dashboard_keeps_serving_during_a_sync_and_shows_the_new_data_after(
    make_site, monkeypatch
) -> None:
    from streamlit.testing.v1 import AppTest

    site = make_site(cloud=[simple("cloud", n, day=n) for n in range(1, 4)])
    site.sync()
    monkeypatch.setenv("KOERS_CONFIG", str(site.config_path))

    def flow_page_intro() -> str:
        at = AppTest.from_file(str(REPO_ROOT / "app_pages/flow.py"), default_timeout=60)
        at.query_params["team"] = "vergunningen"
        at.query_params["period"] = "2026-05-01..2026-05-31"
        at.run()
        assert not at.exception
        return at.markdown[0].value

    assert "3 items" in flow_page_intro()
    reader = connect_read(site.database)  # the dashboard holds the warehouse open, read-only
    for n in range(4, 6):
        site.fakes["cloud"].put_issue(simple("cloud", n, day=n))
    site.sync()  # not blocked by the reader: it writes a copy and swaps it in
    assert reader.execute("SELECT count(*) FROM work_items").fetchall() == [(3,)]  # old snapshot
    assert "5 items" in flow_page_intro()  # the next rerun sees the new file
    reader.close()
