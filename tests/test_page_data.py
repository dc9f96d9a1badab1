"""The Data page with Streamlit's AppTest: sources, table sizes, the team's data-quality warnings
and its workflow mapping, checked against the warehouse with the test's own SQL."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import config as config_module
from config import REPO_ROOT, Config
from i18n.formats import fmt_int
from metrics.flow import TeamFlow
from store.warehouse import connect_read

TITLES = {"nl": "Gegevens", "en": "Data"}
LAST_SYNC = {"nl": "27 nov. 2026 om 17:00", "en": "27 Nov 2026 at 17:00"}  # 16:00 UTC
DEMO = {"nl": "ja, voorbeelddata", "en": "yes, sample data"}
STAGE = {
    "nl": {"backlog": "Nog niet begonnen", "in_progress": "Onderhanden", "done": "Klaar"},
    "en": {"backlog": "Not started", "in_progress": "In progress", "done": "Done"},
}
ORIGIN = {
    "nl": {"config": "koers.toml", "category": "Jira-categorie", "unknown": "onbekend: backlog"},
    "en": {"config": "koers.toml", "category": "Jira category", "unknown": "unknown: backlog"},
}


def run_page(lang: str, team: str) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / "app_pages/data.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["team"] = team
    return at.run()


def sql(cfg: Config, query: str, params: list | None = None) -> list[tuple]:
    return connect_read(cfg.database).execute(query, params or []).fetchall()


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The (first) table on the page that has this column."""
    frames = [d.value for d in at.dataframe] + [t.value for t in at.table]
    return next(f for f in frames if column in f.columns)


def source_of(cfg: Config, team: str) -> str:
    return cfg.team(team).jira.source


# the team's items as the metrics see them: matched by its query, created up to as_of
TEAM_ITEMS = "FROM work_items w WHERE w.source = ? AND w.team = ? AND w.created_at <= ?"


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_data_page_in_both_languages(
    demo_env: Path, demo_config: Config, lang: str, team: str
) -> None:
    at = run_page(lang, team)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert not at.get("vega_lite_chart")  # tables and sentences only

    # sources: both demo sources, their last sync in the language's date format, demo said plainly
    sources = frame_with(at, "last_sync")
    assert sources["source"].tolist() == ["gitlab", "jira-cloud", "jira-dc"]
    assert sources["last_sync"].tolist() == [LAST_SYNC[lang]] * 3
    assert sources["demo"].tolist() == [DEMO[lang]] * 3
    assert sources["url"].tolist() == [demo_config.sources[s].url for s in sources["source"]]
    assert any("jira-cloud" in i.value and "jira-dc" in i.value for i in at.info)

    # row counts per table, counted here with plain SQL
    tables = frame_with(at, "rows").set_index("table")["rows"]
    for name in ("raw_jira_issues", "work_items", "status_changes", "status_intervals",
                 "flag_intervals", "jira_statuses"):  # fmt: skip
        (count,) = sql(demo_config, f"SELECT count(*) FROM {name}")[0]
        assert tables[name] == fmt_int(count, lang), name
    assert "source_state" not in tables.index

    # excluded items, each under its first reason, counted here from work_items and the facts
    src, as_of = source_of(demo_config, team), demo_config.as_of
    where = TEAM_ITEMS
    epics, subtasks, total = sql(
        demo_config,
        f"SELECT count(*) FILTER (is_epic), count(*) FILTER (is_subtask AND NOT is_epic), "
        f"count(*) {where}",
        [src, team, as_of],
    )[0]
    items = TeamFlow(
        connect_read(demo_config.database), demo_config.team(team), demo_config.timezone, as_of
    ).items()
    in_flow = items[items["in_flow"]]
    incomplete = int((~in_flow["changelog_complete"]).sum())
    discarded = int((in_flow["changelog_complete"] & in_flow["discarded"]).sum())
    excluded = frame_with(at, {"nl": "Reden", "en": "Reason"}[lang])
    counts = excluded.iloc[:, 1].tolist()
    assert counts == [
        fmt_int(n, lang)
        for n in (
            epics,
            subtasks,
            incomplete,
            discarded,
            total - epics - subtasks - incomplete - discarded,
        )
    ]
    assert epics > 0 and subtasks > 0 and discarded > 0  # the demo has each of them

    # truncated changelogs: none in the demo, said as good news
    ((truncated,),) = sql(
        demo_config, f"SELECT count(*) {where} AND NOT changelog_complete", [src, team, as_of]
    )
    assert truncated == 0
    assert any(
        {"nl": "volledige geschiedenis", "en": "complete history"}[lang] in s.value
        for s in at.success
    )

    # items without any status transition, found here with our own SQL
    never = {
        key
        for (key,) in sql(
            demo_config,
            f"SELECT key {where} AND NOT EXISTS (SELECT 1 FROM status_changes s "
            "WHERE s.source = w.source AND s.item_id = w.item_id AND s.field = 'status' "
            "AND s.changed_at <= ?)",
            [src, team, as_of, as_of],
        )
    }
    assert never, "the demo has backlog items that never moved"
    notes = " ".join(m.value for m in [*at.warning, *at.info])
    assert f"{fmt_int(len(never), lang)} items" in notes
    started = set(items.loc[items["key"].isin(never) & (items["stage"] != "backlog"), "key"])
    assert bool(started) == (team == "subsidies")  # one subsidies item was created in progress
    if started:  # listed with a link to Jira
        listed = frame_with(at, "link")["link"].tolist()
        base = demo_config.sources[src].url
        assert listed == [f"{base}/browse/{key}" for key in sorted(started)]

    # the workflow mapping: every status the items visited; named ones come from koers.toml
    mapping = frame_with(at, "waiting").set_index("status")
    visited = {
        name
        for (name,) in sql(
            demo_config,
            "SELECT DISTINCT coalesce(c.name, i.status_name) FROM status_intervals i "
            "JOIN work_items w ON w.source = i.source AND w.item_id = i.item_id "
            "LEFT JOIN jira_statuses c ON c.source = i.source AND c.status_id = i.status_id "
            "WHERE i.source = ? AND w.team = ?",
            [src, team],
        )
    }
    assert set(mapping.index) == visited
    wf = demo_config.team(team).workflow
    named = {s.lower(): stage for stage in ("in_progress", "done") for s in getattr(wf, stage)}
    for status, row in mapping.iterrows():
        if status.lower() in named:
            assert row["origin"] == ORIGIN[lang]["config"]
            assert row["stage"] == STAGE[lang][named[status.lower()]]
        waiting = status.lower() in {s.lower() for s in wf.waiting}
        assert (
            row["waiting"]
            == {"nl": {True: "ja", False: "nee"}, "en": {True: "yes", False: "no"}}[lang][waiting]
        )


def test_vergunningen_backlog_statuses_fall_back_to_their_category(
    demo_env: Path, demo_config: Config
) -> None:
    at = run_page("nl", "vergunningen")
    mapping = frame_with(at, "waiting").set_index("status")
    # the config names every in-progress and done status, not "Backlog" and "Te verfijnen"
    fallback = set(mapping.index[mapping["origin"] == ORIGIN["nl"]["category"]])
    assert fallback == {"Backlog", "Te verfijnen"}
    assert set(mapping.loc[list(fallback), "stage"]) == {STAGE["nl"]["backlog"]}
    assert any(
        "'Te verfijnen' en 'Backlog'" in i.value and "[teams.vergunningen.workflow]" in i.value
        for i in at.info
    )
    assert any("statuslijst van Jira" in s.value for s in at.success)  # nothing deleted here


def test_subsidies_deleted_and_renamed_statuses_surface(
    demo_env: Path, demo_config: Config
) -> None:
    at = run_page("en", "subsidies")
    # the deleted status: an id the catalogue does not have, and the items that visited it
    ((status_id, name, visitors),) = sql(
        demo_config,
        "SELECT i.status_id, any_value(i.status_name), count(DISTINCT i.item_id) "
        "FROM status_intervals i JOIN work_items w "
        "ON w.source = i.source AND w.item_id = i.item_id AND w.team = 'subsidies' "
        "WHERE i.source = 'jira-dc' AND i.status_id NOT IN "
        "(SELECT status_id FROM jira_statuses WHERE source = 'jira-dc') GROUP BY i.status_id",
    )
    assert (name, visitors) == ("On hold", 5)
    warning = next(w.value for w in at.warning if "On hold" in w.value)
    assert "[teams.subsidies.workflow]" in warning and "backlog" in warning
    unknown = frame_with(at, "id").set_index("status")
    assert unknown.loc["On hold", "id"] == status_id
    assert unknown.loc["On hold", "items"] == str(visitors)
    assert unknown.loc["On hold", "origin"] == ORIGIN["en"]["unknown"]

    # the renamed status: the changelog's old name next to the catalogue's current one
    ((current, old),) = sql(
        demo_config,
        "SELECT c.name, string_agg(DISTINCT i.status_name, ', ') FROM status_intervals i "
        "JOIN jira_statuses c ON c.source = i.source AND c.status_id = i.status_id "
        "WHERE i.source = 'jira-dc' AND lower(i.status_name) <> lower(c.name) GROUP BY c.name",
    )
    assert (current, old) == ("Klaar voor test", "Te testen")
    assert any("'Klaar voor test' (formerly 'Te testen')" in i.value for i in at.info)
    mapping = frame_with(at, "waiting").set_index("status")
    assert mapping.loc["Klaar voor test", "old_names"] == "Te testen"
    assert mapping.loc["On hold", "stage"] == STAGE["en"]["backlog"]
    assert mapping.loc["Open", "origin"] == ORIGIN["en"]["category"]


def test_team_without_jira_gets_a_note_instead_of_warnings(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "koers.toml"
    path.write_text(
        demo_config_file.read_text(encoding="utf-8") + '\n[teams.nieuw]\nname = "Team Nieuw"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    at = run_page("en", "nieuw")
    assert not at.exception
    assert any("Team Nieuw" in i.value and "jira = " in i.value for i in at.info)
    assert frame_with(at, "last_sync")["source"].tolist() == ["gitlab", "jira-cloud", "jira-dc"]
    assert not [d for d in at.dataframe if "waiting" in d.value.columns]


def test_names_from_jira_are_escaped_before_they_go_into_a_message() -> None:
    from ui.data_quality import plain

    assert plain("On hold") == "On hold"
    assert plain("a*b_c [x](y) :tada: $x$") == r"a\*b\_c \[x\](y) \:tada\: \$x\$"


# -- GitLab: the domain tables, the team's projects and the warnings about them -----------------

GITLAB_TABLES = ("merge_requests", "deployments", "deployment_merge_requests", "incidents")
HEADING = {"nl": "GitLab van {}", "en": "GitLab of {}"}
YES_NO = {"nl": {True: "ja", False: "nee"}, "en": {True: "yes", False: "no"}}
# METRICS.md §3, written out here again: a successful deployment to an environment of tier
# production, or without a known tier and named like production (the demo names no
# production_environment), finished by as_of
PRODUCTION = (
    "status = 'success' AND finished_at <= ? AND (environment_tier = 'production' OR "
    "(environment_tier IS NULL AND regexp_matches(environment, '^prod(uction)?(/.*)?$', 'i')))"
)


def gitlab_project(cfg: Config, team: str) -> tuple[int, str]:
    ((path,),) = [(p,) for p in cfg.team(team).gitlab.projects]
    ((pid,),) = sql(
        cfg,
        "SELECT id FROM raw_gitlab_projects WHERE payload ->> 'path_with_namespace' = ?",
        [path],
    )
    return pid, path


def waiting_mrs(cfg: Config, pid: int, as_of) -> list[int]:
    """Merged > 30 days before as_of, after the first production deployment, and in no
    production deployment finished by as_of: the test's own SQL."""
    rows = sql(
        cfg,
        "WITH prod AS (SELECT deployment_id, finished_at FROM deployments "
        f"WHERE project_id = ? AND {PRODUCTION}) "
        "SELECT mr.iid FROM merge_requests mr WHERE mr.project_id = ? "
        "AND epoch(?::TIMESTAMPTZ) - epoch(mr.merged_at) > 30 * 86400 "
        "AND mr.merged_at > (SELECT min(finished_at) FROM prod) "
        "AND NOT EXISTS (SELECT 1 FROM deployment_merge_requests dm "
        "JOIN prod USING (deployment_id) "
        "WHERE dm.mr_id = mr.mr_id) ORDER BY mr.merged_at",
        [pid, as_of, pid, as_of],
    )
    return [iid for (iid,) in rows]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_gitlab_tables_projects_and_warnings(
    demo_env: Path, demo_config: Config, lang: str, team: str
) -> None:
    at = run_page(lang, team)
    assert not at.exception

    # the GitLab domain tables are counted and explained, like Jira's
    tables = frame_with(at, "rows").set_index("table")
    for name in GITLAB_TABLES:
        (count,) = sql(demo_config, f"SELECT count(*) FROM {name}")[0]
        assert count > 0, name
        assert tables.loc[name, "rows"] == fmt_int(count, lang), name
        assert tables.loc[name, "holds"] not in ("", "–"), name
    assert tables.index.tolist()[-4:] == list(GITLAB_TABLES)

    # the team's section: its source and last sync, then its project with the counts
    name = demo_config.team(team).name
    assert HEADING[lang].format(name) in [h.value for h in at.subheader]
    assert any("'gitlab'" in m.value and LAST_SYNC[lang] in m.value for m in at.markdown)
    as_of = demo_config.as_of
    pid, path = gitlab_project(demo_config, team)
    ((merged,),) = sql(
        demo_config,
        "SELECT count(*) FROM merge_requests WHERE project_id = ? AND merged_at <= ?",
        [pid, as_of],
    )
    ((deployed,),) = sql(
        demo_config, f"SELECT count(*) FROM deployments WHERE project_id = ? AND {PRODUCTION}",
        [pid, as_of],
    )  # fmt: skip
    ((incidents,),) = sql(
        demo_config,
        "SELECT count(*) FROM incidents WHERE project_id = ? AND created_at <= ?",
        [pid, as_of],
    )
    projects = frame_with(at, "archived")
    assert projects.values.tolist() == [
        [
            path,
            f"{demo_config.sources['gitlab'].url}/{path}",
            YES_NO[lang][False],
            fmt_int(merged, lang),
            fmt_int(deployed, lang),
            fmt_int(incidents, lang),
        ]
    ]
    assert deployed > 0 and incidents > 0
    ok = {"nl": f"Koers vond {fmt_int(deployed, 'nl')} leveringen", "en": f"found {deployed} dep"}
    assert any(ok[lang] in s.value for s in at.success)
    assert any({"nl": "elk GitLab-pad", "en": "every GitLab path"}[lang] in s.value
               for s in at.success)  # fmt: skip

    # merged changes that no production deployment carries after 30 days
    waiting = waiting_mrs(demo_config, pid, as_of)
    assert bool(waiting) == (team == "subsidies")  # it releases quarterly
    if waiting:
        warning = next(w.value for w in at.warning if "30" in w.value and "merge" in w.value)
        assert warning.startswith(f"{len(waiting)} merge requests")
        assert fmt_int(merged, lang) in warning
        listed = frame_with(at, "days")
        base = f"{demo_config.sources['gitlab'].url}/{path}/-/merge_requests/"
        assert listed["link"].tolist() == [f"{base}{iid}" for iid in waiting]
        assert all(int(d) > 30 for d in listed["days"])
    else:
        assert any(
            {"nl": "meer dan 30 dagen", "en": "more than 30 days"}[lang] in s.value
            for s in at.success
        )


def _config_copy(demo_config_file: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = demo_config_file.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "koers.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_gitlab_path_not_found_and_production_environment_absent(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config_copy(
        demo_config_file,
        tmp_path,
        'gitlab = { source = "gitlab", projects = ["gemeente/vergunningen"] }',
        'gitlab = { source = "gitlab", projects = ["gemeente/vergunningen", "gemeente/weg"], '
        'production_environment = "productie" }',
    )
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    at = run_page("nl", "vergunningen")
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("pad 'gemeente/weg'" in w and "[teams.vergunningen.gitlab]" in w for w in warnings)
    assert any("'productie'" in w and "production_environment" in w for w in warnings)
    # the found project is still listed; the named environment shows as one without a project
    assert frame_with(at, "archived")["path"].tolist() == ["gemeente/vergunningen"]
    envs = frame_with(at, "environment")
    assert envs.values.tolist()[-1] == ["–", "productie", "onbekend", "0"]


def test_no_production_deployment_yet(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before the demo's first production deployment (vergunningen: June 2025)
    path = _config_copy(
        demo_config_file,
        tmp_path,
        "as_of = 2026-11-27T17:00:00+01:00",
        "as_of = 2025-06-01T12:00:00+02:00",
    )
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    cfg = config_module.load(path)
    pid, _ = gitlab_project(cfg, "vergunningen")
    ((deployed,),) = sql(
        cfg, f"SELECT count(*) FROM deployments WHERE project_id = ? AND {PRODUCTION}",
        [pid, cfg.as_of],
    )  # fmt: skip
    assert deployed == 0
    at = run_page("en", "vergunningen")
    assert not at.exception
    warning = next(w.value for w in at.warning if "no deployment to production" in w.value)
    assert "'live' and 'staging'" in warning
    assert "[teams.vergunningen.gitlab]" in warning
    assert not [w for w in at.warning if "merge requests" in w.value]  # nothing could carry them


def test_team_without_gitlab_gets_a_note(
    demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _config_copy(
        demo_config_file,
        tmp_path,
        'gitlab = { source = "gitlab", projects = ["provincie/subsidies"] }\n',
        "",
    )
    monkeypatch.setenv("KOERS_CONFIG", str(path))
    at = run_page("en", "subsidies")
    assert not at.exception
    assert any("No GitLab is set up for Team Subsidies" in i.value for i in at.info)
    assert not [d for d in at.dataframe if "archived" in d.value.columns]
    assert [d for d in at.dataframe if "waiting" in d.value.columns]  # the Jira part is there
