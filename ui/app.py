"""What every page shares: the config, the warehouse, the sidebar's choices and cached metrics.

The dashboard only reads. The warehouse is attached read-only and keyed by its file's identity,
so a sync that swaps in a new file is noticed on the next rerun and every cache refreshes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import streamlit as st

import config
from config import Config, Team
from i18n import LANGUAGES, t
from metrics.flow import Period
from store.ready import ensure_ready
from store.warehouse import connect_read

VIEW_KEY = "koers_view"
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


def load_config() -> Config:
    """The config in effect, re-read only when its file changes."""
    path = config.config_path()
    return _load_config(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_config(path: str, mtime: int) -> Config:
    return config.load(path)


def warehouse_identity(cfg: Config) -> tuple[str, int]:
    """Build the demo warehouse on first use, then identify the current file (path, mtime)."""
    path = cfg.database
    if not path.exists():
        with st.spinner(t("app.loading", cfg.language)):
            ensure_ready(cfg)
    else:
        ensure_ready(cfg)
    stat = os.stat(path)
    return str(path), stat.st_mtime_ns ^ stat.st_ino


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


def sidebar(cfg: Config) -> tuple[str, str]:
    """Team and language pickers, kept in the URL (`team`, `lang`) so a link reproduces a view."""
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
    return team, lang


def url_select(
    label: str, options: tuple[str, ...], key: str, default: str, label_of: Callable[[str], str]
) -> str:
    """A sidebar select whose value is also the query parameter `key`.

    Streamlit's own `bind="query-params"` writes the formatted label into the URL, which would
    make links depend on the language; this keeps the stable option key there instead.
    """
    if key not in st.session_state:
        wanted = st.query_params.get(key)
        st.session_state[key] = wanted if wanted in options else default
    value = st.sidebar.selectbox(label, options, format_func=label_of, key=key)
    st.query_params[key] = value
    return value


def _team_label(team: Team, lang: str) -> str:
    return f"{team.name} ({t('app.pilot_badge', lang)})" if team.pilot_start else team.name


def set_view(view: View) -> None:
    st.session_state[VIEW_KEY] = view


def current_view() -> View:
    """The view that `dashboard.py` prepared for this run."""
    return st.session_state[VIEW_KEY]


def fail(message: str, lang: str) -> None:
    st.error(t("app.error", lang, message=message), icon="⚠️")
    st.stop()
