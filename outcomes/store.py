"""Outcome indicators and measurements as plain files (ARCHITECTURE.md, "People's input").

Layout, one folder per team under the data folder (`cfg.data_dir`):

    <data_dir>/outcomes/<team>/
        indicators.toml              what the team wants to change (METRICS.md section 4)
        measurements/<indicator>.csv  date,value,note — one row per date, sorted by date
        hypotheses.toml              work linked to an indicator, see below

`indicators.toml`, one table per indicator, in the order they are shown:

    [indicators.digital_take_up]
    name_nl = "Digitale aanvragen"
    name_en = "Digital take-up"
    unit = "%"                                   # e.g. "%", "dagen", "score"
    direction = "up"                             # "up" or "down": which way is better
    baseline = { value = 41.0, date = 2026-01-01 }
    target = { value = 70.0, date = 2026-12-31 }  # optional
    source = { kind = "csv" }                    # "manual", "csv" or "url", see below

A source `{ kind = "url", url = "https://…", token_env = "STATS_TOKEN" }` is read by `python -m
koers sync` (`connectors.measurements`: JSON or CSV); `token_env`, optional and only with "url",
names the environment variable holding a token sent as `Authorization: Bearer`.

`hypotheses.toml`, one table per hypothesis ("We believe that *epic* will move *indicator* by
*expected change* by *date*", METRICS.md section 4), in the order they are shown:

    [hypotheses.online_form]
    epic = "VERG-100"                            # the Jira epic whose delivery should move it
    indicator = "digital_take_up"                # a key of indicators.toml
    expected_change = 15                         # in the indicator's unit, signed (-5 = 5 lower)
    by = 2026-09-30
    status = "testing"                           # "testing", "validated" or "invalidated"
    statement_nl = "Wij geloven dat …"
    statement_en = "We believe that …"

A measurements file is written by Koers as UTF-8 CSV with a `date,value,note` header, ISO dates
and plain decimal points; spreadsheets' variants are accepted by the importer
(`connectors.files`), not here.

Every save is atomic (a temporary file in the same folder, then `os.replace`), so a reader sees
the old file or the new one, never half of one; read-modify-write of a team's files holds that
team's lock, so the dashboard and the CLI cannot lose each other's update.
"""

from __future__ import annotations

import csv
import fcntl
import io
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from config import Checker
from errors import KoersError

DIRECTIONS = ("up", "down")
SOURCE_KINDS = ("manual", "csv", "url")
HYPOTHESIS_STATUSES = ("testing", "validated", "invalidated")
EPIC_KEY_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]*-[1-9][0-9]*$")  # a Jira issue key: VERG-100
MEASUREMENT_HEADER = ("date", "value", "note")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_]*$")  # also a file name: no dots, slashes or spaces
ENV_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")  # an environment variable's name


class OutcomesError(KoersError):
    """A mistake in an outcomes file or in what someone entered, naming the file and key."""


@dataclass(frozen=True)
class Point:
    """A value on a date: an indicator's baseline or target."""

    value: float
    date: date


@dataclass(frozen=True)
class Source:
    kind: str = "manual"  # manual | csv | url
    url: str | None = None
    token_env: str | None = None  # url only: the environment variable with a Bearer token


@dataclass(frozen=True)
class Indicator:
    key: str
    name_nl: str
    name_en: str
    unit: str
    direction: str  # "up" or "down" is better
    baseline: Point
    target: Point | None = None
    source: Source = field(default_factory=Source)

    def name(self, lang: str) -> str:
        return self.name_en if lang.lower().startswith("en") else self.name_nl


@dataclass(frozen=True)
class Measurement:
    date: date
    value: float
    note: str = ""


@dataclass(frozen=True)
class Hypothesis:
    """We believe that `epic` will move `indicator` by `expected_change` by `by`."""

    key: str
    epic: str  # a Jira epic key
    indicator: str  # an indicator key of the same team
    expected_change: float  # in the indicator's unit, signed
    by: date
    status: str  # testing | validated | invalidated
    statement_nl: str
    statement_en: str
    # The day the team last set `status`: when a hypothesis was validated (a win, METRICS §5).
    status_date: date | None = None

    def statement(self, lang: str) -> str:
        return self.statement_en if lang.lower().startswith("en") else self.statement_nl


@dataclass(frozen=True)
class Merge:
    """What adding measurements did: new dates, dates whose value or note changed, and the rest."""

    added: tuple[date, ...]
    replaced: tuple[date, ...]
    unchanged: tuple[date, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced)


# --- paths ------------------------------------------------------------------------------------


def team_dir(data_dir: Path, team: str) -> Path:
    return Path(data_dir) / "outcomes" / team


def indicators_path(data_dir: Path, team: str) -> Path:
    return team_dir(data_dir, team) / "indicators.toml"


def measurements_path(data_dir: Path, team: str, key: str) -> Path:
    return team_dir(data_dir, team) / "measurements" / f"{key}.csv"


def hypotheses_path(data_dir: Path, team: str) -> Path:
    return team_dir(data_dir, team) / "hypotheses.toml"


def read_toml(path: Path) -> dict[str, Any] | None:
    """A people's-input TOML file; None when it does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OutcomesError(f"{path}: not valid TOML ({exc})") from None


# --- indicators -------------------------------------------------------------------------------


def load_indicators(data_dir: Path, team: str) -> dict[str, Indicator]:
    """The team's indicators in file order; none when the file does not exist yet."""
    path = indicators_path(data_dir, team)
    raw = read_toml(path)
    return {} if raw is None else parse_indicators(raw, path)


def parse_indicators(raw: dict[str, Any], path: Path) -> dict[str, Indicator]:
    check = _Checker(path)
    check.keys(raw, "", {"indicators"})
    tables = raw.get("indicators", {})
    if not isinstance(tables, dict):
        check.fail("indicators", f"tables like [indicators.KEY], got {type(tables).__name__}")
    return {key: _indicator(check, key, value) for key, value in tables.items()}


def _check_unique(path: Path, section: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise OutcomesError(f"{path}: {section}.{key}: the key is used twice")
        seen.add(key)


def save_indicators(data_dir: Path, team: str, indicators: Iterable[Indicator]) -> Path:
    """Validate and write the team's indicators (replacing the file), atomically."""
    path = indicators_path(data_dir, team)
    text = _checked_indicators(path, indicators)
    with team_lock(data_dir, team):
        write_atomic(path, text)
    return path


def _checked_indicators(path: Path, indicators: Iterable[Indicator]) -> str:
    """The file's text, validated by parsing it as loading would: never save junk."""
    indicators = list(indicators)
    _check_unique(path, "indicators", [i.key for i in indicators])
    text = dump_indicators(indicators)
    parse_indicators(tomllib.loads(text), path)
    return text


def put_indicator(data_dir: Path, team: str, indicator: Indicator, *, new: bool) -> Path:
    """Add an indicator (`new`, at the end) or replace the one with its key (in its place),
    keeping the others; validated and written atomically under the team's lock."""
    path = indicators_path(data_dir, team)
    with team_lock(data_dir, team):
        indicators = load_indicators(data_dir, team)
        if new and indicator.key in indicators:
            raise OutcomesError(f"{path}: indicators.{indicator.key}: the key is already used")
        if not new and indicator.key not in indicators:
            raise OutcomesError(f"{path}: no indicator '{indicator.key}' to change")
        indicators[indicator.key] = indicator
        write_atomic(path, _checked_indicators(path, indicators.values()))
    return path


class IndicatorInUse(OutcomesError):
    """An indicator that hypotheses still refer to cannot be deleted."""

    def __init__(self, message: str, hypotheses: list[Hypothesis]) -> None:
        super().__init__(message)
        self.hypotheses = hypotheses


def delete_indicator(data_dir: Path, team: str, key: str) -> Path:
    """Remove an indicator from the team's file; returns its measurements file, which is kept
    (measurements are history: re-adding the key brings them back). Refused while a hypothesis
    refers to it."""
    path = indicators_path(data_dir, team)
    with team_lock(data_dir, team):
        indicators = load_indicators(data_dir, team)
        if key not in indicators:
            raise OutcomesError(f"{path}: no indicator '{key}' to delete")
        users = [
            h for h in load_hypotheses(data_dir, team, indicators).values() if h.indicator == key
        ]
        if users:
            names = ", ".join(f"{h.key} ({h.epic})" for h in users)
            raise IndicatorInUse(
                f"{hypotheses_path(data_dir, team)}: indicator '{key}' is used by "
                f"hypotheses {names}; change or remove those first",
                users,
            )
        del indicators[key]
        write_atomic(path, _checked_indicators(path, indicators.values()))
    return measurements_path(data_dir, team, key)


def dump_indicators(indicators: Iterable[Indicator]) -> str:
    lines = [
        "# Outcome indicators (METRICS.md section 4). Written by Koers; safe to edit by hand.",
        "# Measurements are in measurements/<key>.csv next to this file.",
    ]
    for ind in indicators:
        lines += [
            "",
            f"[indicators.{ind.key}]",
            f"name_nl = {_toml_str(ind.name_nl)}",
            f"name_en = {_toml_str(ind.name_en)}",
            f"unit = {_toml_str(ind.unit)}",
            f"direction = {_toml_str(ind.direction)}",
            f"baseline = {_toml_point(ind.baseline)}",
        ]
        if ind.target is not None:
            lines.append(f"target = {_toml_point(ind.target)}")
        source = f"kind = {_toml_str(ind.source.kind)}"
        if ind.source.url:
            source += f", url = {_toml_str(ind.source.url)}"
        if ind.source.token_env:
            source += f", token_env = {_toml_str(ind.source.token_env)}"
        lines.append(f"source = {{ {source} }}")
    return "\n".join(lines) + "\n"


def _toml_str(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    return f'"{escaped}"'


def _toml_point(point: Point) -> str:
    return f"{{ value = {_number(point.value)}, date = {point.date.isoformat()} }}"


def _number(value: float) -> str:
    """Shortest text that reads back as the same float; whole numbers without ".0"."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _indicator(check: _Checker, key: str, value: Any) -> Indicator:
    where = f"indicators.{key}"
    if not KEY_PATTERN.match(key):
        check.fail(where, "a key of lower-case letters, digits and _ (it names a file)")
    table = check.as_table(value, where)
    check.keys(
        table, where, {"name_nl", "name_en", "unit", "direction", "baseline", "target", "source"}
    )
    direction = check.string(table, f"{where}.direction")
    if direction not in DIRECTIONS:
        check.fail(f"{where}.direction", f"'up' or 'down' (which way is better), got '{direction}'")
    baseline = check.point(table, f"{where}.baseline")
    target = check.point(table, f"{where}.target", required=False)
    mistake = None if target is None else target_mistake(direction, baseline, target)
    if mistake is not None:
        if mistake == "target_date_order":
            check.fail(
                f"{where}.target.date",
                f"a date after the baseline's ({baseline.date}), got {target.date}",
            )
        else:
            better = "higher" if direction == "up" else "lower"
            check.fail(
                f"{where}.target.value",
                f"a value {better} than or equal to the baseline ({_number(baseline.value)}) "
                f"because direction is '{direction}', got {_number(target.value)}",
            )
    return Indicator(
        key=key,
        name_nl=check.string(table, f"{where}.name_nl"),
        name_en=check.string(table, f"{where}.name_en"),
        unit=check.string(table, f"{where}.unit"),
        direction=direction,
        baseline=baseline,
        target=target,
        source=_source(check, table.get("source", {"kind": "manual"}), f"{where}.source"),
    )


def target_mistake(direction: str, baseline: Point, target: Point) -> str | None:
    """Why a target cannot be (the file's and the form's one rule): "target_date_order" (not
    after the baseline) or "target_side" (worse than the baseline); None when it can."""
    if target.date <= baseline.date:
        return "target_date_order"
    if target.value < baseline.value if direction == "up" else target.value > baseline.value:
        return "target_side"
    return None


def _source(check: _Checker, value: Any, where: str) -> Source:
    table = check.as_table(value, where)
    check.keys(table, where, {"kind", "url", "token_env"})
    kind = check.string(table, f"{where}.kind")
    if kind not in SOURCE_KINDS:
        check.fail(f"{where}.kind", f"one of {', '.join(SOURCE_KINDS)}, got '{kind}'")
    url = check.string(table, f"{where}.url", default=None)
    if kind == "url" and url is None:
        check.fail(f"{where}.url", "a URL (required when kind is 'url')")
    if url is not None and not url.startswith(("https://", "http://")):
        check.fail(f"{where}.url", f"an http(s) URL, got '{url}'")
    token_env = check.string(table, f"{where}.token_env", default=None)
    if token_env is not None and kind != "url":
        check.fail(f"{where}.token_env", f"no token_env: it is only used with kind 'url' ({kind})")
    if token_env is not None and not ENV_PATTERN.match(token_env):
        check.fail(f"{where}.token_env", f"an environment variable's name, got '{token_env}'")
    return Source(kind=kind, url=url, token_env=token_env)


class _Checker(Checker):
    """The config's typed accessors, raising OutcomesError, plus measured points."""

    error = OutcomesError

    def point(self, table: dict[str, Any], where: str, required: bool = True) -> Point | None:
        key = where.rsplit(".", 1)[-1]
        if key not in table:
            if required:
                self.fail(where, "a table like { value = 41.0, date = 2026-01-01 } (required)")
            return None
        point = self.as_table(table[key], where)
        self.keys(point, where, {"value", "date"})
        value = point.get("value")
        if not _is_number(value):
            self.fail(f"{where}.value", f"a number, got {value!r}")
        day = point.get("date")
        if isinstance(day, datetime) or not isinstance(day, date):
            self.fail(f"{where}.date", f"a date like 2026-01-01, got {day!r}")
        return Point(float(value), day)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- the dashboard's indicator form -----------------------------------------------------------


@dataclass(frozen=True)
class IndicatorForm:
    """What the dashboard's indicator form holds: texts as typed, dates as picked."""

    key: str
    name_nl: str
    name_en: str
    unit: str
    direction: str
    baseline_value: str
    baseline_date: date | None
    target_value: str = ""  # empty with no target date: no target
    target_date: date | None = None
    source_kind: str = "manual"
    source_url: str = ""  # only kept when source_kind is "url"
    token_env: str = ""  # idem


@dataclass(frozen=True)
class Problem:
    """One mistake in the form: which input (`part`, an IndicatorForm field), what is wrong
    (`code`, worded by the dashboard in its language) and the values the wording needs."""

    part: str
    code: str
    values: dict[str, Any] = field(default_factory=dict)


_FORM_PLAIN = re.compile(r"^\d+(?:D\d+)?$")  # D: the decimal mark
_FORM_GROUPED = re.compile(r"^\d{1,3}(?:T\d{3})+(?:D\d+)?$")  # T: a thousands separator
_FORM_SPACES = " \u00a0\u202f"


def parse_form_number(text: str, unit: str = "") -> float:
    """A number as typed in the dashboard, in Dutch or English: one mark alone is the decimal
    mark ("63,5" and "63.5"; so "1.234" is 1.234, as indicators are percentages, days and
    scores far more often than thousands); with both, the last one is ("1.234,5", "1,234.5");
    thousands may be grouped by spaces ("1 234,5"); a sign; "63%" for a percentage indicator."""
    body = text.strip()
    if body.endswith("%") and unit == "%":
        body = body[:-1].rstrip()
    sign = -1.0 if body[:1] in ("-", "\u2212") else 1.0
    body = body[1:].lstrip() if body[:1] in ("-", "\u2212", "+") else body
    commas, points = body.count(","), body.count(".")
    if commas and points:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
    elif commas == 1 or points == 1:
        decimal = "," if commas else "."
    else:
        decimal = None  # no mark, or one mark repeated: it groups thousands
    shape = "".join(
        "D" if c == decimal else "T" if c in ",." or c in _FORM_SPACES else c for c in body
    )
    if not (_FORM_PLAIN.match(shape) or _FORM_GROUPED.match(shape)):
        raise ValueError(f"'{text}' is not a number")
    digits = "".join("." if c == decimal else c for c in body if c.isdigit() or c == decimal)
    return sign * float(digits)


def indicator_from_form(
    form: IndicatorForm, taken: Iterable[str], *, new: bool
) -> tuple[Indicator | None, list[Problem]]:
    """The form's indicator, or every mistake in it (one `Problem` each, in the form's order).

    The rules are the file's (`parse_indicators`, which `save_indicators` runs again on what it
    writes); `taken` are the team's keys, which a new indicator may not reuse."""
    problems: list[Problem] = []

    def problem(part: str, code: str, **values: Any) -> None:
        problems.append(Problem(part, code, values))

    key = form.key.strip()
    if new:
        if not key:
            problem("key", "required")
        elif not KEY_PATTERN.match(key):
            problem("key", "key_pattern")
        elif key in set(taken):
            problem("key", "key_taken", indicator_key=key)
    names = {part: getattr(form, part).strip() for part in ("name_nl", "name_en", "unit")}
    for part, text in names.items():
        if not text:
            problem(part, "required")
    if form.direction not in DIRECTIONS:
        problem("direction", "direction")

    def number(part: str, text: str) -> float | None:
        if not text.strip():
            return None
        try:
            value = parse_form_number(text, names["unit"])
        except ValueError:
            problem(part, "number", text=text.strip())
            return None
        if not math.isfinite(value):
            problem(part, "number", text=text.strip())
            return None
        return value

    base_value = number("baseline_value", form.baseline_value)
    if not form.baseline_value.strip():
        problem("baseline_value", "required")
    if form.baseline_date is None:
        problem("baseline_date", "required")
    target_value = number("target_value", form.target_value)
    if form.target_value.strip() and form.target_date is None:
        problem("target_date", "target_needs_date")
    if form.target_date is not None and not form.target_value.strip():
        problem("target_value", "target_needs_value")
    baseline = target = None
    if base_value is not None and form.baseline_date is not None:
        baseline = Point(base_value, form.baseline_date)
    if target_value is not None and form.target_date is not None:
        target = Point(target_value, form.target_date)
    if baseline is not None and target is not None and form.direction in DIRECTIONS:
        mistake = target_mistake(form.direction, baseline, target)
        if mistake == "target_date_order":
            problem("target_date", mistake, baseline_date=baseline.date)
        elif mistake == "target_side":
            problem("target_value", f"target_side_{form.direction}", baseline=baseline.value)

    kind, url, token_env = form.source_kind, form.source_url.strip(), form.token_env.strip()
    if kind not in SOURCE_KINDS:
        problem("source_kind", "kind")
    if kind == "url":
        if not url:
            problem("source_url", "required")
        elif not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
            problem("source_url", "url_scheme")
        if token_env and not ENV_PATTERN.match(token_env):
            problem("token_env", "token_env_pattern")
    if problems or baseline is None:
        return None, problems
    source = (
        Source("url", url, token_env or None) if kind == "url" else Source(kind)
    )  # a URL typed for another kind is not kept
    indicator = Indicator(
        key=key,
        name_nl=names["name_nl"],
        name_en=names["name_en"],
        unit=names["unit"],
        direction=form.direction,
        baseline=baseline,
        target=target,
        source=source,
    )
    return indicator, []


# --- hypotheses -------------------------------------------------------------------------------


def load_hypotheses(
    data_dir: Path, team: str, indicators: Mapping[str, Indicator] | None = None
) -> dict[str, Hypothesis]:
    """The team's hypotheses in file order; none when the file does not exist yet.

    Each must name one of the team's indicators (`indicators`, default: loaded from its file).
    """
    path = hypotheses_path(data_dir, team)
    raw = read_toml(path)
    if raw is None:
        return {}
    if indicators is None:
        indicators = load_indicators(data_dir, team)
    return parse_hypotheses(raw, path, indicators)


def parse_hypotheses(
    raw: dict[str, Any], path: Path, indicators: Mapping[str, Indicator]
) -> dict[str, Hypothesis]:
    check = _Checker(path)
    check.keys(raw, "", {"hypotheses"})
    tables = raw.get("hypotheses", {})
    if not isinstance(tables, dict):
        check.fail("hypotheses", f"tables like [hypotheses.KEY], got {type(tables).__name__}")
    return {key: _hypothesis(check, key, value, indicators) for key, value in tables.items()}


def save_hypotheses(data_dir: Path, team: str, hypotheses: Iterable[Hypothesis]) -> Path:
    """Validate (against the team's indicators) and write the team's hypotheses, atomically."""
    hypotheses = list(hypotheses)
    path = hypotheses_path(data_dir, team)
    _check_unique(path, "hypotheses", [h.key for h in hypotheses])
    text = dump_hypotheses(hypotheses)
    parse_hypotheses(tomllib.loads(text), path, load_indicators(data_dir, team))
    with team_lock(data_dir, team):
        write_atomic(path, text)
    return path


def set_hypothesis_status(
    data_dir: Path, team: str, key: str, status: str, on: date | None = None
) -> Hypothesis:
    """Set one hypothesis's status (the team's verdict) on day `on` (default: today) in one
    atomic write; returns it. Setting the status it already has keeps its date."""
    path = hypotheses_path(data_dir, team)
    if status not in HYPOTHESIS_STATUSES:
        raise OutcomesError(
            f"{path}: hypotheses.{key}.status: expected one of "
            f"{', '.join(HYPOTHESIS_STATUSES)}, got '{status}'"
        )
    with team_lock(data_dir, team):
        hypotheses = load_hypotheses(data_dir, team)
        if key not in hypotheses:
            known = ", ".join(hypotheses) or "none"
            raise OutcomesError(f"{path}: no hypothesis '{key}' (known: {known})")
        updated = hypotheses[key]
        if status != updated.status:
            updated = replace(updated, status=status, status_date=on or date.today())
            hypotheses[key] = updated
            write_atomic(path, dump_hypotheses(hypotheses.values()))
    return updated


def dump_hypotheses(hypotheses: Iterable[Hypothesis]) -> str:
    lines = [
        "# Hypotheses (METRICS.md section 4): we believe that EPIC will move INDICATOR by",
        "# EXPECTED_CHANGE (in its unit) by BY. Written by Koers; safe to edit by hand.",
    ]
    for h in hypotheses:
        lines += [
            "",
            f"[hypotheses.{h.key}]",
            f"epic = {_toml_str(h.epic)}",
            f"indicator = {_toml_str(h.indicator)}",
            f"expected_change = {_number(h.expected_change)}",
            f"by = {h.by.isoformat()}",
            f"status = {_toml_str(h.status)}",
            f"statement_nl = {_toml_str(h.statement_nl)}",
            f"statement_en = {_toml_str(h.statement_en)}",
        ]
        if h.status_date is not None:
            lines.append(f"status_date = {h.status_date.isoformat()}")
    return "\n".join(lines) + "\n"


def _hypothesis(
    check: _Checker, key: str, value: Any, indicators: Mapping[str, Indicator]
) -> Hypothesis:
    where = f"hypotheses.{key}"
    if not KEY_PATTERN.match(key):
        check.fail(where, "a key of lower-case letters, digits and _")
    table = check.as_table(value, where)
    check.keys(
        table,
        where,
        {
            "epic",
            "indicator",
            "expected_change",
            "by",
            "status",
            "statement_nl",
            "statement_en",
            "status_date",
        },
    )
    epic = check.string(table, f"{where}.epic")
    if not EPIC_KEY_PATTERN.match(epic):
        check.fail(f"{where}.epic", f"a Jira epic key like VERG-100, got '{epic}'")
    indicator = check.string(table, f"{where}.indicator")
    if indicator not in indicators:
        known = ", ".join(indicators) or "none yet"
        check.fail(
            f"{where}.indicator", f"one of the team's indicators ({known}), got '{indicator}'"
        )
    if "expected_change" not in table:
        check.fail(f"{where}.expected_change", "a value (required)")
    change = table["expected_change"]
    if not _is_number(change) or change == 0:
        check.fail(
            f"{where}.expected_change",
            f"a non-zero number in the indicator's unit (signed), got {change!r}",
        )
    if "by" not in table:
        check.fail(f"{where}.by", "a value (required)")
    by = table["by"]
    if isinstance(by, datetime) or not isinstance(by, date):
        check.fail(f"{where}.by", f"a date like 2026-09-30, got {by!r}")
    status = check.string(table, f"{where}.status")
    if status not in HYPOTHESIS_STATUSES:
        check.fail(f"{where}.status", f"one of {', '.join(HYPOTHESIS_STATUSES)}, got '{status}'")
    return Hypothesis(
        key=key,
        epic=epic,
        indicator=indicator,
        expected_change=float(change),
        by=by,
        status=status,
        statement_nl=check.string(table, f"{where}.statement_nl"),
        statement_en=check.string(table, f"{where}.statement_en"),
        status_date=_optional_date(check, table, f"{where}.status_date"),
    )


def _optional_date(check: _Checker, table: dict[str, Any], where: str) -> date | None:
    value = table.get(where.rsplit(".", 1)[1])
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        check.fail(where, f"a date like 2026-09-30, got {value!r}")
    return value


# --- measurements -----------------------------------------------------------------------------


def load_measurements(data_dir: Path, team: str, key: str) -> list[Measurement]:
    """An indicator's measurements sorted by date; none when its file does not exist yet."""
    path = measurements_path(data_dir, team, key)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return parse_measurements(text, path)


def parse_measurements(text: str, path: Path) -> list[Measurement]:
    """Koers's own measurement file (strict: ISO dates, decimal points, the exact header)."""
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None:
        return []
    if tuple(h.strip().lower() for h in header) != MEASUREMENT_HEADER:
        raise OutcomesError(f"{path}: line 1: expected the header date,value,note, got {header}")
    result: dict[date, Measurement] = {}
    for row in rows:
        where = f"{path}: line {rows.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) not in (2, 3):
            raise OutcomesError(f"{where}: expected date,value,note, got {len(row)} fields")
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            raise OutcomesError(f"{where}: '{row[0]}' is not a date like 2026-03-01") from None
        try:
            value = float(row[1])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise OutcomesError(f"{where}: '{row[1]}' is not a number like 63.5")
        if day in result:
            raise OutcomesError(f"{where}: {day} appears twice")
        result[day] = Measurement(day, value, row[2].strip() if len(row) == 3 else "")
    return sorted(result.values(), key=lambda m: m.date)


def dump_measurements(measurements: Iterable[Measurement]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MEASUREMENT_HEADER)
    for m in sorted(measurements, key=lambda m: m.date):
        writer.writerow([m.date.isoformat(), _number(m.value), m.note])
    return out.getvalue()


def merge(existing: Iterable[Measurement], new: Iterable[Measurement]) -> tuple[list, Merge]:
    """`existing` with `new` added; a new value for a date that has one replaces it.

    Within `new`, a later measurement for the same date wins. A date counts as replaced only
    when its value or note changes; the same measurement again is `unchanged`.
    """
    by_date = {m.date: m for m in existing}
    incoming = {m.date: m for m in new}
    added, replaced, unchanged = [], [], []
    for day, m in sorted(incoming.items()):
        old = by_date.get(day)
        if old is None:
            added.append(day)
        elif old == m:
            unchanged.append(day)
        else:
            replaced.append(day)
        by_date[day] = m
    merged = sorted(by_date.values(), key=lambda m: m.date)
    return merged, Merge(tuple(added), tuple(replaced), tuple(unchanged))


def add_measurements(data_dir: Path, team: str, key: str, new: Iterable[Measurement]) -> Merge:
    """Add (or replace, per date) an indicator's measurements in one atomic write."""
    new = list(new)
    for m in new:
        if not isinstance(m.value, int | float) or not math.isfinite(m.value):
            raise OutcomesError(f"{key}: {m.date}: the value must be a finite number")
    with team_lock(data_dir, team):
        existing = load_measurements(data_dir, team, key)
        merged, result = merge(existing, new)
        if result.changed:
            write_atomic(measurements_path(data_dir, team, key), dump_measurements(merged))
    return result


def save_measurements(
    data_dir: Path, team: str, key: str, measurements: Iterable[Measurement]
) -> Path:
    """Replace all of an indicator's measurements (the dashboard's table editor), atomically."""
    measurements = list(measurements)
    path = measurements_path(data_dir, team, key)
    days = [m.date for m in measurements]
    if len(set(days)) != len(days):
        twice = sorted({d for d in days if days.count(d) > 1})
        raise OutcomesError(f"{path}: each date once, but {twice[0]} appears twice")
    with team_lock(data_dir, team):
        write_atomic(path, dump_measurements(measurements))
    return path


# --- files ------------------------------------------------------------------------------------


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file next to `path`, flush it to disk, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def team_lock(data_dir: Path, team: str) -> Iterator[None]:
    """Serialise read-modify-write of one team's outcome files (held for milliseconds)."""
    folder = team_dir(data_dir, team)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
