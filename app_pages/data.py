"""Gegevens / Data: where the numbers come from (sources, last sync, table sizes) and what to know
about the view's team's data: its Jira data (data-quality warnings and the workflow mapping in
effect) and its GitLab projects (what was found, and warnings about deployments)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from i18n import catalogue, t
from i18n.formats import fmt_date, fmt_int
from metrics import quality
from ui import data, data_quality
from ui.app import page_view

view = page_view()
lang = view.lang
tz = view.cfg.timezone
team = view.team


def say(key: str, /, **values: object) -> str:
    return t(f"data.{key}", lang, **values)


def label(prefix: str, value: object, unknown: str | None = None) -> str:
    """The translated name of a code (`stage_done`); else `unknown`, or the code itself."""
    key = f"data.{prefix}_{value}"
    if key in catalogue(lang):
        return t(key, lang)
    return str(value) if unknown is None else unknown


def names(values: pd.Series, quote: bool = True) -> str:
    """'A', 'B' and 'C', each name escaped (they come from Jira, and messages are Markdown)."""
    quoted = [f"'{data_quality.plain(v)}'" if quote else str(v) for v in values]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {say('and')} {quoted[-1]}"


def plural(message: str, count: int, /, **values: object) -> str:
    """`message_one` or `message_many`, by `count`."""
    return say(f"{message}_{'one' if count == 1 else 'many'}", count=fmt_int(count, lang), **values)


def count_column(title: str, help_text: str | None = None):
    return st.column_config.TextColumn(title, help=help_text, alignment="right")


def item_table(items: pd.DataFrame) -> None:
    """Items with a link to Jira."""
    st.dataframe(
        pd.DataFrame(
            {
                "link": data_quality.links(view, items["key"]),
                "type": items["type"],
                "status": items["status"],
                "stage": items["stage"].map(lambda s: label("stage", s)),
            }
        ),
        hide_index=True,
        column_config={
            "link": st.column_config.LinkColumn(say("col_key"), display_text=r"/browse/(.*)$"),
            "type": say("col_item_type"),
            "status": say("col_status"),
            "stage": say("col_stage"),
        },
    )


st.title(say("title"))
st.write(say("intro", team=team.name, date=fmt_date(view.as_of.astimezone(ZoneInfo(tz)), lang)))

# -- sources --------------------------------------------------------------------------------------
st.subheader(say("sources_heading"))
sources = data_quality.sources(view)
if sources["last_sync_at"].isna().all():
    st.info(say("no_sources"))
st.write(say("sources_intro", tz=tz))
st.dataframe(
    pd.DataFrame(
        {
            "source": sources["source"],
            "type": sources["type"].map(lambda v: label("type", v)),
            "flavour": sources["flavour"].map(
                lambda v: label("flavour", v) if isinstance(v, str) and v else "–"
            ),
            "url": sources["url"],
            "last_sync": [
                data_quality.fmt_datetime(v, tz, lang) if pd.notna(v) else say("never_synced")
                for v in sources["last_sync_at"]
            ],
            "watermark": [data_quality.fmt_datetime(v, tz, lang) for v in sources["watermark"]],
            "demo": sources["demo"].map({True: say("demo_yes"), False: say("no")}),
        }
    ),
    hide_index=True,
    column_config={
        "source": say("col_source"),
        "type": say("col_type"),
        "flavour": say("col_flavour"),
        "url": st.column_config.LinkColumn(say("col_url")),
        "last_sync": st.column_config.TextColumn(
            say("col_last_sync"), help=say("col_last_sync_help")
        ),
        "watermark": st.column_config.TextColumn(
            say("col_watermark"), help=say("col_watermark_help")
        ),
        "demo": say("col_demo"),
    },
)
demo = sources.loc[sources["demo"], "source"]
if not demo.empty:
    st.info(plural("demo_source", len(demo), sources=names(demo)), icon=":material/info:")

# -- tables ---------------------------------------------------------------------------------------
st.subheader(say("tables_heading"))
st.write(say("tables_intro"))
counts = data_quality.table_counts(view)
st.dataframe(
    pd.DataFrame(
        {
            "table": counts["table_name"],
            "layer": counts["layer"].map(lambda v: label("layer", v)),
            "rows": counts["rows"].map(lambda n: fmt_int(n, lang)),
            "holds": counts["table_name"].map(lambda name: label("holds", name, "–")),
        }
    ),
    hide_index=True,
    column_config={
        "table": say("col_table"),
        "layer": say("col_layer"),
        "rows": count_column(say("col_rows")),
        "holds": say("col_holds"),
    },
)

# -- the team's Jira data -------------------------------------------------------------------------


def jira_part() -> None:
    """The team's Jira data: warnings, the items left out, and the workflow mapping in effect."""
    st.write(say("quality_intro"))
    found: quality.Quality = data.call(view, quality.quality)

    defaults = found.category_default
    if defaults.empty:
        st.success(say("category_default_ok"), icon=":material/check_circle:")
    else:
        st.info(
            plural(
                "category_default_warning",
                len(defaults),
                statuses=names(defaults["status"]),
                team_key=team.key,
            ),
            icon=":material/info:",
        )

    unknown = found.unknown_status
    if unknown.empty:
        st.success(say("unknown_status_ok"), icon=":material/check_circle:")
    else:
        st.warning(
            plural(
                "unknown_status_warning",
                len(unknown),
                statuses=names(unknown["status"]),
                team_key=team.key,
            ),
            icon=":material/warning:",
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "status": unknown["status"],
                    "id": unknown["status_ids"],
                    "stage": unknown["stage"].map(lambda s: label("stage", s)),
                    "origin": unknown["origin"].map(lambda s: label("origin", s)),
                    "items": unknown["items"].map(lambda n: fmt_int(n, lang)),
                }
            ),
            hide_index=True,
            column_config={
                "status": say("col_status"),
                "id": "id",
                "stage": say("col_stage"),
                "origin": say("col_origin"),
                "items": count_column(say("col_status_items"), say("col_status_items_help")),
            },
        )

    renamed = found.renamed
    if not renamed.empty:
        pairs = [
            say("renamed_pair", status=data_quality.plain(status), old=data_quality.plain(old))
            for status, old in zip(renamed["status"], renamed["old_names"], strict=True)
        ]
        st.info(
            plural("renamed_info", len(renamed), statuses=names(pd.Series(pairs), quote=False)),
            icon=":material/info:",
        )

    truncated = found.truncated
    if truncated.empty:
        st.success(say("truncated_ok"), icon=":material/check_circle:")
    else:
        st.warning(plural("truncated_warning", len(truncated)), icon=":material/warning:")
        item_table(truncated)

    never_moved, started = found.no_transitions, found.no_transitions_started
    if never_moved.empty:
        st.success(say("no_transitions_ok"), icon=":material/check_circle:")
    elif started.empty:
        st.info(
            say("no_transitions_backlog", count=fmt_int(len(never_moved), lang)),
            icon=":material/info:",
        )
    else:
        one_or_many = "one" if len(started) == 1 else "many"
        st.warning(
            say(
                f"no_transitions_warning_{one_or_many}",
                count=fmt_int(len(never_moved), lang),
                started=fmt_int(len(started), lang),
            ),
            icon=":material/warning:",
        )
        item_table(started)

    # -- excluded items -------------------------------------------------------------------------
    st.markdown(f"**{say('excluded_heading')}**")
    excluded = found.excluded
    st.write(
        say(
            "excluded_intro",
            total=fmt_int(found.items_total, lang),
            counted=fmt_int(found.items_counted, lang),
        )
    )
    st.table(
        pd.DataFrame(
            {
                say("col_reason"): excluded["reason"].map(lambda r: say(f"reason_{r}")),
                say("col_items"): excluded["items"].map(lambda n: fmt_int(n, lang)),
                say("col_meaning"): excluded["reason"].map(lambda r: say(f"reason_{r}_help")),
            }
        ),
        hide_index=True,
        border="horizontal",
    )

    # -- the workflow mapping in effect -------------------------------------------------------
    st.subheader(say("mapping_heading", team=team.name))
    st.write(say("mapping_intro"))
    mapping = found.mapping
    st.dataframe(
        pd.DataFrame(
            {
                "status": mapping["status"],
                "stage": mapping["stage"].map(lambda s: label("stage", s)),
                "waiting": mapping["waiting"].map({True: say("yes"), False: say("no")}),
                "origin": mapping["origin"].map(lambda s: label("origin", s)),
                "category": mapping["category"].map(lambda c: label("category", c, "–")),
                "old_names": mapping["old_names"].fillna("–"),
                "items": mapping["items"].map(lambda n: fmt_int(n, lang)),
            }
        ),
        hide_index=True,
        column_config={
            "status": say("col_status"),
            "stage": say("col_stage"),
            "waiting": say("col_waiting"),
            "origin": say("col_origin"),
            "category": say("col_category"),
            "old_names": say("col_old_names"),
            "items": count_column(say("col_status_items"), say("col_status_items_help")),
        },
    )


# -- the team's GitLab ----------------------------------------------------------------------------


def gitlab_part() -> None:
    """The team's GitLab: the source, the projects each configured path stands for, their
    environments, and warnings about what the delivery (DORA) figures can miss."""
    st.subheader(say("gitlab_heading", team=team.name))
    if team.gitlab is None:
        st.info(say("no_gitlab", team=team.name))
        return
    found = data_quality.gitlab(view)
    assert found is not None
    source = data_quality.sources(view).set_index("source").loc[team.gitlab.source]
    synced = source["last_sync_at"]
    st.write(
        say(
            "gitlab_intro",
            source=data_quality.plain(team.gitlab.source),
            when=data_quality.fmt_datetime(synced, tz, lang)
            if pd.notna(synced)
            else say("never_synced"),
        )
    )
    projects = found.projects
    listed = projects[projects["project_id"].notna()]
    st.dataframe(
        pd.DataFrame(
            {
                "path": listed["path"],
                "project": data_quality.gitlab_links(view, listed["project"]),
                "archived": listed["archived"].map({True: say("yes"), False: say("no")}),
                "merged": listed["merged"].map(lambda n: fmt_int(n, lang)),
                "deployments": listed["deployments"].map(lambda n: fmt_int(n, lang)),
                "incidents": listed["incidents"].map(lambda n: fmt_int(n, lang)),
            }
        ),
        hide_index=True,
        column_config={
            "path": say("col_path"),
            "project": st.column_config.LinkColumn(
                say("col_project"), display_text=r"^https?://[^/]+/(.*)$"
            ),
            "archived": say("col_archived"),
            "merged": count_column(say("col_merged"), say("col_merged_help")),
            "deployments": count_column(say("col_deployments"), say("col_deployments_help")),
            "incidents": count_column(say("col_incidents"), say("col_incidents_help")),
        },
    )

    missing = found.missing_paths
    if missing.empty:
        st.success(say("gitlab_missing_ok"), icon=":material/check_circle:")
    else:
        st.warning(
            plural("gitlab_missing_warning", len(missing), paths=names(missing), team_key=team.key),
            icon=":material/warning:",
        )

    envs = found.environments
    if found.production_environment_missing:
        st.warning(
            say(
                "production_missing_warning",
                environment=data_quality.plain(found.production_environment),
                team_key=team.key,
            ),
            icon=":material/warning:",
        )
    elif found.no_production:
        known = envs.loc[envs["known"], "environment"].drop_duplicates()
        st.warning(
            say(
                "no_production_warning",
                environments=names(known) if not known.empty else say("no_environments"),
                team_key=team.key,
            ),
            icon=":material/warning:",
        )
    else:
        st.success(
            say("production_ok", count=fmt_int(found.deployments, lang)),
            icon=":material/check_circle:",
        )
    if not envs.empty:
        st.dataframe(
            pd.DataFrame(
                {
                    "project": envs["project"].fillna("–"),
                    "environment": envs["environment"],
                    "tier": envs["tier"].map(lambda v: label("tier", v, say("tier_unknown"))),
                    "deployments": envs["deployments"].map(lambda n: fmt_int(n, lang)),
                }
            ),
            hide_index=True,
            column_config={
                "project": say("col_project"),
                "environment": say("col_environment"),
                "tier": st.column_config.TextColumn(say("col_tier"), help=say("col_tier_help")),
                "deployments": count_column(
                    say("col_env_deployments"), say("col_env_deployments_help")
                ),
            },
        )

    waiting = found.waiting
    days = fmt_int(quality.WAITING_DAYS, lang)
    if waiting.empty:
        st.success(say("waiting_ok", days=days), icon=":material/check_circle:")
    else:
        st.warning(
            plural("waiting_warning", len(waiting), days=days, merged=fmt_int(found.merged, lang)),
            icon=":material/warning:",
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "project": waiting["project"],
                    "link": data_quality.gitlab_links(view, waiting["project"], waiting["iid"]),
                    "title": waiting["title"],
                    "merged_at": waiting["merged_at"].map(
                        lambda v: fmt_date(pd.Timestamp(v).tz_convert(tz), lang)
                    ),
                    "days": waiting["days_waiting"].map(lambda d: fmt_int(int(d), lang)),
                }
            ),
            hide_index=True,
            column_config={
                "project": say("col_project"),
                "link": st.column_config.LinkColumn(
                    say("col_mr"), display_text=r"/-/merge_requests/(\d+)$"
                ),
                "title": say("col_title"),
                "merged_at": say("col_merged_at"),
                "days": count_column(say("col_days_waiting")),
            },
        )


# -- the page -------------------------------------------------------------------------------------

st.subheader(say("quality_heading", team=team.name))
if team.jira is None:
    st.info(say("no_jira", team=team.name))
else:
    jira_part()
gitlab_part()
