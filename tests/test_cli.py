"""`python -m koers`: the commands of ARCHITECTURE.md, run as a user runs them (a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from statistics import median

import pytest

from config import REPO_ROOT


def koers(
    *args: str, config: Path | None = None, cwd: Path = REPO_ROOT
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "KOERS_CONFIG"}
    if config is not None:
        env["KOERS_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "koers", *args],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120,
    )  # fmt: skip


def test_report_flow_section(demo_config_file: Path) -> None:
    result = koers("report", "--team", "vergunningen", "--format", "json", config=demo_config_file)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["team"] == "vergunningen"
    # the demo's frozen now: Friday 27 November 2026, 17:00 in Amsterdam
    assert report["as_of"] == "2026-11-27T16:00:00Z"
    assert (report["from"], report["to"]) == ("2026-08-31", "2026-11-28")
    flow = report["flow"]
    assert set(flow) >= {
        "items_done",
        "items_discarded",
        "lead_time_days",
        "cycle_time_days",
        "throughput_weekly",
        "wip_avg",
        "flow_efficiency",
        "at_risk",
    }
    assert set(flow["lead_time_days"]) == {"p50", "p85", "p95", "mean", "n"}
    assert len(flow["throughput_weekly"]) == 13  # 12 full weeks and this one
    assert sum(w["count"] for w in flow["throughput_weekly"]) == flow["items_done"]
    assert flow["lead_time_days"]["n"] == flow["items_done"]


def _p50(config: Path, team: str, start: str, end: str) -> float:
    result = koers("report", "--team", team, "--from", start, "--to", end, config=config)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["flow"]["lead_time_days"]["p50"]


def test_the_pilot_is_faster_since_its_start_and_the_other_team_is_not(
    demo_config_file: Path,
) -> None:
    # baseline: the 12 weeks before pilot_start (2026-03-02); since: pilot_start to the demo's now
    pilot_before = _p50(demo_config_file, "vergunningen", "2025-12-08", "2026-03-02")
    pilot_since = _p50(demo_config_file, "vergunningen", "2026-03-02", "2026-11-28")
    assert pilot_since < 0.5 * pilot_before
    other_before = _p50(demo_config_file, "subsidies", "2025-12-08", "2026-03-02")
    other_since = _p50(demo_config_file, "subsidies", "2026-03-02", "2026-11-28")
    assert abs(other_since - other_before) / other_before < 0.3


def test_items_json_and_csv_agree(demo_config_file: Path) -> None:
    as_json = koers("items", "--team", "subsidies", "--format", "json", config=demo_config_file)
    as_csv = koers("items", "--team", "subsidies", "--format", "csv", config=demo_config_file)
    assert as_json.returncode == 0 and as_csv.returncode == 0, as_json.stderr + as_csv.stderr
    items = json.loads(as_json.stdout)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(items) == len(rows) > 100
    assert {
        "key",
        "type",
        "status",
        "stage",
        "created_at",
        "started_at",
        "done_at",
        "lead_time_days",
        "cycle_time_days",
        "age_days",
        "discarded",
        "in_flow",
    } <= set(items[0])
    assert [i["key"] for i in items] == [r["key"] for r in rows]
    assert list(rows[0])[:5] == ["key", "title", "created_at", "started_at", "done_at"]
    done = [i for i in items if i["done_at"]]
    assert all(i["done_at"].endswith("Z") for i in done)
    assert any(not i["in_flow"] for i in items)  # epics and sub-tasks are listed too
    assert median(i["lead_time_days"] for i in done) > 0


def test_as_of_a_date_means_the_start_of_that_day(demo_config_file: Path) -> None:
    result = koers(
        "report", "--team", "vergunningen", "--as-of", "2026-06-01", config=demo_config_file
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == "2026-05-31T22:00:00Z"  # CEST


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("report", "--team", "nope"),
            "unknown team 'nope' (known teams: subsidies, vergunningen)",
        ),
        (
            ("report", "--team", "vergunningen", "--from", "2026-03-02", "--to", "2026-03-01"),
            "--to (2026-03-01) must be after --from (2026-03-02)",
        ),
    ],
)
def test_user_mistakes_are_one_line_and_exit_1(demo_config_file: Path, args, message) -> None:
    result = koers(*args, config=demo_config_file)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"koers: {message}" if "unknown" not in message else f"koers: {demo_config_file}: {message}"
    ]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_usage_errors_exit_2(demo_config_file: Path) -> None:
    result = koers(
        "report", "--team", "vergunningen", "--as-of", "2026-06-01T10:00", config=demo_config_file
    )
    assert result.returncode == 2
    assert "expected an ISO 8601 time with an offset" in result.stderr


def test_a_broken_config_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "koers.toml"
    bad.write_text("[teams.t]\njira = { source = 'nowhere', jql = 'x' }\n", encoding="utf-8")
    result = koers("items", "--team", "t", config=bad)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"koers: {bad}: teams.t.jira.source: expected the name of a [sources.NAME] table "
        "(none defined), got 'nowhere'"
    )


def test_without_any_config_the_demo_config_is_used(tmp_path: Path) -> None:
    # No koers.toml and no KOERS_CONFIG: the committed demo config. Its warehouse lives in the
    # repo's data/ folder, so write this one elsewhere to leave the checkout alone.
    assert not (REPO_ROOT / "koers.toml").exists()
    result = koers("demo", "--db", str(tmp_path / "d.duckdb"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d.duckdb").exists()
    assert "demo warehouse written" in result.stderr


def test_report_dora_section(demo_config_file: Path, tmp_path: Path) -> None:
    """The `dora` part (METRICS.md §3): the contract's keys for a team with GitLab, null without."""
    result = koers("report", "--team", "vergunningen", "--format", "json", config=demo_config_file)
    assert result.returncode == 0, result.stderr
    dora = json.loads(result.stdout)["dora"]
    assert set(dora) == {
        "deployments",
        "per_week",
        "deploy_days_per_week_median",
        "change_lead_time_days",
        "change_failure_rate",
        "time_to_restore_days",
    }
    assert set(dora["change_lead_time_days"]) == {"p50", "p85", "n"}
    assert set(dora["time_to_restore_days"]) == {"p50", "n"}
    assert dora["deployments"] > 20  # several a week since the pilot
    text = demo_config_file.read_text(encoding="utf-8").replace(
        'gitlab = { source = "gitlab", projects = ["provincie/subsidies"] }\n', ""
    )
    without = tmp_path / "koers.toml"
    without.write_text(text, encoding="utf-8")
    result = koers("report", "--team", "subsidies", "--format", "json", config=without)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dora"] is None


def test_report_wins_section(demo_config_file: Path) -> None:
    """The `wins` part (METRICS.md §5): [{id, rule, date, title_nl, title_en, evidence}]."""
    result = koers("report", "--team", "vergunningen", "--format", "json", config=demo_config_file)
    assert result.returncode == 0, result.stderr
    wins = json.loads(result.stdout)["wins"]
    assert {"faster_lead_time", "deploying_more_often", "hypothesis_validated"} <= {
        win["rule"] for win in wins
    }
    for win in wins:
        assert {"id", "rule", "date", "title_nl", "title_en", "evidence"} <= set(win)
        assert win["id"].startswith(f"{win['rule']}:vergunningen:")
    lead = next(win for win in wins if win["rule"] == "faster_lead_time")
    # the demo's now is in ISO week 48; the baseline is the 12 weeks before pilot_start
    assert lead["id"] == "faster_lead_time:vergunningen:lead_time:2026-W48"
    assert lead["date"] == "2026-11-27"
    evidence = lead["evidence"]
    assert evidence["before_period"] == {"from": "2025-12-08", "to": "2026-03-02"}
    assert evidence["after_period"] == {"from": "2026-10-03", "to": "2026-11-28"}
    assert evidence["after"] < 0.8 * evidence["before"] and evidence["p_value"] < 0.05
    assert evidence["series"] and {p["phase"] for p in evidence["series"]} == {"before", "after"}
