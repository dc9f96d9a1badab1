"""The demo's GitLab data: deterministic, the pilot's story (far more deployments since its
start, shorter reviews), subsidies unchanged and quarterly, and no GitLab person anywhere."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from config import Config
from demo.gitlab import FICTIONAL_GITLAB_PEOPLE, generate
from metrics.delivery import project_ids, team_delivery
from metrics.flow import Period
from store.warehouse import connect_read
from tests.test_privacy import all_text

END = datetime.fromisoformat("2026-11-27T17:00:00+01:00")
PILOT = date(2026, 3, 2)
BEFORE = Period(date(2025, 9, 1), PILOT)  # 26 weeks before the pilot
SINCE = Period(PILOT, date(2026, 11, 28))


def test_the_payloads_are_deterministic() -> None:
    for team, pilot in (("vergunningen", PILOT), ("subsidies", None)):
        first, second = generate(team, END, pilot), generate(team, END, pilot)
        assert json.dumps(first.__dict__, default=str) == json.dumps(second.__dict__, default=str)
        assert len(first.merge_requests) > 100 and first.incidents


def reports(cfg: Config, team: str) -> tuple[dict, dict]:
    con = connect_read(cfg.database)
    facts = team_delivery(con, cfg, cfg.team(team), cfg.as_of)
    assert facts is not None
    return facts.report(BEFORE), facts.report(SINCE)


def test_the_pilot_deploys_far_more_often_since_its_start(demo_config: Config) -> None:
    before, since = reports(demo_config, "vergunningen")
    # monthly releases before: about 0.23 a week, no week with two deployment days
    assert before["per_week"] < 0.3 and before["deploy_days_per_week_median"] == 0
    assert since["per_week"] > 3 and since["deploy_days_per_week_median"] >= 3
    assert since["per_week"] > 10 * before["per_week"]
    lead_before = before["change_lead_time_days"]["p50"]
    lead_since = since["change_lead_time_days"]["p50"]
    assert lead_since < lead_before / 4


def test_the_pilot_s_reviews_are_short_since_its_start(demo_config: Config) -> None:
    con = connect_read(demo_config.database)
    facts = team_delivery(con, demo_config, demo_config.team("vergunningen"), demo_config.as_of)
    changes = facts.changes()
    since = changes[changes["merged_at"] >= datetime(2026, 3, 2, tzinfo=END.tzinfo)]
    assert since["first_review_at"].notna().all()  # every change had a review by someone else
    assert (since["pickup_days"] + since["review_days"] <= 8 / 24).all()  # within hours


def test_subsidies_does_not_change(demo_config: Config) -> None:
    before, since = reports(demo_config, "subsidies")
    assert before["per_week"] == pytest.approx(since["per_week"], rel=0.1)
    assert since["per_week"] < 0.1  # a release a quarter
    assert since["change_lead_time_days"]["p50"] > 30  # long waits between merge and deploy
    con = connect_read(demo_config.database)
    facts = team_delivery(con, demo_config, demo_config.team("subsidies"), demo_config.as_of)
    assert facts.changes()["deploy_days"].median() > 30


def test_environments_staging_tiers_and_rule_c(demo_config: Config) -> None:
    con = connect_read(demo_config.database)
    counts = dict(
        con.execute(
            "SELECT environment || ':' || coalesce(environment_tier, '-'), count(*) "
            "FROM deployments WHERE status = 'success' GROUP BY ALL"
        ).fetchall()
    )
    assert set(counts) == {"live:production", "staging:staging", "prod:-", "acceptatie:staging"}
    for team, env in (("vergunningen", "live"), ("subsidies", "prod")):
        facts = team_delivery(con, demo_config, demo_config.team(team), demo_config.as_of)
        assert set(facts.deployments()["environment"]) == {env}  # staging does not count
    assert project_ids(con, "gitlab", ["gemeente"]) == [101]  # a group holds its projects
    assert project_ids(con, "gitlab", ["provincie/subsidies", "gemeente/vergunningen"]) == [
        101,
        202,
    ]


def test_each_team_has_a_handful_of_incidents(demo_config: Config) -> None:
    con = connect_read(demo_config.database)
    for team in ("vergunningen", "subsidies"):
        facts = team_delivery(con, demo_config, demo_config.team(team), demo_config.as_of)
        incidents = facts.incidents()
        assert 3 <= len(incidents) <= 6
        assert incidents["attributed_deployment_id"].notna().all()
        restore = incidents["closed_at"] - incidents["created_at"]
        assert (restore >= timedelta(hours=1)).all() and (restore <= timedelta(days=5)).all()


def test_no_gitlab_person_is_stored_anywhere(demo_config: Config) -> None:
    text = all_text(demo_config)
    assert "gemeente/vergunningen" in text  # the GitLab payloads really are in there
    for person in FICTIONAL_GITLAB_PEOPLE:
        for value in (person.name, person.username, person.email):
            assert value not in text, f"{value!r} reached the warehouse"
