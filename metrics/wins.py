"""Wins (METRICS.md section 5): team-level improvements the data supports, with their evidence.

INTERFACE STUB — the types below are the contract the Wins page, the presenter view and
`publish` build on; the detection is being written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb

from config import Config

RULES = (
    "faster_lead_time",
    "more_predictable",
    "more_delivered",
    "first_production_deployment",
    "deploying_more_often",
    "deploy_streak",
    "outcome_improved",
    "hypothesis_validated",
    "record_week",
)


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a win's evidence chart: a team-level aggregate, never an item.

    `x` is a week's Monday (weekly series) or a measurement's date; `phase` is "before"
    (the baseline period), "after" (the recent window) or "" (neither: history, or a rule
    without a comparison).
    """

    x: date
    value: float
    phase: str = ""


@dataclass(frozen=True)
class Evidence:
    """The numbers behind a win. Before/after are None for rules without a comparison (a
    first deployment, a validated hypothesis); `p_value` only for the Mann–Whitney rule."""

    measure: str  # lead_time_p50 | cycle_time_p85 | throughput_weekly_median | deployments_per_week
    # | deploy_streak_weeks | indicator | hypothesis | throughput_week | first_deployment
    before: float | None = None
    after: float | None = None
    n_before: int | None = None  # sample sizes: items, weeks or measurements, per the rule
    n_after: int | None = None
    change_pct: float | None = None  # (after − before) / |before|
    p_value: float | None = None
    before_period: tuple[date, date] | None = None  # half-open [start, end)
    after_period: tuple[date, date] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # rule-specific: target reached, unit…

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates ISO, numbers unrounded)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Win:
    id: str  # stable: "<rule>:<team>:<subject>:<period>", survives syncs (curation keys on it)
    rule: str  # one of RULES
    team: str
    subject: str  # what improved: a measure, an indicator key, a hypothesis key
    date: date  # the day the win is dated (end of the recent window, the event's day)
    title_nl: str  # the one-sentence story, plain language (B1)
    title_en: str
    figure_nl: str  # the big number for a presenter screen or card: "−68 %", "4 weken"
    figure_en: str
    y_title_nl: str  # axis title of the evidence chart
    y_title_en: str
    evidence: Evidence
    series: tuple[SeriesPoint, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_en if lang.lower().startswith("en") else self.title_nl

    def figure(self, lang: str) -> str:
        return self.figure_en if lang.lower().startswith("en") else self.figure_nl

    def y_title(self, lang: str) -> str:
        return self.y_title_en if lang.lower().startswith("en") else self.y_title_nl

    def as_dict(self) -> dict[str, Any]:
        """The `wins` entry of `report --format json`: {id, rule, date, title_nl, title_en,
        evidence} (ARCHITECTURE.md), evidence including the chart's series."""
        raise NotImplementedError


def detect(con: duckdb.DuckDBPyConnection, cfg: Config, team_key: str, as_of: datetime) -> list[Win]:
    """Every win the data supports for one team at `as_of`, newest first."""
    raise NotImplementedError
