"""The demo's outcome files (demo/outcomes.py), hypotheses in the store, and `outcomes` in
`report --format json`."""

from __future__ import annotations

import csv
import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

import config
from demo import jira
from demo import outcomes as demo_outcomes
from metrics.outcomes import outcome_facts
from outcomes.store import (
    Hypothesis,
    Indicator,
    IndicatorForm,
    IndicatorInUse,
    Measurement,
    OutcomesError,
    Point,
    Source,
    delete_indicator,
    hypotheses_path,
    indicator_from_form,
    indicators_path,
    load_hypotheses,
    load_indicators,
    load_measurements,
    measurements_path,
    parse_form_number,
    put_indicator,
    save_hypotheses,
    save_indicators,
    save_measurements,
    set_hypothesis_status,
    team_dir,
)
from tests.test_cli import koers

KEYS = ["digital_take_up", "completion_rate", "user_satisfaction", "processing_time_days"]
DEMO_DAY = date(2026, 11, 27)  # the demo's frozen now, in Amsterdam


def _rows(cfg: config.Config, key: str) -> list[dict[str, str]]:
    path = team_dir(cfg.data_dir, "vergunningen") / "measurements" / f"{key}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the demo's files -------------------------------------------------------------------------


def test_the_demo_writes_four_indicators_and_two_hypotheses_for_the_pilot_only(
    demo_config: config.Config,
) -> None:
    indicators = load_indicators(demo_config.data_dir, "vergunningen")
    assert list(indicators) == KEYS
    assert {k: i.direction for k, i in indicators.items()} == {
        "digital_take_up": "up",
        "completion_rate": "up",
        "user_satisfaction": "up",
        "processing_time_days": "down",
    }
    for ind in indicators.values():
        assert ind.baseline.date == date(2025, 12, 1)
        assert ind.target is not None and ind.target.date == date(2026, 12, 31)
    hypotheses = load_hypotheses(demo_config.data_dir, "vergunningen")
    assert [(h.indicator, h.status) for h in hypotheses.values()] == [
        ("digital_take_up", "validated"),
        ("user_satisfaction", "testing"),
    ]
    # real epics of the demo's Jira data, with fitting titles
    epics = {
        issue["key"]: issue["fields"]["summary"]
        for issue in jira.generate_vergunningen(demo_config.now()).issues
        if issue["fields"]["issuetype"]["name"] == "Epic"
    }
    assert [epics[h.epic] for h in hypotheses.values()] == [
        "Digitaal aanvragen omgevingsvergunning",
        "MijnOmgeving – fase 2",
    ]
    assert load_indicators(demo_config.data_dir, "subsidies") == {}
    assert load_hypotheses(demo_config.data_dir, "subsidies") == {}
    assert not team_dir(demo_config.data_dir, "subsidies").exists()


def test_measurements_are_monthly_from_before_the_pilot_to_november_2026(
    demo_config: config.Config,
) -> None:
    expected = [date(2025 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(6, 6 + 18)]
    for key in KEYS:
        days = [date.fromisoformat(row["date"]) for row in _rows(demo_config, key)]
        assert days == expected, key
        assert days[0] == date(2025, 6, 1) and days[-1] == date(2026, 11, 1)
        values = [float(row["value"]) for row in _rows(demo_config, key)]
        steps = {round(b - a, 6) for a, b in zip(values, values[1:], strict=False)}
        assert len(steps) > 5, f"{key} should be noisy, not a straight line"


def test_the_demo_is_deterministic(demo_config: config.Config, tmp_path: Path) -> None:
    again = dataclasses.replace(demo_config, database=tmp_path / "demo.duckdb")
    demo_outcomes.write(again)
    demo_outcomes.write(again)  # a rebuild overwrites its own files
    ours = team_dir(demo_config.data_dir, "vergunningen")
    theirs = team_dir(again.data_dir, "vergunningen")
    files = sorted(p.relative_to(ours) for p in ours.rglob("*") if p.is_file() and p.suffix)
    assert len(files) == 6  # indicators.toml, hypotheses.toml, four measurement files
    for name in files:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    assert not list(theirs.rglob("*.tmp"))


def test_not_a_demo_config_writes_nothing(demo_config: config.Config, tmp_path: Path) -> None:
    real = dataclasses.replace(demo_config, database=tmp_path / "koers.duckdb", demo=False)
    demo_outcomes.write(real)
    assert not (tmp_path / "outcomes").exists()


def test_the_facts_tell_the_intended_story(demo_config: config.Config) -> None:
    """Worked out by hand from the written CSV files, at the demo's now (27 November 2026)."""
    take_up = {row["date"]: float(row["value"]) for row in _rows(demo_config, "digital_take_up")}
    # before the pilot (March 2026) take-up hovers around 40 %, after it climbs
    assert max(v for d, v in take_up.items() if d < "2026-03-02") < 43
    assert take_up["2026-11-01"] > take_up["2026-03-01"] + 30
    # current = the 2026-11-01 measurement; baseline = the 2025-12-01 one; target 65 %
    assert (take_up["2026-11-01"], take_up["2025-12-01"]) == (76.3, 40.5)
    facts = _facts(demo_config)
    up = facts["digital_take_up"]
    assert up.current == Point(76.3, date(2026, 11, 1))
    assert up.change == pytest.approx(35.8)  # 76.3 − 40.5
    assert up.change_pct == pytest.approx(35.8 / 40.5)
    assert up.progress == pytest.approx(35.8 / 24.5) and up.progress > 1  # beyond the target
    assert (up.improved, up.on_track) == (True, True)

    # completion rate improves but is behind the line 59.4 → 82 (2025-12-01 → 2026-12-31):
    # at 2026-11-01 the line is at 59.4 + 335/395 × 22.6 = 78.57, the rate is 68.8
    done = facts["completion_rate"]
    assert (done.baseline.value, done.current.value) == (59.4, 68.8)
    assert done.change == pytest.approx(9.4) and done.progress == pytest.approx(9.4 / 22.6)
    assert (done.improved, done.on_track) == (True, False)

    # satisfaction 3.21 → 3.96 (line at 3.21 + 335/395 × 0.79 = 3.88): on track
    happy = facts["user_satisfaction"]
    assert (happy.baseline.value, happy.current.value) == (3.21, 3.96)
    assert (happy.improved, happy.on_track) == (True, True)

    # processing time is `down`: 36.4 → 25.2 days (line at 36.4 − 335/395 × 12.4 = 25.88)
    days = facts["processing_time_days"]
    assert (days.baseline.value, days.current.value) == (36.4, 25.2)
    assert days.change == pytest.approx(-11.2) and days.progress == pytest.approx(11.2 / 12.4)
    assert (days.improved, days.on_track) == (True, True)


def _facts(cfg: config.Config) -> dict:
    return {
        key: outcome_facts(ind, load_measurements(cfg.data_dir, "vergunningen", key), DEMO_DAY)
        for key, ind in load_indicators(cfg.data_dir, "vergunningen").items()
    }


# --- report --format json ---------------------------------------------------------------------


def test_report_has_the_outcomes_of_the_team(demo_config_file: Path) -> None:
    cfg = config.load(demo_config_file)
    result = koers("report", "--team", "vergunningen", "--format", "json", config=demo_config_file)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)["outcomes"]
    assert [o["key"] for o in outcomes] == KEYS
    assert outcomes == [facts.as_dict() for facts in _facts(cfg).values()]
    first = outcomes[0]
    assert set(first) >= {
        "key",
        "current",
        "baseline",
        "target",
        "change",
        "change_pct",
        "improved",
        "progress",
        "on_track",
    }
    assert (first["current"], first["current_date"], first["baseline"], first["target"]) == (
        76.3,
        "2026-11-01",
        40.5,
        65,
    )


def test_report_outcomes_follow_as_of(demo_config_file: Path) -> None:
    result = koers(
        "report", "--team", "vergunningen", "--as-of", "2026-02-15", config=demo_config_file
    )
    assert result.returncode == 0, result.stderr
    take_up = json.loads(result.stdout)["outcomes"][0]
    assert (take_up["current"], take_up["current_date"]) == (41.9, "2026-02-01")
    assert take_up["improved"] is True and take_up["change"] == pytest.approx(1.4)  # 41.9 − 40.5


def test_report_of_a_team_without_indicators_has_no_outcomes(demo_config_file: Path) -> None:
    result = koers("report", "--team", "subsidies", "--format", "json", config=demo_config_file)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["outcomes"] == []


# --- hypotheses in the store ------------------------------------------------------------------

INDICATOR = Indicator(
    key="take_up",
    name_nl="Digitale aanvragen",
    name_en="Digital take-up",
    unit="%",
    direction="up",
    baseline=Point(40.0, date(2026, 1, 1)),
    target=Point(60.0, date(2026, 12, 31)),
)
VALID = """
[hypotheses.form]
epic = "VERG-100"
indicator = "take_up"
expected_change = 15
by = 2026-09-30
status = "testing"
statement_nl = "Wij geloven dat het formulier het aandeel met 15 procentpunt verhoogt."
statement_en = "We believe that the form will move take-up by 15 points."
"""


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    save_indicators(tmp_path, "team", [INDICATOR])
    return tmp_path


def _write(data_dir: Path, text: str) -> Path:
    path = hypotheses_path(data_dir, "team")
    path.write_text(text, encoding="utf-8")
    return path


def test_hypotheses_load_and_save_round_trip(data_dir: Path) -> None:
    _write(data_dir, VALID)
    loaded = load_hypotheses(data_dir, "team")
    assert loaded == {
        "form": Hypothesis(
            key="form",
            epic="VERG-100",
            indicator="take_up",
            expected_change=15.0,
            by=date(2026, 9, 30),
            status="testing",
            statement_nl="Wij geloven dat het formulier het aandeel met 15 procentpunt verhoogt.",
            statement_en="We believe that the form will move take-up by 15 points.",
        )
    }
    assert loaded["form"].statement("en").startswith("We believe")
    save_hypotheses(data_dir, "team", [dataclasses.replace(loaded["form"], expected_change=-2.5)])
    assert load_hypotheses(data_dir, "team")["form"].expected_change == -2.5
    assert load_hypotheses(data_dir, "nobody") == {}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'indicator = "take_up"',
            'indicator = "calls"',
            "hypotheses.form.indicator: expected one of the team's indicators (take_up), "
            "got 'calls'",
        ),
        (
            'status = "testing"',
            'status = "done"',
            "hypotheses.form.status: expected one of testing, validated, invalidated, got 'done'",
        ),
        (
            "by = 2026-09-30",
            'by = "30-09-2026"',
            "hypotheses.form.by: expected a date like 2026-09-30, got '30-09-2026'",
        ),
        (
            "by = 2026-09-30",
            "by = 2026-09-30T12:00:00",
            "hypotheses.form.by: expected a date like 2026-09-30, "
            "got datetime.datetime(2026, 9, 30, 12, 0)",
        ),
        (
            'epic = "VERG-100"',
            'epic = "the form"',
            "hypotheses.form.epic: expected a Jira epic key like VERG-100, got 'the form'",
        ),
        (
            "expected_change = 15",
            'expected_change = "15%"',
            "hypotheses.form.expected_change: expected a non-zero number in the indicator's "
            "unit (signed), got '15%'",
        ),
        (
            'status = "testing"',
            'status = "testing"\nowner = "me"',
            "hypotheses.form.owner: expected one of the known keys (by, epic, expected_change, "
            "indicator, statement_en, statement_nl, status, status_date); unknown key",
        ),
        (
            'status = "testing"',
            'status = "testing"\nstatus_date = "last week"',
            "hypotheses.form.status_date: expected a date like 2026-09-30, got 'last week'",
        ),
        (
            "statement_en = ",
            "# statement_en = ",
            "hypotheses.form.statement_en: expected a value (required)",
        ),
    ],
)
def test_bad_hypotheses_are_refused_naming_file_and_key(
    data_dir: Path, old: str, new: str, message: str
) -> None:
    assert old in VALID
    path = _write(data_dir, VALID.replace(old, new))
    with pytest.raises(OutcomesError) as error:
        load_hypotheses(data_dir, "team")
    assert str(error.value) == f"{path}: {message}"


def test_saving_a_hypothesis_for_an_unknown_indicator_writes_nothing(data_dir: Path) -> None:
    _write(data_dir, VALID)
    before = hypotheses_path(data_dir, "team").read_bytes()
    bad = dataclasses.replace(load_hypotheses(data_dir, "team")["form"], indicator="calls")
    with pytest.raises(OutcomesError, match="expected one of the team's indicators"):
        save_hypotheses(data_dir, "team", [bad])
    assert hypotheses_path(data_dir, "team").read_bytes() == before


def test_set_hypothesis_status(data_dir: Path) -> None:
    path = _write(data_dir, VALID)
    updated = set_hypothesis_status(data_dir, "team", "form", "validated", on=date(2026, 10, 5))
    assert (updated.status, updated.status_date) == ("validated", date(2026, 10, 5))
    assert load_hypotheses(data_dir, "team")["form"] == updated
    text = path.read_text(encoding="utf-8")
    assert 'status = "validated"' in text and "status_date = 2026-10-05" in text
    # the same verdict again keeps the day it was given
    again = set_hypothesis_status(data_dir, "team", "form", "validated", on=date(2026, 11, 1))
    assert again.status_date == date(2026, 10, 5)
    before = path.read_bytes()
    with pytest.raises(OutcomesError) as error:
        set_hypothesis_status(data_dir, "team", "form", "maybe")
    assert str(error.value) == (
        f"{path}: hypotheses.form.status: expected one of testing, validated, invalidated, "
        "got 'maybe'"
    )
    with pytest.raises(OutcomesError) as error:
        set_hypothesis_status(data_dir, "team", "portal", "validated")
    assert str(error.value) == f"{path}: no hypothesis 'portal' (known: form)"
    assert path.read_bytes() == before
    assert not list(path.parent.glob("*.tmp"))


# --- indicators from the dashboard's form, changed and deleted in the store ---------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("63,5", 63.5),  # Dutch decimal comma
        ("63.5", 63.5),
        ("1.234,5", 1234.5),  # both marks: the last one is the decimal mark
        ("1,234.5", 1234.5),
        ("1 234,5", 1234.5),  # thousands grouped by a space
        ("1.234.567", 1234567.0),  # one mark repeated groups thousands
        ("1.234", 1.234),  # one mark alone is the decimal mark
        ("−2,5", -2.5),  # the typographic minus
        ("+7", 7.0),
        ("63%", 63.0),  # for a percentage indicator
    ],
)
def test_form_numbers_are_read_the_dutch_and_the_english_way(text: str, expected: float) -> None:
    assert parse_form_number(text, "%") == expected


@pytest.mark.parametrize("text", ["", "veel", "1,5,0", "1..2", ",5", "5,", "1.23,4", "12 %x"])
def test_what_is_not_a_form_number(text: str) -> None:
    with pytest.raises(ValueError):
        parse_form_number(text, "%")
    with pytest.raises(ValueError):
        parse_form_number("63%", "dagen")  # a percentage sign only for a percentage indicator


FORM = IndicatorForm(
    key="calls",
    name_nl="Telefoontjes",
    name_en="Calls",
    unit="per week",
    direction="down",
    baseline_value="1.200",  # 1.2: one mark alone is decimal (written out as such in the form)
    baseline_date=date(2026, 1, 1),
    target_value="0,8",
    target_date=date(2026, 12, 31),
    source_kind="manual",
    source_url="https://left.over/from-before",  # not kept: the kind is not url
    token_env="LEFT_OVER",
)


def test_a_good_form_gives_the_indicator() -> None:
    indicator, problems = indicator_from_form(FORM, ["take_up"], new=True)
    assert problems == []
    assert indicator == Indicator(
        "calls",
        "Telefoontjes",
        "Calls",
        "per week",
        "down",
        Point(1.2, date(2026, 1, 1)),
        Point(0.8, date(2026, 12, 31)),
        Source("manual"),
    )
    # no target: both left empty; a URL source keeps its address and token variable
    url = dataclasses.replace(
        FORM, target_value=" ", target_date=None, source_kind="url", token_env=""
    )
    indicator, problems = indicator_from_form(url, [], new=True)
    assert problems == [] and indicator is not None and indicator.target is None
    assert indicator.source == Source("url", "https://left.over/from-before", None)


def test_every_mistake_in_a_form_is_a_problem_of_its_own() -> None:
    bad = dataclasses.replace(
        FORM,
        key="Calls!",
        name_en=" ",
        direction="sideways",
        baseline_value="veel",
        target_date=None,
        source_kind="url",
        source_url="ftp://x",
        token_env="MY-TOKEN",
    )
    indicator, problems = indicator_from_form(bad, [], new=True)
    assert indicator is None
    assert [(p.part, p.code, p.values) for p in problems] == [
        ("key", "key_pattern", {}),
        ("name_en", "required", {}),
        ("direction", "direction", {}),
        ("baseline_value", "number", {"text": "veel"}),
        ("target_date", "target_needs_date", {}),
        ("source_url", "url_scheme", {}),
        ("token_env", "token_env_pattern", {}),
    ]
    # the target's rules are the file's: after the baseline's date, and on its better side
    late = dataclasses.replace(FORM, target_date=date(2025, 12, 31))
    assert [(p.part, p.code) for p in indicator_from_form(late, [], new=True)[1]] == [
        ("target_date", "target_date_order")
    ]
    worse = dataclasses.replace(FORM, target_value="1,5")  # down is better: 1.5 > 1.2
    assert [(p.part, p.code, p.values) for p in indicator_from_form(worse, [], new=True)[1]] == [
        ("target_value", "target_side_down", {"baseline": 1.2})
    ]
    # a new key may not be taken; an edit keeps its key and is not checked against itself
    taken = indicator_from_form(FORM, ["calls"], new=True)[1]
    assert [(p.code, p.values) for p in taken] == [("key_taken", {"indicator_key": "calls"})]
    assert indicator_from_form(FORM, ["calls"], new=False)[1] == []


def test_put_indicator_adds_at_the_end_and_replaces_in_place(data_dir: Path) -> None:
    calls = indicator_from_form(FORM, [], new=True)[0]
    put_indicator(data_dir, "team", calls, new=True)
    assert list(load_indicators(data_dir, "team")) == ["take_up", "calls"]
    path = put_indicator(
        data_dir, "team", dataclasses.replace(INDICATOR, unit="procent"), new=False
    )
    assert list(load_indicators(data_dir, "team")) == ["take_up", "calls"]
    assert load_indicators(data_dir, "team")["take_up"].unit == "procent"
    before = path.read_bytes()
    with pytest.raises(OutcomesError, match="indicators.calls: the key is already used"):
        put_indicator(data_dir, "team", calls, new=True)
    with pytest.raises(OutcomesError, match="no indicator 'gone' to change"):
        put_indicator(data_dir, "team", dataclasses.replace(calls, key="gone"), new=False)
    # save_indicators's check runs on what is written: a target on the wrong side is refused
    wrong = dataclasses.replace(INDICATOR, target=Point(10.0, date(2026, 12, 31)))
    with pytest.raises(OutcomesError, match="take_up.target.value: expected a value higher"):
        put_indicator(data_dir, "team", wrong, new=False)
    assert path.read_bytes() == before


def test_delete_indicator_is_refused_while_a_hypothesis_uses_it(data_dir: Path) -> None:
    _write(data_dir, VALID)  # hypothesis "form" (VERG-100) uses take_up
    put_indicator(data_dir, "team", indicator_from_form(FORM, [], new=True)[0], new=True)
    save_measurements(data_dir, "team", "calls", [Measurement(date(2026, 2, 1), 1.1)])
    path = indicators_path(data_dir, "team")
    before = path.read_bytes()
    with pytest.raises(IndicatorInUse) as error:
        delete_indicator(data_dir, "team", "take_up")
    assert str(error.value) == (
        f"{hypotheses_path(data_dir, 'team')}: indicator 'take_up' is used by hypotheses "
        "form (VERG-100); change or remove those first"
    )
    assert [h.key for h in error.value.hypotheses] == ["form"]
    assert path.read_bytes() == before
    kept = delete_indicator(data_dir, "team", "calls")
    assert list(load_indicators(data_dir, "team")) == ["take_up"]
    assert kept == measurements_path(data_dir, "team", "calls") and kept.exists()
    assert load_measurements(data_dir, "team", "calls") == [Measurement(date(2026, 2, 1), 1.1)]
    with pytest.raises(OutcomesError, match="no indicator 'calls' to delete"):
        delete_indicator(data_dir, "team", "calls")


def test_a_url_source_keeps_its_token_variable(tmp_path: Path) -> None:
    url = dataclasses.replace(
        INDICATOR, source=Source("url", "https://stats.example.gov/a.json", "KOERS_STATS_TOKEN")
    )
    path = save_indicators(tmp_path, "team", [url])
    assert (
        'source = { kind = "url", url = "https://stats.example.gov/a.json", '
        'token_env = "KOERS_STATS_TOKEN" }'
    ) in path.read_text(encoding="utf-8")
    assert load_indicators(tmp_path, "team") == {"take_up": url}
    for source, message in [
        (
            '{ kind = "csv", token_env = "X" }',
            "indicators.take_up.source.token_env: expected no token_env: it is only used with "
            "kind 'url' (csv)",
        ),
        (
            '{ kind = "url", url = "https://a.test", token_env = "MY-TOKEN" }',
            "indicators.take_up.source.token_env: expected an environment variable's name, got "
            "'MY-TOKEN'",
        ),
    ]:
        text = path.read_text(encoding="utf-8")
        start = text.index("source = ")
        path.write_text(text[:start] + f"source = {source}\n", encoding="utf-8")
        with pytest.raises(OutcomesError) as error:
            load_indicators(tmp_path, "team")
        assert str(error.value) == f"{path}: {message}"
