"""Wins (METRICS.md section 5): team-level improvements the data supports, with their evidence.

`detect` runs every rule of section 5 for one team at `as_of` and returns only the wins whose
evidence holds; each carries the numbers, a chart series of team-level aggregates and a
one-sentence story in Dutch and English (`i18n/*/wins_story.toml`). The texts are published
(static report, cards), so they name measures, indicators and counts only: never an item, an
epic, a hypothesis statement or a person. Thresholds are the team's `[teams.KEY.wins]`
(`config.WinThresholds`).

Windows:
- **Recent** ("the last 8 weeks", `recent_weeks`): the 56 days up to and including `as_of`'s
  day, `[end − 8 weeks, end)` with `end = Period.default(as_of).end`, the day after `as_of`'s
  day. That is where `metrics.overview.baseline_period` places "the last 8", so without a pilot
  start the baseline ends exactly where the recent window begins. It is a rolling window, not
  aligned to ISO weeks: the current week counts to date.
- **Baseline**: `baseline_period` (the `baseline_weeks` before `pilot_start`; without one the
  12 weeks before the last 8). With `recent_weeks` other than 8 and no pilot start, the 12 weeks
  before the recent window, so the two still touch. When the two overlap (a pilot that started
  less than `recent_weeks` ago, or starts later) there is nothing to compare: no comparison win.
- "Median weekly throughput" is the median over the ISO weeks that overlap the period, a week
  at an edge counting only its days inside (METRICS.md conventions); this can only lower a
  median, so it never makes a win. "Deployments per week" divide by the period's days ÷ 7.

Rules, where section 5 leaves room:
- faster lead time: the medians are `TeamFlow.summary`'s p50; the Mann–Whitney U test is
  scipy's, **two-sided** (the rule asks whether the periods differ; the direction is already
  required by the ≥ 20 % drop, and two-sided is the stricter test), method "auto" (asymptotic
  with continuity correction when both samples have more than 8 items).
- "≥ 20 %", "≥ 2 ×", "≥ 10 %" allow a rounding difference of 1e-9, so exactly 20 % counts.
- more delivered: needs a baseline median above 0 and a baseline that lies wholly after the day
  tracking began (the first counted item's creation): weeks before it are unknown, not zeros.
- deploying more often: needs at least one deployment in the baseline (a factor of nothing is
  no number; going from none to some is the first-deployment win).
- deploy streak: the current streak: consecutive ISO weeks with ≥ 1 production deployment that
  end in `as_of`'s week, or in the week before while this week has none yet (a week that is not
  over does not break it). Its figure counts the weeks in it.
- first production deployment: the earliest successful production deployment up to `as_of`.
- outcome improved: `metrics.outcomes.outcome_facts` at `as_of`'s day: `change_pct` at least
  `outcome_change` the good way, or the target reached (current at least as good as the target,
  and better than the baseline).
- hypothesis validated: status `validated` with a `status_date` on or before `as_of`; one
  without a `status_date` (files from before it existed) cannot be dated nor keyed, so it is no
  win until its status is set again.
- record week: the week with the highest throughput since tracking began (the first week
  reaching it), more than every week before it, with at least `record_min_weeks` weeks before
  it since the week tracking began. The current week counts to date.

Stable ids `<rule>:<team>:<subject>:<period>`, so the team's curation survives syncs:
- comparison rules (faster lead time, more predictable, more delivered, deploying more often):
  the ISO week the recent window ends in (`as_of`'s week, `2026-W48`): the same finding keeps its
  id all week; subjects `lead_time`, `cycle_time`, `throughput`, `deployments`.
- deploy streak: its first week (`2026-W10`): the id stays while the streak grows.
- first production deployment: its day (`2026-03-12`).
- record week: its week. outcome improved: the indicator key and its current measurement's date.
- hypothesis validated: the hypothesis key and its `status_date`.

Dates (`Win.date`): a comparison win is dated `as_of`'s day; a streak its latest deployment's
day; a first deployment its day; a record week its last day (or `as_of`'s day, in the current
week); an outcome its current measurement's date; a hypothesis its `status_date`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from config import Config, Team, WinThresholds
from i18n import catalogue, t
from i18n.formats import fmt_date, fmt_delta_pct, fmt_number, fmt_week, normalize_lang
from metrics.delivery import team_delivery, weekly_deployments
from metrics.dora import TeamDelivery
from metrics.flow import Period, TeamFlow
from metrics.outcomes import outcome_facts
from metrics.overview import BASELINE_WITHOUT_PILOT_WEEKS, RECENT_WEEKS, baseline_period
from metrics.queries import run_df
from outcomes.store import (
    Hypothesis,
    Indicator,
    Measurement,
    load_hypotheses,
    load_indicators,
    load_measurements,
)

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
TOLERANCE = 1e-9  # "at least 20 %" holds for 20 % computed as 19.9999999…
LANGS = ("nl", "en")
# Weeks of deployments shown before a first deployment or a streak, for context.
CONTEXT_WEEKS = 4
# Weeks shown after a first deployment: enough to see what followed.
AFTER_FIRST_WEEKS = 12
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # numpy's day 0


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

    def as_dict(self) -> dict[str, Any]:
        return {"x": self.x.isoformat(), "value": self.value, "phase": self.phase}


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
        return {
            "measure": self.measure,
            "before": self.before,
            "after": self.after,
            "n_before": self.n_before,
            "n_after": self.n_after,
            "change_pct": self.change_pct,
            "p_value": self.p_value,
            "before_period": _period_json(self.before_period),
            "after_period": _period_json(self.after_period),
            "extra": {key: _json(value) for key, value in self.extra.items()},
        }


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
        return {
            "id": self.id,
            "rule": self.rule,
            "date": self.date.isoformat(),
            "title_nl": self.title_nl,
            "title_en": self.title_en,
            "evidence": self.evidence.as_dict() | {"series": [p.as_dict() for p in self.series]},
            "team": self.team,
            "subject": self.subject,
            "figure_nl": self.figure_nl,
            "figure_en": self.figure_en,
            "y_title_nl": self.y_title_nl,
            "y_title_en": self.y_title_en,
        }


def _period_json(period: tuple[date, date] | None) -> dict[str, str] | None:
    return None if period is None else {"from": period[0].isoformat(), "to": period[1].isoformat()}


def _json(value: Any) -> Any:
    """Dates ISO, moments ISO in UTC (ARCHITECTURE.md), numpy numbers as Python's."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- the windows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """What every rule of one detection shares: the team, its thresholds and the windows."""

    team: Team
    rules: WinThresholds
    tz: str
    as_of: datetime
    today: date  # as_of's day in the team's time zone
    recent: Period
    baseline: Period

    @property
    def comparable(self) -> bool:
        """The baseline lies wholly before the recent window."""
        return self.baseline.end <= self.recent.start

    @property
    def week(self) -> str:
        return iso_week(self.today)


def setting(team: Team, as_of: datetime, tz: str) -> Setting:
    rules = team.wins
    recent = Period.weeks_before(Period.default(as_of, tz).end, rules.recent_weeks)
    baseline = baseline_period(team, as_of, tz)
    if team.pilot_start is None and rules.recent_weeks != RECENT_WEEKS:
        # baseline_period sits before the default 8 weeks: keep it next to this window
        baseline = Period.weeks_before(recent.start, BASELINE_WITHOUT_PILOT_WEEKS)
    today = as_of.astimezone(ZoneInfo(tz)).date()
    return Setting(team, rules, tz, as_of, today, recent, baseline)


def iso_week(day: date) -> str:
    """The ISO week holding `day`: "2026-W48" (ISO year: 1 Jan 2027 is 2026-W53)."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# -- detection ------------------------------------------------------------------------------------


def detect(
    con: duckdb.DuckDBPyConnection,
    cfg: Config,
    team_key: str,
    as_of: datetime,
    *,
    flow: TeamFlow | None = None,
) -> list[Win]:
    """Every win the data supports for one team at `as_of`, newest first.

    `flow`, the team's `TeamFlow` at `as_of` when the caller has one, saves computing it again.
    """
    team = cfg.team(team_key)
    s = setting(team, as_of, cfg.timezone)
    wins: list[Win] = []
    if team.jira is not None:
        flow = flow if flow is not None else TeamFlow(con, team, cfg.timezone, as_of)
        wins += _flow_wins(s, flow)
    if team.gitlab is not None:
        delivery = team_delivery(con, cfg, team, as_of, flow=flow)
        if delivery is not None:
            wins += _delivery_wins(s, delivery)
    wins += _outcome_wins(s, cfg)
    order = {rule: n for n, rule in enumerate(RULES)}
    wins.sort(key=lambda w: (-w.date.toordinal(), order[w.rule], w.id))
    return wins


def _flow_wins(s: Setting, flow: TeamFlow) -> list[Win]:
    start = tracking_start(flow)
    found = [_record_week(s, flow, start)]
    if s.comparable:
        found += [_faster_lead_time(s, flow), _more_predictable(s, flow)]
        found.append(_more_delivered(s, flow, start))
    return [w for w in found if w is not None]


def _delivery_wins(s: Setting, delivery: TeamDelivery) -> list[Win]:
    found = [_first_deployment(s, delivery), _deploy_streak(s, delivery)]
    if s.comparable:
        found.append(_deploying_more_often(s, delivery))
    return [w for w in found if w is not None]


def _outcome_wins(s: Setting, cfg: Config) -> list[Win]:
    indicators = load_indicators(cfg.data_dir, s.team.key)
    if not indicators:
        return []
    measurements = {key: load_measurements(cfg.data_dir, s.team.key, key) for key in indicators}
    found = [_outcome_improved(s, ind, measurements[key]) for key, ind in indicators.items()]
    hypotheses = load_hypotheses(cfg.data_dir, s.team.key, indicators)
    found += [
        _hypothesis_validated(s, h, indicators[h.indicator], measurements[h.indicator])
        for h in hypotheses.values()
    ]
    return [w for w in found if w is not None]


Story = Callable[[str], tuple[str, str, str]]  # lang → (title, figure, y_title)


def _win(
    rule: str,
    s: Setting,
    subject: str,
    period: str,
    day: date,
    story: Story,
    evidence: Evidence,
    series: tuple[SeriesPoint, ...] = (),
) -> Win:
    texts = {lang: story(lang) for lang in LANGS}
    return Win(
        id=f"{rule}:{s.team.key}:{subject}:{period}",
        rule=rule,
        team=s.team.key,
        subject=subject,
        date=day,
        title_nl=texts["nl"][0],
        title_en=texts["en"][0],
        figure_nl=texts["nl"][1],
        figure_en=texts["en"][1],
        y_title_nl=texts["nl"][2],
        y_title_en=texts["en"][2],
        evidence=evidence,
        series=series,
    )


# -- flow rules -----------------------------------------------------------------------------------


def tracking_start(flow: TeamFlow) -> date | None:
    """The local day the team's first counted item was created; None without items."""
    value = flow.query("wins_tracking_start").iloc[0]["first_day"]
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _drop(
    before: float | None, after: float | None, n_before: int, n_after: int, rules: WinThresholds
) -> float | None:
    """The relative change of a duration when it fell by at least `min_change` with at least
    `min_items` items on each side; None otherwise."""
    if before is None or after is None or before <= 0:
        return None
    if min(n_before, n_after) < rules.min_items:
        return None
    change = (after - before) / before
    return change if change <= -rules.min_change + TOLERANCE else None


def _faster_lead_time(s: Setting, flow: TeamFlow) -> Win | None:
    before = flow.summary(s.baseline, "lead_time")
    after = flow.summary(s.recent, "lead_time")
    change = _drop(before.p50, after.p50, before.n, after.n, s.rules)
    if change is None:
        return None
    samples = flow.query("wins_lead_samples", **_bounds(s))
    test = mannwhitneyu(
        samples.loc[samples["phase"] == "before", "days"].to_numpy(),
        samples.loc[samples["phase"] == "after", "days"].to_numpy(),
        alternative="two-sided",
    )
    p_value = float(test.pvalue)
    if not p_value < s.rules.max_p_value:
        return None
    evidence = Evidence(
        measure="lead_time_p50",
        before=before.p50,
        after=after.p50,
        n_before=before.n,
        n_after=after.n,
        change_pct=change,
        p_value=p_value,
        before_period=_span(s.baseline),
        after_period=_span(s.recent),
        extra={
            "test": "mann_whitney_u_two_sided",
            "u_statistic": float(test.statistic),
            "p85_before": before.p85,
            "p85_after": after.p85,
        },
    )
    series = _weekly(flow.lead_time_weekly(s.baseline), "p50", "before") + _weekly(
        flow.lead_time_weekly(s.recent), "p50", "after"
    )

    def story(lang: str) -> tuple[str, str, str]:
        title = t(
            "wins_story.faster_lead_time",
            lang,
            before=_days(before.p50, lang),
            after=_days(after.p50, lang),
        )
        return title, fmt_delta_pct(change, lang), t("wins_story.y_lead_time", lang)

    return _win("faster_lead_time", s, "lead_time", s.week, s.today, story, evidence, series)


def _more_predictable(s: Setting, flow: TeamFlow) -> Win | None:
    before = flow.summary(s.baseline, "cycle_time")
    after = flow.summary(s.recent, "cycle_time")
    change = _drop(before.p85, after.p85, before.n, after.n, s.rules)
    if change is None:
        return None
    evidence = Evidence(
        measure="cycle_time_p85",
        before=before.p85,
        after=after.p85,
        n_before=before.n,
        n_after=after.n,
        change_pct=change,
        before_period=_span(s.baseline),
        after_period=_span(s.recent),
        extra={"p50_before": before.p50, "p50_after": after.p50},
    )
    series = _weekly(flow.query("wins_cycle_time_weekly", s.baseline), "p85", "before") + _weekly(
        flow.query("wins_cycle_time_weekly", s.recent), "p85", "after"
    )

    def story(lang: str) -> tuple[str, str, str]:
        title = t(
            "wins_story.more_predictable",
            lang,
            before=_days(before.p85, lang),
            after=_days(after.p85, lang),
        )
        return title, fmt_delta_pct(change, lang), t("wins_story.y_cycle_time", lang)

    return _win("more_predictable", s, "cycle_time", s.week, s.today, story, evidence, series)


def _more_delivered(s: Setting, flow: TeamFlow, start: date | None) -> Win | None:
    if start is None or start > s.baseline.start:
        return None  # weeks before tracking began are unknown: no median over them
    before_weeks = flow.throughput_weekly(s.baseline)
    after_weeks = flow.throughput_weekly(s.recent)
    before = float(before_weeks["count"].median())
    after = float(after_weeks["count"].median())
    if before <= 0:
        return None
    change = (after - before) / before
    if change < s.rules.min_change - TOLERANCE:
        return None
    evidence = Evidence(
        measure="throughput_weekly_median",
        before=before,
        after=after,
        n_before=len(before_weeks),
        n_after=len(after_weeks),
        change_pct=change,
        before_period=_span(s.baseline),
        after_period=_span(s.recent),
        extra={
            "items_before": int(before_weeks["count"].sum()),
            "items_after": int(after_weeks["count"].sum()),
        },
    )
    series = _weekly(before_weeks, "count", "before") + _weekly(after_weeks, "count", "after")

    def story(lang: str) -> tuple[str, str, str]:
        title = t(
            "wins_story.more_delivered",
            lang,
            before=_count(before, lang),
            after=_count(after, lang),
        )
        return title, fmt_delta_pct(change, lang), t("wins_story.y_throughput", lang)

    return _win("more_delivered", s, "throughput", s.week, s.today, story, evidence, series)


def _record_week(s: Setting, flow: TeamFlow, start: date | None) -> Win | None:
    if start is None:
        return None
    weekly = flow.throughput_weekly(Period(start, s.today + timedelta(days=1)))
    counts = weekly["count"].to_numpy()
    at = int(np.argmax(counts))  # the first week that reached the highest count
    record = int(counts[at])
    if record <= 0 or at < s.rules.record_min_weeks:
        return None
    previous = int(counts[:at].max())
    monday = pd.Timestamp(weekly["week"].iloc[at]).date()
    week_end = min(monday + timedelta(days=7), s.today + timedelta(days=1))
    evidence = Evidence(
        measure="throughput_week",
        before=float(previous),
        after=float(record),
        n_before=at,
        n_after=1,
        change_pct=(record - previous) / previous if previous else None,
        before_period=(start, monday),
        after_period=(monday, week_end),
        extra={"week": iso_week(monday), "tracking_start": start},
    )
    series = _weekly(weekly, "count", "")

    def story(lang: str) -> tuple[str, str, str]:
        count = _count(record, lang)
        title = t(
            "wins_story.record_week",
            lang,
            week=fmt_week(monday, lang),
            count=count,
            start=fmt_date(start, lang),
        )
        figure = t("wins_story.figure_record", lang, count=count)
        return title, figure, t("wins_story.y_throughput", lang)

    day = week_end - timedelta(days=1)
    return _win("record_week", s, "throughput", iso_week(monday), day, story, evidence, series)


# -- delivery rules -------------------------------------------------------------------------------


def _first_deployment(s: Setting, delivery: TeamDelivery) -> Win | None:
    deployments = delivery.deployments()
    if deployments.empty:
        return None
    first = pd.Timestamp(deployments["finished_at"].min()).tz_convert(s.tz)
    day = first.date()
    monday = day - timedelta(days=day.weekday())
    shown = Period(
        monday - timedelta(weeks=CONTEXT_WEEKS),
        min(monday + timedelta(weeks=AFTER_FIRST_WEEKS + 1), s.today + timedelta(days=1)),
    )
    evidence = Evidence(
        measure="first_deployment",
        extra={
            "first_deployment_at": first.to_pydatetime(),
            "deployments_to_date": len(deployments),
        },
    )
    series = _weekly(weekly_deployments(delivery, shown), "deployments", "")

    def story(lang: str) -> tuple[str, str, str]:
        title = t("wins_story.first_production_deployment", lang, date=fmt_date(day, lang))
        figure = t("wins_story.figure_first_deployment", lang)
        return title, figure, t("wins_story.y_deployments", lang)

    return _win(
        "first_production_deployment",
        s,
        "deployments",
        day.isoformat(),
        day,
        story,
        evidence,
        series,
    )


def _deploying_more_often(s: Setting, delivery: TeamDelivery) -> Win | None:
    before_report, after_report = delivery.report(s.baseline), delivery.report(s.recent)
    before, after = before_report["per_week"], after_report["per_week"]
    if not before or after is None:
        return None  # no deployments in the baseline: no factor (the first deployment's win)
    factor = after / before
    if factor < s.rules.deploy_factor - TOLERANCE:
        return None
    evidence = Evidence(
        measure="deployments_per_week",
        before=before,
        after=after,
        n_before=s.baseline.days // 7,
        n_after=s.recent.days // 7,
        change_pct=(after - before) / before,
        before_period=_span(s.baseline),
        after_period=_span(s.recent),
        extra={
            "factor": factor,
            "deployments_before": before_report["deployments"],
            "deployments_after": after_report["deployments"],
        },
    )
    series = _weekly(weekly_deployments(delivery, s.baseline), "deployments", "before") + _weekly(
        weekly_deployments(delivery, s.recent), "deployments", "after"
    )

    def story(lang: str) -> tuple[str, str, str]:
        title = t(
            "wins_story.deploying_more_often",
            lang,
            before=_rate(before, lang),
            after=_rate(after, lang),
        )
        figure = t("wins_story.figure_factor", lang, factor=_factor(factor, lang))
        return title, figure, t("wins_story.y_deployments", lang)

    return _win("deploying_more_often", s, "deployments", s.week, s.today, story, evidence, series)


def _deploy_streak(s: Setting, delivery: TeamDelivery) -> Win | None:
    weeks = run_df(delivery.con, "wins_deploy_weeks", {"tz": s.tz})
    if weeks.empty:
        return None
    days = pd.to_datetime(weeks["week"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    this_monday = s.today - timedelta(days=s.today.weekday())
    last = date.fromordinal(int(days[-1]) + EPOCH_ORDINAL)
    if last < this_monday - timedelta(weeks=1):
        return None  # neither this week nor last week had a deployment
    # the streak runs back from the last week to the first gap of more than one week
    gaps = np.flatnonzero(np.diff(days) != 7)
    first = int(gaps[-1]) + 1 if len(gaps) else 0
    length = len(days) - first
    if length < s.rules.streak_weeks:
        return None
    start = date.fromordinal(int(days[first]) + EPOCH_ORDINAL)
    count = int(weeks["deployments"].iloc[first:].sum())
    day = pd.Timestamp(weeks["last_day"].iloc[-1]).date()
    evidence = Evidence(
        measure="deploy_streak_weeks",
        n_after=count,
        after_period=(start, min(last + timedelta(weeks=1), s.today + timedelta(days=1))),
        extra={"weeks": length, "deployments": count},
    )
    shown = Period(start - timedelta(weeks=CONTEXT_WEEKS), s.today + timedelta(days=1))
    series = _weekly(weekly_deployments(delivery, shown), "deployments", "")

    def story(lang: str) -> tuple[str, str, str]:
        weeks_text, count_text = _count(length, lang), _count(count, lang)
        title = t("wins_story.deploy_streak", lang, weeks=weeks_text, count=count_text)
        figure = t("wins_story.figure_streak", lang, weeks=weeks_text)
        return title, figure, t("wins_story.y_deployments", lang)

    return _win("deploy_streak", s, "deployments", iso_week(start), day, story, evidence, series)


# -- outcome rules --------------------------------------------------------------------------------


def _outcome_improved(
    s: Setting, indicator: Indicator, measurements: list[Measurement]
) -> Win | None:
    facts = outcome_facts(indicator, measurements, s.today)
    if facts.current is None or not facts.improved:
        return None
    sign = 1 if indicator.direction == "up" else -1
    target = facts.target
    reached = target is not None and (facts.current.value - target.value) * sign >= -TOLERANCE
    enough = (
        facts.change_pct is not None
        and facts.change_pct * sign >= s.rules.outcome_change - TOLERANCE
    )
    if not (enough or reached):
        return None
    base = indicator.baseline
    evidence = Evidence(
        measure="indicator",
        before=base.value,
        after=facts.current.value,
        n_before=sum(m.date <= base.date for m in measurements),
        n_after=sum(base.date < m.date <= s.today for m in measurements),
        change_pct=facts.change_pct,
        extra={
            "indicator": indicator.key,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "baseline_date": base.date,
            "current_date": facts.current.date,
            "change": facts.change,
            "target": None if target is None else target.value,
            "target_date": None if target is None else target.date,
            "target_reached": reached,
            "progress": facts.progress,
        },
    )
    series = _measured(measurements, s.today, base.date)

    def story(lang: str) -> tuple[str, str, str]:
        key = "outcome_" + ("up" if facts.change > 0 else "down") + ("_target" if reached else "")
        title = t(
            f"wins_story.{key}",
            lang,
            name=indicator.name(lang),
            before=_value(base.value, indicator, lang),
            after=_value(facts.current.value, indicator, lang),
            target="" if target is None else _value(target.value, indicator, lang),
        )
        if indicator.unit == "%":
            figure = t("wins_story.figure_points", lang, number=_signed(facts.change, lang))
        elif facts.change_pct is not None:
            figure = fmt_delta_pct(facts.change_pct, lang)
        else:
            figure = t("wins_story.figure_target", lang)
        return title, figure, _indicator_title(indicator, lang)

    period = facts.current.date.isoformat()
    return _win(
        "outcome_improved", s, indicator.key, period, facts.current.date, story, evidence, series
    )


def _hypothesis_validated(
    s: Setting, hypothesis: Hypothesis, indicator: Indicator, measurements: list[Measurement]
) -> Win | None:
    day = hypothesis.status_date
    if hypothesis.status != "validated" or day is None or day > s.today:
        return None
    facts = outcome_facts(indicator, measurements, s.today)
    evidence = Evidence(
        measure="hypothesis",
        extra={
            "indicator": indicator.key,
            "unit": indicator.unit,
            "direction": indicator.direction,
            "expected_change": hypothesis.expected_change,
            "by": hypothesis.by,
            "status_date": day,
            "baseline": indicator.baseline.value,
            "current": None if facts.current is None else facts.current.value,
            "change": facts.change,
        },
    )
    series = _measured(measurements, s.today, None)

    def story(lang: str) -> tuple[str, str, str]:
        up = hypothesis.expected_change >= 0
        size = abs(hypothesis.expected_change)
        if indicator.unit == "%":
            change = t("wins_story.change_points", lang, number=_plain(size, lang))
        else:
            change = t(
                "wins_story.value_unit",
                lang,
                number=_plain(size, lang),
                unit=_unit(indicator.unit, lang),
            )
        title = t(
            f"wins_story.hypothesis_{'up' if up else 'down'}",
            lang,
            name=indicator.name(lang),
            change=change,
        )
        figure = t("wins_story.figure_hypothesis", lang)
        return title, figure, _indicator_title(indicator, lang)

    return _win(
        "hypothesis_validated", s, hypothesis.key, day.isoformat(), day, story, evidence, series
    )


# -- series ---------------------------------------------------------------------------------------


def _span(period: Period) -> tuple[date, date]:
    return period.start, period.end


def _bounds(s: Setting) -> dict[str, datetime]:
    before_start, before_end = s.baseline.bounds(s.tz)
    after_start, after_end = s.recent.bounds(s.tz)
    return {
        "before_start": before_start,
        "before_end": before_end,
        "after_start": after_start,
        "after_end": after_end,
    }


def _weekly(frame: pd.DataFrame, column: str, phase: str) -> tuple[SeriesPoint, ...]:
    """One point per week (its Monday) that has a value."""
    rows = frame.dropna(subset=[column])
    weeks = pd.to_datetime(rows["week"]).dt.date
    return tuple(
        SeriesPoint(week, float(value), phase)
        for week, value in zip(weeks, rows[column], strict=True)
    )


def _measured(
    measurements: list[Measurement], today: date, baseline_day: date | None
) -> tuple[SeriesPoint, ...]:
    """An indicator's measurements up to `today`: "before" up to the baseline's date and
    "after" since, when there is a baseline to compare with."""

    def phase(day: date) -> str:
        if baseline_day is None:
            return ""
        return "before" if day <= baseline_day else "after"

    return tuple(
        SeriesPoint(m.date, float(m.value), phase(m.date))
        for m in sorted(measurements, key=lambda m: m.date)
        if m.date <= today
    )


# -- words and numbers ----------------------------------------------------------------------------


def _days(days: float, lang: str) -> str:
    """Days as a story says them: whole from 10 on ("37"), else one decimal ("4,5")."""
    return fmt_number(days, lang, 0 if abs(days) >= 10 else 1)


def _count(value: float, lang: str) -> str:
    """A count or a median of counts: "7", "3,5"."""
    return fmt_number(value, lang, 0 if float(value).is_integer() else 1)


def _rate(per_week: float, lang: str) -> str:
    """Deployments per week with up to two decimals ("4,25", "0,25", "2,5"): rounded to one,
    0.25 → 4.25 would read as 0.3 → 4.3, and no longer match the factor (×17) beside it."""
    return _plain(per_week, lang)


def _factor(factor: float, lang: str) -> str:
    return fmt_number(factor, lang, 0 if factor >= 10 else 1)


def _plain(value: float, lang: str) -> str:
    """A number with no more decimals than it has (up to two): 15 → "15", 0.3 → "0,3"."""
    rounded = round(value, 2)
    decimals = next(d for d in (0, 1, 2) if round(rounded, d) == rounded)
    return fmt_number(rounded, lang, decimals)


def _signed(value: float, lang: str) -> str:
    """A change with its sign: "+33", "−4,5"."""
    text = fmt_number(value, lang, 0 if abs(value) >= 10 else 1)
    return "+" + text if value > 0 and text[0].isdigit() else text


def _unit(unit: str, lang: str) -> str:
    """A unit the outcomes catalogue knows ("dagen") in `lang`; others as the team wrote it."""
    return catalogue(normalize_lang(lang)).get(f"outcomes.unit_{unit}", unit)


def _value(value: float, indicator: Indicator, lang: str) -> str:
    """An indicator's value as the Outcomes page shows it: "63,5 %", "24,1 dagen", "3,85 score"
    (two decimals for small numbers such as a 1–5 score, else one)."""
    number = fmt_number(value, lang, 2 if abs(indicator.baseline.value) < 10 else 1)
    if indicator.unit == "%":
        return t("wins_story.value_percent", lang, number=number)
    return t("wins_story.value_unit", lang, number=number, unit=_unit(indicator.unit, lang))


def _indicator_title(indicator: Indicator, lang: str) -> str:
    return t(
        "wins_story.y_indicator", lang, name=indicator.name(lang), unit=_unit(indicator.unit, lang)
    )
