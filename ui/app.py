"""What every page shares: the config, the warehouse, the sidebar's choices and cached metrics.

The dashboard only reads. The warehouse is attached read-only and keyed by its file's identity,
so a sync that swaps in a new file is noticed on the next rerun and every cache refreshes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import streamlit as st

import config
from config import Config, Team
from errors import KoersError
from i18n import LANGUAGES, t
from i18n.formats import fmt_date
from metrics.flow import Period
from store.ready import ensure_ready
from store.warehouse import connect_read

# (script, i18n key under nav., icon, URL path). The URL paths are Dutch and never translated,
# so a link works in either language. The folder is app_pages/, not pages/: Streamlit would
# auto-discover a pages/ folder and, on the first visit after a restart, run a deep-linked page
# without this navigation. Material icons ship with Streamlit; emoji need a font many lack.
PAGES = [
    ("app_pages/overview.py", "overview", ":material/explore:", ""),
    ("app_pages/outcomes.py", "outcomes", ":material/flag:", "uitkomsten"),
    ("app_pages/wins.py", "wins", ":material/emoji_events:", "successen"),
    ("app_pages/present.py", "present", ":material/slideshow:", "presenteren"),
    ("app_pages/flow.py", "flow", ":material/timeline:", "doorstroom"),
    ("app_pages/bottlenecks.py", "bottlenecks", ":material/hourglass_top:", "knelpunten"),
    ("app_pages/forecast.py", "forecast", ":material/event_upcoming:", "voorspelling"),
    ("app_pages/delivery.py", "delivery", ":material/rocket_launch:", "levering"),
    ("app_pages/teams.py", "teams", ":material/groups:", "teams"),
    ("app_pages/data.py", "data", ":material/database:", "gegevens"),
]
WEEK_CHOICES = ("4w", "8w", "12w", "26w", "52w")
DEFAULT_PERIOD = "12w"  # METRICS.md: the last 12 full ISO weeks plus the current week
STYLE = Path(__file__).with_name("style.css")
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


@dataclass(frozen=True)
class View:
    """The choices of this script run: which team, language, moment and period."""

    cfg: Config
    team: Team
    lang: str
    as_of: datetime
    period: Period
    db: tuple[str, int]  # the warehouse file and its identity: the cache key for every query

    @property
    def today(self) -> date:
        """The day of `as_of` in the configured time zone (the demo's frozen day, say)."""
        return self.as_of.astimezone(ZoneInfo(self.cfg.timezone)).date()

    @property
    def last_day(self) -> date:
        """The period's last day that has begun at `as_of` (today for a current period)."""
        return min(self.period.last_day, self.today)


def load_config() -> Config:
    """The config in effect, re-read only when its file changes."""
    path = config.config_path()
    return _load_config(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_config(path: str, mtime: int) -> Config:
    return config.load(path)


def warehouse_identity(cfg: Config) -> tuple[str, int]:
    """Build the demo warehouse on first use, then identify what every cached figure depends
    on: the warehouse file (a sync swaps in a new one) and the config file (a changed workflow
    or `incident_types` changes the figures too)."""
    path = cfg.database
    if not path.exists():
        with st.spinner(t("app.loading", cfg.language)):
            ensure_ready(cfg)
    else:
        ensure_ready(cfg)
    stat = os.stat(path)
    cfg_path = config.config_path()
    cfg_mtime = cfg_path.stat().st_mtime_ns if cfg_path.exists() else 0
    return str(path), hash((stat.st_mtime_ns, stat.st_ino, str(cfg_path), cfg_mtime))


@st.cache_resource(max_entries=2, show_spinner=False)
def connection(path: str, identity: int) -> duckdb.DuckDBPyConnection:
    """One read-only connection per warehouse file; a swapped file gets a new one."""
    return connect_read(Path(path))


def default_team(cfg: Config) -> str:
    """The pilot team first: that is whose story the dashboard tells."""
    pilots = [key for key, team in cfg.teams.items() if team.pilot_start is not None]
    return (pilots or list(cfg.teams))[0]


def dashboard_now(cfg: Config) -> datetime:
    """`as_of` for the dashboard: the frozen demo clock, or now to the minute (so caches hold)."""
    if cfg.as_of is not None:
        return cfg.as_of
    return datetime.now(UTC).replace(second=0, microsecond=0)


def sidebar(cfg: Config, as_of: datetime) -> tuple[str, str, Period]:
    """Team, period and language pickers, kept in the URL (`team`, `period`, `lang`) so that a
    link reproduces the view exactly."""
    lang = url_select(
        "Taal / Language", LANGUAGES, "lang", cfg.language, LANGUAGE_NAMES.__getitem__
    )
    team = url_select(
        t("app.team", lang),
        tuple(cfg.teams),
        "team",
        default_team(cfg),
        lambda key: _team_label(cfg.teams[key], lang),
    )
    return team, lang, period_select(cfg.team(team), cfg.timezone, as_of, lang)


def period_select(team: Team, tz: str, as_of: datetime, lang: str) -> Period:
    """Last 4/8/12/26/52 weeks, since the pilot's start, or a custom range of days.

    In the URL: `period=12w`, `period=pilot` or `period=2026-01-05..2026-03-01` (both days
    included)."""
    choices = [*WEEK_CHOICES, *(["pilot"] if team.pilot_start else []), "custom"]
    wanted = _remembered("period") or st.query_params.get("period", DEFAULT_PERIOD)
    custom = _parse_range(wanted)
    current = st.session_state.get("period") or ("custom" if custom else wanted)
    # as in url_select: set every run; "pilot" falls back for a team without a pilot start
    st.session_state["period"] = current if current in choices else DEFAULT_PERIOD
    choice = st.sidebar.selectbox(
        t("app.period", lang),
        choices,
        key="period",
        format_func=lambda c: t(f"app.period_{c}", lang),
    )
    if choice in WEEK_CHOICES:
        period = Period.last_weeks(as_of, tz, int(choice.removesuffix("w")))
    elif choice == "pilot":
        assert team.pilot_start is not None
        period = Period.since(team.pilot_start, as_of, tz)
    else:
        default = custom or Period.default(as_of, tz)
        picked = st.sidebar.date_input(
            t("app.period_range", lang),
            (default.start, default.last_day),
            format="DD-MM-YYYY",
            key="period_range",
        )
        if not isinstance(picked, tuple) or len(picked) != 2:  # still choosing the end
            picked = (default.start, default.last_day)
        period = Period(picked[0], picked[1] + timedelta(days=1))
    shown = choice if choice != "custom" else f"{period.start}..{period.last_day}"
    _remember("period", shown)
    st.query_params["period"] = shown
    return period


def _parse_range(text: str) -> Period | None:
    try:
        first, last = (date.fromisoformat(part) for part in text.split(".."))
    except ValueError:
        return None
    return Period(first, last + timedelta(days=1)) if last >= first else None


def url_select(
    label: str, options: tuple[str, ...], key: str, default: str, label_of: Callable[[str], str]
) -> str:
    """A sidebar select whose value is also the query parameter `key`.

    Streamlit's own `bind="query-params"` writes the formatted label into the URL, which would
    make links depend on the language; this keeps the stable option key there instead.
    """
    wanted = st.session_state.get(key) or _remembered(key) or st.query_params.get(key)
    # Set explicitly every run: a page's widget is a new widget on the next page, which would
    # otherwise start from its first option.
    st.session_state[key] = wanted if wanted in options else default
    value = st.sidebar.selectbox(label, options, format_func=label_of, key=key)
    _remember(key, value)
    st.query_params[key] = value
    return value


def _remembered(key: str) -> Any:
    # Streamlit forgets a widget's value when another page is opened (its widgets are other
    # widgets) and the navigation drops the query string: keep the choice beside the widget.
    return st.session_state.get(f"_kept_{key}")


def _remember(key: str, value: Any) -> None:
    st.session_state[f"_kept_{key}"] = value


def _team_label(team: Team, lang: str) -> str:
    return f"{team.name} ({t('app.pilot_badge', lang)})" if team.pilot_start else team.name


def chosen_language(cfg: Config | None) -> str:
    """The language of this run, before the sidebar is drawn (navigation titles need it)."""
    default = cfg.language if cfg else LANGUAGES[0]
    lang = st.session_state.get("lang") or st.query_params.get("lang") or default
    return lang if lang in LANGUAGES else default


def page_view() -> View:
    """Everything a page needs, set up by the page itself: config, warehouse, sidebar, banner.

    Pages do this themselves rather than relying on `dashboard.py`, because Streamlit's AppTest
    runs a page script on its own when it switches pages or reruns.
    """
    st.html(STYLE)
    try:
        cfg = load_config()
        db = warehouse_identity(cfg)
    except KoersError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    as_of = dashboard_now(cfg)
    team_key, lang, period = sidebar(cfg, as_of)
    # Streamlit serves <html lang="en">; screen readers need the page's real language (WCAG
    # 3.1.1). Fixed text: `lang` is one of two known codes, never user data.
    st.html(
        f"<script>document.documentElement.lang = '{lang}';</script>",
        unsafe_allow_javascript=True,
    )
    st.sidebar.caption(t("app.tagline", lang))
    if cfg.demo:
        st.info(t("app.demo_banner", lang, date=fmt_date(as_of, lang)), icon=":material/info:")
    return View(cfg, cfg.team(team_key), lang, as_of, period, db)
