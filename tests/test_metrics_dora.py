"""Delivery (DORA) metrics of METRICS.md §3 over a small GitLab fixture, values worked out by hand.

The fixture is built with the fake GitLab's entity builders, shaped as the REST API serves them,
landed with the `store.raw` GitLab writers and normalized: the same path as a real sync.

Period: 2026-03-02 … 2026-03-15 (two ISO weeks, 14 days), Europe/Amsterdam; as_of 2026-04-01.
Project 10's environments: `live` (tier production), `staging` (staging), `prod` (tier staging!),
`release` (tier other); `Prod/eu` has no environment record, so no known tier.

Deployments (finish time):
  D100 live      Feb 20 10:00Z  production, before the period      ships MR0
  D101 live      Mar 03 10:00Z  production (a: tier)               ships MR1 (squash)
  D102 live      Mar 05 10:00Z  production, no deployable: updated_at is its time; ships MR2
                                (fast-forward) and MR1 again (MR1 keeps D101 as deployed_at)
  D103 staging   Mar 02 10:00Z  staging: does not count (it ships MR1 before D101)
  D104 live      Mar 04 10:00Z  failed: does not count
  D105 Prod/eu   Mar 10 10:00Z  production (c: no known tier, name matches)   ships MR3
  D106 prod      Mar 11 10:00Z  known tier staging: the name does not make it production
  D107 release   Mar 12 10:00Z  production only through (b) production_environment="release"
                                ships MR5
  D108 live      Mar 10 15:00Z  production, same day as D105

Without override: D101, D102, D105, D108 = 4 deployments; per_week 4 / 2 = 2.0; deployment days:
week of Mar 2 {Mar 3, Mar 5} = 2, week of Mar 9 {Mar 10} = 1 → median 1.5.
With "release": + D107 = 5; per_week 2.5; week of Mar 9 {Mar 10, Mar 12} = 2 → median 2.0.

MRs (author bo.jansen; reviewers ana.devries, carol.smit):
  MR1 squash. Commits authored Feb 27 and Feb 26 10:00Z (listed newest first) → first commit
      Feb 26 10:00. Created Mar 1 10:00. Notes: the author's own comment Mar 1 12:00 (not a
      review), carol's system "requested review from …" Mar 1 13:00 (not a review), ana's system
      "approved this merge request" Mar 2 10:00 (the first review). Merged Mar 2 16:00, deployed
      (D101) Mar 3 10:00. Lead 5 d; coding 3, pickup 1, review 0.25, deploy 0.75.
  MR2 fast-forward. Commit authored 2026-03-04T08:00+02:00 = 06:00Z; created Mar 4 08:00; merged
      Mar 4 12:00; ana's comment Mar 4 20:00 is after the merge: no review. Deployed (D102) Mar 5
      10:00. Lead 28 h = 7/6 d; coding 1/12, pickup null, review (merged − created) 1/6,
      deploy 22/24.
  MR3 no commits (first commit = created Mar 9 10:00); ana's comment Mar 9 11:00; merged 12:00;
      deployed (D105) Mar 10 10:00. Lead 1 d.
  MR4 shipped only to staging (D103): never deployed to production, no lead time.
  MR5 created Mar 11 10:00, merged 12:00, shipped by D107 Mar 12 10:00: lead 1 d, only with (b).
  MR0 deployed Feb 20 (D100): outside the period.
Lead time without override over [1, 7/6, 5]: p50 7/6; p85 at position 1.7 → 7/6 + 0.7·(5 − 7/6)
= 3.85; n 3. With "release" over [1, 1, 7/6, 5]: p50 (1 + 7/6)/2 = 13/12; p85 at 2.55 →
7/6 + 0.55·(23/6) = 3.275; n 4.

Incidents (attributed to the latest production deployment finished at or before creation):
  I0 created Mar 2 12:00 → D100 (before the period; D103 is staging); closed Mar 2 18:00 (0.25 d)
  I1 created Mar 5 12:00 → D102; closed Mar 6 12:00 (1 d)
  I2 created Mar 20 09:00 (after the period, before as_of) → D108 (with "release": D107);
     closed Mar 20 12:00, after the period
  I3 created Apr 5: after as_of, ignored
CFR without override: D102, D108 of 4 = 0.5; with "release": D102, D107 of 5 = 0.4.
Time to restore over incidents closed in the period (I0, I1): p50 0.625, n 2.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from config import parse
from metrics.delivery import team_delivery
from metrics.dora import TeamDelivery, report
from metrics.flow import Period
from store.normalize import normalize
from store.raw import (
    write_gitlab_deployment_mrs,
    write_gitlab_deployments,
    write_gitlab_environments,
    write_gitlab_issues,
    write_gitlab_merge_requests,
    write_gitlab_mr_commits,
    write_gitlab_mr_notes,
    write_gitlab_projects,
    write_jira_catalogue,
    write_jira_issues,
)
from store.warehouse import connect_write
from tests.fakes.gitlab import (
    commit,
    deployment,
    environment,
    incident,
    merge_request,
    note,
    user,
)
from tests.jira_payloads import catalogue, issue, move

TZ = "Europe/Amsterdam"
SOURCE = "gitlab"
PROJECT = 10
PERIOD = Period(date(2026, 3, 2), date(2026, 3, 16))
AS_OF = datetime.fromisoformat("2026-04-01T00:00:00+00:00")
FETCHED = datetime.fromisoformat("2026-04-01T00:00:00+00:00")

BO = user(21, "bo.jansen", "Bo Jansen")
ANA = user(17, "ana.devries", "Ana de Vries")
CAROL = user(30, "carol.smit", "Carol Smit")
PEOPLE = (
    "bo.jansen",
    "Bo Jansen",
    "ana.devries",
    "Ana de Vries",
    "carol.smit",
    "Carol Smit",
    "ana@example.gov",
    "gitlab.example.gov/ana",
    '"Ana"',
)

ENVIRONMENTS = [
    environment(1, PROJECT, "live", "production"),
    environment(2, PROJECT, "staging", "staging"),
    environment(3, PROJECT, "prod", "staging"),
    environment(4, PROJECT, "release", "other"),
]


def _mr(iid: int, **kw) -> dict:
    return merge_request(PROJECT, iid, author=BO, merger=ANA, **kw)


MRS = [
    _mr(
        1,
        created="2026-03-01T10:00:00Z",
        merged="2026-03-02T16:00:00Z",
        squash=True,
        commits=[
            commit(
                "c12",
                "2026-02-27T10:00:00Z",
                author_name="Bo Jansen",
                author_email="bo.jansen@example.gov",
            ),
            commit(
                "c11",
                "2026-02-26T10:00:00Z",
                author_name="Bo Jansen",
                author_email="bo.jansen@example.gov",
            ),
        ],
        notes=[
            note(11, BO, "2026-03-01T12:00:00Z", "@ana.devries could you look?"),
            note(
                12, CAROL, "2026-03-01T13:00:00Z", "requested review from @ana.devries", system=True
            ),
            note(13, ANA, "2026-03-02T10:00:00Z", "approved this merge request", system=True),
        ],
    ),
    _mr(
        2,
        created="2026-03-04T08:00:00Z",
        merged="2026-03-04T12:00:00Z",
        fast_forward=True,
        commits=[
            commit(
                "c21",
                "2026-03-04T08:00:00.000+02:00",
                author_name="Bo Jansen",
                author_email="bo.jansen@example.gov",
            )
        ],
        notes=[note(21, ANA, "2026-03-04T20:00:00Z", "Nice, thanks Bo Jansen", noteable_iid=2)],
    ),
    _mr(
        3,
        created="2026-03-09T10:00:00Z",
        merged="2026-03-09T12:00:00Z",
        notes=[note(31, ANA, "2026-03-09T11:00:00Z", "LGTM", noteable_iid=3)],
    ),
    _mr(4, created="2026-03-01T09:00:00Z", merged="2026-03-01T11:00:00Z"),
    _mr(5, created="2026-03-11T10:00:00Z", merged="2026-03-11T12:00:00Z"),
    _mr(100, created="2026-02-19T10:00:00Z", merged="2026-02-19T12:00:00Z"),
]
BY_IID = {mr["iid"]: mr for mr in MRS}

DEPLOYMENTS = [
    (deployment(100, PROJECT, "live", "2026-02-20T10:00:00Z"), [100]),
    (deployment(101, PROJECT, "live", "2026-03-03T10:00:00Z"), [1]),
    (deployment(102, PROJECT, "live", "2026-03-05T10:00:00Z", job=False), [2, 1]),
    (deployment(103, PROJECT, "staging", "2026-03-02T10:00:00Z"), [1, 4]),
    (deployment(104, PROJECT, "live", "2026-03-04T10:00:00Z", status="failed"), []),
    (deployment(105, PROJECT, "Prod/eu", "2026-03-10T10:00:00Z"), [3]),
    (deployment(106, PROJECT, "prod", "2026-03-11T10:00:00Z"), []),
    (deployment(107, PROJECT, "release", "2026-03-12T10:00:00Z"), [5]),
    (deployment(108, PROJECT, "live", "2026-03-10T15:00:00Z"), []),
]

INCIDENTS = [
    incident(9000, PROJECT, 1, "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z"),
    incident(9001, PROJECT, 2, "2026-03-05T12:00:00Z", "2026-03-06T12:00:00Z"),
    incident(9002, PROJECT, 3, "2026-03-20T09:00:00Z", "2026-03-20T12:00:00Z"),
    incident(9003, PROJECT, 4, "2026-04-05T09:00:00Z"),
]


def _public_mr(mr: dict) -> dict:
    """The MR as the API lists it (the builder's `commits` and `notes` are served separately)."""
    return {k: v for k, v in mr.items() if k not in ("commits", "notes")}


def _served(d: dict) -> dict:
    """A deployment as `GET /projects/:id/deployments` serves it (what the fake does on put)."""
    env = next((e for e in ENVIRONMENTS if e["name"] == d["environment"]), None)
    env = (
        {k: env[k] for k in ("id", "name", "slug", "external_url", "created_at", "updated_at")}
        if env
        else {"id": 99, "name": d["environment"], "slug": "prod-eu", "external_url": None}
    )
    skip = ("project_id", "merge_request_iids", "finished_at", "environment")
    return {**{k: v for k, v in d.items() if k not in skip}, "environment": env}


@pytest.fixture()
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = connect_write(tmp_path / "test.duckdb")
    write_gitlab_projects(con, SOURCE, FETCHED, [{"id": PROJECT, "path_with_namespace": "gov/app"}])
    write_gitlab_environments(con, SOURCE, PROJECT, FETCHED, ENVIRONMENTS)
    write_gitlab_merge_requests(con, SOURCE, PROJECT, FETCHED, [_public_mr(m) for m in MRS])
    for mr in MRS:
        write_gitlab_mr_commits(con, SOURCE, FETCHED, mr, mr["commits"])
        write_gitlab_mr_notes(con, SOURCE, FETCHED, mr, mr["notes"])
    write_gitlab_deployments(con, SOURCE, PROJECT, FETCHED, [_served(d) for d, _ in DEPLOYMENTS])
    for d, iids in DEPLOYMENTS:
        shipped = [_public_mr(BY_IID[i]) for i in iids]
        write_gitlab_deployment_mrs(con, SOURCE, PROJECT, d["id"], FETCHED, shipped)
    write_gitlab_issues(con, SOURCE, PROJECT, FETCHED, INCIDENTS)
    normalize(con)
    return con


def test_the_report_has_the_hand_worked_values(con: duckdb.DuckDBPyConnection) -> None:
    dora = report(con, SOURCE, [PROJECT], None, PERIOD, TZ, AS_OF)
    assert dora == {
        "deployments": 4,
        "per_week": pytest.approx(2.0),
        "deploy_days_per_week_median": pytest.approx(1.5),
        "change_lead_time_days": {"p50": pytest.approx(7 / 6), "p85": pytest.approx(3.85), "n": 3},
        "change_failure_rate": pytest.approx(0.5),
        "time_to_restore_days": {"p50": pytest.approx(0.625), "n": 2},
    }


def test_production_environment_override_adds_its_environment(
    con: duckdb.DuckDBPyConnection,
) -> None:
    dora = report(con, SOURCE, [PROJECT], "release", PERIOD, TZ, AS_OF)
    assert dora["deployments"] == 5
    assert dora["per_week"] == pytest.approx(2.5)
    assert dora["deploy_days_per_week_median"] == pytest.approx(2.0)
    assert dora["change_lead_time_days"] == {
        "p50": pytest.approx(13 / 12),
        "p85": pytest.approx(3.275),
        "n": 4,
    }
    assert dora["change_failure_rate"] == pytest.approx(0.4)


def test_which_deployments_are_production(con: duckdb.DuckDBPyConnection) -> None:
    ids = TeamDelivery(con, SOURCE, [PROJECT], None, TZ, AS_OF).deployments()["deployment_id"]
    # tier production under any name (live), no known tier + name (Prod/eu); not staging, not
    # `prod` with a known staging tier, not the failed one, not `release` without the override
    assert sorted(ids) == [100, 101, 102, 105, 108]
    deployments = con.execute(
        "SELECT deployment_id, finished_at FROM deployments WHERE deployment_id = 102"
    ).fetchall()
    assert deployments[0][1] == datetime.fromisoformat("2026-03-05T10:00:00+00:00")  # updated_at


def test_change_facts_and_stages(con: duckdb.DuckDBPyConnection) -> None:
    changes = TeamDelivery(con, SOURCE, [PROJECT], None, TZ, AS_OF).changes().set_index("iid")
    assert sorted(changes.index) == [1, 2, 3, 100]  # MR4 only reached staging
    mr1, mr2, mr3 = changes.loc[1], changes.loc[2], changes.loc[3]
    # squash merge: first commit by authored_date, first review = the approval (not the
    # author's own comment nor the review request), deployed by D101 not the staging D103
    assert mr1["first_commit_at"] == datetime.fromisoformat("2026-02-26T10:00:00+00:00")
    assert mr1["first_review_at"] == datetime.fromisoformat("2026-03-02T10:00:00+00:00")
    assert mr1["deployed_at"] == datetime.fromisoformat("2026-03-03T10:00:00+00:00")
    stages = ["lead_time_days", "coding_days", "pickup_days", "review_days", "deploy_days"]
    assert list(mr1[stages]) == pytest.approx([5, 3, 1, 0.25, 0.75])
    # fast-forward merge linked through D102's MR list; the note after the merge is no review
    assert pd.isna(mr2["first_review_at"]) and pd.isna(mr2["pickup_days"])
    assert mr2["lead_time_days"] == pytest.approx(28 / 24)
    assert mr2["coding_days"] == pytest.approx(2 / 24)
    assert mr2["review_days"] == pytest.approx(4 / 24)
    assert mr2["deploy_days"] == pytest.approx(22 / 24)
    assert mr3["lead_time_days"] == pytest.approx(1.0) and mr3["coding_days"] == 0


def test_incidents_are_attributed_to_the_latest_production_deployment(
    con: duckdb.DuckDBPyConnection,
) -> None:
    incidents = TeamDelivery(con, SOURCE, [PROJECT], None, TZ, AS_OF).incidents()
    assert list(incidents["incident_id"]) == [9000, 9001, 9002]  # I3 is after as_of
    assert list(incidents["attributed_deployment_id"]) == [100, 102, 108]


def test_without_deployments_cfr_is_null(con: duckdb.DuckDBPyConnection) -> None:
    dora = report(
        con, SOURCE, [PROJECT], None, Period(date(2026, 1, 5), date(2026, 1, 19)), TZ, AS_OF
    )
    assert dora["deployments"] == 0 and dora["change_failure_rate"] is None
    assert dora["change_lead_time_days"] == {"p50": None, "p85": None, "n": 0}
    assert dora["deploy_days_per_week_median"] == 0.0


def test_another_project_is_not_the_team_s(con: duckdb.DuckDBPyConnection) -> None:
    dora = report(con, SOURCE, [11], None, PERIOD, TZ, AS_OF)
    assert dora["deployments"] == 0 and dora["time_to_restore_days"] == {"p50": None, "n": 0}


def test_authorship_is_kept_as_a_fact_not_an_identity(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        "SELECT id, by_author, approval FROM raw_gitlab_mr_notes ORDER BY id"
    ).fetchall()
    assert rows == [
        (11, True, False),
        (12, False, False),
        (13, False, True),
        (21, False, False),
        (31, False, False),
    ]


def test_no_person_is_stored_anywhere(con: duckdb.DuckDBPyConnection) -> None:
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = "
            "current_database()"
        ).fetchall()
    ]
    assert "raw_gitlab_mr_notes" in tables and "merge_requests" in tables
    text = "\n".join(
        str(row) for table in tables for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
    )
    assert "approved this merge request" not in text  # note bodies go too
    for person in PEOPLE:
        assert person not in text, person


# -- Jira incidents (METRICS.md §3: "or a Jira issue of one of the team's incident_types") -----
#
# The fixture above plus Jira items of source `s`, team `t` (workflow by category: Done and
# Closed are done), whose config says incident_types = ["INCIDENT"] (Jira's type is "Incident":
# matched case-insensitively). Times in UTC. Production deployments (no override): D100 Feb 20
# 10:00, D101 Mar 3 10:00, D102 Mar 5 10:00, D105 Mar 10 10:00, D108 Mar 10 15:00; with
# production_environment = "release" also D107 Mar 12 10:00.
#
#   T-2 Incident  created Feb 10 08:00, before any deployment: unattributed; Done Mar 2 08:00
#                 (in the period): restored in 20 d (Feb 10 → Mar 2, February has 28 days)
#   T-1 Incident  created Mar 3 12:00 → D101; Done Mar 4 00:00, Closed Mar 5 12:00: closed_at is
#                 done_at, the start of the final run of done statuses (Done), so 0.5 d, not 2 d
#   T-6 Incident  created Mar 4 09:00 → D101; incomplete changelog (Jira says 3 histories, 1
#                 came): still an incident, but its done_at is not trusted for time to restore
#   T-5 Incident  created Mar 10 11:00 → D105; closed as Duplicate (discarded) at 12:00: still an
#                 incident (D105 fails), but no restore time
#   T-3 Bug       created Mar 11 09:00 (would be D108, or D108 with "release"); Done 10:00: not an
#                 incident type
#   U-9 Incident  of team `u`, created Mar 11 09:00, Done 11:00: not this team's
#   T-7 Incident  created Apr 5, after as_of: not there yet
#
# Without override: failed deployments D101 (T-1, T-6), D102 (I1), D105 (T-5), D108 (I2): CFR
# 4 / 4 = 1.0 (GitLab alone: 0.5). With "release": I2 (Mar 20) goes to D107, and D108's window
# [Mar 10 15:00, Mar 12 10:00) holds only T-3 and U-9, which do not count: CFR 4 / 5 = 0.8 (were
# they counted: 1.0).
# Time to restore over incidents closed in the period [Mar 1 23:00Z, Mar 15 23:00Z): I0 0.25,
# T-1 0.5, I1 1.0, T-2 20 → p50 (0.5 + 1.0) / 2 = 0.75, n 4 (T-6, T-5, T-3, U-9 left out).
# Without GitLab (the same Jira team): T-1 0.5 and T-2 20 → p50 10.25, n 2.

JIRA_ISSUES_T = [
    issue(
        "T-2",
        "2026-02-10 08:00 +0000",
        "Done",
        [move("2026-03-02 08:00 +0000", "To Do", "Done")],
        type_="Incident",
    ),
    issue(
        "T-1",
        "2026-03-03 12:00 +0000",
        "Closed",
        [
            move("2026-03-03 13:00 +0000", "To Do", "In Progress"),
            move("2026-03-04 00:00 +0000", "In Progress", "Done"),
            move("2026-03-05 12:00 +0000", "Done", "Closed"),
        ],
        type_="Incident",
    ),
    issue(
        "T-6",
        "2026-03-04 09:00 +0000",
        "Done",
        [move("2026-03-04 10:00 +0000", "Testing", "Done")],
        type_="Incident",
        total=3,
    ),
    issue(
        "T-5",
        "2026-03-10 11:00 +0000",
        "Done",
        [move("2026-03-10 12:00 +0000", "To Do", "Done")],
        type_="Incident",
        resolution="Duplicate",
    ),
    issue(
        "T-3",
        "2026-03-11 09:00 +0000",
        "Done",
        [move("2026-03-11 10:00 +0000", "To Do", "Done")],
        type_="Bug",
    ),
    issue("T-7", "2026-04-05 09:00 +0000", "To Do", type_="Incident"),
]
JIRA_ISSUES_U = [
    issue(
        "U-9",
        "2026-03-11 09:00 +0000",
        "Done",
        [move("2026-03-11 11:00 +0000", "To Do", "Done")],
        type_="Incident",
    ),
]


def _config(tmp_path: Path, gitlab: str = "", incident_types: str = '["INCIDENT"]'):
    text = (
        '[sources.s]\ntype = "jira"\nurl = "https://jira.test"\n'
        '[sources.gitlab]\ntype = "gitlab"\nurl = "https://gitlab.test"\n'
        '[teams.t]\nname = "T"\njira = { source = "s", jql = "project = T" }\n'
        f"incident_types = {incident_types}\n{gitlab}"
    )
    return parse(tomllib.loads(text), tmp_path / "koers.toml")


GITLAB = 'gitlab = { source = "gitlab", projects = ["gov/app"] }\n'
GITLAB_RELEASE = (
    'gitlab = { source = "gitlab", projects = ["gov/app"], production_environment = "release" }\n'
)


@pytest.fixture()
def mixed(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    info, statuses, fields = catalogue()
    write_jira_catalogue(con, "s", FETCHED, info, statuses, fields)
    write_jira_issues(con, "s", "t", FETCHED, JIRA_ISSUES_T)
    write_jira_issues(con, "s", "u", FETCHED, JIRA_ISSUES_U)
    normalize(con)
    return con


def _facts(con: duckdb.DuckDBPyConnection, cfg) -> TeamDelivery:
    facts = team_delivery(con, cfg, cfg.team("t"), AS_OF)
    assert facts is not None
    return facts


def test_jira_incidents_count_with_gitlab_ones(
    mixed: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    dora = _facts(mixed, _config(tmp_path, GITLAB)).report(PERIOD)
    assert dora["deployments"] == 4
    assert dora["change_failure_rate"] == pytest.approx(1.0)
    assert dora["time_to_restore_days"] == {"p50": pytest.approx(0.75), "n": 4}
    # the other figures are GitLab's alone, as before
    assert dora["change_lead_time_days"]["n"] == 3


def test_jira_incidents_are_attributed_like_gitlab_ones(
    mixed: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    incidents = _facts(mixed, _config(tmp_path, GITLAB)).incidents()
    listed = [
        (row.origin, row.key if row.origin == "jira" else row.incident_id)
        for row in incidents.itertuples()
    ]
    # no Bug (T-3), no other team's (U-9), nothing after as_of (T-7, I3)
    assert listed == [
        ("jira", "T-2"),
        ("gitlab", 9000),
        ("jira", "T-1"),
        ("jira", "T-6"),
        ("gitlab", 9001),
        ("jira", "T-5"),
        ("gitlab", 9002),
    ]
    attributed = [None if pd.isna(d) else int(d) for d in incidents["attributed_deployment_id"]]
    assert attributed == [None, 100, 101, 101, 102, 105, 108]
    by_key = incidents.set_index("key")
    assert by_key.loc["T-1", "closed_at"] == datetime.fromisoformat("2026-03-04T00:00:00+00:00")
    assert by_key.loc["T-1", "restore_days"] == pytest.approx(0.5)
    assert by_key.loc["T-2", "restore_days"] == pytest.approx(20.0)
    assert bool(by_key.loc["T-5", "discarded"]) and pd.isna(by_key.loc["T-5", "restore_days"])
    assert pd.notna(by_key.loc["T-6", "closed_at"]) and pd.isna(by_key.loc["T-6", "restore_days"])


def test_jira_incidents_with_the_production_environment_override(
    mixed: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    dora = _facts(mixed, _config(tmp_path, GITLAB_RELEASE)).report(PERIOD)
    assert dora["deployments"] == 5
    assert dora["change_failure_rate"] == pytest.approx(0.8)


def test_without_incident_types_only_gitlab_incidents_count(
    mixed: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    dora = _facts(mixed, _config(tmp_path, GITLAB, incident_types="[]")).report(PERIOD)
    assert dora["change_failure_rate"] == pytest.approx(0.5)
    assert dora["time_to_restore_days"] == {"p50": pytest.approx(0.625), "n": 2}


def test_jira_incidents_without_gitlab_give_only_the_time_to_restore(
    mixed: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    facts = _facts(mixed, _config(tmp_path))
    assert facts.deployments().empty and facts.changes().empty
    assert facts.incidents()["key"].tolist() == ["T-2", "T-1", "T-6", "T-5"]
    assert facts.incidents()["attributed_deployment_id"].isna().all()
    assert facts.report(PERIOD) == {
        "deployments": None,
        "per_week": None,
        "deploy_days_per_week_median": None,
        "change_lead_time_days": {"p50": None, "p85": None, "n": 0},
        "change_failure_rate": None,
        "time_to_restore_days": {"p50": pytest.approx(10.25), "n": 2},
    }
    # a team with neither GitLab nor incident types has no delivery figures at all
    cfg = _config(tmp_path, incident_types="[]")
    assert team_delivery(mixed, cfg, cfg.team("t"), AS_OF) is None
