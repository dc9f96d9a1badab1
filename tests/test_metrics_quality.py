"""Data-quality findings and the workflow mapping in effect (metrics/quality.py), on a tiny
warehouse whose expected values are worked out by hand below."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics import quality
from metrics.flow import TeamFlow
from store.sync_state import record_sync
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
    }
    # raw tables first, then the domain tables in the order the page explains them
    assert counts["layer"].tolist() == ["raw"] * 15 + ["domain"] * 5
    assert counts["table_name"].tolist()[15:] == list(quality.DOMAIN_TABLES)
    assert "source_state" not in rows and "build_info" not in rows  # bookkeeping, not data
