"""Outcome facts of one indicator at `as_of` (METRICS.md section 4).

Pure Python: an indicator has a handful of measurements (monthly, say), no work items.

Decisions where section 4 leaves room:
- `as_of` is a day (measurements are dated, not timed); a datetime is cut to its own date, so
  pass it in the team's time zone. A measurement dated on `as_of` counts; later ones do not.
- Without a measurement on or before `as_of`, `current` and every fact built on it are null.
- `improved` is False when `change` is 0 (no change is not an improvement) and null without
  a current value.
- `progress` is null without a target or when the target equals the baseline (nothing to divide
  by); it may be < 0 (worse than the baseline) or > 1 (beyond the target).
- `on_track` compares `current` with the straight line from (baseline date, baseline) to
  (target date, target) at the date of `current`, not at `as_of`: a measurement from last
  month is judged against where the line was last month. "At least as good" allows a rounding
  difference of 1e-9. Past the target date the line stays at the target (keep it reached).
  Before the baseline date there is no measurement since the baseline, so it is null, as it is
  without a target.
- In the JSON (ARCHITECTURE.md), `current`, `baseline` and `target` are bare numbers (or null);
  `current_date` (ISO date or null), an extra key, says how old the current value is. The
  other keys are numbers, booleans or null.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from outcomes.store import Indicator, Measurement, Point

TOLERANCE = 1e-9


@dataclass(frozen=True)
class OutcomeFacts:
    key: str
    current: Point | None
    baseline: Point
    target: Point | None
    change: float | None
    change_pct: float | None
    improved: bool | None
    progress: float | None
    on_track: bool | None

    def as_dict(self) -> dict[str, Any]:
        """The `outcomes` entry of `report --format json` (ARCHITECTURE.md)."""
        return {
            "key": self.key,
            "current": _value(self.current),
            "current_date": None if self.current is None else self.current.date.isoformat(),
            "baseline": _value(self.baseline),
            "target": _value(self.target),
            "change": self.change,
            "change_pct": self.change_pct,
            "improved": self.improved,
            "progress": self.progress,
            "on_track": self.on_track,
        }


def _value(point: Point | None) -> float | None:
    return None if point is None else point.value


def current_measurement(measurements: Iterable[Measurement], as_of: date) -> Measurement | None:
    """The latest measurement dated on or before `as_of`."""
    as_of = _day(as_of)
    return max((m for m in measurements if m.date <= as_of), key=lambda m: m.date, default=None)


def outcome_facts(
    indicator: Indicator, measurements: Iterable[Measurement], as_of: date
) -> OutcomeFacts:
    latest = current_measurement(measurements, as_of)
    base, target = indicator.baseline, indicator.target
    if latest is None:
        return OutcomeFacts(indicator.key, None, base, target, None, None, None, None, None)
    current = Point(latest.value, latest.date)
    change = current.value - base.value
    sign = 1 if indicator.direction == "up" else -1
    return OutcomeFacts(
        key=indicator.key,
        current=current,
        baseline=base,
        target=target,
        change=change,
        change_pct=None if base.value == 0 else change / abs(base.value),
        improved=change * sign > 0,
        progress=(
            None
            if target is None or target.value == base.value
            else change / (target.value - base.value)
        ),
        on_track=_on_track(current, base, target, sign),
    )


def expected_on(day: date, baseline: Point, target: Point) -> float | None:
    """The straight line from baseline to target at `day`: the target after its date, null
    before the baseline date."""
    if day < baseline.date:
        return None
    if day >= target.date:
        return target.value
    share = (day - baseline.date).days / (target.date - baseline.date).days
    return baseline.value + share * (target.value - baseline.value)


def _on_track(current: Point, base: Point, target: Point | None, sign: int) -> bool | None:
    if target is None:
        return None
    expected = expected_on(current.date, base, target)
    if expected is None:
        return None
    margin = TOLERANCE * max(1.0, abs(expected))
    return (current.value - expected) * sign >= -margin


def _day(as_of: date) -> date:
    return as_of.date() if isinstance(as_of, datetime) else as_of
