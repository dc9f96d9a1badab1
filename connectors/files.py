"""Measurements from a CSV file as Dutch (and other) spreadsheets write them.

Accepted: a header row naming the columns (`datum;waarde;toelichting` or `date,value,note`, any
case, any order, other columns ignored, the note optional); `;` or `,` as separator, read from the
header; UTF-8 with or without a BOM, else Windows-1252 (Excel's "CSV" on Windows); blank lines
(also the `;;` rows Excel writes for them); dates as `dd-mm-yyyy`, `d-m-yyyy`, `dd/mm/yyyy` or
`yyyy-mm-dd`; numbers with a decimal comma or point and thousands separators (`1.234,5`,
`1,234.5`, `1 234,5`); `63%` or `63 %` for an indicator whose unit is "%".

A number with only one kind of separator follows the file's: in a `;` file the comma is the
decimal mark and a point groups thousands (`1.234` is 1234); in a `,` file the other way round.
A group of other than three digits (`1.5` in a `;` file) is refused rather than guessed.

Any bad row fails the whole import, listing every bad row by line number; nothing is written
until every row is good, and then in one atomic write (`outcomes.store`).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from errors import KoersError
from outcomes import store
from outcomes.store import Indicator, Measurement

COLUMNS = {"date": ("date", "datum"), "value": ("value", "waarde"), "note": ("note", "toelichting")}
HEADER_HINT = "date,value,note or datum;waarde;toelichting"
DATE_HINT = "expected dd-mm-yyyy or yyyy-mm-dd"

_DMY = re.compile(r"^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SPACES = re.compile(r"[ \u00a0\u202f]")  # thousands may also be grouped by (hard) spaces
_PLAIN = re.compile(r"^\d+(?:D\d+)?$")  # D: the decimal mark
_GROUPED = re.compile(r"^\d{1,3}(?:T\d{3})+(?:D\d+)?$")  # T: the thousands separator


class CsvImportError(KoersError):
    """The file cannot be imported; the message lists everything that is wrong with it."""


@dataclass(frozen=True)
class ImportResult:
    team: str
    indicator: str
    imported: int  # rows in the file
    merge: store.Merge

    def line(self, why_team: str = "") -> str:
        """One line for the CLI; `why_team` says why this team when it was not named."""
        noun = "measurement" if self.imported == 1 else "measurements"
        team = f"team {self.team}, {why_team}" if why_team else f"team {self.team}"
        text = f"imported {self.imported} {noun} for '{self.indicator}' ({team})"
        if self.merge.replaced:
            days = ", ".join(d.isoformat() for d in self.merge.replaced)
            text += f"; replaced {len(self.merge.replaced)}: {days}"
        if self.merge.unchanged:
            text += f"; {len(self.merge.unchanged)} already there unchanged"
        return text


def import_measurements(data_dir: Path, team: str, indicator: str, file: Path) -> ImportResult:
    """Read `file` and add its measurements to the team's indicator, all or nothing."""
    known = store.load_indicators(data_dir, team)
    if indicator not in known:
        where = store.indicators_path(data_dir, team)
        if not known:
            raise CsvImportError(
                f"team {team} has no outcome indicators yet; define '{indicator}' in {where}"
            )
        raise CsvImportError(
            f"unknown indicator '{indicator}' for team {team} "
            f"(known indicators: {', '.join(known)}; defined in {where})"
        )
    measurements = read_measurements(file, known[indicator])
    merged = store.add_measurements(data_dir, team, indicator, measurements)
    return ImportResult(team, indicator, len(measurements), merged)


def read_measurements(file: Path, indicator: Indicator) -> list[Measurement]:
    """Every row of `file` as a measurement, or one error listing every bad row."""
    text = _text(Path(file))
    lines = [line for line in text.splitlines() if line.strip(" \t;,")]
    if not lines:
        raise CsvImportError(
            f"{file}: the file is empty; expected a header row ({HEADER_HINT}) "
            "and a row per measurement"
        )
    separator = ";" if ";" in lines[0] else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(row for row in rows if any(cell.strip() for cell in row))
        columns = _columns(header, rows.line_num, file)
        measurements, problems, seen = [], [], {}
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            line = rows.line_num
            try:
                m = _measurement(row, columns, len(header), separator, indicator.unit)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                continue
            if m.date in seen:
                problems.append(f"line {line}: {m.date} is also on line {seen[m.date]}")
                continue
            seen[m.date] = line
            measurements.append(m)
    except csv.Error as exc:
        raise CsvImportError(f"{file}: line {rows.line_num}: not readable as CSV ({exc})") from None
    if problems:
        rows_word = "row" if len(problems) == 1 else "rows"
        raise CsvImportError(
            f"{file}: {len(problems)} bad {rows_word}, nothing imported:\n  "
            + "\n  ".join(problems)
        )
    if not measurements:
        raise CsvImportError(f"{file}: no measurements below the header row")
    return measurements


def _text(file: Path) -> str:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise CsvImportError(f"{file}: file not found") from None
    except IsADirectoryError:
        raise CsvImportError(f"{file}: is a folder, not a CSV file") from None
    except OSError as exc:
        raise CsvImportError(f"{file}: cannot be read ({exc.strerror})") from None
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvImportError(
            f"{file}: this is a spreadsheet workbook, not CSV; save it as CSV first"
        )
    if b"\x00" in data:
        raise CsvImportError(f"{file}: not a text file, so not CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _columns(header: list[str], line: int, file: Path) -> dict[str, int]:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in header]
    columns: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in aliases]
        if len(found) > 1:
            raise CsvImportError(
                f"{file}: line {line}: more than one {column} column in the header"
            )
        if found:
            columns[column] = found[0]
    if "date" not in columns or "value" not in columns:
        shown = ", ".join(repr(cell.strip()) for cell in header)
        raise CsvImportError(
            f"{file}: line {line}: expected a header row with the columns {HEADER_HINT} "
            f"(the note is optional), got {shown}"
        )
    return columns


def _measurement(
    row: list[str], columns: dict[str, int], width: int, separator: str, unit: str
) -> Measurement:
    if len(row) > width:
        hint = " (a decimal comma in a ',' file must be quoted)" if separator == "," else ""
        raise ValueError(f"{len(row)} fields but the header has {width}{hint}")

    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    day_text, value_text = cell("date"), cell("value")
    if not day_text:
        raise ValueError("no date")
    day = parse_date(day_text)
    if not value_text:
        raise ValueError(f"no value for {day} (leave the row out until there is one)")
    return Measurement(day, parse_number(value_text, separator, unit), cell("note"))


def parse_date(text: str) -> date:
    """`dd-mm-yyyy`, `d-m-yyyy`, `dd/mm/yyyy` or `yyyy-mm-dd`."""
    if match := _DMY.match(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValueError(f"'{text}' is not a date ({DATE_HINT})")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a valid date ({DATE_HINT})") from None


def parse_number(text: str, separator: str, unit: str) -> float:
    """A spreadsheet number; see the module's docstring for which forms and why."""
    body = text.strip()
    if body.endswith("%"):
        if unit != "%":
            raise ValueError(f"'{text}' is a percentage, but the indicator's unit is '{unit}'")
        body = body[:-1].rstrip()
    sign = 1.0
    if body[:1] in ("-", "\u2212", "+"):
        sign = -1.0 if body[0] != "+" else 1.0
        body = body[1:].strip()
    if "," in body and "." in body:  # both: the last one is the decimal mark
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
    else:
        decimal = "," if separator == ";" else "."
    thousands = "." if decimal == "," else ","
    shape = _SPACES.sub("T", body.replace(thousands, "T").replace(decimal, "D"))
    if not (_PLAIN.match(shape) or _GROUPED.match(shape)):
        example = "1.234,5" if separator == ";" else "1234.5"
        raise ValueError(f"'{text}' is not a number (expected a number like {example})")
    value = sign * float(_SPACES.sub("", body.replace(thousands, "")).replace(decimal, "."))
    if not math.isfinite(value):
        raise ValueError(f"'{text}' is not a number")
    return value
