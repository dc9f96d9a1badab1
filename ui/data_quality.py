"""Cached warehouse-level queries and the small formatting the Data page needs.

The team-level findings go through `ui.data.call` (cached per team); the source-level ones take
the warehouse connection and are cached here, keyed by the warehouse file's identity (`view.db`),
so a swapped-in warehouse refreshes them.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from config import Team
from i18n import t
from i18n.formats import MISSING, fmt_date
from metrics import quality
from ui.app import View, connection


@st.cache_data(max_entries=8, show_spinner=False)
def _sources(db: tuple[str, int]) -> pd.DataFrame:
    return quality.sources(connection(*db))


@st.cache_data(max_entries=8, show_spinner=False)
def _table_counts(db: tuple[str, int]) -> pd.DataFrame:
    return quality.table_counts(connection(*db))


def sources(view: View) -> pd.DataFrame:
    """One row per source in the config or in the warehouse, config order first:
    [source, type, flavour, url, last_sync_at, watermark, demo]; a configured source that was
    never synced has no last_sync_at."""
    synced = _sources(view.db)
    configured = pd.DataFrame(
        {
            "source": list(view.cfg.sources),
            "url": [s.url for s in view.cfg.sources.values()],
            "configured_type": [s.type for s in view.cfg.sources.values()],
        }
    )
    rows = configured.merge(synced, on="source", how="outer", sort=False)
    rows["type"] = rows["type"].fillna(rows["configured_type"])
    rows["demo"] = rows["demo"].astype("boolean").fillna(False).astype(bool)
    return rows.drop(columns="configured_type")


@st.cache_data(max_entries=16, show_spinner=False)
def _gitlab(
    db: tuple[str, int], team: Team, tz: str, as_of: datetime
) -> quality.GitlabQuality | None:
    return quality.gitlab_quality(connection(*db), team, tz, as_of)


def gitlab(view: View) -> quality.GitlabQuality | None:
    """The view's team's GitLab projects and warnings; None for a team without GitLab."""
    return _gitlab(view.db, view.team, view.cfg.timezone, view.as_of)


def table_counts(view: View) -> pd.DataFrame:
    """[table_name, layer, rows] of the raw and domain tables."""
    return _table_counts(view.db)


def fmt_datetime(moment: datetime | pd.Timestamp | None, tz: str, lang: str) -> str:
    """A moment in the team's time zone: "27 nov. 2026 om 17:00" (nl), "27 Nov 2026 at 17:00"."""
    if moment is None or pd.isna(moment):
        return MISSING
    local = pd.Timestamp(moment).tz_convert(ZoneInfo(tz))
    return t("data.datetime", lang, date=fmt_date(local, lang), time=f"{local:%H:%M}")


# What Markdown (and Streamlit's extensions: emoji shortcodes, LaTeX, colour directives) reads
# inside a line; names sit mid-sentence, so line-start markers such as "-" or "#" are harmless.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>~$:|])")


def plain(text: str) -> str:
    """Data (a status or source name from Jira) made safe to put in a message: Streamlit renders
    messages as Markdown, so its special characters are escaped and show as themselves."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def links(view: View, keys: pd.Series) -> pd.Series:
    """The Jira page of each item key of the view's team."""
    assert view.team.jira is not None
    return view.cfg.sources[view.team.jira.source].url + "/browse/" + keys.astype(str)


def gitlab_links(view: View, projects: pd.Series, iids: pd.Series | None = None) -> pd.Series:
    """The GitLab page of each project of the view's team, or of each merge request (`iids`)."""
    assert view.team.gitlab is not None
    base = view.cfg.sources[view.team.gitlab.source].url + "/" + projects.astype(str)
    return base if iids is None else base + "/-/merge_requests/" + iids.astype(str)
