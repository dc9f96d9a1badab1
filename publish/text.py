"""The words and numbers of a published win, shared by the HTML report, the cards and the
weeknote so all three say the same thing."""

from __future__ import annotations

from datetime import date, timedelta

from i18n import t
from i18n.formats import fmt_date, fmt_days, fmt_delta_pct, fmt_int, fmt_number
from metrics.flow import Period
from metrics.overview import Tile
from metrics.wins import Evidence, Win

# What a measure's sample counts (METRICS.md §5): items for durations, weeks for weekly
# figures, measurements for an indicator.
SAMPLE_UNITS = {
    "lead_time_p50": "items",
    "cycle_time_p85": "items",
    "throughput_weekly_median": "weeks",
    "deployments_per_week": "weeks",
    "deploy_streak_weeks": "weeks",
    "throughput_week": "weeks",
    "indicator": "measurements",
}
DAY_MEASURES = frozenset({"lead_time_p50", "cycle_time_p85"})
PER_WEEK_MEASURES = frozenset({"throughput_weekly_median", "deployments_per_week"})
P_SMALLEST = 0.001  # below this a p-value reads "less than 0.001", not "0.000"


def span(start: date, end_exclusive: date, lang: str) -> str:
    """A half-open period as people say it: "8 dec. 2025 t/m 1 mrt. 2026"."""
    last = max(start, end_exclusive - timedelta(days=1))
    return t("publish.period", lang, start=fmt_date(start, lang), end=fmt_date(last, lang))


def period_text(period: Period, lang: str) -> str:
    return span(period.start, period.end, lang)


def value_text(evidence: Evidence, value: float, lang: str) -> str:
    """A before or after level in the measure's unit: days, per week, weeks, or a plain number
    (with the indicator's unit when the evidence names one)."""
    measure = evidence.measure
    if measure in DAY_MEASURES:
        return fmt_days(value, lang)
    number = fmt_int(value, lang) if float(value).is_integer() else fmt_number(value, lang, 1)
    if measure in PER_WEEK_MEASURES:
        return t("publish.per_week", lang, value=number)
    if measure == "throughput_week":
        return t("publish.items_done", lang, value=number)
    if measure == "deploy_streak_weeks":
        return t("publish.weeks", lang, n=number)
    if measure == "indicator":
        if not float(value).is_integer() and abs(value) < 10:  # a 1–5 score needs 2 decimals
            number = fmt_number(value, lang, 2)
        unit = str(evidence.extra.get("unit") or "").strip()
        if unit == "%":
            return f"{number} %" if lang == "nl" else f"{number}%"
        return f"{number} {unit}".strip()
    return number


def _side(evidence: Evidence, which: str, lang: str) -> str | None:
    value = getattr(evidence, which)
    if value is None:
        return None
    n = getattr(evidence, f"n_{which}")
    period = getattr(evidence, f"{which}_period")
    text = value_text(evidence, value, lang)
    if n:  # no sample to name when the level is a set value (an indicator's baseline)
        one = "_one" if n == 1 else ""
        unit = t(f"publish.unit_{SAMPLE_UNITS.get(evidence.measure, 'values')}{one}", lang)
        if period is not None:
            sample = t(
                "publish.sample_period",
                lang,
                n=fmt_int(n, lang),
                unit=unit,
                period=span(period[0], period[1], lang),
            )
        else:
            sample = t("publish.sample", lang, n=fmt_int(n, lang), unit=unit)
        text = f"{text} ({sample})"
    # A record week compares with the best week before it, not with a baseline's level.
    label = f"{which}_record" if evidence.measure == "throughput_week" else which
    return t(f"publish.{label}", lang, value=text)


def before_after(win: Win, lang: str) -> tuple[str, str] | None:
    """("Ervoor: 12,5 dagen (34 afgeronde items, …)", "Erna: …"), or None for a rule without a
    comparison (a first deployment, a validated hypothesis)."""
    before, after = _side(win.evidence, "before", lang), _side(win.evidence, "after", lang)
    if before is None or after is None:
        return None
    return before, after


def p_value_text(win: Win, lang: str) -> str | None:
    p = win.evidence.p_value
    if p is None:
        return None
    shown = (
        t("publish.p_below", lang, p=fmt_number(P_SMALLEST, lang, 3))
        if p < P_SMALLEST
        else fmt_number(p, lang, 3)
    )
    return t("publish.p_value", lang, p=shown)


def tile_value(tile: Tile, value: float | None, lang: str) -> str:
    """A headline number as the overview's tiles show it."""
    if tile.key in {"lead_time_p50", "lead_time_p85", "cycle_time_p50"}:
        return fmt_days(value, lang)
    return fmt_number(value, lang, 1)


def tile_change(tile: Tile, lang: str) -> str:
    return fmt_delta_pct(tile.change_pct, lang)
