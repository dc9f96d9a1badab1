"""Period metrics (METRICS.md §2), expected values worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from metrics.flow import Period, TeamFlow
from tests.jira_payloads import DEFAULT_WORKFLOW, config, issue, move, warehouse

TZ = "Europe/Amsterdam"


def flow(tmp_path: Path, issues: list[dict], as_of: str) -> TeamFlow:
    con = warehouse(tmp_path, issues)
    team = config(tmp_path, DEFAULT_WORKFLOW).team("t")
    return TeamFlow(con, team, TZ, datetime.fromisoformat(as_of))


def done_item(key: str, created: str, done: str, **kw) -> dict:
    return issue(key, created, "Done", [move(done, "To Do", "Done")], **kw)


MARCH = Period(date(2026, 3, 2), date(2026, 3, 30))  # four ISO weeks, Monday to Monday


def test_lead_time_percentiles_interpolate_linearly(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            done_item("T-1", "2026-03-02 09:00 +0100", "2026-03-03 09:00 +0100"),  # 1 day
            done_item("T-2", "2026-03-02 09:00 +0100", "2026-03-04 09:00 +0100"),  # 2 days
            done_item("T-3", "2026-03-02 09:00 +0100", "2026-03-05 09:00 +0100"),  # 3 days
            done_item("T-4", "2026-03-02 09:00 +0100", "2026-03-12 09:00 +0100"),  # 10 days
            done_item(
                "T-5", "2026-03-02 09:00 +0100", "2026-03-06 09:00 +0100", resolution="Won't Do"
            ),  # discarded
            issue(
                "T-6",
                "2026-03-02 09:00 +0100",
                "Done",
                [move("2026-03-20 09:00 +0100", "To Do", "Done")],
                type_="Epic",
                hierarchy=1,
            ),  # not in flow
            done_item("T-7", "2026-02-02 09:00 +0100", "2026-02-20 09:00 +0100"),  # before period
        ],
        "2026-04-01T12:00:00+02:00",
    )
    s = f.summary(MARCH, "lead_time")
    # positions (n-1)·q over [1, 2, 3, 10]: 1.5 → 2.5; 2.55 → 3 + 0.55·7; 2.85 → 3 + 0.85·7
    assert (s.p50, s.p85, s.p95) == pytest.approx((2.5, 6.85, 8.95))
    assert s.mean == pytest.approx(4.0) and s.n == 4
    assert f.counts(MARCH) == (4, 1)


def test_percentiles_of_nothing_are_null(tmp_path: Path) -> None:
    f = flow(
        tmp_path, [issue("T-1", "2026-03-02 09:00 +0100", "To Do")], "2026-04-01T12:00:00+02:00"
    )
    s = f.summary(MARCH, "cycle_time")
    assert (s.p50, s.p85, s.p95, s.mean, s.n) == (None, None, None, None, 0)


def test_throughput_is_zero_filled_and_bucketed_in_amsterdam_weeks(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            # Monday 00:30 in Amsterdam is still Sunday in UTC: it belongs to the week of 2 March
            done_item("T-1", "2026-02-20 09:00 +0100", "2026-03-02 00:30 +0100"),
            done_item("T-2", "2026-02-20 09:00 +0100", "2026-03-04 09:00 +0100"),
            # Sunday 23:30 local: the week of 23 February, so outside the period
            done_item("T-3", "2026-02-20 09:00 +0100", "2026-03-01 23:30 +0100"),
            done_item("T-4", "2026-02-20 09:00 +0100", "2026-03-18 09:00 +0100"),
        ],
        "2026-04-01T12:00:00+02:00",
    )
    weekly = f.throughput_weekly(MARCH)
    assert [d.date().isoformat() for d in weekly["week"]] == [
        "2026-03-02",
        "2026-03-09",
        "2026-03-16",
        "2026-03-23",
    ]
    assert weekly["count"].tolist() == [2, 0, 1, 0]
    assert f.report(MARCH)["throughput_weekly"][0] == {"week": "2026-03-02", "count": 2}


def test_partial_weeks_at_the_edges_of_a_period(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            done_item("T-1", "2026-02-20 09:00 +0100", "2026-03-03 09:00 +0100"),  # Tuesday, before
            done_item(
                "T-2", "2026-02-20 09:00 +0100", "2026-03-05 09:00 +0100"
            ),  # Thursday, inside
        ],
        "2026-04-01T12:00:00+02:00",
    )
    weekly = f.throughput_weekly(Period(date(2026, 3, 4), date(2026, 3, 12)))
    assert weekly["count"].tolist() == [1, 0]  # weeks of 2 and 9 March


def test_wip_is_counted_at_the_end_of_each_day(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 10:00 +0100", "To Do", "In Progress"),
                    move("2026-03-05 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "In Progress",
                [
                    move("2026-03-04 23:59 +0100", "To Do", "In Progress"),
                ],
            ),
            # in progress for a few hours inside one day: never in progress at a day's end
            issue(
                "T-3",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-04 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-04 17:00 +0100", "In Progress", "Done"),
                ],
            ),
        ],
        "2026-03-06T12:00:00+01:00",
    )
    period = Period(date(2026, 3, 3), date(2026, 3, 8))
    wip = f.wip_daily(period)
    # 3 Mar: T-1 · 4 Mar: T-1, T-2 · 5 Mar: T-2 · 6 Mar (today, at as_of): T-2 · 7 Mar: future
    assert [d.date().isoformat() for d in wip["day"]] == [
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
    ]
    assert wip["wip"].tolist() == [1, 2, 1, 1]
    assert f.wip_avg(period) == pytest.approx(5 / 4)


def test_time_in_status_bottleneck_and_flow_efficiency(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-02 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-04 09:00 +0100", "In Progress", "Ready for test"),
                    move("2026-03-07 09:00 +0100", "Ready for test", "Testing"),
                    move("2026-03-08 09:00 +0100", "Testing", "Done"),
                ],
            ),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-09 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-10 09:00 +0100", "In Progress", "Testing"),
                    move("2026-03-11 09:00 +0100", "Testing", "Done"),
                ],
            ),
        ],
        "2026-04-01T12:00:00+02:00",
    )
    tis = f.time_in_status(MARCH).set_index("status")
    # cycle times 6 + 2 = 8 days: In Progress 2 + 1, Ready for test 3, Testing 1 + 1
    assert tis["total_days"].to_dict() == pytest.approx(
        {"In Progress": 3.0, "Ready for test": 3.0, "Testing": 2.0}
    )
    assert tis["share"].to_dict() == pytest.approx(
        {"In Progress": 0.375, "Ready for test": 0.375, "Testing": 0.25}
    )
    assert tis["median_days"].to_dict() == pytest.approx(
        {"In Progress": 1.5, "Ready for test": 3.0, "Testing": 1.0}
    )
    assert tis["items"].to_dict() == {"In Progress": 2, "Ready for test": 1, "Testing": 2}
    assert f.bottleneck(MARCH) == "Ready for test"
    # active: T-1 2 + 1, T-2 1 + 1 → 5 of 8 days
    assert f.flow_efficiency(MARCH) == pytest.approx(0.625)


def test_net_flow_and_cfd(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [
                    move("2026-03-03 09:00 +0100", "To Do", "In Progress"),
                    move("2026-03-10 09:00 +0100", "In Progress", "Done"),
                ],
            ),
            issue(
                "T-2",
                "2026-03-02 09:00 +0100",
                "In Progress",
                [
                    move("2026-03-04 09:00 +0100", "To Do", "In Progress"),
                ],
            ),
            issue("T-3", "2026-03-02 09:00 +0100", "To Do"),
        ],
        "2026-04-01T12:00:00+02:00",
    )
    net = f.net_flow_weekly(MARCH)
    assert net["started"].tolist() == [2, 0, 0, 0]
    assert net["done"].tolist() == [0, 1, 0, 0]
    assert net["net"].tolist() == [2, -1, 0, 0]
    cfd = f.cfd_daily(MARCH)
    day = cfd[cfd["day"] == "2026-03-05"].fillna({"status": ""})
    assert {(r.stage, r.status): r.count for r in day.itertuples()} == {
        ("backlog", ""): 1,
        ("in_progress", "In Progress"): 2,
    }
    day = cfd[cfd["day"] == "2026-03-10"].fillna({"status": ""})
    assert {(r.stage, r.status): r.count for r in day.itertuples()} == {
        ("backlog", ""): 1,
        ("in_progress", "In Progress"): 1,
        ("done", ""): 1,
    }


def test_aging_and_at_risk(tmp_path: Path) -> None:
    # Cycle times 1..5 days, done within the 84 days before as_of: p85 = 4 + 0.4·1 = 4.4 days.
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
        for n in range(1, 6)
    ]
    # an old, slow item done long before the window does not count
    done.append(
        issue(
            "T-9",
            "2025-10-01 09:00 +0200",
            "Done",
            [
                move("2025-10-01 09:00 +0200", "To Do", "In Progress"),
                move("2025-11-20 09:00 +0100", "In Progress", "Done"),
            ],
        )
    )
    wip = [
        issue(
            "T-10",
            "2026-03-01 09:00 +0100",
            "In Progress",
            [move("2026-03-11 09:00 +0100", "To Do", "In Progress")],
        ),  # 5 days old
        issue(
            "T-11",
            "2026-03-01 09:00 +0100",
            "Testing",
            [move("2026-03-12 09:00 +0100", "To Do", "Testing")],
        ),  # 4 days old
    ]
    f = flow(tmp_path, done + wip, "2026-03-16T09:00:00+01:00")
    aging, threshold = f.aging()
    assert threshold == pytest.approx(4.4)
    assert aging[["key", "status", "age_days", "at_risk"]].values.tolist() == [
        ["T-10", "In Progress", pytest.approx(5.0), True],
        ["T-11", "Testing", pytest.approx(4.0), False],
    ]
    assert f.report(Period(date(2026, 3, 2), date(2026, 3, 17)))["at_risk"] == ["T-10"]


def test_default_period_is_twelve_weeks_plus_this_week() -> None:
    # Friday 27 November 2026: this week started Monday 23 November
    p = Period.default(datetime.fromisoformat("2026-11-27T17:00:00+01:00"), TZ)
    assert (p.start, p.end) == (date(2026, 8, 31), date(2026, 11, 28))
    # late Sunday evening UTC is already Monday in Amsterdam: a new week has begun
    p = Period.default(datetime.fromisoformat("2026-11-29T23:30:00+00:00"), TZ)
    assert (p.start, p.end) == (date(2026, 9, 7), date(2026, 12, 1))
