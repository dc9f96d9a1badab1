"""Outcome cards (METRICS.md section 4): one card per indicator, shared by the Outcomes page and
the overview. Also the cached reading of a team's outcome files (people's input, not in the
warehouse): keyed by the files' modification times, so an edit shows on the next rerun.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from i18n import catalogue, t
from i18n.formats import fmt_date, fmt_number, fmt_pct, normalize_lang
from metrics.outcomes import OutcomeFacts, outcome_facts
from outcomes.store import (
    Hypothesis,
    Indicator,
    Measurement,
    hypotheses_path,
    indicators_path,
    load_hypotheses,
    load_indicators,
    load_measurements,
    measurements_path,
)
from ui import data
from ui.app import View


@dataclass(frozen=True)
class TeamOutcomes:
    indicators: dict[str, Indicator]
    measurements: dict[str, list[Measurement]]
    hypotheses: dict[str, Hypothesis]
    facts: dict[str, OutcomeFacts]


def as_of_day(view: View) -> date:
    """`as_of` as a day in the configured time zone (measurements are dated, not timed)."""
    return view.as_of.astimezone(ZoneInfo(view.cfg.timezone)).date()


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0


def load(view: View) -> TeamOutcomes:
    """The view's team's indicators, measurements, hypotheses and facts at `as_of`."""
    data_dir, team = view.cfg.data_dir, view.team.key
    indicators = load_indicators(data_dir, team)  # tiny; its keys name the measurement files
    stamps = (
        _mtime(indicators_path(data_dir, team)),
        _mtime(hypotheses_path(data_dir, team)),
        tuple(_mtime(measurements_path(data_dir, team, key)) for key in indicators),
    )
    return _load(str(data_dir), team, as_of_day(view), stamps)


@st.cache_data(max_entries=32, show_spinner=False)
def _load(data_dir: str, team: str, as_of: date, stamps: tuple) -> TeamOutcomes:
    indicators = load_indicators(Path(data_dir), team)
    measurements = {key: load_measurements(Path(data_dir), team, key) for key in indicators}
    hypotheses = load_hypotheses(Path(data_dir), team, indicators)
    facts = {
        key: outcome_facts(indicator, measurements[key], as_of)
        for key, indicator in indicators.items()
    }
    return TeamOutcomes(indicators, measurements, hypotheses, facts)


# -- texts ----------------------------------------------------------------------------------------


def decimals(indicator: Indicator) -> int:
    """An indicator of small numbers (a score of 1–5) gets two decimals, others one."""
    return 2 if abs(indicator.baseline.value) < 10 else 1


def unit_text(unit: str, lang: str) -> str:
    """A unit the catalogue knows ("dagen") in the view's language; others as written."""
    key = f"outcomes.unit_{unit}"
    return catalogue(normalize_lang(lang)).get(key, unit)


def value_text(value: float | None, indicator: Indicator, lang: str, plus: bool = False) -> str:
    """A value with its unit: "63,5 %", "24,1 dagen", "+0,32 score"."""
    if value is None:
        return t("outcomes.no_value", lang)
    number = fmt_number(value, lang, decimals(indicator))
    if plus and number[0].isdigit() and value != 0:
        number = "+" + number
    unit = unit_text(indicator.unit, lang)
    if indicator.unit == "%":
        return f"{number} %" if normalize_lang(lang) == "nl" else f"{number}%"
    return f"{number} {unit}"


def change_words(facts: OutcomeFacts, lang: str) -> str | None:
    """ "beter" / "slechter" / "gelijk" (direction-aware), or None without a current value."""
    if facts.change is None:
        return None
    if facts.change == 0:
        return t("outcomes.same", lang)
    return t("outcomes.better" if facts.improved else "outcomes.worse", lang)


def change_text(facts: OutcomeFacts, indicator: Indicator, lang: str) -> str | None:
    """ "+12,3 % sinds de basis · beter"."""
    words = change_words(facts, lang)
    if words is None:
        return None
    return t("outcomes.change", lang, change=delta_text(facts.change, indicator, lang), word=words)


def delta_text(change: float, indicator: Indicator, lang: str) -> str:
    """A signed change in the indicator's unit; of a percentage in percentage points."""
    text = value_text(change, indicator, lang, plus=True)
    if indicator.unit == "%":
        return t("outcomes.points", lang, number=text.removesuffix(" %").removesuffix("%"))
    return text


def progress_text(facts: OutcomeFacts, lang: str) -> str | None:
    if facts.progress is None:
        return None
    return t("outcomes.progress", lang, pct=fmt_pct(facts.progress, lang))


def track_text(facts: OutcomeFacts, lang: str) -> str | None:
    if facts.on_track is None:
        return None
    return t("outcomes.on_track" if facts.on_track else "outcomes.off_track", lang)


# -- rendering ------------------------------------------------------------------------------------


def render_card(indicator: Indicator, facts: OutcomeFacts, lang: str) -> None:
    with st.container(border=True):
        current = facts.current
        change = facts.change
        st.metric(
            indicator.name(lang),
            # without a measurement a dash: the words go below, where they fit a narrow card
            "–" if current is None else value_text(current.value, indicator, lang),
            delta=change_text(facts, indicator, lang),
            # the colour says good or bad news; the words say it too
            delta_color={True: "green", False: "red", None: "gray"}[
                None if not change else facts.improved
            ],
            delta_arrow="off" if not change else ("up" if change > 0 else "down"),
            help=t(f"outcomes.direction_{indicator.direction}", lang),
        )
        if current is not None:
            st.caption(t("outcomes.measured_on", lang, date=fmt_date(current.date, lang)))
        else:
            st.caption(t("outcomes.no_value_yet", lang))
        base = indicator.baseline
        st.caption(
            t(
                "outcomes.baseline_line",
                lang,
                value=value_text(base.value, indicator, lang),
                date=fmt_date(base.date, lang),
            )
        )
        if indicator.target is None:
            st.caption(t("outcomes.no_target", lang))
            return
        target = indicator.target
        st.caption(
            t(
                "outcomes.target_line",
                lang,
                value=value_text(target.value, indicator, lang),
                date=fmt_date(target.date, lang),
            )
        )
        progress = progress_text(facts, lang)
        if progress is not None:
            st.progress(min(max(facts.progress, 0.0), 1.0), text=progress)
        track = track_text(facts, lang)
        if track is not None:
            icon = ":material/check_circle:" if facts.on_track else ":material/warning:"
            st.markdown(f"{icon} **{track}**")


def render(outcomes: TeamOutcomes, lang: str, per_row: int = 4) -> None:
    """All cards, `per_row` to a row, in the file's order."""
    keys = list(outcomes.indicators)
    for start in range(0, len(keys), per_row):
        row = keys[start : start + per_row]
        for column, key in zip(st.columns(per_row), row, strict=False):
            with column:
                render_card(outcomes.indicators[key], outcomes.facts[key], lang)


def epic_deliveries(view: View, outcomes: TeamOutcomes) -> pd.DataFrame:
    """[hypothesis, indicator, epic, done_at (local date or None)] per hypothesis: the linked
    epic's delivery date from the warehouse (`TeamFlow.items()`, epics included)."""
    rows = [(h.key, h.indicator, h.epic) for h in outcomes.hypotheses.values()]
    links = pd.DataFrame(rows, columns=["hypothesis", "indicator", "epic"])
    if links.empty or view.team.jira is None:
        return links.assign(done_at=None)
    items = data.flow(view, "items")[["key", "done_at"]]
    done = items.set_index("key")["done_at"]
    local = pd.to_datetime(done, utc=True).dt.tz_convert(view.cfg.timezone).dt.date
    dates = links["epic"].map(local)
    return links.assign(done_at=dates.where(dates.notna(), None))


def validate_rows(table: pd.DataFrame, lang: str) -> tuple[list[Measurement], list[str]]:
    """The editor's rows as measurements, or one plain message per bad row (row 1 = first)."""
    measurements: list[Measurement] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for n, (day, value, note) in enumerate(
        table[["date", "value", "note"]].itertuples(index=False), start=1
    ):
        day = _as_day(day)
        number = _as_number(value)
        if day is None:
            problems.append(t("outcomes.bad_date", lang, row=n))
        if number is None:
            problems.append(t("outcomes.bad_value", lang, row=n))
        if day is not None and day in seen:
            problems.append(
                t("outcomes.bad_twice", lang, row=n, first=seen[day], date=fmt_date(day, lang))
            )
        if day is None or number is None or day in seen:
            continue
        seen[day] = n
        text = "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note)
        measurements.append(Measurement(day, number, text.strip()))
    return measurements, problems


def _as_day(value: object) -> date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _as_number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = (
            float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        )
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
