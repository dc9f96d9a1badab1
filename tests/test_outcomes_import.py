"""Outcome indicators and measurements as plain files, and the CSV import (issue 6, step 1).

Every bad input must leave the files on disk byte for byte as they were.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from connectors.files import CsvImportError, import_measurements, read_measurements
from outcomes import store
from outcomes.store import Indicator, Measurement, OutcomesError, Point, Source
from tests.test_cli import koers

TEAM = "vergunningen"
TAKE_UP = Indicator(
    key="digital_take_up",
    name_nl="Digitale aanvragen",
    name_en="Digital take-up",
    unit="%",
    direction="up",
    baseline=Point(41.0, date(2026, 1, 1)),
    target=Point(70.0, date(2026, 12, 31)),
    source=Source("csv"),
)
DAYS = Indicator(
    key="processing_days",
    name_nl="Doorlooptijd aanvraag",
    name_en="Processing time",
    unit="dagen",
    direction="down",
    baseline=Point(21.5, date(2026, 1, 1)),
    source=Source("url", "https://example.org/stats.json"),
)
EXISTING = [
    Measurement(date(2026, 3, 1), 60.0, "na livegang"),
    Measurement(date(2026, 4, 1), 61.0),
    Measurement(date(2026, 5, 1), 62.0),
]


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    store.save_indicators(folder, TEAM, [TAKE_UP, DAYS])
    store.save_measurements(folder, TEAM, TAKE_UP.key, EXISTING)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def csv_file(tmp_path: Path, content: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --- the files ----------------------------------------------------------------------------------


def test_the_files_on_disk(data_dir: Path) -> None:
    team = data_dir / "outcomes" / TEAM
    assert (team / "indicators.toml").read_text(encoding="utf-8") == (
        "# Outcome indicators (METRICS.md section 4). Written by Koers; safe to edit by hand.\n"
        "# Measurements are in measurements/<key>.csv next to this file.\n"
        "\n"
        "[indicators.digital_take_up]\n"
        'name_nl = "Digitale aanvragen"\n'
        'name_en = "Digital take-up"\n'
        'unit = "%"\n'
        'direction = "up"\n'
        "baseline = { value = 41, date = 2026-01-01 }\n"
        "target = { value = 70, date = 2026-12-31 }\n"
        'source = { kind = "csv" }\n'
        "\n"
        "[indicators.processing_days]\n"
        'name_nl = "Doorlooptijd aanvraag"\n'
        'name_en = "Processing time"\n'
        'unit = "dagen"\n'
        'direction = "down"\n'
        "baseline = { value = 21.5, date = 2026-01-01 }\n"
        'source = { kind = "url", url = "https://example.org/stats.json" }\n'
    )
    assert (team / "measurements" / "digital_take_up.csv").read_text(encoding="utf-8") == (
        "date,value,note\n2026-03-01,60,na livegang\n2026-04-01,61,\n2026-05-01,62,\n"
    )
    assert store.load_indicators(data_dir, TEAM) == {TAKE_UP.key: TAKE_UP, DAYS.key: DAYS}
    assert store.load_measurements(data_dir, TEAM, TAKE_UP.key) == EXISTING
    assert store.load_measurements(data_dir, TEAM, DAYS.key) == []
    assert store.load_indicators(data_dir, "subsidies") == {}
    assert not list(team.rglob("*.tmp"))  # the atomic writes left no temporary files


def test_text_with_quotes_and_commas_round_trips(tmp_path: Path) -> None:
    odd = Indicator(
        "calls", 'Bellers "KCC"', "Calls, contact\\centre", "score", "down", Point(1e-3, date.min)
    )
    store.save_indicators(tmp_path, TEAM, [odd])
    assert store.load_indicators(tmp_path, TEAM) == {"calls": odd}
    notes = [Measurement(date(2026, 1, 1), 0.1, 'zegt "ja", toch'), Measurement(date.max, -2.5)]
    store.save_measurements(tmp_path, TEAM, "calls", notes)
    assert store.load_measurements(tmp_path, TEAM, "calls") == notes


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'direction = "sideways"',
            "indicators.x.direction: expected 'up' or 'down' (which way is better), got 'sideways'",
        ),
        (
            "target = { value = 30, date = 2026-12-31 }",
            "indicators.x.target.value: expected a value higher than or equal to the baseline "
            "(40) because direction is 'up', got 30",
        ),
        (
            "target = { value = 50, date = 2025-12-31 }",
            "indicators.x.target.date: expected a date after the baseline's (2026-01-01), "
            "got 2025-12-31",
        ),
        (
            'source = { kind = "url" }',
            "indicators.x.source.url: expected a URL (required when kind is 'url')",
        ),
        (
            "colour = 1",
            "indicators.x.colour: expected one of the known keys (baseline, direction, name_en, "
            "name_nl, source, target, unit); unknown key",
        ),
    ],
)
def test_a_bad_indicators_file_names_the_file_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = store.indicators_path(tmp_path, TEAM)
    path.parent.mkdir(parents=True)
    lines = [
        "[indicators.x]",
        'name_nl = "x"',
        'name_en = "x"',
        'unit = "%"',
        'direction = "up"',
        "baseline = { value = 40, date = 2026-01-01 }",
    ]
    key = toml.split(" ")[0]
    lines = [line for line in lines if not line.startswith(key + " ")] + [toml]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(OutcomesError) as error:
        store.load_indicators(tmp_path, TEAM)
    assert str(error.value) == f"{path}: {message}"


# --- accepted CSV forms -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "\ufeffdatum;waarde;toelichting\r\n01-03-2026;63,5;na livegang\r\n",
            [(date(2026, 3, 1), 63.5, "na livegang")],
            id="excel-nl-bom-crlf",
        ),
        pytest.param(
            "date,value,note\n2026-03-01,63.5,\n2026-04-01,64,fine\n",
            [(date(2026, 3, 1), 63.5, ""), (date(2026, 4, 1), 64.0, "fine")],
            id="iso-comma",
        ),
        pytest.param(
            "datum;waarde\n1-3-2026;1.234,5\n01/04/2026;1.234\n2026-05-01;−1,5\n",
            [
                (date(2026, 3, 1), 1234.5, ""),
                (date(2026, 4, 1), 1234.0, ""),
                (date(2026, 5, 1), -1.5, ""),
            ],
            id="thousands-dots-d-m-yyyy-slashes-minus",
        ),  # fmt: skip
        pytest.param(
            'date,value\n2026-03-01,"1,234.5"\n2026-04-01,"1,234"\n2026-05-01,-0.5\n',
            [
                (date(2026, 3, 1), 1234.5, ""),
                (date(2026, 4, 1), 1234.0, ""),
                (date(2026, 5, 1), -0.5, ""),
            ],
            id="thousands-commas-quoted",
        ),  # fmt: skip
        pytest.param(
            "datum;waarde\n01-03-2026;63%\n01-04-2026;63,5 %\n01-05-2026;1 234,5\n",
            [
                (date(2026, 3, 1), 63.0, ""),
                (date(2026, 4, 1), 63.5, ""),
                (date(2026, 5, 1), 1234.5, ""),
            ],
            id="percentages-and-space-groups",
        ),  # fmt: skip
        pytest.param(
            "\n;;\ndatum;waarde;toelichting\n\n01-03-2026;63;\n;;\n   \n01-04-2026;64;\n;;\n",
            [(date(2026, 3, 1), 63.0, ""), (date(2026, 4, 1), 64.0, "")],
            id="blank-lines-and-empty-excel-rows",
        ),
        pytest.param(
            "Toelichting;Extra;WAARDE;Datum\nmei;x;63;01-05-2026\n",
            [(date(2026, 5, 1), 63.0, "mei")],
            id="columns-by-name-any-case-extra-ignored",
        ),
        pytest.param(
            "datum;waarde\n01-03-2026;1,234.5\n",
            [(date(2026, 3, 1), 1234.5, "")],
            id="both-marks-the-last-is-the-decimal",
        ),
        pytest.param(
            "datum;waarde;toelichting\n01-03-2026;63;geïmporteerd\n".encode("cp1252"),
            [(date(2026, 3, 1), 63.0, "geïmporteerd")],
            id="windows-1252",
        ),
    ],
)
def test_accepted_forms(tmp_path: Path, content: str | bytes, expected: list) -> None:
    measurements = read_measurements(csv_file(tmp_path, content), TAKE_UP)
    assert [(m.date, m.value, m.note) for m in measurements] == expected


def test_an_import_adds_replaces_and_says_so(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(
        tmp_path,
        "datum;waarde;toelichting\n01-03-2026;60;na livegang\n01-04-2026;65,5;herteld\n"
        "01-06-2026;66;\n",
    )
    result = import_measurements(data_dir, TEAM, TAKE_UP.key, file)
    assert result.merge.added == (date(2026, 6, 1),)
    assert result.merge.replaced == (date(2026, 4, 1),)
    assert result.merge.unchanged == (date(2026, 3, 1),)
    assert result.line() == (
        "imported 3 measurements for 'digital_take_up' (team vergunningen); "
        "replaced 1: 2026-04-01; 1 already there unchanged"
    )
    path = store.measurements_path(data_dir, TEAM, TAKE_UP.key)
    assert path.read_text(encoding="utf-8") == (
        "date,value,note\n2026-03-01,60,na livegang\n2026-04-01,65.5,herteld\n"
        "2026-05-01,62,\n2026-06-01,66,\n"
    )


def test_importing_the_same_file_again_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(tmp_path, "date,value\n2026-07-01,70\n")
    import_measurements(data_dir, TEAM, TAKE_UP.key, file)
    before = snapshot(data_dir)
    again = import_measurements(data_dir, TEAM, TAKE_UP.key, file)
    assert again.line() == (
        "imported 1 measurement for 'digital_take_up' (team vergunningen); "
        "1 already there unchanged"
    )
    assert snapshot(data_dir) == before


def test_a_first_import_creates_the_file(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(tmp_path, "datum;waarde\n01-02-2026;19,5\n01-03-2026;17\n")
    result = import_measurements(data_dir, TEAM, DAYS.key, file)
    assert result.line() == "imported 2 measurements for 'processing_days' (team vergunningen)"
    assert store.load_measurements(data_dir, TEAM, DAYS.key) == [
        Measurement(date(2026, 2, 1), 19.5),
        Measurement(date(2026, 3, 1), 17.0),
    ]


# --- bad input: the message, and nothing changed ------------------------------------------------


def fails(data_dir: Path, file: Path, indicator: str = DAYS.key, team: str = TEAM) -> str:
    before = snapshot(data_dir)
    with pytest.raises(CsvImportError) as error:
        import_measurements(data_dir, team, indicator, file)
    assert snapshot(data_dir) == before
    return str(error.value)


def test_every_bad_row_is_listed_and_nothing_is_imported(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(
        tmp_path,
        "datum;waarde;toelichting\n"
        "01-01-2026;20;goed\n"  # line 2: fine, but not imported either
        "31-02-2026;19;\n"  # 3
        "01-03-2026;snel;\n"  # 4
        "01-04-2026;18%;\n"  # 5: a percentage for a number of days
        "01-05-2026;;nog niet gemeten\n"  # 6
        ";17;\n"  # 7
        "2026/06/01;17;\n"  # 8
        "01-07-2026;1.5;\n"  # 9: in a ';' file the point groups thousands
        "01-08-2026;16;a;b\n"  # 10
        "\n"  # 11: blank, fine
        "01-01-2026;21;\n",  # 12: the date of line 2 again
    )
    assert fails(data_dir, file) == (
        f"{file}: 9 bad rows, nothing imported:\n"
        "  line 3: '31-02-2026' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)\n"
        "  line 4: 'snel' is not a number (expected a number like 1.234,5)\n"
        "  line 5: '18%' is a percentage, but the indicator's unit is 'dagen'\n"
        "  line 6: no value for 2026-05-01 (leave the row out until there is one)\n"
        "  line 7: no date\n"
        "  line 8: '2026/06/01' is not a date (expected dd-mm-yyyy or yyyy-mm-dd)\n"
        "  line 9: '1.5' is not a number (expected a number like 1.234,5)\n"
        "  line 10: 4 fields but the header has 3\n"
        "  line 12: 2026-01-01 is also on line 2"
    )
    assert not store.measurements_path(data_dir, TEAM, DAYS.key).exists()


def test_one_bad_row_in_an_update_keeps_the_old_measurements(
    data_dir: Path, tmp_path: Path
) -> None:
    file = csv_file(tmp_path, "date,value\n2026-04-01,99\n2026-13-01,98\n")
    assert fails(data_dir, file, TAKE_UP.key) == (
        f"{file}: 1 bad row, nothing imported:\n"
        "  line 3: '2026-13-01' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)"
    )


def test_an_unquoted_decimal_comma_in_a_comma_file(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(tmp_path, "date,value\n2026-04-01,63,5\n")
    assert fails(data_dir, file, TAKE_UP.key) == (
        f"{file}: 1 bad row, nothing imported:\n"
        "  line 2: 3 fields but the header has 2 (a decimal comma in a ',' file must be quoted)"
    )


def test_an_unknown_indicator_lists_the_known_ones(data_dir: Path, tmp_path: Path) -> None:
    file = csv_file(tmp_path, "date,value\n2026-04-01,63\n")
    where = store.indicators_path(data_dir, TEAM)
    assert fails(data_dir, file, "take_up") == (
        "unknown indicator 'take_up' for team vergunningen "
        f"(known indicators: digital_take_up, processing_days; defined in {where})"
    )
    assert fails(data_dir, file, "take_up", team="subsidies") == (
        "team subsidies has no outcome indicators yet; define 'take_up' in "
        f"{store.indicators_path(data_dir, 'subsidies')}"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; expected a header row (date,value,note or "
              "datum;waarde;toelichting) and a row per measurement"),
        (b"\xef\xbb\xbf\r\n\r\n;;\r\n", "the file is empty; expected a header row (date,value,"
                                        "note or datum;waarde;toelichting) and a row per "
                                        "measurement"),
        (b"PK\x03\x04\x14\x00\x06\x00", "this is a spreadsheet workbook, not CSV; save it as "
                                        "CSV first"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file, so not CSV"),
        (b"01-03-2026;63\n01-04-2026;64\n", "line 1: expected a header row with the columns "
                                            "date,value,note or datum;waarde;toelichting (the "
                                            "note is optional), got '01-03-2026', '63'"),
        (b"datum;waarde;toelichting\n", "no measurements below the header row"),
        (b"date,value,datum\n2026-03-01,1,x\n", "line 1: more than one date column in the header"),
    ],
)  # fmt: skip
def test_not_a_measurements_csv(
    data_dir: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    file = csv_file(tmp_path, content)
    assert fails(data_dir, file, TAKE_UP.key) == f"{file}: {message}"


def test_a_missing_file(data_dir: Path, tmp_path: Path) -> None:
    assert fails(data_dir, tmp_path / "nope.csv") == f"{tmp_path / 'nope.csv'}: file not found"
    assert fails(data_dir, tmp_path) == f"{tmp_path}: is a folder, not a CSV file"


def test_a_broken_measurements_file_stops_the_import(data_dir: Path, tmp_path: Path) -> None:
    path = store.measurements_path(data_dir, TEAM, TAKE_UP.key)
    path.write_text("date,value,note\n2026-03-01,zestig,\n", encoding="utf-8")
    before = snapshot(data_dir)
    with pytest.raises(OutcomesError) as error:
        import_measurements(
            data_dir, TEAM, TAKE_UP.key, csv_file(tmp_path, "date,value\n2026-08-01,1\n")
        )
    assert str(error.value) == f"{path}: line 2: 'zestig' is not a number like 63.5"
    assert snapshot(data_dir) == before


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture()
def cli_config(tmp_path: Path) -> Path:
    """Two teams, one of them the pilot, with the data folder in tmp_path."""
    path = tmp_path / "koers.toml"
    path.write_text(
        f'[koers]\ndatabase = "{tmp_path / "data" / "koers.duckdb"}"\n\n'
        '[teams.subsidies]\nname = "Team Subsidies"\n\n'
        '[teams.vergunningen]\nname = "Team Vergunningen"\npilot_start = 2026-03-02\n',
        encoding="utf-8",
    )
    data = tmp_path / "data"
    store.save_indicators(data, TEAM, [TAKE_UP, DAYS])
    store.save_measurements(data, TEAM, TAKE_UP.key, EXISTING)
    return path


def test_cli_imports_into_the_pilot_team_and_says_what_it_replaced(
    cli_config: Path, tmp_path: Path
) -> None:
    file = csv_file(tmp_path, "\ufeffdatum;waarde\r\n01-04-2026;64,5%\r\n01-05-2026;66\r\n")
    result = koers("import-measurements", str(file), "--indicator", TAKE_UP.key, config=cli_config)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "koers: imported 2 measurements for 'digital_take_up' (team vergunningen, the pilot "
        "team; use --team for another); replaced 2: 2026-04-01, 2026-05-01\n"
    )
    data = tmp_path / "data"
    assert store.load_measurements(data, TEAM, TAKE_UP.key)[1:] == [
        Measurement(date(2026, 4, 1), 64.5),
        Measurement(date(2026, 5, 1), 66.0),
    ]


def test_cli_bad_rows_exit_1_and_change_nothing(cli_config: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    before = snapshot(data)
    file = csv_file(tmp_path, "date,value\n2026-04-01,x\n31-02-2026,1\n")
    result = koers(
        "import-measurements", str(file), "--indicator", TAKE_UP.key, "--team", TEAM,
        config=cli_config,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"koers: {file}: 2 bad rows, nothing imported:\n"
        "  line 2: 'x' is not a number (expected a number like 1234.5)\n"
        "  line 3: '31-02-2026' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)\n"
    )
    assert snapshot(data) == before


def test_cli_unknown_indicator_and_team(cli_config: Path, tmp_path: Path) -> None:
    file = csv_file(tmp_path, "date,value\n2026-04-01,1\n")
    unknown = koers("import-measurements", str(file), "--indicator", "nope", config=cli_config)
    assert unknown.returncode == 1
    assert unknown.stderr.startswith(
        "koers: unknown indicator 'nope' for team vergunningen "
        "(known indicators: digital_take_up, processing_days; "
    )
    team = koers(
        "import-measurements", str(file), "--indicator", "x", "--team", "nope", config=cli_config
    )
    assert team.returncode == 1
    assert team.stderr == (
        f"koers: {cli_config}: unknown team 'nope' (known teams: subsidies, vergunningen)\n"
    )
    usage = koers("import-measurements", str(file), config=cli_config)
    assert usage.returncode == 2
    assert "--indicator" in usage.stderr
