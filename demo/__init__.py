"""The built-in demo: deterministic raw payloads for two teams, landed and normalized exactly like
synced data, so the demo exercises the same code path as a real warehouse.

`vergunningen` is the pilot team (Jira Cloud shapes), `subsidies` is still milestone-driven (Jira
Data Center shapes). GitLab data comes from `demo.gitlab`, for the teams that configure it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from config import Config
from demo import gitlab, jira
from demo import outcomes as demo_outcomes
from errors import KoersError
from store.normalize import normalize
from store.raw import write_jira_catalogue, write_jira_issues
from store.sync_state import record_sync
from store.warehouse import rebuild

JIRA_GENERATORS: dict[str, Callable[[datetime], jira.JiraPayloads]] = {
    "vergunningen": jira.generate_vergunningen,
    "subsidies": jira.generate_subsidies,
}

Progress = Callable[[str], None]


def build(cfg: Config, path: Path | None = None, progress: Progress | None = None) -> Path:
    """Build the demo warehouse at `path` (default: the config's database) and swap it in."""
    say = progress or (lambda _message: None)
    target = path or cfg.database
    missing = [key for key in JIRA_GENERATORS if key not in cfg.teams]
    if missing:
        raise KoersError(f"{cfg.path}: the demo needs the teams {', '.join(missing)}")
    end = cfg.now()
    with rebuild(target) as con:
        for key, generate in JIRA_GENERATORS.items():
            team = cfg.team(key)
            assert team.jira is not None
            say(f"generating demo Jira data for team {key}")
            payloads = generate(end)
            write_jira_catalogue(
                con,
                team.jira.source,
                end,
                payloads.server_info,
                payloads.statuses,
                payloads.fields,
            )
            write_jira_issues(con, team.jira.source, key, end, payloads.issues)
            flavour = (
                "cloud" if payloads.server_info.get("deploymentType") == "Cloud" else "datacenter"
            )
            record_sync(con, team.jira.source, "jira", flavour, end, demo=True)
        for key in gitlab.TEAMS:
            team = cfg.teams.get(key)
            if team is None or team.gitlab is None:
                continue
            say(f"generating demo GitLab data for team {key}")
            payloads = gitlab.generate(key, end, team.pilot_start)
            gitlab.write(con, team.gitlab.source, end, payloads)
            record_sync(con, team.gitlab.source, "gitlab", None, end, demo=True)
        say("normalizing")
        normalize(con)
    if cfg.demo:
        say("writing demo outcome indicators")
        demo_outcomes.write(cfg)  # people's input: plain files beside the warehouse
    return target
