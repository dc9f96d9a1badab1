"""Data-quality findings and the workflow mapping in effect (metrics/quality.py), on a tiny
warehouse whose expected values are worked out by hand below."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from config import Team, parse
from demo.gitlab_payloads import deployment, environment, incident, merge_request
from metrics import quality
from metrics.dora import TeamDelivery
from metrics.flow import TeamFlow
from store.normalize import normalize
from store.raw import (
    write_gitlab_deployment_mrs,
    write_gitlab_deployments,
    write_gitlab_environments,
    write_gitlab_issues,
    write_gitlab_merge_requests,
    write_gitlab_projects,
)
from store.sync_state import record_sync
from store.warehouse import connect_write
from tests.jira_payloads import config, issue, move, warehouse

TZ = "Europe/Amsterdam"
AS_OF = datetime.fromisoformat("2026-04-10T12:00:00+02:00")
# "Parked" (category new) is deliberately not named: it falls back to its category.
WORKFLOW = (
    'backlog = ["To Do"]\n'
    'in_progress = ["In Progress", "Testing"]\n'
    'waiting = ["Testing"]\n'
    'done = ["Done", "Closed"]\n'
)


def unknown_id(history: dict, side: str, status_id: str) -> dict:
    """Give one side ("from"/"to") of a status change an id that is not in the catalogue."""
    history["items"][0][side] = status_id
    return history


def items() -> list[dict]:
    # T-1's change into Parked still carries Parked's old name "Geparkeerd" (a renamed status).
    to_parked = move("2026-03-03 09:00 +0100", "To Do", "Parked")
    to_parked["items"][0]["toString"] = "Geparkeerd"
    from_parked = move("2026-03-04 09:00 +0100", "Parked", "In Progress")
    from_parked["items"][0]["fromString"] = "Geparkeerd"
    return [
        # visits To Do, Parked (category default), In Progress, Done
        issue(
            "T-1",
            "2026-03-02 09:00 +0100",
            "Done",
            [to_parked, from_parked, move("2026-03-05 09:00 +0100", "In Progress", "Done")],
        ),
        # visits "On hold", id 99: deleted from the catalogue, named nowhere
        issue(
            "T-2",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                unknown_id(move("2026-03-03 09:00 +0100", "To Do", "On hold"), "to", "99"),
                unknown_id(move("2026-03-05 09:00 +0100", "On hold", "In Progress"), "from", "99"),
                move("2026-03-06 09:00 +0100", "In Progress", "Done"),
            ],
        ),
        # truncated: Jira says 3 histories, only the last one came
        issue(
            "T-3",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-06 09:00 +0100", "Testing", "Done")],
            total=3,
        ),
        issue("T-4", "2026-03-02 09:00 +0100", "To Do"),  # never moved, still in the backlog
        issue("T-5", "2026-03-02 09:00 +0100", "In Progress"),  # never moved, created in progress
        issue(
            "T-6",
            "2026-03-02 09:00 +0100",
            "In Progress",
            [move("2026-03-03 09:00 +0100", "To Do", "In Progress")],
            type_="Epic",
            hierarchy=1,
        ),
        issue(
            "T-7",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-04 09:00 +0100", "To Do", "Done")],
            type_="Sub-task",
            hierarchy=-1,
            subtask=True,
        ),
        issue(
            "T-8",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-04 09:00 +0100", "To Do", "Done")],
            resolution="Won't Do",
        ),
        # a discarded sub-task: counted once, under the first reason (sub-task)
        issue(
            "T-9",
            "2026-03-02 09:00 +0100",
            "Done",
            [move("2026-03-04 09:00 +0100", "To Do", "Done")],
            resolution="Won't Do",
            type_="Sub-task",
            hierarchy=-1,
            subtask=True,
        ),
        # created after as_of: not there at all
        issue("T-10", "2026-05-01 09:00 +0200", "To Do"),
    ]


@pytest.fixture()
def found(tmp_path: Path) -> quality.Quality:
    con = warehouse(tmp_path, items())
    flow = TeamFlow(con, config(tmp_path, WORKFLOW).team("t"), TZ, AS_OF)
    return quality.quality(flow)


def by_status(frame: pd.DataFrame, *columns: str) -> dict[str, tuple]:
    return {row.status: tuple(getattr(row, c) for c in columns) for row in frame.itertuples()}


def test_mapping_in_effect_says_where_each_stage_came_from(found: quality.Quality) -> None:
    # items per status, counted by hand from the histories above
    assert by_status(found.mapping, "stage", "waiting", "origin", "items") == {
        "To Do": ("backlog", False, "config", 7),  # T-1, T-2, T-4, T-6, T-7, T-8, T-9
        "Parked": ("backlog", False, "category", 1),  # T-1
        "On hold": ("backlog", False, "unknown", 1),  # T-2
        "In Progress": ("in_progress", False, "config", 4),  # T-1, T-2, T-5, T-6
        "Testing": ("in_progress", True, "config", 1),  # T-3 (its initial status)
        "Done": ("done", False, "config", 6),  # T-1, T-2, T-3, T-7, T-8, T-9
    }
    # backlog first, then in progress, then done
    stages = found.mapping["stage"].tolist()
    assert stages == sorted(stages, key=["backlog", "in_progress", "done"].index)
    assert by_status(found.mapping, "category")["Parked"] == ("new",)
    assert pd.isna(by_status(found.mapping, "category")["On hold"][0])


def test_status_not_named_in_the_config_falls_back_to_its_category(
    found: quality.Quality,
) -> None:
    assert by_status(found.category_default, "stage", "category", "items") == {
        "Parked": ("backlog", "new", 1)
    }


def test_status_missing_from_the_catalogue(found: quality.Quality) -> None:
    assert by_status(found.unknown_status, "status_ids", "stage", "origin", "items") == {
        "On hold": ("99", "backlog", "unknown", 1)
    }


def test_renamed_status_is_reported_under_its_current_name(found: quality.Quality) -> None:
    assert by_status(found.renamed, "old_names", "old_name_items") == {"Parked": ("Geparkeerd", 1)}


def test_truncated_changelog(found: quality.Quality) -> None:
    assert found.truncated["key"].tolist() == ["T-3"]


def test_items_without_any_status_transition(found: quality.Quality) -> None:
    moved_never = found.no_transitions.set_index("key")["stage"].to_dict()
    assert moved_never == {"T-5": "in_progress", "T-4": "backlog"}  # not-backlog first
    assert found.no_transitions_started["key"].tolist() == ["T-5"]


def test_excluded_items_counted_once_by_their_first_reason(found: quality.Quality) -> None:
    assert dict(zip(found.excluded["reason"], found.excluded["items"], strict=True)) == {
        "epic": 1,  # T-6
        "subtask": 2,  # T-7, and T-9 although it is discarded too
        "incomplete_changelog": 1,  # T-3
        "discarded": 1,  # T-8
        "counted": 4,  # T-1, T-2, T-4, T-5 (T-10 did not exist yet at as_of)
    }
    assert (found.items_total, found.items_counted) == (9, 4)


def test_unknown_status_named_in_the_config_or_matched_by_name(tmp_path: Path) -> None:
    history = [
        unknown_id(move("2026-03-03 09:00 +0100", "To Do", "On hold"), "to", "99"),
        unknown_id(move("2026-03-05 09:00 +0100", "On hold", "Done"), "from", "99"),
    ]
    # an old id 98 whose name matches today's "Parked": its category (new) decides
    parked = [
        unknown_id(move("2026-03-03 09:00 +0100", "To Do", "parked"), "to", "98"),
    ]
    con = warehouse(
        tmp_path,
        [
            issue("T-1", "2026-03-02 09:00 +0100", "Done", history),
            issue("T-2", "2026-03-02 09:00 +0100", "To Do", parked),
        ],
    )
    named = WORKFLOW.replace('"Testing"]', '"Testing", "on hold"]', 1)
    flow = TeamFlow(con, config(tmp_path, named).team("t"), TZ, AS_OF)
    found = quality.quality(flow)
    assert by_status(found.unknown_status, "status_ids", "stage", "origin") == {
        "On hold": ("99", "in_progress", "config"),
        "parked": ("98", "backlog", "name"),
    }
    assert by_status(found.mapping, "category")["parked"] == ("new",)
    assert found.category_default.empty  # To Do and Done are named; "parked" matched by name


def test_nothing_to_report_gives_empty_findings(tmp_path: Path) -> None:
    con = warehouse(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [move("2026-03-03 09:00 +0100", "To Do", "Done")],
            )
        ],
    )
    found = quality.quality(TeamFlow(con, config(tmp_path, WORKFLOW).team("t"), TZ, AS_OF))
    assert found.category_default.empty and found.unknown_status.empty
    assert found.renamed.empty and found.truncated.empty and found.no_transitions.empty
    assert found.no_transitions_started.empty
    assert found.items_counted == found.items_total == 1


def test_sources_and_table_counts(tmp_path: Path) -> None:
    con = warehouse(tmp_path, items())
    synced = datetime.fromisoformat("2026-04-10T09:30:00+00:00")
    record_sync(con, "s", "jira", "cloud", synced, watermark=synced, demo=False)
    # a table whose name would break naive SQL text: counted through a bound name all the same
    con.execute('CREATE TABLE "raw_odd ""name""" (x INTEGER)')
    con.execute('INSERT INTO "raw_odd ""name""" VALUES (1), (2)')

    sources = quality.sources(con)
    assert sources[["source", "type", "flavour", "demo"]].values.tolist() == [
        ["s", "jira", "cloud", False]
    ]
    assert sources.loc[0, "last_sync_at"] == pd.Timestamp(synced)

    counts = quality.table_counts(con)
    rows = dict(zip(counts["table_name"], counts["rows"], strict=True))
    assert rows == {
        'raw_odd "name"': 2,
        "raw_jira_changelogs": 0,
        "raw_jira_changelog_fetches": 0,
        # GitLab's raw tables exist, empty, in every warehouse
        **{
            f"raw_gitlab_{name}": 0
            for name in (
                "projects",
                "merge_requests",
                "mr_commits",
                "mr_notes",
                "environments",
                "deployments",
                "deployment_mrs",
                "issues",
            )
        },
        "raw_jira_fields": 1,  # Flagged
        "raw_jira_issues": 10,  # one per issue and team, T-10 included (as_of is a metric's)
        "raw_jira_server_info": 1,
        "raw_jira_statuses": 7,
        "work_items": 10,
        # status changes: T-1 3, T-2 3, T-3 1, T-6 1, T-7 1, T-8 1, T-9 1
        "status_changes": 11,
        "status_intervals": 21,  # one initial interval per item (10) + one per change (11)
        "flag_intervals": 0,
        "jira_statuses": 7,
        # GitLab's domain tables, empty without GitLab data
        "merge_requests": 0,
        "deployments": 0,
        "deployment_merge_requests": 0,
        "incidents": 0,
    }
    # raw tables first, then the domain tables in the order the page explains them
    assert counts["layer"].tolist() == ["raw"] * 15 + ["domain"] * 9
    assert counts["table_name"].tolist()[15:] == list(quality.DOMAIN_TABLES)
    assert "source_state" not in rows and "build_info" not in rows  # bookkeeping, not data


# -- GitLab (METRICS.md §3): the team's projects and the warnings about them ---------------------
#
# Group `gov` holds gov/app (10) and gov/api (11, archived). The team lists the paths "gov",
# "gov/app" (already under "gov": listed there once) and "gov/missing" (no such project landed).
# Environments of 10: live (tier production), staging. Project 11 has none listed, but deploys to
# "production" (no known tier, a production name: it counts). as_of Apr 10 10:00Z.
#   D1 live        Mar 1 10:00  ships MR1        D3 staging Mar 25 10:00  ships MR3 (not production)
#   D2 live        Mar 20 10:00 ships MR2        D4 (11) production Mar 3 10:00
#   MR0 merged Jan 1 10:00: before the first production deployment (D1), not reported
#   MR1 merged Feb 28 10:00 (D1), MR2 Mar 2 10:00 (D2): deployed
#   MR3 merged Mar 5 10:00, only on staging: 36 d before as_of → reported, 36.0 days
#   MR5 merged Mar 11 10:00: exactly 30 d, not more → not reported
#   MR4 merged Mar 15 10:00: 26 d → not reported
#   MR6 (project 11) merged Mar 1 12:00: 39 d 22 h = 39 + 22/24 d → reported
#   MR7 merged Apr 12, after as_of: not there yet
# Per project: gov/api merged 1 (MR6), deployments 1 (D4), incidents 0 (its one is after as_of);
# gov/app merged 6 (MR0–MR5), deployments 2 (D1, D2), incidents 1.

GL_AS_OF = datetime.fromisoformat("2026-04-10T10:00:00+00:00")
GL_FETCHED = datetime.fromisoformat("2026-04-10T10:00:00+00:00")


def _gl_mr(project: int, iid: int, merged: str) -> dict:
    return merge_request(project, iid, created="2025-12-01T09:00:00Z", merged=merged)


GL_MRS = {
    10: [
        _gl_mr(10, 0, "2026-01-01T10:00:00Z"),
        _gl_mr(10, 1, "2026-02-28T10:00:00Z"),
        _gl_mr(10, 2, "2026-03-02T10:00:00Z"),
        _gl_mr(10, 3, "2026-03-05T10:00:00Z"),
        _gl_mr(10, 4, "2026-03-15T10:00:00Z"),
        _gl_mr(10, 5, "2026-03-11T10:00:00Z"),
        _gl_mr(10, 7, "2026-04-12T10:00:00Z"),
    ],
    11: [_gl_mr(11, 6, "2026-03-01T12:00:00Z")],
}
GL_DEPLOYMENTS = [  # (deployment, project, MR iids it ships)
    (deployment(1, 10, "live", "2026-03-01T10:00:00Z"), 10, [1]),
    (deployment(2, 10, "live", "2026-03-20T10:00:00Z"), 10, [2]),
    (deployment(3, 10, "staging", "2026-03-25T10:00:00Z"), 10, [3]),
    (deployment(4, 11, "production", "2026-03-03T10:00:00Z"), 11, []),
]


def _gl_served(d: dict) -> dict:
    """A deployment as the API lists it: the environment is an object."""
    skip = ("project_id", "merge_request_iids", "finished_at", "environment")
    env = {"id": d["id"], "name": d["environment"]}
    return {**{k: v for k, v in d.items() if k not in skip}, "environment": env}


@pytest.fixture()
def gitlab_con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = connect_write(tmp_path / "gitlab.duckdb")
    write_gitlab_projects(
        con,
        "gl",
        GL_FETCHED,
        [
            {"id": 10, "path_with_namespace": "gov/app", "archived": False},
            {"id": 11, "path_with_namespace": "gov/api", "archived": True},
            {"id": 12, "path_with_namespace": "other/app", "archived": False},
        ],
    )
    write_gitlab_environments(
        con,
        "gl",
        10,
        GL_FETCHED,
        [environment(1, 10, "live", "production"), environment(2, 10, "staging", "staging")],
    )
    for project, mrs in GL_MRS.items():
        write_gitlab_merge_requests(con, "gl", project, GL_FETCHED, mrs)
    for d, project, iids in GL_DEPLOYMENTS:
        write_gitlab_deployments(con, "gl", project, GL_FETCHED, [_gl_served(d)])
        shipped = [m for m in GL_MRS[project] if m["iid"] in iids]
        write_gitlab_deployment_mrs(con, "gl", project, d["id"], GL_FETCHED, shipped)
    write_gitlab_issues(con, "gl", 10, GL_FETCHED, [incident(900, 10, 1, "2026-03-21T09:00:00Z")])
    write_gitlab_issues(con, "gl", 11, GL_FETCHED, [incident(901, 11, 1, "2026-04-11T09:00:00Z")])
    normalize(con)
    return con


def _gl_team(tmp_path: Path, gitlab: str) -> Team:
    text = (
        '[sources.gl]\ntype = "gitlab"\nurl = "https://gitlab.test"\n'
        f'[teams.t]\nname = "T"\ngitlab = {{ source = "gl", {gitlab} }}\n'
    )
    return parse(tomllib.loads(text), tmp_path / "koers.toml").team("t")


PATHS = 'projects = ["gov", "gov/app", "gov/missing"]'


def test_gitlab_projects_per_configured_path(
    gitlab_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    found = quality.gitlab_quality(gitlab_con, _gl_team(tmp_path, PATHS), TZ, GL_AS_OF)
    assert found is not None
    rows = found.projects.astype(object).where(found.projects.notna(), None)
    assert rows.values.tolist() == [
        ["gov", 11, "gov/api", True, 1, 1, 0],
        ["gov", 10, "gov/app", False, 6, 2, 1],
        ["gov/missing", None, None, None, None, None, None],
    ]
    assert found.missing_paths.tolist() == ["gov/missing"]
    assert (found.merged, found.deployments) == (7, 3)


def test_gitlab_environments_and_the_configured_production_environment(
    gitlab_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    found = quality.gitlab_quality(gitlab_con, _gl_team(tmp_path, PATHS), TZ, GL_AS_OF)
    envs = found.environments[["project", "environment", "known", "deployments"]]
    assert envs.values.tolist() == [
        ["gov/api", "production", True, 1],  # no environment record: counted by its name
        ["gov/app", "live", True, 2],
        ["gov/app", "staging", True, 0],
    ]
    assert not found.production_environment_missing and not found.no_production

    named = _gl_team(tmp_path, PATHS + ', production_environment = "productie"')
    found = quality.gitlab_quality(gitlab_con, named, TZ, GL_AS_OF)
    assert found.production_environment_missing
    missing = found.environments[~found.environments["known"]]
    assert missing["environment"].tolist() == ["productie"]
    # naming an environment that exists is no warning
    named = _gl_team(tmp_path, PATHS + ', production_environment = "staging"')
    found = quality.gitlab_quality(gitlab_con, named, TZ, GL_AS_OF)
    assert not found.production_environment_missing
    assert found.deployments == 4  # D3 to staging counts now, through the name


def test_merged_changes_no_deployment_carries_for_30_days(
    gitlab_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    found = quality.gitlab_quality(gitlab_con, _gl_team(tmp_path, PATHS), TZ, GL_AS_OF)
    waiting = found.waiting
    assert list(zip(waiting["project"], waiting["iid"], strict=True)) == [
        ("gov/api", 6),
        ("gov/app", 3),
    ]
    assert waiting["days_waiting"].tolist() == pytest.approx([39 + 22 / 24, 36.0])


def test_no_production_deployment_yet(
    gitlab_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # on Mar 1 at 09:00 nothing has reached production: a warning, and no merged change is
    # reported as waiting (MR0 is 59 days old, but there was nothing to carry it)
    as_of = datetime.fromisoformat("2026-03-01T09:00:00+00:00")
    found = quality.gitlab_quality(gitlab_con, _gl_team(tmp_path, PATHS), TZ, as_of)
    assert found.no_production and found.deployments == 0
    assert found.waiting.empty
    # the same figures as the DORA metrics use
    facts = TeamDelivery(gitlab_con, "gl", [10, 11], None, TZ, as_of)
    assert facts.deployments().empty


def test_a_team_without_gitlab_has_no_gitlab_findings(tmp_path: Path) -> None:
    con = warehouse(tmp_path, items())
    assert quality.gitlab_quality(con, config(tmp_path).team("t"), TZ, AS_OF) is None
