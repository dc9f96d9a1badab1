"""The bottlenecks page's metrics (metrics/bottlenecks.py), expected values worked out by hand.

Times are Amsterdam local time (+01:00 in March 2026 until the 29th); durations are exact
elapsed days. March 2026 as a period is four ISO weeks, Monday 2 to Monday 30 March.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from metrics import bottlenecks as b
from metrics.flow import Period, TeamFlow
from tests.jira_payloads import DEFAULT_WORKFLOW, config, flag, issue, move, warehouse

TZ = "Europe/Amsterdam"
MARCH = Period(date(2026, 3, 2), date(2026, 3, 30))
WEEKS = ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
ORDERED = (
    'in_progress = ["In Progress", "Ready for test", "Testing"]\nwaiting = ["Ready for test"]\n'
)


def flow(tmp_path: Path, issues: list[dict], as_of: str, workflow=DEFAULT_WORKFLOW) -> TeamFlow:
    con = warehouse(tmp_path, issues)
    team = config(tmp_path, workflow).team("t")
    return TeamFlow(con, team, TZ, datetime.fromisoformat(as_of))


def weeks(frame: pd.DataFrame) -> list[str]:
    return [pd.Timestamp(w).date().isoformat() for w in frame["week"]]


def test_flow_efficiency_per_week(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            # week of 2 March: cycle 6 days, active 2 (In Progress) + 1 (Testing); 3 waiting
            issue(
                "T-1",
                "2026-03-01 09:00 +0100",
                "Done",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-04 09:00 +0100", "In Progress", "Ready for test"),
                    move("2026-03-07 09:00 +0100", "Ready for test", "Testing"),
                    move("2026-03-08 09:00 +0100", "Testing", "Done"),  # Sunday: still week 1
                ],
            ),
            # week of 9 March: T-2 cycle 2, all active; T-3 cycle 3, active 1, waiting 2
            issue(
                "T-2",
                "2026-03-01 09:00 +0100",
                "Done",
                [
                    move("2026-03-09 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-10 09:00 +0100", "In Progress", "Testing"),
                    move("2026-03-11 09:00 +0100", "Testing", "Done"),
                ],
            ),
            issue(
                "T-3",
                "2026-03-01 09:00 +0100",
                "Done",
                [
                    move("2026-03-09 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-10 09:00 +0100", "In Progress", "Ready for test"),
                    move("2026-03-12 09:00 +0100", "Ready for test", "Done"),
                ],
            ),
            # week of 16 March: cycle 4 days in progress, of which 1 day flagged: active 3
            issue(
                "T-4",
                "2026-03-01 09:00 +0100",
                "Done",
                [
                    move("2026-03-16 09:00 +0100", "To Do", "In Progress"),
                    flag("2026-03-17 09:00 +0100", True),
                    flag("2026-03-18 09:00 +0100", False),
                    move("2026-03-20 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            # week of 23 March: only a discarded item, which flow efficiency leaves out
            issue(
                "T-5",
                "2026-03-01 09:00 +0100",
                "Done",
                [
                    move("2026-03-23 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-24 09:00 +0100", "In Progress", "Done"),
                ],
                resolution="Won't Do",
            ),
        ],
        "2026-04-01T12:00:00+02:00",
    )
    weekly = b.flow_efficiency_weekly(f, MARCH)
    assert weeks(weekly) == WEEKS
    assert weekly["items"].tolist() == [1, 2, 1, 0]
    assert weekly["active_days"].tolist() == pytest.approx([3.0, 3.0, 3.0, 0.0])
    assert weekly["cycle_days"].tolist() == pytest.approx([6.0, 5.0, 4.0, 0.0])
    assert weekly["flow_efficiency"].iloc[:3].tolist() == pytest.approx([0.5, 0.6, 0.75])
    assert pd.isna(weekly["flow_efficiency"].iloc[3])  # nothing finished: no value, not zero
    # the period's value is Σ active / Σ cycle, not the mean of the weeks: 9 / 15
    assert f.flow_efficiency(MARCH) == pytest.approx(0.6)


def test_aging_band_p50_uses_the_at_risk_window(tmp_path: Path) -> None:
    # Cycle times 1, 2, 3 and 4 days, done in the 84 days before as_of: p50 = 2 + 0.5·1 = 2.5,
    # p85 (the at-risk threshold, same items) = 3 + 0.55·1 = 3.55.
    done = [
        issue(
            f"T-{n}",
            "2026-03-01 09:00 +0100",
            "Done",
            [
                move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                move(f"2026-03-{2 + n:02d} 09:00 +0100", "In Progress", "Done"),
            ],
        )
        for n in range(1, 5)
    ]
    done += [
        # discarded: left out of the band
        issue(
            "T-8",
            "2026-03-01 09:00 +0100",
            "Done",
            [
                move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                move("2026-03-12 09:00 +0100", "In Progress", "Done"),
            ],
            resolution="Duplicate",
        ),
        # done 116 days before as_of: outside the window
        issue(
            "T-9",
            "2025-10-01 09:00 +0200",
            "Done",
            [
                move("2025-10-01 09:00 +0200", "To Do", "In Progress"),
                move("2025-11-20 09:00 +0100", "In Progress", "Done"),
            ],
        ),
    ]
    f = flow(tmp_path, done, "2026-03-16T09:00:00+01:00")
    band = b.aging_band(f)
    assert band.p50 == pytest.approx(2.5) and band.n == 4
    assert f.aging()[1] == pytest.approx(3.55)


def test_aging_band_without_recent_work_is_empty(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [issue("T-1", "2026-03-02 09:00 +0100", "In Progress")],
        "2026-03-16T09:00:00+01:00",
    )
    assert b.aging_band(f) == b.Band(p50=None, n=0)


def blocked_flow(tmp_path: Path) -> TeamFlow:
    return flow(
        tmp_path,
        [
            # started Mon 2 Mar 09:00, done Fri 13 Mar 09:00 (cycle 11 days). Flagged from 1 Mar
            # (before the start: only from 2 Mar 09:00 counts) to 3 Mar 09:00 = 1 day, and from
            # Sun 8 Mar 21:00 to Tue 10 Mar 09:00 = 1.5 days, of which 3 hours in week 1.
            issue(
                "T-1",
                "2026-03-01 08:00 +0100",
                "Done",
                [
                    flag("2026-03-01 09:00 +0100", True),
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    flag("2026-03-03 09:00 +0100", False),
                    flag("2026-03-08 21:00 +0100", True),
                    flag("2026-03-10 09:00 +0100", False),
                    move("2026-03-13 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            # in progress since 16 Mar, flagged since Wed 18 Mar 09:00 and still flagged at
            # as_of (Wed 25 Mar 09:00): 4 d 15 h in week 3, 2 d 9 h in week 4, 7 days now
            issue(
                "T-2",
                "2026-03-01 08:00 +0100",
                "In Progress",
                [
                    move("2026-03-16 09:00 +0100", "To Do", "In Progress"),
                    flag("2026-03-18 09:00 +0100", True),
                ],
                flagged=True,
            ),
            # flagged only after it was done: not blocked time (cycle 2 days)
            issue(
                "T-3",
                "2026-03-01 08:00 +0100",
                "Done",
                [
                    move("2026-03-10 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-12 09:00 +0100", "In Progress", "Done"),
                    flag("2026-03-12 21:00 +0100", True),
                    flag("2026-03-13 09:00 +0100", False),
                ],
            ),
            # flagged in the backlog, never started: not blocked work, not "blocked now"
            issue("T-4", "2026-03-01 08:00 +0100", "To Do", flagged=True),
        ],
        "2026-03-25T09:00:00+01:00",
    )


def test_blocked_time_per_week(tmp_path: Path) -> None:
    weekly = b.blocked_weekly(blocked_flow(tmp_path), MARCH)
    assert weeks(weekly) == WEEKS
    assert weekly["blocked_days"].tolist() == pytest.approx([1.125, 1.375, 4.625, 2.375])
    assert weekly["items"].tolist() == [1, 1, 1, 1]


def test_blocked_time_of_items_done(tmp_path: Path) -> None:
    f = blocked_flow(tmp_path)
    blocked = b.blocked_done(f, MARCH)
    # done in March: T-1 (11 days, 2.5 blocked) and T-3 (2 days, none)
    assert (blocked.items_done, blocked.items_blocked) == (2, 1)
    assert blocked.blocked_days == pytest.approx(2.5)
    assert blocked.cycle_days == pytest.approx(13.0)
    assert blocked.share == pytest.approx(2.5 / 13)
    assert f.items().set_index("key").loc["T-1", "blocked_days"] == pytest.approx(2.5)


def test_blocked_now_lists_flagged_work_in_progress(tmp_path: Path) -> None:
    now = b.blocked_now(blocked_flow(tmp_path))
    assert now["key"].tolist() == ["T-2"]
    assert now["status"].tolist() == ["In Progress"]
    assert now["flagged_since"].iloc[0] == pd.Timestamp("2026-03-18T08:00:00Z")
    assert now["flagged_days"].iloc[0] == pytest.approx(7.0)


def test_nothing_blocked_gives_zero_weeks_and_no_share(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [issue("T-1", "2026-03-01 08:00 +0100", "To Do")],
        "2026-03-25T09:00:00+01:00",
    )
    assert b.blocked_weekly(f, MARCH)["blocked_days"].tolist() == [0, 0, 0, 0]
    assert b.blocked_done(f, MARCH) == b.Blocked(0, 0, 0.0, 0.0, None)
    assert b.blocked_now(f).empty


def backward_flow(tmp_path: Path) -> TeamFlow:
    return flow(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-02-27 09:00 +0100",
                "Done",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-03 09:00 +0100", "In Progress", "Testing"),
                    move("2026-03-04 09:00 +0100", "Testing", "In Progress"),  # earlier step
                    move("2026-03-05 09:00 +0100", "In Progress", "Done"),
                    move("2026-03-10 09:00 +0100", "Done", "In Progress"),  # reopened
                    move("2026-03-11 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            issue(
                "T-2",
                "2026-02-27 09:00 +0100",
                "Ready for test",
                [
                    move("2026-03-09 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-12 09:00 +0100", "In Progress", "To Do"),  # to the backlog
                    move("2026-03-17 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-18 09:00 +0100", "In Progress", "Ready for test"),  # forward
                ],
            ),
            issue(
                "T-3",
                "2026-02-27 09:00 +0100",
                "To Do",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "Done"),
                    move("2026-03-24 09:00 +0100", "Done", "To Do"),  # reopened, to the backlog
                ],
            ),
            # back to the backlog before the period: not counted
            issue(
                "T-4",
                "2026-02-16 09:00 +0100",
                "To Do",
                [
                    move("2026-02-20 09:00 +0100", "To Do", "In Progress"),
                    move("2026-02-25 09:00 +0100", "In Progress", "To Do"),
                ],
            ),
            # backlog to backlog and done to done are no steps back
            issue(
                "T-5",
                "2026-02-27 09:00 +0100",
                "Closed",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "Parked"),
                    move("2026-03-03 09:00 +0100", "Parked", "In Progress"),
                    move("2026-03-04 09:00 +0100", "In Progress", "Done"),
                    move("2026-03-05 09:00 +0100", "Done", "Closed"),
                ],
            ),
            # back to the backlog after as_of: not yet happened
            issue(
                "T-6",
                "2026-02-27 09:00 +0100",
                "To Do",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-29 10:00 +0200", "In Progress", "To Do"),
                ],
            ),
        ],
        "2026-03-28T12:00:00+01:00",
        workflow=ORDERED,
    )


def test_backward_moves_are_listed_newest_first(tmp_path: Path) -> None:
    moves = b.backward_moves(backward_flow(tmp_path), MARCH)
    assert moves[["key", "from_status", "to_status", "kind"]].values.tolist() == [
        ["T-3", "Done", "To Do", "reopened"],
        ["T-2", "In Progress", "To Do", "to_backlog"],
        ["T-1", "Done", "In Progress", "reopened"],
        ["T-1", "Testing", "In Progress", "earlier_step"],
    ]
    assert weeks(moves) == ["2026-03-23", "2026-03-09", "2026-03-09", "2026-03-02"]
    assert moves["changed_at"].iloc[0] == pd.Timestamp("2026-03-24T08:00:00Z")
    assert moves["status_now"].tolist() == ["To Do", "Ready for test", "Done", "Done"]


def test_backward_moves_per_week_and_kind(tmp_path: Path) -> None:
    f = backward_flow(tmp_path)
    weekly = b.backward_weekly(f, MARCH)
    assert len(weekly) == 4 * 3  # every week × every kind, zero-filled
    counts = {
        (w.date().isoformat(), k): c
        for w, k, c in zip(weekly["week"], weekly["kind"], weekly["count"], strict=True)
        if c
    }
    assert counts == {
        ("2026-03-02", "earlier_step"): 1,
        ("2026-03-09", "reopened"): 1,
        ("2026-03-09", "to_backlog"): 1,
        ("2026-03-23", "reopened"): 1,
    }
    assert b.backward_counts(f, MARCH) == {"reopened": 2, "to_backlog": 1, "earlier_step": 1}


def test_a_step_back_needs_both_statuses_in_the_workflow_order(tmp_path: Path) -> None:
    # Without `workflow.in_progress` there is no known order between in-progress statuses:
    # Testing → In Progress is then not a step back (only stage moves count).
    f = flow(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-02-27 09:00 +0100",
                "In Progress",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "Testing"),
                    move("2026-03-03 09:00 +0100", "Testing", "In Progress"),
                ],
            )
        ],
        "2026-03-28T12:00:00+01:00",
    )
    assert b.backward_moves(f, MARCH).empty
    assert b.backward_counts(f, MARCH) == {"reopened": 0, "to_backlog": 0, "earlier_step": 0}


def test_status_order_follows_the_workflow_then_the_alphabet(tmp_path: Path) -> None:
    team = config(tmp_path, 'in_progress = ["Review", "in progress"]\n').team("t")
    # named first in the config's order (with the data's spelling), then the rest A–Z; a named
    # status without items keeps its column
    assert b.status_order(team, ["Testing", "In Progress", "Analysis"]) == [
        "Review",
        "In Progress",
        "Analysis",
        "Testing",
    ]


def test_cfd_series_counts_done_from_the_start_of_the_period(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            # done before the period: not in the done band
            issue(
                "T-1",
                "2026-02-02 09:00 +0100",
                "Done",
                [
                    move("2026-02-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-02-10 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "Testing"),
                    move("2026-03-05 09:00 +0100", "Testing", "Done"),
                ],
            ),
            issue(
                "T-3",
                "2026-03-02 09:00 +0100",
                "In Progress",
                [move("2026-03-04 09:00 +0100", "To Do", "In Progress")],
            ),
            issue("T-4", "2026-03-02 09:00 +0100", "To Do"),
        ],
        "2026-04-01T12:00:00+02:00",
        workflow='in_progress = ["Testing", "In Progress"]\n',
    )
    series = b.cfd_series(f, Period(date(2026, 3, 3), date(2026, 3, 6)))
    got = {
        (pd.Timestamp(d).date().day, stage, status): (count, order)
        for d, stage, status, count, order in series[
            ["day", "stage", "status", "count", "order"]
        ].itertuples(index=False)
    }
    # order: done 0, then Testing 1 and In Progress 2 (the config's order), backlog 3
    assert got == {
        (3, "done", ""): (0, 0),
        (3, "in_progress", "Testing"): (1, 1),
        (3, "in_progress", "In Progress"): (0, 2),  # zero-filled
        (3, "backlog", ""): (2, 3),
        (4, "done", ""): (0, 0),
        (4, "in_progress", "Testing"): (1, 1),
        (4, "in_progress", "In Progress"): (1, 2),
        (4, "backlog", ""): (1, 3),
        (5, "done", ""): (1, 0),
        (5, "in_progress", "Testing"): (0, 1),
        (5, "in_progress", "In Progress"): (1, 2),
        (5, "backlog", ""): (1, 3),
    }
    assert b.stage_totals(series) == {"backlog": 1, "in_progress": 1, "done": 1}
