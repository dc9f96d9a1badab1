"""Monte Carlo forecasts (METRICS.md §6), expected values worked out by hand.

Where a result is random, the expected value follows from a closed form (binomial or geometric
probabilities) with a wide margin: with 10,000 trials a share is off by about 0.005 at most
(one standard deviation), and every margin below is at least 0.009.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from metrics import forecast
from metrics.flow import TeamFlow
from metrics.forecast import how_many, when
from tests.jira_payloads import DEFAULT_WORKFLOW, config, issue, move, warehouse

TZ = "Europe/Amsterdam"
AS_OF = "2026-04-01T12:00:00+02:00"  # a Wednesday; the 84 days before it: 7 Jan … 31 Mar


# -- how many by a date ---------------------------------------------------------------------------


def test_constant_throughput_gives_one_answer() -> None:
    result = how_many([2, 2, 2, 2], days_ahead=10)
    # every trial: 10 days of 2 items
    assert result["items"] == {50: 20, 85: 20, 95: 20}
    assert (result["totals"] == 20).all() and result["totals"].size == 10_000


def test_no_days_ahead_means_nothing_done() -> None:
    assert how_many([3, 5], days_ahead=0)["items"] == {50: 0, 85: 0, 95: 0}


def test_two_valued_samples_follow_the_binomial() -> None:
    # a third of the days finish one item: after 6 days the total is Binomial(6, 1/3),
    # P(≤0) = 0.088, P(≤1) = 0.351, P(≤2) = 0.680
    result = how_many([0, 0, 1], days_ahead=6)
    # 50 %: the 50th percentile, 2 (0.351 < 0.50 < 0.680)
    # 85 %: the 15th percentile, 1 (0.088 < 0.15 < 0.351)
    # 95 %: the 5th percentile, 0 (0.05 < 0.088)
    assert result["items"] == {50: 2, 85: 1, 95: 0}


def test_median_of_a_coin_interpolates_and_rounds_down() -> None:
    # one day of 0 or 1 item: the sorted totals are k zeros, then ones. The median sits at
    # position 0.5 · 9999 = 4999.5, between the 5000th and 5001st value: 0 when k > 5000,
    # 1 when k < 5000, and 0.5 when k = 5000 (which "at least" rounds down to 0).
    result = how_many([0, 1], days_ahead=1)
    zeros = int((result["totals"] == 0).sum())
    assert 4700 < zeros < 5300  # a fair coin
    expected = 0.0 if zeros > 5000 else (1.0 if zeros < 5000 else 0.5)
    assert result["percentile"][50] == expected
    assert result["items"][50] == math.floor(expected)
    # the 15th and 5th percentiles lie far inside the zeros
    assert result["items"][85] == 0 and result["items"][95] == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_whole_numbers_are_the_safe_side_of_the_interpolated_percentile(seed: int) -> None:
    # five trials: the q-th percentile is at position q/100 · 4 of the sorted totals
    result = how_many([0, 1, 5], days_ahead=3, trials=5, seed=seed)
    low_to_high = sorted(result["totals"].tolist())
    for likelihood, q in ((50, 50), (85, 15), (95, 5)):
        h = q / 100 * 4
        below, above = low_to_high[math.floor(h)], low_to_high[math.ceil(h)]
        exact = below + (h - math.floor(h)) * (above - below)
        assert result["percentile"][likelihood] == pytest.approx(exact)
        assert result["items"][likelihood] == math.floor(exact + 1e-9)


def test_how_many_is_reproducible_with_its_seed() -> None:
    samples = [0, 0, 1, 2, 3, 5]
    first, again = how_many(samples, 20), how_many(samples, 20)
    assert (first["totals"] == again["totals"]).all()
    other = how_many(samples, 20, seed=7)
    assert not (first["totals"] == other["totals"]).all()


def test_how_many_answers_are_monotone() -> None:
    result = how_many([0, 0, 0, 1, 1, 2, 4, 9], days_ahead=30)
    assert result["items"][50] >= result["items"][85] >= result["items"][95]
    assert result["items"][50] > result["items"][95]  # a spread-out history: not all equal


def test_bad_samples_are_refused() -> None:
    with pytest.raises(ValueError):
        how_many([], 5)
    with pytest.raises(ValueError):
        how_many([1, -1], 5)
    with pytest.raises(ValueError):
        when([1], 0)


# -- when will N items be done --------------------------------------------------------------------


def test_one_item_a_day_reaches_five_on_the_fifth_day() -> None:
    result = when([1], n_items=5)
    assert result["days_needed"] == {50: 5, 85: 5, 95: 5}
    assert result["reason"] is None and result["reached"] == 10_000


def test_no_throughput_never_gets_there() -> None:
    result = when([0, 0, 0], n_items=5)
    assert result["days_needed"] == {50: None, 85: None, 95: None}
    assert result["percentile"] == {50: None, 85: None, 95: None}
    assert result["reason"] == forecast.NO_THROUGHPUT
    assert result["reached"] == 0 and np.isinf(result["days"]).all()


def test_first_item_follows_the_geometric_distribution() -> None:
    # a third of the days finish one item: P(done by day d) = 1 − (2/3)^d
    # = 0.333, 0.556, 0.704, 0.802, 0.868, 0.912, 0.941, 0.961 for d = 1 … 8
    result = when([0, 0, 1], n_items=1)
    # 50 % → day 2 (0.333 < 0.5 < 0.556); 85 % → day 5 (0.802 < 0.85 < 0.868);
    # 95 % → day 8 (0.941 < 0.95 < 0.961)
    assert result["days_needed"] == {50: 2, 85: 5, 95: 8}


def test_mixed_sizes() -> None:
    # days of 1 or 2 items, N = 3: the third day is needed only after 1 then 1 (P = 1/4),
    # so P(done by day 2) = 3/4 and by day 3 = 1
    result = when([1, 2], n_items=3)
    assert result["days_needed"] == {50: 2, 85: 3, 95: 3}


def test_far_away_likelihoods_have_no_date() -> None:
    # a third of the days finish one item, N = 3 within 9 days: P(done by day 7) = 0.429,
    # by day 8 = 0.532, by day 9 = 0.623. The median is day 8; 85 % and 95 % lie beyond the
    # 9 days the trials are followed, so they have no date.
    result = when([0, 0, 1], n_items=3, max_days=9)
    assert result["days_needed"] == {50: 8, 85: None, 95: None}
    assert result["reason"] == forecast.TOO_FAR
    assert 0.60 < result["reached"] / 10_000 < 0.645
    assert np.isinf(result["days"]).sum() == 10_000 - result["reached"]


def test_a_team_that_is_far_too_slow_gets_no_date_at_all() -> None:
    # one item in 84 days, 20 items within a year: about 4 expected, 20 practically never
    result = when([0] * 83 + [1], n_items=20, max_days=365)
    assert result["days_needed"] == {50: None, 85: None, 95: None}
    assert result["reason"] == forecast.TOO_FAR


def test_when_is_reproducible_and_monotone() -> None:
    samples = [0, 0, 0, 1, 1, 2, 4, 9]
    first, again = when(samples, 40), when(samples, 40)
    assert (first["days"] == again["days"]).all()
    assert not (first["days"] == when(samples, 40, seed=11)["days"]).all()
    days = first["days_needed"]
    assert days[50] <= days[85] <= days[95] and days[50] < days[95]


def test_when_rounds_an_interpolated_day_up() -> None:
    result = when([1, 2, 3], n_items=4, trials=5, seed=3)
    low_to_high = sorted(result["days"].tolist())
    for q in (50, 85, 95):
        h = q / 100 * 4
        below, above = low_to_high[math.floor(h)], low_to_high[math.ceil(h)]
        exact = below + (h - math.floor(h)) * (above - below)
        assert result["percentile"][q] == pytest.approx(exact)
        assert result["days_needed"][q] == math.ceil(exact - 1e-9)


# -- on a team's flow -----------------------------------------------------------------------------


def flow(tmp_path: Path, issues: list[dict], as_of: str = AS_OF) -> TeamFlow:
    con = warehouse(tmp_path, issues)
    team = config(tmp_path, DEFAULT_WORKFLOW).team("t")
    return TeamFlow(con, team, TZ, datetime.fromisoformat(as_of))


def done_item(key: str, done: str, **kw) -> dict:
    return issue(key, "2025-12-01 09:00 +0100", "Done", [move(done, "To Do", "Done")], **kw)


def test_daily_throughput_is_zero_filled_over_the_84_days_before_today(tmp_path: Path) -> None:
    f = flow(
        tmp_path,
        [
            # 00:30 on 7 Jan in Amsterdam is still 6 Jan in UTC: the first day of the window
            done_item("T-1", "2026-01-07 00:30 +0100"),
            # 23:30 on 6 Jan: the day before the window
            done_item("T-2", "2026-01-06 23:30 +0100"),
            done_item("T-3", "2026-02-15 10:00 +0100"),
            done_item("T-4", "2026-02-15 16:00 +0100"),
            done_item("T-5", "2026-02-15 17:00 +0100", resolution="Won't Do"),  # discarded
            issue(
                "T-6",
                "2025-12-01 09:00 +0100",
                "Done",
                [move("2026-02-15 18:00 +0100", "To Do", "Done")],
                type_="Epic",
                hierarchy=1,
            ),  # not in flow
            # after the switch to summer time, late on the last day of the window
            done_item("T-7", "2026-03-31 23:30 +0200"),
            # today (1 Apr) is not over yet: not in the history, before or after as_of
            done_item("T-8", "2026-04-01 09:00 +0200"),
            done_item("T-9", "2026-04-01 18:00 +0200"),
            issue("T-10", "2026-03-01 09:00 +0100", "To Do"),  # not done
        ],
    )
    daily = forecast.daily_throughput(f)
    days = [d.date() for d in daily["day"]]
    assert len(days) == 84
    assert days[0] == date(2026, 1, 7) and days[-1] == date(2026, 3, 31)
    assert days == [date(2026, 1, 7) + timedelta(days=i) for i in range(84)]  # every day
    counts = dict(zip(days, daily["count"].tolist(), strict=True))
    assert {day: n for day, n in counts.items() if n} == {
        date(2026, 1, 7): 1,
        date(2026, 2, 15): 2,
        date(2026, 3, 31): 1,
    }
    history = forecast.history(f)
    assert (history.first_day, history.last_day, history.days, history.items) == (
        date(2026, 1, 7),
        date(2026, 3, 31),
        84,
        4,
    )
    assert history.per_week == pytest.approx(4 / 12)


def test_one_item_every_day_forecasts_exactly(tmp_path: Path) -> None:
    first = date(2026, 1, 7)
    f = flow(
        tmp_path,
        [
            done_item(f"T-{i + 1}", f"{first + timedelta(days=i)} 12:00 +0100")
            for i in range(84)  # 7 Jan … 31 Mar: one item a day (12:00 is 11:00 or 10:00 UTC)
        ],
    )
    assert forecast.daily_throughput(f)["count"].tolist() == [1] * 84
    assert forecast.today(f) == date(2026, 4, 1)

    # from tomorrow (2 Apr) up to and including 11 Apr: 10 days, 10 items
    result = forecast.forecast_how_many(f, date(2026, 4, 11))
    assert result.days == 10 and result.items == {50: 10, 85: 10, 95: 10}
    assert result.distribution.to_dict("records") == [
        {"start": 10, "end": 11, "trials": 10_000, "share": 1.0}
    ]
    assert result.history.items == 84 and result.history.per_week == pytest.approx(7.0)

    # 5 items: done at the end of the fifth day after today, 6 April
    done = forecast.forecast_when(f, 5)
    assert done.days == {50: 5, 85: 5, 95: 5}
    assert done.dates == {50: date(2026, 4, 6), 85: date(2026, 4, 6), 95: date(2026, 4, 6)}
    assert done.reason is None
    assert [d.date() for d in done.distribution["day"]] == [date(2026, 4, 6)]
    assert done.distribution["share"].tolist() == [1.0]


def test_the_cumulative_distribution_counts_every_day_between(tmp_path: Path) -> None:
    # one item on every other day: 42 of the 84 days
    first = date(2026, 1, 7)
    f = flow(
        tmp_path,
        [
            done_item(f"T-{i + 1}", f"{first + timedelta(days=2 * i)} 12:00 +0100")
            for i in range(42)
        ],
    )
    done = forecast.forecast_when(f, 1)
    dist = done.distribution
    # geometric with p = 1/2: the days run on without gaps and the share only grows to 1
    assert dist["days"].tolist() == list(range(1, len(dist) + 1))
    assert [d.date() for d in dist["day"]] == [
        date(2026, 4, 1) + timedelta(days=int(n)) for n in dist["days"]
    ]
    assert (np.diff(dist["share"]) >= 0).all() and dist["share"].iloc[-1] == 1.0
    assert dist["share"].iloc[0] == pytest.approx(0.5, abs=0.02)
    assert done.dates[95] == date(2026, 4, 1) + timedelta(days=done.days[95])


def test_a_team_that_finished_nothing(tmp_path: Path) -> None:
    f = flow(tmp_path, [issue("T-1", "2026-03-02 09:00 +0100", "In Progress")])
    assert forecast.history(f).items == 0
    assert forecast.forecast_how_many(f, date(2026, 5, 1)).items == {50: 0, 85: 0, 95: 0}
    done = forecast.forecast_when(f, 3)
    assert done.reason == forecast.NO_THROUGHPUT
    assert done.dates == {50: None, 85: None, 95: None}
    assert done.distribution.empty
