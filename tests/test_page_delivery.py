"""Levering / Delivery page, run with Streamlit's AppTest on the demo warehouse, both teams and
both languages. The expected tile values come from `metrics.dora.TeamDelivery` directly (the
team's project ids looked up here, not through the page's helper)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import REPO_ROOT, Config
from i18n.formats import fmt_days, fmt_number, fmt_pct
from metrics.dora import TeamDelivery
from metrics.flow import Period
from metrics.overview import baseline_period
from store.warehouse import connect_read

TITLES = {"nl": "Levering", "en": "Delivery"}
LABELS = {
    "nl": [
        "Leveringen per week",
        "Leverdagen / week",
        "Tijd tot live (50 %)",
        "Deel met storing",
        "Hersteltijd (50 %)",
    ],
    "en": [
        "Deploys / week",
        "Deploy days / week",
        "Lead time (50%)",
        "Change failure rate",
        "Restore (50%)",
    ],
}
PROJECTS = {"vergunningen": "gemeente/vergunningen", "subsidies": "provincie/subsidies"}


def run_page(lang: str, team: str, period: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app_pages/delivery.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["team"] = team
    if period:
        at.query_params["period"] = period
    return at.run()


def expected(cfg: Config, team: str, period: Period) -> tuple[dict, dict]:
    con = connect_read(cfg.database)
    (project,) = con.execute(
        "SELECT id FROM raw_gitlab_projects WHERE payload ->> 'path_with_namespace' = ?",
        [PROJECTS[team]],
    ).fetchone()
    facts = TeamDelivery(con, "gitlab", [project], None, cfg.timezone, cfg.as_of)
    baseline = baseline_period(cfg.team(team), cfg.as_of, cfg.timezone)
    return facts.report(period), facts.report(baseline)


def shown(report: dict, lang: str) -> list[str]:
    lead = report["change_lead_time_days"]["p50"]
    cfr = report["change_failure_rate"]
    restore = report["time_to_restore_days"]["p50"]
    none = {"nl": "geen", "en": "none"}[lang]
    return [
        fmt_number(report["per_week"], lang),
        fmt_number(report["deploy_days_per_week_median"], lang),
        fmt_days(lead, lang) if lead is not None else {"nl": "te weinig", "en": "too few"}[lang],
        fmt_pct(cfr, lang) if cfr is not None else none,
        fmt_days(restore, lang) if restore is not None else none,
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_the_page_shows_the_dora_tiles_and_charts(
    demo_env: Path, demo_config: Config, team: str, lang: str
) -> None:
    at = run_page(lang, team)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    period = Period.last_weeks(demo_config.as_of, demo_config.timezone, 12)
    now, before = expected(demo_config, team, period)
    assert [m.label for m in at.metric] == LABELS[lang]
    assert [m.value for m in at.metric] == shown(now, lang)
    # the deltas compare with the baseline; the p85 is in the lead-time tile's help
    per_week = at.metric[0]
    if before["per_week"]:
        assert per_week.proto.delta
    p85 = now["change_lead_time_days"]["p85"]
    if p85 is not None:
        assert fmt_days(p85, lang) in at.metric[2].proto.help

    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    alts = [c.proto.alt for c in at.get("vega_lite_chart")]
    assert all(alts)
    by_title = {
        s["title"]["text"] if isinstance(s["title"], dict) else s["title"]: s for s in specs
    }
    stages_title = {"nl": "Waar gaat de tijd heen?", "en": "Where does the time go?"}[lang]
    stages = by_title[stages_title]
    assert [layer["mark"]["type"] for layer in stages["layer"]] == ["bar", "text"]
    assert stages["layer"][0]["encoding"]["x"]["stack"] == "zero"
    assert stages["layer"][0]["encoding"]["color"]["field"] == "stage_label"
    if now["deployments"]:
        weekly = by_title[{"nl": "Leveringen per week", "en": "Deployments per week"}[lang]]
        assert [layer["mark"]["type"] for layer in weekly["layer"]] == ["bar", "line"]
        assert weekly["layer"][0]["encoding"]["y"]["field"] == "deployments"
        assert weekly["layer"][1]["encoding"]["y"]["field"] == "deploy_days"
        assert weekly["layer"][1]["mark"]["point"]["shape"] == "diamond"
        assert "timeUnit" not in weekly["layer"][0]["encoding"]["x"]
        total = str(now["deployments"])
        assert any(total in a for a in alts)
    else:
        assert len(specs) == 1


def test_the_pilot_s_tiles_show_good_news_against_the_baseline(
    demo_env: Path, demo_config: Config
) -> None:
    at = run_page("nl", "vergunningen", "pilot")
    assert not at.exception
    per_week, _, lead, *_ = at.metric
    assert "beter" in per_week.proto.delta and "beter" in lead.proto.delta
    # the same good-news colour for a rise (deployments) and a fall (lead time)
    assert per_week.proto.color == lead.proto.color
    assert per_week.proto.direction != lead.proto.direction


def test_a_team_without_gitlab_gets_a_plain_sentence(
    demo_env: Path, demo_config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = demo_config_file.read_text(encoding="utf-8")
    text = text.replace('gitlab = { source = "gitlab", projects = ["provincie/subsidies"] }\n', "")
    path = demo_config_file.with_name("koers-no-gitlab.toml")
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    at = run_page("en", "subsidies")
    assert not at.exception
    assert "No GitLab source" in at.info[-1].value
    assert not at.metric


def test_the_pilot_period_starts_on_the_pilot_start(demo_config: Config) -> None:
    period = Period.since(date(2026, 3, 2), demo_config.as_of, demo_config.timezone)
    now, _ = expected(demo_config, "vergunningen", period)
    assert now["deployments"] > 100


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_help_says_jira_incident_types_count_too(
    demo_env: Path, demo_config: Config, lang: str
) -> None:
    """METRICS.md §3: an incident is a GitLab incident or a Jira item of the team's
    `incident_types`; the failure-rate and restore tiles and the explanation say so."""
    at = run_page(lang, "vergunningen")
    assert not at.exception
    failure, restore = at.metric[3].proto.help, at.metric[4].proto.help
    assert "GitLab" in failure and "Jira" in failure and "`incident_types`" in failure
    assert "Jira" in restore and "Won't Do" in restore
    explain = at.markdown[-1].value
    assert 'incident_types = ["Incident"]' in explain
    assert {"nl": "Storingen", "en": "Incidents"}[lang] in explain


def test_jira_incident_types_count_in_the_failure_rate(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `incident_types = ["bug"]` the pilot's Jira bugs are incidents too (METRICS.md §3):
    the change failure rate tile, worked out here with the test's own SQL (each incident to the
    latest production deployment finished at or before it, by a correlated max, not ASOF).
    The config is changed while the "dashboard" runs: the page must not show cached figures of
    the old config."""
    import config as config_module

    text = demo_config_file.read_text(encoding="utf-8")
    marker = "[teams.vergunningen.workflow]"
    path = tmp_path / "koers.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    before = run_page("en", "vergunningen")
    path.write_text(text.replace(marker, 'incident_types = ["bug"]\n\n' + marker), encoding="utf-8")
    mtime = path.stat().st_mtime_ns + 1_000_000_000  # a coarse clock could repeat the time
    os.utime(path, ns=(mtime, mtime))
    cfg = config_module.load(path)
    period = Period.last_weeks(cfg.as_of, cfg.timezone, 12)
    start, end = period.bounds(cfg.timezone)
    con = connect_read(cfg.database)
    (project,) = con.execute(
        "SELECT id FROM raw_gitlab_projects WHERE payload ->> 'path_with_namespace' = ?",
        [PROJECTS["vergunningen"]],
    ).fetchone()
    failed, deployments = con.execute(
        """
        WITH prod AS (
            SELECT deployment_id, finished_at FROM deployments
            WHERE project_id = $project AND status = 'success' AND finished_at <= $as_of
                AND environment_tier = 'production'
        ),
        created AS (
            SELECT created_at FROM incidents WHERE project_id = $project AND created_at <= $as_of
            UNION ALL
            SELECT created_at FROM work_items
            WHERE team = 'vergunningen' AND lower(type) = 'bug' AND created_at <= $as_of
        ),
        hit AS (
            SELECT (SELECT max(finished_at) FROM prod WHERE finished_at <= c.created_at) AS hit_at
            FROM created AS c
        )
        SELECT
            count(*) FILTER (WHERE finished_at IN (SELECT hit_at FROM hit)),
            count(*)
        FROM prod WHERE finished_at >= $start AND finished_at < $end
        """,
        {"project": project, "as_of": cfg.as_of, "start": start, "end": end},
    ).fetchone()
    assert deployments > 0 and failed > 0
    gitlab_only, _ = expected(cfg, "vergunningen", period)
    assert failed / deployments > gitlab_only["change_failure_rate"]  # the bugs add failures
    assert before.metric[3].value == fmt_pct(gitlab_only["change_failure_rate"], "en")

    at = run_page("en", "vergunningen")
    assert not at.exception
    assert at.metric[3].value == fmt_pct(failed / deployments, "en")
