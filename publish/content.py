"""What a public report may hold, gathered once: the team's name, its public wins with the
team's own words, and its headline aggregates. Nothing per item or per person gets in here,
so the HTML, the cards and the weeknote can only put out what this holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb

from config import Config
from errors import KoersError
from i18n.formats import normalize_lang
from metrics.flow import Period, TeamFlow
from metrics.overview import Tile, baseline_period, headline
from metrics.wins import Win, detect
from outcomes.curation import CuratedWin, curated, load_curation, public


class NothingToPublish(KoersError):
    """The team marked no win public: publishing would put out an empty report."""


@dataclass(frozen=True)
class PublicWin:
    """One win as it goes out: the evidence (aggregates) and the text the team chose."""

    win: Win
    sentence: str  # the team's wording, else the detected story
    quote: str = ""
    quote_by: str = ""

    @classmethod
    def of(cls, item: CuratedWin, lang: str) -> PublicWin:
        c = item.curation
        return cls(item.win, item.sentence(lang).strip(), c.quote.strip(), c.quote_by.strip())


@dataclass(frozen=True)
class Numbers:
    """The headline aggregates of the period against the baseline (metrics.overview)."""

    period: Period
    baseline: Period
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class Report:
    team_name: str
    lang: str
    day: date  # the day of `as_of` in the team's time zone
    wins: tuple[PublicWin, ...]
    numbers: Numbers | None = None  # None for a team without Jira work items


def gather(
    con: duckdb.DuckDBPyConnection, cfg: Config, team_key: str, as_of: datetime, lang: str
) -> Report:
    """The team's public report at `as_of`; NothingToPublish when no win is marked public."""
    team = cfg.team(team_key)
    lang = normalize_lang(lang)  # "en-GB" → "en": it is the page's lang attribute, too
    day = as_of.astimezone(ZoneInfo(cfg.timezone)).date()
    wins = detect(con, cfg, team.key, as_of)
    chosen = public(curated(wins, load_curation(cfg.data_dir, team.key)))
    if not chosen:
        # Refuse rather than write an empty report: it would replace a previous one for nothing,
        # and the likely cause is a forgotten step that one line can name.
        raise NothingToPublish(
            f"team '{team.key}' has no public wins on {day.isoformat()}: mark a win public on "
            "the Successen / Wins page first, then publish again"
        )
    return Report(
        team_name=team.name,
        lang=lang,
        day=day,
        wins=tuple(PublicWin.of(item, lang) for item in chosen),
        numbers=numbers(con, cfg, team_key, as_of),
    )


def numbers(
    con: duckdb.DuckDBPyConnection, cfg: Config, team_key: str, as_of: datetime
) -> Numbers | None:
    """The overview's headline tiles for the default period (the last 12 full weeks and this
    week, as on the dashboard's overview and in `report`) against the baseline period."""
    team = cfg.team(team_key)
    if team.jira is None:
        return None
    flow = TeamFlow(con, team, cfg.timezone, as_of)
    period = Period.default(as_of, cfg.timezone)
    baseline = baseline_period(team, as_of, cfg.timezone)
    return Numbers(period, baseline, tuple(headline(flow, period, baseline)))
