"""Load and validate the Koers TOML configuration (ARCHITECTURE.md, "Configuration").

Every mistake becomes one `ConfigError` that names the file, the key and what was expected, so the
CLI and the dashboard can show a single clear line instead of a traceback.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from errors import KoersError

REPO_ROOT = Path(__file__).resolve().parent
DEMO_CONFIG = REPO_ROOT / "koers.demo.toml"
DEFAULT_DISCARD = ("Won't Do", "Duplicate", "Cannot Reproduce")
SOURCE_TYPES = ("jira", "gitlab")
LANGUAGES = ("nl", "en")


class ConfigError(KoersError):
    """A configuration mistake, worded for the person who edits the file."""


@dataclass(frozen=True)
class Source:
    key: str
    type: str
    url: str
    token_env: str | None = None
    email_env: str | None = None


@dataclass(frozen=True)
class Workflow:
    """The team's status → stage mapping; names are matched case-insensitively."""

    backlog: tuple[str, ...] = ()
    in_progress: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    discard_resolutions: tuple[str, ...] = DEFAULT_DISCARD


@dataclass(frozen=True)
class JiraQuery:
    source: str
    jql: str


@dataclass(frozen=True)
class GitlabProjects:
    source: str
    projects: tuple[str, ...]
    production_environment: str | None = None


@dataclass(frozen=True)
class WinThresholds:
    """When a rule of METRICS.md §5 finds a win: its defaults, changed per team in the optional
    `[teams.KEY.wins]` table (`metrics.wins` says how each is used)."""

    min_change: float = 0.20  # lead time, p85 cycle time, weekly throughput: at least 20 % better
    min_items: int = 10  # items done in each period (lead and cycle time)
    max_p_value: float = 0.05  # Mann–Whitney U on lead times: p below this
    deploy_factor: float = 2.0  # deployments per week: at least this many times the baseline's
    streak_weeks: int = 4  # weeks in a row with a production deployment
    outcome_change: float = 0.10  # an indicator's change_pct in the good direction
    record_min_weeks: int = 8  # weeks of history before a record week
    recent_weeks: int = 8  # "the last 8 weeks" that are compared with the baseline


# key → (integer?, lowest, highest, what to write): the bounds keep a threshold meaningful.
WIN_LIMITS: dict[str, tuple[bool, float, float, str]] = {
    "min_change": (False, 0.01, 1.0, "a fraction from 0.01 to 1, like 0.20 for 20 %"),
    "min_items": (True, 2, 1000, "a whole number of items from 2 to 1000"),
    "max_p_value": (False, 0.001, 0.5, "a p-value from 0.001 to 0.5, like 0.05"),
    "deploy_factor": (False, 1.1, 100.0, "a factor from 1.1 to 100, like 2.0"),
    "streak_weeks": (True, 2, 104, "a whole number of weeks from 2 to 104"),
    "outcome_change": (False, 0.01, 1.0, "a fraction from 0.01 to 1, like 0.10 for 10 %"),
    "record_min_weeks": (True, 1, 520, "a whole number of weeks from 1 to 520"),
    "recent_weeks": (True, 1, 52, "a whole number of weeks from 1 to 52"),
}


@dataclass(frozen=True)
class Team:
    key: str
    name: str
    pilot_start: date | None = None
    baseline_weeks: int = 12
    jira: JiraQuery | None = None
    gitlab: GitlabProjects | None = None
    incident_types: tuple[str, ...] = ()
    workflow: Workflow = field(default_factory=Workflow)
    wins: WinThresholds = field(default_factory=WinThresholds)


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    timezone: str = "Europe/Amsterdam"
    language: str = "nl"
    demo: bool = False
    as_of: datetime | None = None
    sources: dict[str, Source] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)

    def team(self, key: str) -> Team:
        """The team named `key`, or a clear error listing the teams that exist."""
        if key not in self.teams:
            known = ", ".join(sorted(self.teams)) or "none"
            raise ConfigError(f"{self.path}: unknown team '{key}' (known teams: {known})")
        return self.teams[key]

    @property
    def data_dir(self) -> Path:
        """Where people's input and the warehouse live."""
        return self.database.parent

    def now(self) -> datetime:
        """The default `as_of`: the frozen demo clock if configured, else the real now."""
        return self.as_of or datetime.now(UTC)


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--config`, else `KOERS_CONFIG`, else `./koers.toml`, else the committed demo config."""
    if explicit:
        return Path(explicit)
    if os.environ.get("KOERS_CONFIG"):
        return Path(os.environ["KOERS_CONFIG"])
    local = Path.cwd() / "koers.toml"
    return local if local.exists() else DEMO_CONFIG


def load(explicit: str | os.PathLike[str] | None = None) -> Config:
    path = config_path(explicit)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return parse(raw, path)


def parse(raw: dict[str, Any], path: Path) -> Config:
    """Validate a parsed TOML document; `path` is used for messages and relative paths."""
    check = Checker(path)
    check.keys(raw, "", {"koers", "sources", "teams"})
    koers = check.table(raw, "koers", required=False)
    check.keys(koers, "koers", {"database", "timezone", "language", "demo", "as_of"})

    tz = check.string(koers, "koers.timezone", default="Europe/Amsterdam")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("koers.timezone", f"a time zone name such as Europe/Amsterdam, got '{tz}'")
    language = check.string(koers, "koers.language", default="nl")
    if language not in LANGUAGES:
        check.fail("koers.language", f"one of {', '.join(LANGUAGES)}, got '{language}'")
    database = Path(check.string(koers, "koers.database", default="data/koers.duckdb"))
    if not database.is_absolute():
        database = path.parent / database
    as_of = koers.get("as_of")
    if as_of is not None and not (isinstance(as_of, datetime) and as_of.tzinfo):
        check.fail("koers.as_of", "a date-time with an offset, like 2026-11-27T17:00:00+01:00")

    sources = {
        key: _source(check, key, value)
        for key, value in check.table(raw, "sources", required=False).items()
    }
    teams_raw = check.table(raw, "teams", required=True)
    if not teams_raw:
        check.fail("teams", "at least one [teams.KEY] table")
    teams = {key: _team(check, key, value, sources) for key, value in teams_raw.items()}
    return Config(
        path=path,
        database=database,
        timezone=tz,
        language=language,
        demo=check.boolean(koers, "koers.demo", default=False),
        as_of=as_of,
        sources=sources,
        teams=teams,
    )


def _source(check: Checker, key: str, value: Any) -> Source:
    where = f"sources.{key}"
    table = check.as_table(value, where)
    check.keys(table, where, {"type", "url", "token_env", "email_env"})
    kind = check.string(table, f"{where}.type")
    if kind not in SOURCE_TYPES:
        check.fail(f"{where}.type", f"one of {', '.join(SOURCE_TYPES)}, got '{kind}'")
    url = check.string(table, f"{where}.url")
    if not url.startswith(("https://", "http://")):
        check.fail(f"{where}.url", f"an http(s) URL, got '{url}'")
    return Source(
        key=key,
        type=kind,
        url=url.rstrip("/"),
        token_env=check.string(table, f"{where}.token_env", default=None),
        email_env=check.string(table, f"{where}.email_env", default=None),
    )


def _team(check: Checker, key: str, value: Any, sources: dict[str, Source]) -> Team:
    where = f"teams.{key}"
    table = check.as_table(value, where)
    check.keys(
        table,
        where,
        {
            "name",
            "pilot_start",
            "baseline_weeks",
            "jira",
            "gitlab",
            "incident_types",
            "workflow",
            "wins",
        },
    )
    pilot_start = table.get("pilot_start")
    if pilot_start is not None and (
        isinstance(pilot_start, datetime) or not isinstance(pilot_start, date)
    ):
        check.fail(f"{where}.pilot_start", f"a date like 2026-03-02, got {pilot_start!r}")
    baseline_weeks = table.get("baseline_weeks", 12)
    if (
        not isinstance(baseline_weeks, int)
        or isinstance(baseline_weeks, bool)
        or not (1 <= baseline_weeks <= 104)
    ):
        check.fail(
            f"{where}.baseline_weeks", f"a whole number of weeks (1–104), got {baseline_weeks!r}"
        )

    jira = None
    if "jira" in table:
        jt = check.as_table(table["jira"], f"{where}.jira")
        check.keys(jt, f"{where}.jira", {"source", "jql"})
        jira = JiraQuery(
            source=_source_ref(check, jt, f"{where}.jira", sources, "jira"),
            jql=check.string(jt, f"{where}.jira.jql"),
        )
    gitlab = None
    if "gitlab" in table:
        gt = check.as_table(table["gitlab"], f"{where}.gitlab")
        check.keys(gt, f"{where}.gitlab", {"source", "projects", "production_environment"})
        gitlab = GitlabProjects(
            source=_source_ref(check, gt, f"{where}.gitlab", sources, "gitlab"),
            projects=check.strings(gt, f"{where}.gitlab.projects"),
            production_environment=check.string(
                gt, f"{where}.gitlab.production_environment", default=None
            ),
        )
    return Team(
        key=key,
        name=check.string(table, f"{where}.name", default=key),
        pilot_start=pilot_start,
        baseline_weeks=baseline_weeks,
        jira=jira,
        gitlab=gitlab,
        incident_types=check.strings(table, f"{where}.incident_types", default=()),
        workflow=_workflow(check, table.get("workflow", {}), f"{where}.workflow"),
        wins=_wins(check, table.get("wins", {}), f"{where}.wins"),
    )


def _wins(check: Checker, value: Any, where: str) -> WinThresholds:
    """The optional `[teams.KEY.wins]` table: each threshold within `WIN_LIMITS`."""
    table = check.as_table(value, where)
    check.keys(table, where, set(WIN_LIMITS))
    values: dict[str, Any] = {}
    for key, (integer, low, high, expected) in WIN_LIMITS.items():
        if key not in table:
            continue
        number = table[key]
        kinds = (int,) if integer else (int, float)
        if isinstance(number, bool) or not isinstance(number, kinds) or not (low <= number <= high):
            check.fail(f"{where}.{key}", f"{expected}, got {number!r}")
        values[key] = number if integer else float(number)
    return WinThresholds(**values)


def _source_ref(
    check: Checker, table: dict[str, Any], where: str, sources: dict[str, Source], kind: str
) -> str:
    ref = check.string(table, f"{where}.source")
    if ref not in sources:
        known = ", ".join(sorted(sources)) or "none defined"
        check.fail(f"{where}.source", f"the name of a [sources.NAME] table ({known}), got '{ref}'")
    if sources[ref].type != kind:
        check.fail(
            f"{where}.source", f"a source of type '{kind}', but '{ref}' is '{sources[ref].type}'"
        )
    return ref


def _workflow(check: Checker, value: Any, where: str) -> Workflow:
    table = check.as_table(value, where)
    stages = ("backlog", "in_progress", "waiting", "done", "discard_resolutions")
    for key in table:
        if key not in stages:
            check.fail(
                f"{where}.{key}",
                f"a known status stage ({', '.join(stages)}); '{key}' is not one",
            )
    lists = {name: check.strings(table, f"{where}.{name}", default=None) for name in stages}
    seen: dict[str, str] = {}
    for stage in ("backlog", "in_progress", "done"):
        for status in lists[stage] or ():
            other = seen.setdefault(status.lower(), stage)
            if other != stage:
                check.fail(
                    f"{where}.{stage}",
                    f"each status in one stage only, but '{status}' is also in {other}",
                )
    for status in lists["waiting"] or ():
        if seen.get(status.lower()) not in (None, "in_progress"):
            check.fail(
                f"{where}.waiting",
                f"waiting statuses to be in progress, but '{status}' is in {seen[status.lower()]}",
            )
    return Workflow(
        backlog=lists["backlog"] or (),
        in_progress=lists["in_progress"] or (),
        waiting=lists["waiting"] or (),
        done=lists["done"] or (),
        discard_resolutions=(
            DEFAULT_DISCARD
            if lists["discard_resolutions"] is None
            else lists["discard_resolutions"]
        ),
    )


class Checker:
    """Small typed accessors for a parsed TOML file that raise one error naming file and key.

    Used for the config and for people's input files (outcomes), each with its own error type."""

    error: type[KoersError] = ConfigError

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, expected: str) -> None:
        raise self.error(f"{self.path}: {key}: expected {expected}")

    def keys(self, table: dict[str, Any], where: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                self.fail(
                    name, f"one of the known keys ({', '.join(sorted(allowed))}); unknown key"
                )

    def as_table(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, f"a table, got {type(value).__name__}")
        return value

    def table(self, raw: dict[str, Any], key: str, required: bool) -> dict[str, Any]:
        if key not in raw:
            if required:
                self.fail(key, f"a [{key}] table")
            return {}
        return self.as_table(raw[key], key)

    def string(self, table: dict[str, Any], where: str, default: Any = ...) -> Any:
        key = where.rsplit(".", 1)[-1]
        if key not in table:
            if default is ...:
                self.fail(where, "a value (required)")
            return default
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"a non-empty text, got {value!r}")
        return value

    def boolean(self, table: dict[str, Any], where: str, default: bool) -> bool:
        key = where.rsplit(".", 1)[-1]
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(where, f"true or false, got {value!r}")
        return value

    def strings(self, table: dict[str, Any], where: str, default: Any = ...) -> Any:
        key = where.rsplit(".", 1)[-1]
        if key not in table:
            if default is ...:
                self.fail(where, "a list of texts (required)")
            return default
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(where, f"a list of texts, got {value!r}")
        return tuple(value)
