"""Measurements read from a URL during `python -m koers sync`: a service's own statistics
endpoint (issue 6, METRICS.md section 4).

Every indicator of the synced teams whose source is

    source = { kind = "url", url = "https://stats.example.gov/aanvragen.json", token_env = "X" }

is read with one GET through `connectors.http` (timeouts, retries that honour `Retry-After`, one
line per failure naming the team, the indicator and the URL). `token_env` is optional: the name of
an environment variable whose token is sent as `Authorization: Bearer`; the token itself is never
shown. Put secrets there, never in the URL: the URL is named in messages.

Accepted answers, by Content-Type, else by trying JSON and then CSV:

* JSON (`application/json`, `…+json`): a list of `{"date": "2026-03-01", "value": 63.5,
  "note": "…"}` objects, or an object `{"measurements": [that list]}`. `date` is a text in ISO
  form (`yyyy-mm-dd`) or `dd-mm-yyyy`; `value` a JSON number; `note` optional (text or null);
  other keys are ignored.
* CSV (`text/csv`): exactly what `python -m koers import-measurements` accepts
  (`connectors.files`: `;` or `,`, decimal commas, `dd-mm-yyyy`, a BOM, `63%`, …).
* An HTML page (a login or single-sign-on page in the way) is recognised and reported.

As with the CSV import, one bad row or item fails that indicator with every bad one listed, and
nothing of it is written. What it read is merged with `outcomes.store.add_measurements`: a new
value for a date replaces the old one, and the line on stderr says which dates. An indicator that
fails keeps its file as it was; the others still land, and the sync then exits 1 naming what
failed. A missing token variable or an unreadable indicators.toml fails the same way, per team
or indicator, without a request.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from config import Team
from connectors import http
from connectors.files import CsvImportError, parse_date, read_measurements
from errors import KoersError
from outcomes import store
from outcomes.store import Indicator, Measurement

ACCEPT = "application/json, text/csv;q=0.9, */*;q=0.1"
CSV_TYPES = ("csv", "comma-separated-values")
SHAPES = 'a list of {"date", "value", "note"} objects, or {"measurements": [that list]}'


class AnswerError(KoersError):
    """The answer arrived but is not measurements; the message lists everything wrong."""


@dataclass(frozen=True)
class UrlJob:
    """One indicator to read: the team, the indicator, and its token (None: no token)."""

    team: str
    indicator: Indicator
    token: str | None

    @property
    def url(self) -> str:
        return self.indicator.source.url or ""

    @property
    def label(self) -> str:
        return f"{self.team} · {self.indicator.key} ({self.url})"


@dataclass(frozen=True)
class UrlResult:
    """What reading one indicator's URL did; `error` set when it failed (nothing written)."""

    team: str
    indicator: str
    url: str
    read: int = 0
    merge: store.Merge | None = None
    error: str | None = None

    def line(self) -> str:
        """One line for stderr (a failure's listed rows follow on their own lines)."""
        if self.error is not None:  # the error names the team, the indicator and the URL
            return f"measurements · failed: {self.error}"
        text = f"measurements · {self.team} · {self.indicator}: {self.read} read"
        merge = self.merge
        if merge is not None:
            text += f", {len(merge.added)} new"
            if merge.replaced:
                days = ", ".join(d.isoformat() for d in merge.replaced)
                text += f", {len(merge.replaced)} replaced ({days})"
            text += f", {len(merge.unchanged)} unchanged"
        return text


def plan(data_dir: Path, teams: Iterable[Team]) -> tuple[list[UrlJob], list[UrlResult]]:
    """The URL indicators of `teams`, and the failures found before any request: a team whose
    indicators.toml cannot be read, an indicator whose token variable is not set."""
    jobs: list[UrlJob] = []
    failed: list[UrlResult] = []
    for team in teams:
        try:
            indicators = store.load_indicators(data_dir, team.key)
        except KoersError as exc:
            failed.append(UrlResult(team.key, "*", "", error=f"{team.key}: {exc}"))
            continue
        for indicator in indicators.values():
            source = indicator.source
            if source.kind != "url" or not source.url:
                continue
            token = None
            if source.token_env:
                token = os.environ.get(source.token_env, "").strip()
                if not token:
                    failed.append(
                        UrlResult(
                            team.key,
                            indicator.key,
                            source.url,
                            error=f"{team.key} · {indicator.key} ({source.url}): the environment "
                            f"variable {source.token_env} (its token_env) is not set",
                        )
                    )
                    continue
            jobs.append(UrlJob(team.key, indicator, token))
    return jobs, failed


def read_all(
    data_dir: Path, jobs: Iterable[UrlJob], budget: http.Budget | None = None
) -> Iterable[UrlResult]:
    """Read and merge every job in turn, yielding its result; a failure stops only its job."""
    for job in jobs:
        try:
            measurements = fetch(job, budget)
            merge = store.add_measurements(data_dir, job.team, job.indicator.key, measurements)
        except KoersError as exc:
            yield UrlResult(job.team, job.indicator.key, job.url, error=_masked(str(exc), job))
            continue
        yield UrlResult(job.team, job.indicator.key, job.url, len(measurements), merge)


def _masked(text: str, job: UrlJob) -> str:
    return text.replace(job.token, "***") if job.token else text


def fetch(job: UrlJob, budget: http.Budget | None = None) -> list[Measurement]:
    """GET the job's URL and read its answer as measurements (see the module's docstring)."""
    auth = http.BearerAuth(job.token) if job.token else None
    s = http.session(
        auth,
        read_posts=False,
        label=job.label,
        token_env=job.indicator.source.token_env,
        budget=budget,
    )
    s.headers["Accept"] = ACCEPT
    with s:
        response = http.request(s, "GET", job.url)  # the connectors' one-line errors
        content_type = response.headers.get("Content-Type", "").lower()
        try:
            return parse_answer(response.content, content_type, job.indicator)
        except AnswerError as exc:
            raise AnswerError(f"{job.label}: {exc}") from None


def parse_answer(content: bytes, content_type: str, indicator: Indicator) -> list[Measurement]:
    """The answer's measurements: JSON or CSV by Content-Type, else JSON if it parses, else CSV."""
    if _is_html(content, content_type):
        raise AnswerError(
            "got an HTML page where JSON or CSV was expected: a login page or single-sign-on "
            "proxy is in the way. Let the statistics address through for token access, or use "
            "the address that answers with the data"
        )
    if "json" in content_type:
        try:
            body = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise AnswerError(f"the answer says it is JSON but is not ({_first(exc)})") from None
        return from_json(body)
    if any(kind in content_type for kind in CSV_TYPES):
        return from_csv(content, indicator)
    try:
        body = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return from_csv(content, indicator)
    return from_json(body)


def _is_html(content: bytes, content_type: str) -> bool:
    if "html" in content_type:
        return True
    head = content[:200].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _first(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def from_json(body: Any) -> list[Measurement]:
    """A JSON answer's measurements, or one error listing every bad item (1 = the first)."""
    if isinstance(body, dict) and "measurements" in body:
        body = body["measurements"]
    if not isinstance(body, list):
        got = (
            f"an object with the keys {', '.join(sorted(map(str, body))) or 'none'}"
            if isinstance(body, dict)
            else f"a JSON {type(body).__name__}"
        )
        raise AnswerError(f"expected {SHAPES}, got {got}")
    measurements: list[Measurement] = []
    problems: list[str] = []
    seen: dict[date, int] = {}
    for n, item in enumerate(body, start=1):
        try:
            m = _item(item)
        except ValueError as exc:
            problems.append(f"item {n}: {exc}")
            continue
        if m.date in seen:
            problems.append(f"item {n}: {m.date} is also item {seen[m.date]}")
            continue
        seen[m.date] = n
        measurements.append(m)
    if problems:
        items = "item" if len(problems) == 1 else "items"
        raise AnswerError(
            f"{len(problems)} bad {items}, nothing imported:\n  " + "\n  ".join(problems)
        )
    if not measurements:
        raise AnswerError(f"the answer has no measurements; expected {SHAPES}")
    return measurements


def _item(item: Any) -> Measurement:
    if not isinstance(item, dict):
        raise ValueError(f'expected an object like {{"date": "2026-03-01", "value": 63.5}}, got '
                         f"{json.dumps(item)[:40]}")  # fmt: skip
    day, value, note = item.get("date"), item.get("value"), item.get("note")
    if not isinstance(day, str) or not day.strip():
        raise ValueError(f'no date (expected a text like "2026-03-01"), got {json.dumps(day)}')
    parsed = parse_date(day.strip())
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"the value for {parsed} is not a JSON number like 63.5: "
                         f"{json.dumps(value)[:40]}")  # fmt: skip
    if note is not None and not isinstance(note, str):
        raise ValueError(f"the note for {parsed} is not a text: {json.dumps(note)[:40]}")
    return Measurement(parsed, float(value), (note or "").strip())


def from_csv(content: bytes, indicator: Indicator) -> list[Measurement]:
    """A CSV answer's measurements through the CSV import's reader (`connectors.files`)."""
    with tempfile.TemporaryDirectory(prefix="koers-measurements-") as folder:
        path = Path(folder) / "answer.csv"
        path.write_bytes(content)
        try:
            return read_measurements(path, indicator)
        except CsvImportError as exc:
            # the import names its file; here it is the answer, not the temporary copy
            text = str(exc).replace(f"{path}: ", "", 1).replace(str(path), "the answer")
            raise AnswerError(f"as CSV: {text}") from None
