"""What the Wins page and the presenter view share: the detected wins (cached per warehouse and
outcome files), the team's choices, and the evidence told in words.

Detection runs in `metrics.wins`; this only caches, combines and formats. Team text (sentences,
quotes) is data: show it with `st.text` or `plain()`-escaped Markdown, never as HTML.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_delta_pct, fmt_int, fmt_number
from metrics.wins import Win, detect
from outcomes.curation import CuratedWin, curated, load_curation, wins_path
from outcomes.store import team_dir
from store import warehouse
from ui.app import View, connection, load_config
from ui.charts_wins import evidence_chart, value_text

# How an evidence's sample sizes read, per measure (METRICS.md section 5: items, weeks or
# measurements, per the rule).
SAMPLE_TEXTS = {
    "lead_time_p50": "wins.ev_n_items",
    "cycle_time_p85": "wins.ev_n_items",
    "throughput_weekly_median": "wins.ev_n_weeks",
    "deployments_per_week": "wins.ev_n_weeks",
    "indicator": "wins.ev_n_measurements",
}
# Every ASCII punctuation character may be backslash-escaped in Markdown.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
PRESENT_PATH = "presenteren"  # the presenter view's URL path in ui.app.PAGES


def plain(text: str) -> str:
    """Text made safe for a Markdown element: every Markdown character escaped."""
    return _PUNCTUATION.sub(r"\\\1", str(text))


def _inputs(data_dir: Path, team: str) -> tuple[tuple[str, int], ...]:
    """The team's outcome files (indicators, measurements, hypotheses) and their change times:
    detection reads them, so a saved measurement must refresh the cached wins. The wins file
    itself is left out: curation never changes what is detected."""
    folder = team_dir(data_dir, team)
    if not folder.is_dir():
        return ()
    skip = {wins_path(data_dir, team), folder / ".lock"}
    return tuple(
        sorted(
            (str(p.relative_to(folder)), p.stat().st_mtime_ns)
            for p in folder.rglob("*")
            if p.is_file() and p not in skip and not p.name.startswith(".")
        )
    )


def detected(view: View) -> list[Win]:
    """Every win the data supports for the view's team at `as_of`, newest first (cached)."""
    inputs = _inputs(view.cfg.data_dir, view.team.key)
    # the first run after a start or a sync takes a second or two: say what is happening
    with st.spinner(t("wins.detecting", view.lang)):
        return list(_detect(view.db, view.team.key, view.as_of, inputs))


@st.cache_data(max_entries=16, show_spinner=False)
def _detect(
    db: tuple[str, int], team_key: str, as_of: datetime, inputs: tuple[tuple[str, int], ...]
) -> tuple[Win, ...]:
    cursor = warehouse.cursor(connection(*db))  # one per call: sessions run in own threads
    try:
        return tuple(detect(cursor, load_config(), team_key, as_of))
    finally:
        cursor.close()


def all_wins(view: View) -> list[CuratedWin]:
    """The detected wins with the team's choices, hidden ones included, pinned ones first.
    Raises `OutcomesError` when the choices file is broken."""
    return curated(
        detected(view), load_curation(view.cfg.data_dir, view.team.key), include_hidden=True
    )


def present_url(view: View, win_id: str) -> str:
    """The presenter view's link for one win, relative to the current page (same app)."""
    query = {"team": view.team.key, "lang": view.lang, "win": win_id}
    return f"{PRESENT_PATH}?{urlencode(query)}"


def with_unit(value: float, unit: str, lang: str) -> str:
    """An indicator's value with its unit: "65 %" (nl), "65%" (en), "24 dagen"."""
    number = value_text(value, lang)
    if unit == "%":
        return f"{number} %" if lang == "nl" else f"{number}%"
    return f"{number} {unit}".strip()


def _span(period: tuple, lang: str) -> str:
    start, end = period  # half-open [start, end): the last day is the one before `end`
    return t("wins.span", lang, start=fmt_date(start, lang), end=fmt_date(end - timedelta(1), lang))


def p_value_words(p: float, lang: str) -> str:
    """A Mann–Whitney p-value in words: how rare a difference this large would be by chance."""
    for limit, odds in ((0.001, 1000), (0.01, 100), (0.05, 20)):
        if p < limit:
            return t("wins.p_below", lang, p=_p(limit, lang), odds=fmt_int(odds, lang))
    return t("wins.p_above", lang, p=_p(p, lang))


def _p(p: float, lang: str) -> str:
    return fmt_number(p, lang, 3)


def evidence_lines(win: Win, lang: str) -> list[str]:
    """The evidence in short sentences: before → after, sample sizes, periods, the test."""
    ev, extra = win.evidence, win.evidence.extra
    lines = []
    label = win.y_title(lang) or t(f"wins.rule_{win.rule}", lang)
    record = ev.measure == "throughput_week"
    if ev.before is not None and ev.after is not None:
        key = "wins.ev_record" if record else "wins.ev_change"
        lines.append(
            t(
                key if ev.change_pct is not None else f"{key}_no_pct",
                lang,
                measure=label,
                before=value_text(ev.before, lang),
                after=value_text(ev.after, lang),
                change=fmt_delta_pct(ev.change_pct, lang),
            )
        )
    if ev.n_before is not None and ev.n_after is not None and ev.measure in SAMPLE_TEXTS:
        n_before, n_after = fmt_int(ev.n_before, lang), fmt_int(ev.n_after, lang)
        lines.append(t(SAMPLE_TEXTS[ev.measure], lang, before=n_before, after=n_after))
    elif record and ev.n_before is not None:
        lines.append(t("wins.ev_n_record", lang, n=fmt_int(ev.n_before, lang)))
    elif ev.measure == "deploy_streak_weeks" and ev.n_after is not None:
        lines.append(t("wins.ev_n_streak", lang, n=fmt_int(ev.n_after, lang)))
    periods = []
    names = {
        "throughput_week": ("wins.ev_before_record", "wins.ev_after_record"),
        "deploy_streak_weeks": ("wins.ev_before_period", "wins.ev_after_streak"),
    }.get(ev.measure, ("wins.ev_before_period", "wins.ev_after_period"))
    for name, period in zip(names, (ev.before_period, ev.after_period), strict=True):
        if period is not None:
            periods.append(t(name, lang, span=_span(period, lang)))
    if periods:
        lines.append(" ".join(periods))
    if ev.measure == "indicator" and "baseline_date" in extra and "current_date" in extra:
        lines.append(
            t(
                "wins.ev_indicator_dates",
                lang,
                baseline=fmt_date(extra["baseline_date"], lang),
                current=fmt_date(extra["current_date"], lang),
            )
        )
    if (
        ev.measure == "indicator"
        and extra.get("target_reached")
        and extra.get("target") is not None
    ):
        target = with_unit(extra["target"], str(extra.get("unit", "")), lang)
        lines.append(t("wins.ev_target_reached", lang, target=target))
    if ev.measure == "hypothesis" and {"expected_change", "by"} <= set(extra):
        change = float(extra["expected_change"])
        lines.append(
            t(
                "wins.ev_hypothesis",
                lang,
                expected=("+" if change > 0 else "") + value_text(change, lang),
                by=fmt_date(extra["by"], lang),
                before=value_text(extra.get("baseline"), lang),
                after=value_text(extra.get("current"), lang),
            )
        )
    if ev.measure == "first_deployment" and "deployments_to_date" in extra:
        lines.append(t("wins.ev_first", lang, n=fmt_int(extra["deployments_to_date"], lang)))
    if ev.p_value is not None:
        lines.append(p_value_words(ev.p_value, lang))
    lines.append(t("wins.ev_date", lang, date=fmt_date(win.date, lang)))
    return lines


def zip_files(files: dict[str, bytes]) -> bytes:
    """The report's files as one zip (relative paths kept, in a stable order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def chart_spec(win: Win, lang: str, *, height: int, large: bool = False) -> dict:
    """The evidence chart's Vega-Lite spec for `st.vega_lite_chart`, cached: building and
    serialising a dozen Altair charts takes seconds, a cached spec nothing."""
    return _chart_spec(win, lang, height, large)


@st.cache_data(max_entries=256, show_spinner=False)
def _chart_spec(win: Win, lang: str, height: int, large: bool) -> dict:
    chart = evidence_chart(win, lang, width="container", height=height, large=large)
    return chart.to_dict()
