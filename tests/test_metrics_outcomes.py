"""METRICS.md section 4: the outcome facts of one indicator, with values worked out by hand.

The line from baseline to target runs over 100 days in most cases here: 2026-01-01 → 2026-04-11,
so on 2026-02-20 (day 50) it is exactly halfway.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from metrics.outcomes import expected_on, outcome_facts
from outcomes.store import Indicator, Measurement, Point

D0 = date(2026, 1, 1)
HALFWAY = date(2026, 2, 20)  # day 50
TARGET_DAY = date(2026, 4, 11)  # day 100


def indicator(
    base: float = 40, target: float | None = 60, direction: str = "up", target_day=TARGET_DAY
) -> Indicator:
    return Indicator(
        key="take_up",
        name_nl="Digitale aanvragen",
        name_en="Digital take-up",
        unit="%",
        direction=direction,
        baseline=Point(base, D0),
        target=None if target is None else Point(target, target_day),
    )


def m(day: date, value: float) -> Measurement:
    return Measurement(day, value)


def test_the_dates_of_the_worked_examples() -> None:
    assert (HALFWAY - D0).days == 50 and (TARGET_DAY - D0).days == 100
    assert expected_on(HALFWAY, Point(40, D0), Point(60, TARGET_DAY)) == 50


def test_up_indicator_every_fact_and_on_track_at_the_date_of_current() -> None:
    measurements = [m(D0, 40), m(HALFWAY, 51), m(date(2026, 3, 15), 70)]  # the last is after as_of
    facts = outcome_facts(indicator(), measurements, as_of=date(2026, 3, 1))
    assert facts.current == Point(51, HALFWAY)
    assert facts.change == 11
    assert facts.change_pct == pytest.approx(11 / 40)  # 0.275
    assert facts.improved is True
    assert facts.progress == pytest.approx(11 / 20)  # 0.55, not 1.5 with the ignored 70
    # On 2026-02-20 the line is at 50 and 51 is above it: on track. On as_of (2026-03-01, day 59)
    # the line is at 51.8, which would have said "behind": the line is read at the measurement.
    assert expected_on(date(2026, 3, 1), Point(40, D0), Point(60, TARGET_DAY)) == pytest.approx(
        51.8
    )
    assert facts.on_track is True


def test_as_dict_has_exactly_the_report_keys() -> None:
    facts = outcome_facts(indicator(), [m(HALFWAY, 51)], as_of=date(2026, 3, 1))
    assert facts.as_dict() == {
        "key": "take_up",
        "current": 51,
        "current_date": "2026-02-20",
        "baseline": 40,
        "target": 60,
        "change": 11,
        "change_pct": pytest.approx(0.275),
        "improved": True,
        "progress": pytest.approx(0.55),
        "on_track": True,
    }


def test_a_measurement_on_as_of_counts_and_one_after_it_does_not() -> None:
    facts = outcome_facts(indicator(), [m(HALFWAY, 51), m(date(2026, 3, 1), 52)], date(2026, 3, 1))
    assert facts.current == Point(52, date(2026, 3, 1))
    facts = outcome_facts(indicator(), [m(HALFWAY, 51), m(date(2026, 3, 2), 52)], date(2026, 3, 1))
    assert facts.current == Point(51, HALFWAY)


def test_a_datetime_as_of_counts_as_its_day() -> None:
    facts = outcome_facts(indicator(), [m(date(2026, 3, 1), 52)], datetime(2026, 3, 1, 17, 0))
    assert facts.current == Point(52, date(2026, 3, 1))


def test_down_indicator_better_is_lower() -> None:
    # processing time in days: 20 → 10 over 100 days; halfway the line is at 15
    ind = indicator(base=20, target=10, direction="down")
    facts = outcome_facts(ind, [m(HALFWAY, 16)], as_of=date(2026, 3, 1))
    assert facts.change == -4
    assert facts.change_pct == pytest.approx(-0.2)
    assert facts.improved is True
    assert facts.progress == pytest.approx(0.4)  # -4 / -10
    assert facts.on_track is False  # 16 days is slower than the 15 the line asks for
    assert outcome_facts(ind, [m(HALFWAY, 14)], date(2026, 3, 1)).on_track is True
    assert outcome_facts(ind, [m(HALFWAY, 15)], date(2026, 3, 1)).on_track is True  # equal
    worse = outcome_facts(ind, [m(HALFWAY, 22)], date(2026, 3, 1))
    assert (worse.change, worse.improved, worse.progress) == (2, False, pytest.approx(-0.2))


def test_progress_beyond_the_target_and_the_line_held_after_the_target_date() -> None:
    after = date(2026, 5, 1)
    beyond = outcome_facts(indicator(), [m(after, 65)], as_of=date(2026, 6, 1))
    assert beyond.progress == pytest.approx(1.25)  # 25 / 20
    assert beyond.on_track is True
    short = outcome_facts(indicator(), [m(after, 55)], as_of=date(2026, 6, 1))
    assert short.progress == pytest.approx(0.75)
    assert short.on_track is False  # past the target date the line stays at 60


def test_worse_than_the_baseline_gives_negative_progress() -> None:
    facts = outcome_facts(indicator(), [m(HALFWAY, 35)], as_of=HALFWAY)
    assert facts.change == -5
    assert facts.change_pct == pytest.approx(-0.125)
    assert facts.improved is False
    assert facts.progress == pytest.approx(-0.25)
    assert facts.on_track is False


def test_baseline_of_zero_has_no_change_pct() -> None:
    facts = outcome_facts(indicator(base=0, target=10), [m(HALFWAY, 4)], as_of=HALFWAY)
    assert facts.change == 4
    assert facts.change_pct is None
    assert facts.improved is True
    assert facts.progress == pytest.approx(0.4)
    assert facts.on_track is False  # the line is at 5 on day 50


def test_a_negative_baseline_divides_by_its_size() -> None:
    facts = outcome_facts(indicator(base=-10, target=0), [m(HALFWAY, -5)], as_of=HALFWAY)
    assert facts.change == 5
    assert facts.change_pct == pytest.approx(0.5)  # 5 / |-10|


def test_no_change_is_not_an_improvement() -> None:
    same = outcome_facts(indicator(), [m(D0, 40)], as_of=HALFWAY)
    assert (same.change, same.change_pct, same.improved, same.progress) == (0, 0, False, 0)
    assert same.on_track is True  # on the baseline date the line is at the baseline
    later = outcome_facts(indicator(), [m(HALFWAY, 40)], as_of=HALFWAY)
    assert later.on_track is False


def test_without_a_target_progress_and_on_track_are_null() -> None:
    facts = outcome_facts(indicator(target=None), [m(HALFWAY, 51)], as_of=HALFWAY)
    assert (facts.change, facts.improved) == (11, True)
    assert facts.target is None and facts.progress is None and facts.on_track is None
    assert facts.as_dict()["target"] is None


def test_a_target_equal_to_the_baseline_holds_the_line() -> None:
    facts = outcome_facts(indicator(target=40), [m(HALFWAY, 41)], as_of=HALFWAY)
    assert facts.progress is None  # nothing to divide by
    assert facts.on_track is True
    assert outcome_facts(indicator(target=40), [m(HALFWAY, 39)], HALFWAY).on_track is False


def test_without_a_measurement_by_as_of_everything_but_the_plan_is_null() -> None:
    facts = outcome_facts(indicator(), [m(date(2026, 3, 2), 52)], as_of=date(2026, 3, 1))
    assert facts.as_dict() == {
        "key": "take_up",
        "current": None,
        "current_date": None,
        "baseline": 40,
        "target": 60,
        "change": None,
        "change_pct": None,
        "improved": None,
        "progress": None,
        "on_track": None,
    }
    assert outcome_facts(indicator(), [], as_of=date(2026, 3, 1)).current is None


def test_a_measurement_before_the_baseline_date_is_not_judged_on_track() -> None:
    facts = outcome_facts(indicator(), [m(date(2025, 12, 1), 45)], as_of=HALFWAY)
    assert facts.change == 5 and facts.improved is True
    assert facts.on_track is None


def test_on_the_line_counts_despite_float_rounding() -> None:
    # 0.1 a day for 3 days: on day 1 the line is 0.1 give or take one binary rounding
    ind = indicator(base=0, target=0.3, target_day=date(2026, 1, 4))
    assert outcome_facts(ind, [m(date(2026, 1, 2), 0.1)], as_of=HALFWAY).on_track is True
    assert outcome_facts(ind, [m(date(2026, 1, 2), 0.0999)], as_of=HALFWAY).on_track is False
