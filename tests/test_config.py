"""Config loading: the demo config is valid; each mistake is one message naming file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import config
from config import ConfigError

VALID = """
[koers]
database = "data/k.duckdb"

[sources.jira]
type = "jira"
url = "https://jira.example.gov/"
token_env = "KOERS_JIRA_TOKEN"

[teams.vergunningen]
name = "Team Vergunningen"
pilot_start = 2026-03-02
jira = { source = "jira", jql = "project = VERG" }

[teams.vergunningen.workflow]
in_progress = ["In Progress", "Ready for test"]
waiting = ["Ready for test"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "koers.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_config(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, VALID))
    team = cfg.team("vergunningen")
    assert cfg.database == tmp_path / "data/k.duckdb"  # relative to the config file
    assert cfg.timezone == "Europe/Amsterdam" and cfg.language == "nl"
    assert cfg.sources["jira"].url == "https://jira.example.gov"
    assert team.pilot_start == date(2026, 3, 2) and team.baseline_weeks == 12
    assert team.workflow.waiting == ("Ready for test",)
    assert team.workflow.discard_resolutions == ("Won't Do", "Duplicate", "Cannot Reproduce")


def test_the_committed_configs_are_valid() -> None:
    demo = config.load(config.DEMO_CONFIG)
    assert set(demo.teams) == {"vergunningen", "subsidies"} and demo.demo
    assert demo.team("vergunningen").pilot_start == date(2026, 3, 2)
    example = config.load(config.REPO_ROOT / "koers.example.toml")
    assert example.teams and not example.demo


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KOERS_CONFIG", raising=False)
    assert config.config_path() == config.DEMO_CONFIG
    write(tmp_path, VALID)
    assert config.config_path() == tmp_path / "koers.toml"
    monkeypatch.setenv("KOERS_CONFIG", "/elsewhere.toml")
    assert config.config_path() == Path("/elsewhere.toml")
    assert config.config_path("x.toml") == Path("x.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[koers]", "[koers]\ncolour = 'blue'"), "koers.colour: expected one of the known keys"),
        (
            ('source = "jira", jql', 'source = "jira2", jql'),
            "teams.vergunningen.jira.source: expected the name of a [sources.NAME] table (jira)",
        ),
        (
            ("pilot_start = 2026-03-02", 'pilot_start = "2 maart"'),
            "teams.vergunningen.pilot_start: expected a date like 2026-03-02, got '2 maart'",
        ),
        (
            ("pilot_start = 2026-03-02", "pilot_start = 2026-03-02T10:00:00"),
            "teams.vergunningen.pilot_start: expected a date like 2026-03-02",
        ),
        (
            ("waiting = ", "reviewing = "),
            "teams.vergunningen.workflow.reviewing: expected a known status stage",
        ),
        (('type = "jira"', 'type = "jiraa"'), "sources.jira.type: expected one of jira, gitlab"),
        (("[koers]", '[koers]\ntimezone = "Amsterdam"'), "koers.timezone: expected a time zone"),
        (("[koers]", '[koers]\nlanguage = "de"'), "koers.language: expected one of nl, en"),
        (
            ("waiting = [", 'done = ["Ready for test"]\nwaiting = ['),
            "each status in one stage only, but 'Ready for test' is also in in_progress",
        ),
        (("baseline_weeks", "x"), None),
    ],
)
def test_each_mistake_names_file_key_and_expectation(
    tmp_path: Path, change: tuple[str, str], message: str | None
) -> None:
    text = VALID.replace(*change)
    if message is None:  # baseline_weeks is not in VALID: add a bad one
        text = VALID.replace(
            "pilot_start = 2026-03-02", "pilot_start = 2026-03-02\nbaseline_weeks = 0"
        )
        message = "teams.vergunningen.baseline_weeks: expected a whole number of weeks"
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_broken_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"koers.toml: not valid TOML"):
        config.load(write(tmp_path, "[teams\n"))
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "nope.toml")


def test_unknown_team_lists_the_known_ones(tmp_path: Path) -> None:
    cfg = config.load(write(tmp_path, VALID))
    with pytest.raises(ConfigError, match=r"unknown team 'x' \(known teams: vergunningen\)"):
        cfg.team("x")


def test_win_thresholds_default_and_per_team(tmp_path: Path) -> None:
    assert config.load(write(tmp_path, VALID)).team("vergunningen").wins == config.WinThresholds(
        min_change=0.20,  # METRICS.md §5's defaults
        min_items=10,
        max_p_value=0.05,
        deploy_factor=2.0,
        streak_weeks=4,
        outcome_change=0.10,
        record_min_weeks=8,
        recent_weeks=8,
    )
    text = VALID + "\n[teams.vergunningen.wins]\nmin_change = 0.25\nmin_items = 12\n"
    text += "deploy_factor = 3\n"
    wins = config.load(write(tmp_path, text)).team("vergunningen").wins
    assert (wins.min_change, wins.min_items, wins.deploy_factor) == (0.25, 12, 3.0)
    assert isinstance(wins.deploy_factor, float) and wins.streak_weeks == 4  # the rest: defaults


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = 1", "teams.vergunningen.wins.colour: expected one of the known keys"),
        (
            "min_items = 9.5",
            "teams.vergunningen.wins.min_items: expected a whole number of items from 2 to "
            "1000, got 9.5",
        ),
        (
            "min_change = 20",
            "teams.vergunningen.wins.min_change: expected a fraction from 0.01 to 1, like 0.20 "
            "for 20 %, got 20",
        ),
        ("streak_weeks = true", "teams.vergunningen.wins.streak_weeks: expected a whole number"),
        ("max_p_value = '0.05'", "teams.vergunningen.wins.max_p_value: expected a p-value"),
        ("deploy_factor = 1.0", "teams.vergunningen.wins.deploy_factor: expected a factor"),
        ("recent_weeks = 0", "teams.vergunningen.wins.recent_weeks: expected a whole number"),
    ],
)
def test_each_wins_mistake_is_one_line(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, VALID + "\n[teams.vergunningen.wins]\n" + body + "\n")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: ") and "\n" not in str(caught.value)
    assert message in str(caught.value)


def test_wins_must_be_a_table(tmp_path: Path) -> None:
    text = VALID.replace('name = "Team Vergunningen"', 'name = "Team Vergunningen"\nwins = 3')
    with pytest.raises(ConfigError, match=r"teams.vergunningen.wins: expected a table, got int"):
        config.load(write(tmp_path, text))
