"""Per-item facts (METRICS.md §1), each expected value worked out by hand from the definition.

Times are written in Amsterdam local time with their offset; durations are exact elapsed days.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics.flow import TeamFlow
from tests.jira_payloads import DEFAULT_WORKFLOW, config, flag, issue, move, resolve, warehouse

TZ = "Europe/Amsterdam"
AS_OF = datetime.fromisoformat("2026-04-10T12:00:00+02:00")


def facts(
    tmp_path: Path, issues: list[dict], workflow: str = DEFAULT_WORKFLOW, as_of=AS_OF, changelogs=()
) -> pd.DataFrame:
    con = warehouse(tmp_path, issues, changelogs)
    flow = TeamFlow(con, config(tmp_path, workflow).team("t"), TZ, as_of)
    return flow.items().set_index("key")


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text))


def test_straight_through_item(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-05 21:00 +0100", "In Progress", "Done"),
                ],
                resolution="Done",
            )
        ],
    ).loc["T-1"]
    assert f["started_at"] == at("2026-03-03T09:00+01:00")
    assert f["done_at"] == at("2026-03-05T21:00+01:00")
    assert f["lead_time_days"] == pytest.approx(3.5)  # 3 days 12 hours
    assert f["cycle_time_days"] == pytest.approx(2.5)
    assert f["stage"] == "done" and not f["discarded"]
    assert pd.isna(f["age_days"])


def test_skip_to_done_starts_at_done(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-04 09:00 +0100", "To Do", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["started_at"] == f["done_at"] == at("2026-03-04T09:00+01:00")
    assert f["cycle_time_days"] == 0
    assert f["lead_time_days"] == pytest.approx(2.0)
    assert pd.isna(f["flow_efficiency"])  # undefined for a cycle time of 0


def test_reopened_item_counts_its_last_completion(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-05 09:00 +0100", "In Progress", "Done"),
                    move("2026-03-06 09:00 +0100", "Done", "In Progress"),
                    move("2026-03-09 09:00 +0100", "In Progress", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["started_at"] == at("2026-03-03T09:00+01:00")
    assert f["done_at"] == at("2026-03-09T09:00+01:00")
    assert f["cycle_time_days"] == pytest.approx(6.0)
    assert f["lead_time_days"] == pytest.approx(7.0)


def test_back_to_backlog_does_not_reset_the_clock(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-04 09:00 +0100", "In Progress", "To Do"),
                    move("2026-03-06 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-07 09:00 +0100", "In Progress", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["started_at"] == at("2026-03-03T09:00+01:00")
    assert f["cycle_time_days"] == pytest.approx(4.0)
    # active: 1 day + 1 day in "In Progress"; the 2 days back in "To Do" are not active
    assert f["active_days"] == pytest.approx(2.0)
    assert f["flow_efficiency"] == pytest.approx(0.5)


def test_created_in_progress_starts_at_created(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-04 15:00 +0100", "In Progress", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["started_at"] == at("2026-03-02T09:00+01:00")
    assert f["cycle_time_days"] == pytest.approx(2.25)


def test_done_then_closed_counts_from_done(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Closed",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-05 09:00 +0100", "In Progress", "Done"),
                    move("2026-03-08 09:00 +0100", "Done", "Closed"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["done_at"] == at("2026-03-05T09:00+01:00")
    assert f["status"] == "Closed"


def test_discarded_by_resolution_case_insensitive(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "Done"),
                    resolve("2026-03-03 09:00 +0100", None, "Won't Do"),
                ],
                resolution="Won't Do",
            ),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "Done"),
                ],
                resolution="duplicate",
            ),
            issue(
                "T-3",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "Done"),
                ],
                resolution="Done",
            ),
        ],
    )
    assert f.loc["T-1", "discarded"] and f.loc["T-2", "discarded"]
    assert not f.loc["T-3", "discarded"]
    # a discarded item's own facts are still given
    assert f.loc["T-1", "lead_time_days"] == pytest.approx(1.0)


def test_resolution_is_taken_at_as_of(tmp_path: Path) -> None:
    # Discarded on 3 March, then reopened and properly done on 6 March: at 4 March it was
    # discarded, now it is not.
    item = issue(
        "T-1",
        "2026-03-02 09:00 +0100",
        "Done",
        [
            move("2026-03-03 09:00 +0100", "To Do", "Done"),
            resolve("2026-03-03 09:00 +0100", None, "Won't Do"),
            move("2026-03-05 09:00 +0100", "Done", "In Progress"),
            resolve("2026-03-05 09:00 +0100", "Won't Do", None),
            move("2026-03-06 09:00 +0100", "In Progress", "Done"),
            resolve("2026-03-06 09:00 +0100", None, "Done"),
        ],
        resolution="Done",
    )
    earlier = facts(tmp_path / "a", [item], as_of=datetime.fromisoformat("2026-03-04T12:00+01:00"))
    now = facts(tmp_path / "b", [item])
    assert earlier.loc["T-1", "discarded"]
    assert not now.loc["T-1", "discarded"]


def test_waiting_and_flagged_time(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    flag("2026-03-03 09:00 +0100", True),
                    move("2026-03-04 09:00 +0100", "In Progress", "Ready for test"),
                    flag("2026-03-05 09:00 +0100", False),
                    move("2026-03-06 09:00 +0100", "Ready for test", "Testing"),
                    move("2026-03-07 09:00 +0100", "Testing", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["cycle_time_days"] == pytest.approx(5.0)
    assert f["blocked_days"] == pytest.approx(2.0)  # 3 → 5 March
    # In Progress 2 days, 1 of them blocked; Ready for test waits; Testing 1 day → 2 active
    assert f["active_days"] == pytest.approx(2.0)
    assert f["flow_efficiency"] == pytest.approx(0.4)


def test_flag_before_its_first_change_takes_the_from_value(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    flag(
                        "2026-03-04 09:00 +0100", False
                    ),  # cleared: so it was flagged since created
                    move("2026-03-05 09:00 +0100", "In Progress", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["blocked_days"] == pytest.approx(1.0)  # only the part inside the cycle
    assert f["active_days"] == pytest.approx(1.0)


def test_flag_without_changes_holds_its_current_value(tmp_path: Path) -> None:
    as_of = datetime.fromisoformat("2026-03-06T09:00+01:00")
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "In Progress",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                ],
                flagged=True,
            )
        ],
        as_of=as_of,
    ).loc["T-1"]
    assert f["age_days"] == pytest.approx(3.0)
    assert f["blocked_days"] == pytest.approx(3.0)
    assert f["active_days"] == pytest.approx(0.0)


def test_durations_are_exact_across_dst(tmp_path: Path) -> None:
    # Clocks go forward on 29 March 2026: 27 March 10:00 +0100 → 30 March 10:00 +0200 is 71 hours.
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-27 10:00 +0100",
                "Done",
                [
                    move("2026-03-27 10:00 +0100", "To Do", "In Progress"),
                    move("2026-03-30 10:00 +0200", "In Progress", "Done"),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["cycle_time_days"] == pytest.approx(71 / 24)


def test_ties_in_time_are_broken_by_the_lower_history_id(tmp_path: Path) -> None:
    # Same second; history 9 comes before history 10 (as numbers, not as text).
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress", hid=9),
                    move("2026-03-03 09:00 +0100", "In Progress", "Done", hid=10),
                ],
            )
        ],
    ).loc["T-1"]
    assert f["stage"] == "done"
    assert f["cycle_time_days"] == 0


def test_as_of_ignores_what_happened_after_it(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-09 09:00 +0100", "In Progress", "Done"),
                ],
            )
        ],
        as_of=datetime.fromisoformat("2026-03-05T21:00+01:00"),
    ).loc["T-1"]
    assert f["stage"] == "in_progress" and pd.isna(f["done_at"])
    assert f["age_days"] == pytest.approx(2.5)


def test_items_created_after_as_of_are_not_there(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [issue("T-1", "2026-03-02 09:00 +0100", "To Do")],
        as_of=datetime.fromisoformat("2026-03-01T09:00+01:00"),
    )
    assert f.empty


def test_renamed_status_keeps_its_stage_by_id(tmp_path: Path) -> None:
    # Status 3 is called "Ready for test" now; the changelog still says "Te testen".
    renamed = move("2026-03-04 09:00 +0100", "In Progress", "Ready for test")
    renamed["items"][0]["toString"] = "Te testen"
    back = move("2026-03-06 09:00 +0100", "Ready for test", "Done")
    back["items"][0]["fromString"] = "Te testen"
    f = facts(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    renamed,
                    back,
                ],
            )
        ],
    ).loc["T-1"]
    assert f["active_days"] == pytest.approx(2.0)  # the 2 days in the renamed one are waiting


def test_status_missing_from_the_catalogue(tmp_path: Path) -> None:
    # Status 99 "On hold" no longer exists in /status.
    items = [
        issue(
            "T-1",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                move("2026-03-03 09:00 +0100", "To Do", "On hold"),
                move("2026-03-05 09:00 +0100", "On hold", "In Progress"),
                move("2026-03-06 09:00 +0100", "In Progress", "Done"),
            ],
        )
    ]
    items[0]["changelog"]["histories"][1]["items"][0]["to"] = "99"
    items[0]["changelog"]["histories"][0]["items"][0]["from"] = "99"
    # unnamed in the config: taken as backlog, so the cycle starts in "In Progress"
    assert facts(tmp_path / "a", items).loc["T-1", "cycle_time_days"] == pytest.approx(1.0)
    # named by the config: matched by the changelog's name
    named = facts(tmp_path / "b", items, workflow='in_progress = ["On hold", "In Progress"]\n')
    assert named.loc["T-1", "cycle_time_days"] == pytest.approx(3.0)


def test_category_default_and_config_override(tmp_path: Path) -> None:
    items = [
        issue(
            "T-1",
            "2026-03-02 09:00 +0100",
            "Done",
            [
                move("2026-03-03 09:00 +0100", "To Do", "Parked"),
                move("2026-03-04 09:00 +0100", "Parked", "In Progress"),
                move("2026-03-05 09:00 +0100", "In Progress", "Done"),
            ],
        )
    ]
    # "Parked" has category `new`: backlog by default …
    assert facts(tmp_path / "a", items).loc["T-1", "cycle_time_days"] == pytest.approx(1.0)
    # … unless the config names it as in progress (names match case-insensitively)
    f = facts(tmp_path / "b", items, workflow='in_progress = ["parked", "In Progress"]\n')
    assert f.loc["T-1", "cycle_time_days"] == pytest.approx(2.0)


def test_subtasks_and_epics_are_listed_but_not_in_flow(tmp_path: Path) -> None:
    f = facts(
        tmp_path,
        [
            issue("T-1", "2026-03-02 09:00 +0100", "To Do", type_="Epic", hierarchy=1),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "To Do",
                type_="Sub-task",
                hierarchy=-1,
                subtask=True,
            ),
            issue("T-3", "2026-03-02 09:00 +0100", "To Do"),
        ],
    )
    assert f["in_flow"].to_dict() == {"T-1": False, "T-2": False, "T-3": True}


def test_truncated_changelog_is_detected_and_completed(tmp_path: Path) -> None:
    early = move("2026-03-03 09:00 +0100", "To Do", "In Progress", hid=501)
    middle = move("2026-03-04 09:00 +0100", "In Progress", "Testing", hid=502)
    late = move("2026-03-06 09:00 +0100", "Testing", "Done", hid=503)
    truncated = issue("T-1", "2026-03-02 09:00 +0100", "Done", [late], total=3)
    f = facts(tmp_path / "a", [truncated])
    assert not f.loc["T-1", "changelog_complete"]
    # the paged changelog endpoint returned all three (one twice): now complete and right
    completed = facts(
        tmp_path / "b",
        [truncated],
        changelogs=[("10001", early), ("10001", middle), ("10001", late), ("10001", middle)],
    )
    assert completed.loc["T-1", "changelog_complete"]
    assert completed.loc["T-1", "cycle_time_days"] == pytest.approx(3.0)


def test_time_in_status_per_item_counts_every_interval(tmp_path: Path) -> None:
    con = warehouse(tmp_path, [issue("T-1", "2026-03-02 09:00 +0100", "In Progress", [
        move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
        move("2026-03-04 21:00 +0100", "In Progress", "To Do"),
        move("2026-03-06 09:00 +0100", "To Do", "In Progress"),
    ])])  # fmt: skip
    as_of = datetime.fromisoformat("2026-03-07T09:00+01:00")
    flow = TeamFlow(con, config(tmp_path, DEFAULT_WORKFLOW).team("t"), TZ, as_of)
    days = flow.time_in_status_per_item().set_index("status")["days"].to_dict()
    # To Do: 2 → 3 March (1 day) + 4 March 21:00 → 6 March 09:00 (1.5 days)
    # In Progress: 3 March 09:00 → 4 March 21:00 (1.5 days) + 6 → 7 March, open at as_of (1 day)
    assert days == pytest.approx({"To Do": 2.5, "In Progress": 2.5})
