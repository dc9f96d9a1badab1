"""Headline tiles: changes against the baseline, their direction and their words."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from config import Team
from metrics.flow import Period
from metrics.overview import Tile, baseline_period, per_week

TZ = "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("value", "baseline", "better", "change", "good"),
    [
        (12.0, 36.0, "lower", -2 / 3, True),  # lead time fell by two thirds: good news
        (40.0, 20.0, "lower", 1.0, False),
        (7.5, 5.0, "higher", 0.5, True),  # more finished per week
        (4.0, 5.0, "higher", -0.2, False),
        (5.02, 5.0, "higher", 0.004, None),  # shows as 0 %: neither better nor worse
        (5.0, None, "lower", None, None),
        (5.0, 0.0, "lower", None, None),  # no percentage change from zero
        (None, 5.0, "lower", None, None),
    ],
)
def test_change_and_good_news(value, baseline, better, change, good) -> None:
    tile = Tile("x", value, baseline, better)
    assert tile.change_pct == (pytest.approx(change) if change is not None else None)
    assert tile.good_news is good


@pytest.mark.parametrize(
    ("ratio", "kind"),
    [
        (0.32, "more_than_halved"),
        (0.499, "more_than_halved"),
        (0.5, "about_halved"),
        (0.7, "down"),
        (0.95, "same"),
        (1.05, "up"),
        (1.9, "about_doubled"),
        (2.0, "more_than_doubled"),
        (3.0, "more_than_doubled"),
    ],
)
def test_change_in_words(ratio: float, kind: str) -> None:
    assert Tile("x", 10.0 * ratio, 10.0, "lower").change_kind == kind


def test_baseline_period() -> None:
    pilot = Team("p", "P", pilot_start=date(2026, 3, 2), baseline_weeks=12)
    as_of = datetime.fromisoformat("2026-11-27T17:00:00+01:00")
    assert baseline_period(pilot, as_of, TZ) == Period(date(2025, 12, 8), date(2026, 3, 2))
    # no pilot start: the 12 weeks before the last 8 (the last 8 end with today, 27 November)
    other = Team("o", "O")
    assert baseline_period(other, as_of, TZ) == Period(date(2026, 7, 11), date(2026, 10, 3))


def test_per_week_divides_by_calendar_days() -> None:
    assert per_week(30, Period(date(2026, 3, 2), date(2026, 3, 23))) == pytest.approx(10.0)
    assert per_week(10, Period(date(2026, 3, 2), date(2026, 3, 5))) == pytest.approx(10 / (3 / 7))
