"""Hand-written Jira payloads for tests: Cloud v3 shapes, small enough to work out by hand."""

from __future__ import annotations

from datetime import datetime
from itertools import count
from pathlib import Path
from typing import Any

from config import Config, Team, parse
from store.normalize import normalize
from store.raw import write_jira_catalogue, write_jira_changelogs, write_jira_issues
from store.warehouse import connect_write

CATEGORIES = {"new": 2, "indeterminate": 4, "done": 3}
# id → (name, category): a small workflow with one waiting status.
STATUSES = {
    "1": ("To Do", "new"),
    "2": ("In Progress", "indeterminate"),
    "3": ("Ready for test", "indeterminate"),
    "4": ("Testing", "indeterminate"),
    "5": ("Done", "done"),
    "6": ("Closed", "done"),
    "7": ("Parked", "new"),
}
BY_NAME = {name: sid for sid, (name, _) in STATUSES.items()}
FLAGGED_FIELD = "customfield_10021"
_history_ids = count(1000)


def ts(text: str) -> str:
    """'2026-03-02 09:00 +0100' → Jira's '2026-03-02T09:00:00.000+0100'."""
    dt = datetime.strptime(text, "%Y-%m-%d %H:%M %z")
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def status_obj(name: str) -> dict[str, Any]:
    sid = BY_NAME[name]
    category = STATUSES[sid][1]
    return {
        "id": sid,
        "name": name,
        "statusCategory": {"id": CATEGORIES[category], "key": category, "name": category},
    }


def move(when: str, old: str, new: str, hid: int | None = None) -> dict[str, Any]:
    """A history with one status change."""
    return {
        "id": str(hid if hid is not None else next(_history_ids)),
        "author": {"accountId": "abc123", "displayName": "Ana de Tester"},
        "created": ts(when),
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": BY_NAME.get(old, old),
                "fromString": old,
                "to": BY_NAME.get(new, new),
                "toString": new,
            }
        ],
    }


def flag(when: str, on: bool, hid: int | None = None) -> dict[str, Any]:
    return {
        "id": str(hid if hid is not None else next(_history_ids)),
        "created": ts(when),
        "items": [
            {
                "field": "Flagged",
                "fieldtype": "custom",
                "fieldId": FLAGGED_FIELD,
                "from": None if on else "[10019]",
                "fromString": None if on else "Impediment",
                "to": "[10019]" if on else None,
                "toString": "Impediment" if on else "",
            }
        ],
    }


def resolve(when: str, old: str | None, new: str | None, hid: int | None = None) -> dict:
    return {
        "id": str(hid if hid is not None else next(_history_ids)),
        "created": ts(when),
        "items": [
            {
                "field": "resolution",
                "fieldtype": "jira",
                "fieldId": "resolution",
                "from": None,
                "fromString": old,
                "to": None,
                "toString": new,
            }
        ],
    }


def issue(
    key: str,
    created: str,
    status: str,
    histories: list[dict] | tuple = (),
    *,
    resolution: str | None = None,
    flagged: bool = False,
    type_: str = "Story",
    hierarchy: int = 0,
    subtask: bool = False,
    total: int | None = None,
) -> dict[str, Any]:
    """A Cloud search result issue; histories newest first, as Jira embeds them."""
    number = int(key.rsplit("-", 1)[1])
    ordered = sorted(histories, key=lambda h: h["created"], reverse=True)
    return {
        "id": str(10000 + number),
        "key": key,
        "changelog": {
            "startAt": 0,
            "maxResults": len(ordered),
            "total": len(ordered) if total is None else total,
            "histories": ordered,
        },
        "fields": {
            "summary": f"Item {key}",
            "status": status_obj(status),
            "issuetype": {
                "id": "1",
                "name": type_,
                "subtask": subtask,
                "hierarchyLevel": hierarchy,
            },
            "created": ts(created),
            "updated": ts(created),
            "resolution": {"id": "1", "name": resolution} if resolution else None,
            "assignee": {"accountId": "abc123", "displayName": "Ana de Tester"},
            FLAGGED_FIELD: [{"value": "Impediment", "id": "10019"}] if flagged else None,
        },
    }


def catalogue() -> tuple[dict, list[dict], list[dict]]:
    statuses = [status_obj(name) for name, _ in STATUSES.values()]
    fields = [
        {
            "id": FLAGGED_FIELD,
            "key": FLAGGED_FIELD,
            "name": "Flagged",
            "custom": True,
            "schema": {
                "type": "array",
                "custom": "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
            },
        },
    ]
    return {"deploymentType": "Cloud", "version": "1001.0.0"}, statuses, fields


def config(tmp: Path, workflow: str = "") -> Config:
    """A one-team config (`t`, source `s`) with an optional [teams.t.workflow] body."""
    import tomllib

    text = (
        '[sources.s]\ntype = "jira"\nurl = "https://jira.test"\n'
        '[teams.t]\nname = "T"\njira = { source = "s", jql = "project = T" }\n'
    )
    if workflow:
        text += "[teams.t.workflow]\n" + workflow
    return parse(tomllib.loads(text), tmp / "koers.toml")


DEFAULT_WORKFLOW = 'waiting = ["Ready for test"]\n'


def warehouse(tmp: Path, issues: list[dict], changelogs: list[tuple[str, dict]] = ()):
    """A real DuckDB file with these issues landed and normalized; returns a write connection."""
    tmp.mkdir(parents=True, exist_ok=True)
    con = connect_write(tmp / "test.duckdb")
    fetched = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    info, statuses, fields = catalogue()
    write_jira_catalogue(con, "s", fetched, info, statuses, fields)
    write_jira_issues(con, "s", "t", fetched, issues)
    if changelogs:
        write_jira_changelogs(con, "s", fetched, list(changelogs))
    normalize(con)
    return con


def team(cfg: Config) -> Team:
    return cfg.team("t")
