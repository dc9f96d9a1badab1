"""`python -m koers sync`: every source the teams use, into a copy of the warehouse that is swapped
in only when all of it landed (ARCHITECTURE.md, "Rules of the house").

One sync at a time (`store.lock`); a failed or killed sync leaves the previous warehouse as it
was, and its watermarks with it, so the next run simply does the work again.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Any, TextIO

import duckdb

from config import Config, Source, Team
from connectors.gitlab import GitlabClient, GitlabResult, sync_team
from connectors.http import Budget, env_seconds
from connectors.jira import JiraClient, QueryResult, land_catalogue, sync_query
from connectors.measurements import UrlJob, UrlResult, read_all
from connectors.measurements import plan as plan_urls
from errors import KoersError
from store.lock import exclusive
from store.normalize import fingerprint, normalize
from store.sync_state import record_sync
from store.warehouse import update

BUDGET_ENV = "KOERS_SYNC_BUDGET"
DEFAULT_BUDGET = 4 * 3600.0  # seconds for a whole sync


@dataclass
class SyncSummary:
    sources: list[str] = field(default_factory=list)
    queries: list[QueryResult] = field(default_factory=list)
    gitlab: list[GitlabResult] = field(default_factory=list)  # GitLab (issue 5)
    measurements: list[UrlResult] = field(default_factory=list)  # indicators read from URLs
    seconds: float = 0.0

    @property
    def failures(self) -> list[UrlResult]:
        """Indicators whose URL failed: the sync landed the rest, then exits 1 naming these."""
        return [r for r in self.measurements if r.error is not None]

    def failure_text(self) -> str:
        n = len(self.failures)
        lines = [r.error.replace("\n", "\n  ") for r in self.failures if r.error]
        return (
            f"the measurements of {n} indicator{'s' * (n != 1)} could not be read from their URL "
            "(their files were left as they were; the rest of the sync landed):\n  "
            + "\n  ".join(lines)
        )

    @property
    def issues(self) -> int:
        return sum(q.issues for q in self.queries)

    @property
    def completed(self) -> int:
        return sum(q.completed for q in self.queries)

    @property
    def landed(self) -> int:
        return sum(q.landed for q in self.queries)

    @property
    def removed(self) -> int:  # issues, and GitLab's merge requests, deployments, … (full reads)
        return sum(q.removed for q in self.queries) + sum(r.removed for r in self.gitlab)

    def line(self, language: str = "en") -> str:
        n = lambda v: number(v, language)  # noqa: E731
        gitlab = ""
        if self.gitlab:  # GitLab (issue 5)
            gl = self.gitlab
            gitlab = (
                f"{n(sum(r.merge_requests for r in gl))} merge requests read "
                f"({n(sum(r.landed for r in gl))} new or changed), "
                f"{n(sum(r.deployments for r in gl))} deployments, "
                f"{n(sum(r.incidents for r in gl))} incidents, "
            )
        return (
            f"synced {n(len(self.sources))} source{'s' * (len(self.sources) != 1)}, "
            f"{n(len(self.queries))} team quer{'ies' if len(self.queries) != 1 else 'y'}: "
            f"{n(self.issues)} issues read ({n(self.landed)} new or changed), "
            f"{n(self.completed)} changelogs completed, "
            f"{n(self.removed)} removed, {gitlab}{self._urls_text(n)}"
            f"in {seconds(self.seconds, language)}"
        )

    def _urls_text(self, n: Callable[[int], str]) -> str:
        """ "3 indicators read from URLs (12 new measurements, 1 replaced, 1 failed), " """
        if not self.measurements:
            return ""
        merges = [r.merge for r in self.measurements if r.merge is not None]
        failed, count = len(self.failures), len(merges)
        added = sum(len(m.added) for m in merges)
        return (
            f"{n(count)} indicator{'s' * (count != 1)} read from URLs "
            f"({n(added)} new measurement{'s' * (added != 1)}, "
            f"{n(sum(len(m.replaced) for m in merges))} replaced"
            + (f", {n(failed)} failed" if failed else "")
            + "), "
        )


def sync(
    cfg: Config,
    team: str | None,
    full: bool,
    progress: Progress | None = None,
    *,
    budget: Budget | None = None,
) -> SyncSummary:
    """Sync the Jira and GitLab sources of `team` (or of every team) into the warehouse,
    atomically; then read the measurements of their indicators kept at a URL
    (`connectors.measurements`), each indicator on its own: see `SyncSummary.failures`."""
    started = time.monotonic()
    progress = progress or Progress(None)
    if cfg.demo:
        raise KoersError(
            f"{cfg.path} is the demo config: it has no real sources to sync. Write a koers.toml "
            "with your Jira (see docs/connect-jira.md and koers.example.toml), or point --config "
            "at one"
        )
    teams = [cfg.team(team)] if team else list(cfg.teams.values())
    url_jobs, url_failed = plan_urls(cfg.data_dir, teams)
    plan, gitlab_plan = _plan(cfg, teams, progress, urls=bool(url_jobs or url_failed))
    budget = budget or Budget(env_seconds(BUDGET_ENV, DEFAULT_BUDGET))
    # Credentials are read before anything is locked or copied: a missing variable fails fast.
    clients = {
        source.key: JiraClient(source, budget, fallback_timezone=cfg.timezone) for source in plan
    }
    gitlab_clients = {source.key: GitlabClient(source, budget) for source in gitlab_plan}
    summary = SyncSummary()
    if not plan and not gitlab_plan:  # only measurement URLs: the warehouse stays as it is
        _sync_measurements(cfg, url_jobs, url_failed, budget, progress, summary)
        summary.seconds = time.monotonic() - started
        return summary
    with exclusive(cfg.database), update(cfg.database) as con:
        changed = False
        for source, source_teams in plan.items():
            client = clients[source.key]
            fetched_at = datetime.now(UTC)
            cat = client.catalogue()
            changed |= land_catalogue(con, source.key, fetched_at, cat)
            for t in source_teams:
                bar = progress.bar(f"{source.key} · {t.key}")
                result = sync_query(con, client, cat, t, full=full, fetched_at=fetched_at, bar=bar)
                bar.close()
                summary.queries.append(result)
            low = con.execute(
                "SELECT min(watermark) FROM sync_watermarks WHERE source = ?", [source.key]
            ).fetchall()[0][0]
            record_sync(con, source.key, "jira", cat.flavour, fetched_at, watermark=low)
            summary.sources.append(source.key)
        changed |= _sync_gitlab(con, gitlab_plan, gitlab_clients, full, progress, summary)
        changed |= any(q.landed or q.removed or q.completed for q in summary.queries)
        # The domain tables are a function of the raw layer alone: with nothing new, and derived
        # by this Koers's normalize SQL, they are already what normalize would make them.
        if changed or not _normalized_by_this_version(con):
            progress.note("normalizing")
            normalize(con)
    # after the swap: a measurement file is people's input, not the warehouse (team_lock)
    _sync_measurements(cfg, url_jobs, url_failed, budget, progress, summary)
    summary.seconds = time.monotonic() - started
    return summary


def _sync_measurements(
    cfg: Config,
    jobs: list[UrlJob],
    failed: list[UrlResult],
    budget: Budget,
    progress: Progress,
    summary: SyncSummary,
) -> None:
    """Read every URL indicator, one line each on stderr; failures are collected, not raised."""
    for result in chain(failed, read_all(cfg.data_dir, jobs, budget)):  # a line as each lands
        progress.note(result.line())
        summary.measurements.append(result)


def _normalized_by_this_version(con: Any) -> bool:
    try:
        rows = con.execute("SELECT value FROM build_info WHERE key = 'normalize'").fetchall()
    except duckdb.Error:
        return False
    return rows == [(fingerprint(),)]


def _plan(
    cfg: Config, teams: list[Team], progress: Progress, urls: bool = False
) -> tuple[dict[Source, list[Team]], dict[Source, list[Team]]]:
    """The Jira and the GitLab sources to read, each with the teams that use it, in config
    order. `urls`: some indicator is read from a URL, so there is something to sync anyway."""
    plan: dict[Source, list[Team]] = {}
    gitlab_plan: dict[Source, list[Team]] = {}
    for t in teams:
        if t.jira is not None:
            plan.setdefault(cfg.sources[t.jira.source], []).append(t)
        if t.gitlab is not None:
            gitlab_plan.setdefault(cfg.sources[t.gitlab.source], []).append(t)
    if not plan and not gitlab_plan and not urls:
        which = (
            f"team {teams[0].key} has no jira query ([teams.{teams[0].key}] jira = …)"
            if len(teams) == 1
            else "no team has a jira query"
        )
        raise KoersError(f"{cfg.path}: nothing to sync: {which}")
    return plan, gitlab_plan


# --- GitLab (issue 5) -----------------------------------------------------------------------


def _sync_gitlab(
    con: Any,
    gitlab_plan: dict[Source, list[Team]],
    clients: dict[str, GitlabClient],
    full: bool,
    progress: Progress,
    summary: SyncSummary,
) -> bool:
    """Sync every GitLab source's teams; returns whether anything landed or was removed."""
    changed = False
    for source, source_teams in gitlab_plan.items():
        client = clients[source.key]
        fetched_at = datetime.now(UTC)
        for t in source_teams:
            bar = progress.bar(f"{source.key} · {t.key}", unit="merge requests")
            result = sync_team(con, client, t, full=full, fetched_at=fetched_at, bar=bar)
            bar.close()
            summary.gitlab.append(result)
            changed |= bool(
                result.landed or result.deployments or result.incidents or result.removed
            )
        low = con.execute(
            "SELECT min(watermark) FROM sync_watermarks WHERE source = ?", [source.key]
        ).fetchall()[0][0]
        record_sync(con, source.key, "gitlab", None, fetched_at, watermark=low)
        summary.sources.append(source.key)
    return changed


# --- progress on stderr ---------------------------------------------------------------------


class Progress:
    """Draws one bar per team query on `stream`: redrawn in place on a terminal, otherwise a
    line every few seconds. `Progress(None)` is silent."""

    def __init__(
        self,
        stream: TextIO | None = sys.stderr,
        language: str = "en",
        every: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.language = language
        self.every = every
        self.clock = clock
        self.tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())

    def bar(self, label: str, unit: str = "issues") -> _Bar:
        return _Bar(self, label, unit)

    def note(self, text: str) -> None:
        self.write(f"koers: {text}\n")

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()


class _Bar:
    WIDTH = 24

    def __init__(self, owner: Progress, label: str, unit: str = "issues") -> None:
        self.owner = owner
        self.label = label
        self.unit = unit
        self.done = 0
        self.total: int | None = None
        self.drawn_at: float | None = None
        self.shown = ""

    def update(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        now = self.owner.clock()
        if self.drawn_at is None:
            self.drawn_at = now
            if not self.owner.tty:
                return  # a log gets a line every few seconds, not one per query start
        elif now - self.drawn_at < (0.1 if self.owner.tty else self.owner.every):
            return
        self._draw()
        self.drawn_at = now

    def note(self, text: str) -> None:
        if self.owner.tty and self.shown:
            self.owner.write("\n")
            self.shown = ""
        self.owner.note(f"{self.label}: {text}")

    def close(self) -> None:
        self._draw()
        if self.owner.tty:
            self.owner.write("\n")
        self.shown = ""

    def render(self) -> str:
        lang = self.owner.language
        if self.total:
            share = min(self.done / self.total, 1.0)
            filled = round(share * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            return (
                f"{self.label}  {number(self.done, lang)}/{number(self.total, lang)} "
                f"{self.unit} [{bar}]"
            )
        return f"{self.label}  {number(self.done, lang)} {self.unit}"

    def _draw(self) -> None:
        text = self.render()
        if self.owner.tty:
            pad = " " * max(0, len(self.shown) - len(text))
            self.owner.write("\r" + text + pad)
        elif text != self.shown:
            self.owner.write(text + "\n")
        self.shown = text


def number(value: int, language: str) -> str:
    text = f"{value:,}"
    return text.replace(",", ".") if language == "nl" else text


def seconds(value: float, language: str) -> str:
    text = f"{value:.1f} s"
    return text.replace(".", ",") if language == "nl" else text
