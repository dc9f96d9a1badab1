"""The demo's outcome indicators, measurements and hypotheses for `vergunningen` (METRICS.md
section 4), written as the plain files people would keep (`outcomes.store`), beside the warehouse.

Four indicators in the style of the UK service standard's KPIs, measured monthly (dated the first
of the month) from June 2025, before the pilot, to November 2026: digital take-up, completion
rate, user satisfaction and processing time. Each moves little before the pilot starts
(2026-03-02), then improves along a curve that flattens, with deterministic noise. The story is
honest on purpose: digital take-up is beyond its target, completion rate improves but is behind
the straight line to its target, satisfaction and processing time are on track.

Two hypotheses link demo epics (found by title in the generated Jira data, so their keys are the
real ones) to indicators: the online application form (validated) and MijnOmgeving phase 2
(testing). `subsidies` is still milestone-driven: it gets no outcome files.

Rebuilding the demo overwrites these files (each atomically); other files are left alone.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from config import Config
from demo import jira
from outcomes.store import (
    Hypothesis,
    Indicator,
    Measurement,
    Point,
    Source,
    save_hypotheses,
    save_indicators,
    save_measurements,
)

TEAM = "vergunningen"
PILOT_START = date(2026, 3, 2)
BASELINE_DATE = date(2025, 12, 1)
TARGET_DATE = date(2026, 12, 31)
FIRST_MONTH = date(2025, 6, 1)
LAST_MONTH = date(2026, 11, 1)
SEED = "koers-demo-outcomes"

ONLINE_FORM_EPIC = "Digitaal aanvragen omgevingsvergunning"
MIJNOMGEVING_EPIC = "MijnOmgeving – fase 2"


@dataclass(frozen=True)
class _Curve:
    """Before the pilot: `start` drifting by `drift` a month; after: up to `gain` more,
    approached with time constant `months` (1 − e^(−t/months)); rounded to `digits`."""

    start: float
    drift: float
    gain: float
    months: float
    noise: float
    digits: int
    low: float
    high: float


@dataclass(frozen=True)
class _Plan:
    key: str
    name_nl: str
    name_en: str
    unit: str
    direction: str
    target: float
    source: str
    curve: _Curve
    note_nl: str


PLANS = (
    _Plan(
        "digital_take_up",
        "Digitale aanvragen",
        "Digital take-up",
        "%",
        "up",
        65.0,
        "csv",
        _Curve(40.0, 0.2, 34.0, 3.0, 1.2, 1, 0, 100),
        "aandeel aanvragen via het online formulier",
    ),
    _Plan(
        "completion_rate",
        "Voltooide aanvragen",
        "Completion rate",
        "%",
        "up",
        82.0,
        "csv",
        _Curve(61.0, -0.1, 10.0, 5.0, 1.0, 1, 0, 100),
        "gestarte online aanvragen die zijn ingediend",
    ),
    _Plan(
        "user_satisfaction",
        "Tevredenheid aanvragers",
        "User satisfaction",
        "score",
        "up",
        4.0,
        "manual",
        _Curve(3.3, 0.0, 0.8, 4.0, 0.05, 2, 1, 5),
        "gemiddelde score 1–5 uit de enquête na indienen",
    ),
    _Plan(
        "processing_time_days",
        "Doorlooptijd aanvraag",
        "Processing time of an application",
        "dagen",
        "down",
        24.0,
        "csv",
        _Curve(36.0, 0.15, -15.0, 3.5, 0.8, 1, 1, 120),
        "mediaan dagen van indienen tot besluit",
    ),
)


def months() -> list[date]:
    """The first of each month from FIRST_MONTH to LAST_MONTH."""
    result, day = [], FIRST_MONTH
    while day <= LAST_MONTH:
        result.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return result


def measurements(plan: _Plan, rng: random.Random) -> list[Measurement]:
    c = plan.curve
    result = []
    for n, day in enumerate(months()):
        value = c.start + c.drift * n + rng.gauss(0, c.noise)
        if day >= PILOT_START:
            since = (day - PILOT_START).days / 30.44
            value += c.gain * (1 - math.exp(-since / c.months))
        value = round(min(max(value, c.low), c.high), c.digits)
        result.append(Measurement(day, value, plan.note_nl if n == 0 else ""))
    return result


def indicator(plan: _Plan, baseline: float) -> Indicator:
    return Indicator(
        key=plan.key,
        name_nl=plan.name_nl,
        name_en=plan.name_en,
        unit=plan.unit,
        direction=plan.direction,
        baseline=Point(baseline, BASELINE_DATE),
        target=Point(plan.target, TARGET_DATE),
        source=Source(plan.source),
    )


def epic_keys(cfg: Config) -> dict[str, str]:
    """The demo's epic keys by title, as the Jira generator makes them for the demo's clock."""
    payloads = jira.generate_vergunningen(cfg.now())
    return {
        issue["fields"]["summary"]: issue["key"]
        for issue in payloads.issues
        if issue["fields"]["issuetype"]["name"] == "Epic"
    }


def hypotheses(epics: dict[str, str]) -> list[Hypothesis]:
    form, portal = epics[ONLINE_FORM_EPIC], epics[MIJNOMGEVING_EPIC]
    return [
        Hypothesis(
            key="online_form_take_up",
            epic=form,
            indicator="digital_take_up",
            expected_change=15.0,
            by=date(2026, 9, 30),
            status="validated",
            status_date=date(2026, 10, 12),
            statement_nl=(
                f"Wij geloven dat het online aanvraagformulier ({form}) het aandeel digitale "
                "aanvragen met 15 procentpunten verhoogt vóór 30 september 2026."
            ),
            statement_en=(
                f"We believe that the online application form ({form}) will move digital "
                "take-up by +15 percentage points by 30 September 2026."
            ),
        ),
        Hypothesis(
            key="mijnomgeving_satisfaction",
            epic=portal,
            indicator="user_satisfaction",
            expected_change=0.3,
            by=date(2027, 1, 31),
            status="testing",
            statement_nl=(
                f"Wij geloven dat de statusinformatie in MijnOmgeving ({portal}) de tevredenheid "
                "van aanvragers met 0,3 punt verhoogt vóór 31 januari 2027."
            ),
            statement_en=(
                f"We believe that status updates in MijnOmgeving ({portal}) will move user "
                "satisfaction by +0.3 points by 31 January 2027."
            ),
        ),
    ]


def write(cfg: Config) -> None:
    """Write the demo's outcome files into `cfg.data_dir` (only for a demo config)."""
    if not cfg.demo:
        return
    rng = random.Random(SEED)
    indicators = []
    for plan in PLANS:
        rows = measurements(plan, rng)
        baseline = next(m.value for m in rows if m.date == BASELINE_DATE)
        indicators.append(indicator(plan, baseline))
        save_measurements(cfg.data_dir, TEAM, plan.key, rows)
    save_indicators(cfg.data_dir, TEAM, indicators)
    save_hypotheses(cfg.data_dir, TEAM, hypotheses(epic_keys(cfg)))
