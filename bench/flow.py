"""Flow benchmark: normalize, per-item facts and period aggregates on N synthetic Jira issues.

    python bench/flow.py [--items N] [--changes K] [--db PATH] [--reuse] [--repeat R]
                         [--threads T] [--memory-limit M] [--row-group-size G] [--check]

The raw issues are generated in DuckDB SQL (Python would take minutes for a million payloads) in
the Jira Cloud v3 search-result shape that the connector lands: top-level id/key/fields and an
embedded changelog whose histories are newest first, with people's fields already scrubbed. Every
"random" choice is a hash of the item number, so the same N and K give the same payloads.

The build runs in a child process, so its memory does not count towards the measured peak; its
time is reported as setup. Each measured run copies the raw warehouse to a scratch file (as a
sync would have it: raw layer landed, no domain tables yet), opens it with `connect_write`, and
times `normalize(con)`, `TeamFlow(...)` (team_intervals and item_facts) and the period aggregates
of the default period. With --repeat R the best of R runs is judged against the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402

from config import JiraQuery, Team, Workflow  # noqa: E402
from metrics.flow import Period, TeamFlow  # noqa: E402
from store.normalize import normalize  # noqa: E402
from store.raw import write_jira_catalogue  # noqa: E402
from store.schema import migrate  # noqa: E402
from store.warehouse import connect_read, connect_write  # noqa: E402

SOURCE = "bench"
TEAM = "bench"
TZ = "Europe/Amsterdam"
AS_OF = datetime.fromisoformat("2026-11-27T12:00:00+00:00")  # also the fetch time of the raw rows
HISTORY_DAYS = 540  # items are created over the ~18 months before AS_OF
CHUNK = 100_000  # items generated per INSERT, to bound the build's memory
BASE_URL = "https://bench.atlassian.net"
FLAGGED_FIELD = "customfield_10021"
POINTS_FIELD = "customfield_10016"

# (number used in the generator, Jira id, name, category key)
STATUSES = [
    (1, "10000", "To Do", "new"),
    (2, "3", "In Progress", "indeterminate"),
    (3, "10001", "Ready for test", "indeterminate"),
    (4, "10002", "Testing", "indeterminate"),
    (5, "10003", "Done", "done"),
    (6, "6", "Closed", "done"),
    (7, "10004", "Parked", "new"),
]
CATEGORIES = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}
# kind → (Jira id, name, subtask, hierarchyLevel)
ISSUE_TYPES = {
    "story": ("10001", "Story", False, 0),
    "bug": ("10004", "Bug", False, 0),
    "task": ("10002", "Task", False, 0),
    "subtask": ("10003", "Sub-task", True, -1),
    "epic": ("10000", "Epic", False, 1),
}
PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"]
RESOLUTIONS = ["Done", "Won't Do", "Duplicate", "Cannot Reproduce"]
WORKFLOW = Workflow(waiting=("Ready for test",))

TARGETS_100K = {"facts_aggregates": 0.5, "normalize": 3.0}
TARGETS_1M = {"facts_aggregates": 3.0, "whole": 40.0, "peak_mb": 4096.0}


def team() -> Team:
    return Team(
        key=TEAM,
        name="Bench",
        jira=JiraQuery(source=SOURCE, jql="project = BEN"),
        workflow=WORKFLOW,
    )


# --- catalogue and lookup objects --------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def status_obj(number: int) -> dict[str, Any]:
    _, sid, name, category = STATUSES[number - 1]
    cid, cname, colour = CATEGORIES[category]
    return {
        "self": f"{BASE_URL}/rest/api/3/status/{sid}",
        "description": "",
        "iconUrl": f"{BASE_URL}/",
        "name": name,
        "id": sid,
        "statusCategory": {
            "self": f"{BASE_URL}/rest/api/3/statuscategory/{cid}",
            "id": cid,
            "key": category,
            "colorName": colour,
            "name": cname,
        },
    }


def issue_type_obj(kind: str) -> dict[str, Any]:
    tid, name, subtask, level = ISSUE_TYPES[kind]
    return {
        "self": f"{BASE_URL}/rest/api/3/issuetype/{tid}",
        "id": tid,
        "description": "",
        "iconUrl": f"{BASE_URL}/images/icons/issuetypes/{name.lower()}.svg",
        "name": name,
        "subtask": subtask,
        "avatarId": 10300 + int(tid) % 100,
        "hierarchyLevel": level,
    }


def priority_obj(index: int) -> dict[str, Any]:
    name = PRIORITIES[index]
    return {
        "self": f"{BASE_URL}/rest/api/3/priority/{index + 1}",
        "iconUrl": f"{BASE_URL}/images/icons/priorities/{name.lower()}.svg",
        "name": name,
        "id": str(index + 1),
    }


def resolution_obj(index: int) -> dict[str, Any]:
    rid = str(10000 + index)
    return {
        "self": f"{BASE_URL}/rest/api/3/resolution/{rid}",
        "id": rid,
        "description": "",
        "name": RESOLUTIONS[index],
    }


def catalogue() -> tuple[dict, list[dict], list[dict]]:
    server_info = {
        "baseUrl": BASE_URL,
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100290,
        "serverTitle": "Jira",
    }
    statuses = [status_obj(number) for number, *_ in STATUSES]
    system = [
        ("summary", "Summary", {"type": "string"}),
        ("status", "Status", {"type": "status"}),
        ("issuetype", "Issue Type", {"type": "issuetype"}),
        ("priority", "Priority", {"type": "priority"}),
        ("created", "Created", {"type": "datetime"}),
        ("updated", "Updated", {"type": "datetime"}),
        ("resolution", "Resolution", {"type": "resolution"}),
        ("resolutiondate", "Resolved", {"type": "datetime"}),
        ("labels", "Labels", {"type": "array", "items": "string"}),
        ("components", "Components", {"type": "array", "items": "component"}),
        ("parent", "Parent", {"type": "issuelink"}),
        ("description", "Description", {"type": "string"}),
        ("project", "Project", {"type": "project"}),
    ]
    fields = [
        {
            "id": fid,
            "key": fid,
            "name": name,
            "custom": False,
            "navigable": True,
            "searchable": True,
            "clauseNames": [fid],
            "schema": {**schema, "system": fid},
        }
        for fid, name, schema in system
    ]
    custom = [
        (
            POINTS_FIELD,
            "Story point estimate",
            "number",
            "com.pyxis.greenhopper.jira:jsw-story-points",
        ),
        (
            FLAGGED_FIELD,
            "Flagged",
            "array",
            "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
        ),
        ("customfield_10020", "Sprint", "array", "com.pyxis.greenhopper.jira:gh-sprint"),
        ("customfield_10019", "Rank", "any", "com.pyxis.greenhopper.jira:gh-lexo-rank"),
    ]
    for fid, name, kind, plugin in custom:
        fields.append(
            {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": True,
                "clauseNames": [f"cf[{fid.rsplit('_', 1)[1]}]", name],
                "schema": {"type": kind, "custom": plugin, "customId": int(fid.rsplit("_", 1)[1])},
            }
        )
    return server_info, statuses, fields


def _lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Small tables of pre-serialized JSON objects that the generator splices in."""
    frames = {
        "_b_status": pd.DataFrame(
            {
                "s": [number for number, *_ in STATUSES],
                "sid": [sid for _, sid, _, _ in STATUSES],
                "name": [name for _, _, name, _ in STATUSES],
                "obj": [_dumps(status_obj(number)) for number, *_ in STATUSES],
            }
        ),
        "_b_type": pd.DataFrame(
            {
                "kind": list(ISSUE_TYPES),
                "obj": [_dumps(issue_type_obj(kind)) for kind in ISSUE_TYPES],
            }
        ),
        "_b_priority": pd.DataFrame(
            {
                "prio": list(range(len(PRIORITIES))),
                "obj": [_dumps(priority_obj(i)) for i in range(len(PRIORITIES))],
            }
        ),
        "_b_resolution": pd.DataFrame(
            {
                "res": list(range(len(RESOLUTIONS))),
                "rid": [str(10000 + i) for i in range(len(RESOLUTIONS))],
                "name": RESOLUTIONS,
                "obj": [_dumps(resolution_obj(i)) for i in range(len(RESOLUTIONS))],
            }
        ),
    }
    for name, frame in frames.items():
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")


# --- the generator -------------------------------------------------------------------------------

# Jira's timestamp format in Amsterdam local time: 2026-03-04T16:20:11.512+0100.
MACROS = """
CREATE OR REPLACE TEMP MACRO _b_u(n, j, salt) AS (hash(n, j, salt) % 1000000)::DOUBLE / 1e6;
CREATE OR REPLACE TEMP MACRO _b_ts(t) AS
    strftime(timezone('Europe/Amsterdam', t), '%Y-%m-%dT%H:%M:%S.%g')
    || CASE date_diff('minute', timezone('UTC', t), timezone('Europe/Amsterdam', t))
        WHEN 120 THEN '+0200' ELSE '+0100' END;
"""

# One row per item: its kind, creation time and the planned status path `seq` (status numbers;
# every change goes from seq[j] to seq[j + 1], so the chain is consistent by construction).
# Paths: 3 % stay in the backlog, 5 % are reopened after Done and done again, 15 % go on from
# Done to Closed, 10 % are parked for a while first; the rest go To Do → work → Done. The work is
# a cycle In Progress → Ready for test → Testing (→ In Progress again when K is large).
ITEMS_SQL = """
CREATE OR REPLACE TEMP TABLE _b_items AS
WITH base AS (
    SELECT
        n,
        CASE
            WHEN n % 100 = 0 THEN 'epic'
            WHEN n % 50 = 25 THEN 'subtask'
            ELSE ['story', 'story', 'story', 'bug', 'task'][(hash(n, 'type') % 5)::INTEGER + 1]
        END AS kind,
        $as_of::TIMESTAMPTZ
            - to_milliseconds((hash(n, 'created') % $span_ms)::BIGINT) AS created_at,
        greatest($k - 2 + (hash(n, 'k') % 5)::INTEGER, 1) AS k,
        (hash(n, 'path') % 100)::INTEGER AS path_roll,
        (hash(n, 'res') % 100)::INTEGER AS res_roll,
        (hash(n, 'flag') % 100)::INTEGER AS flag_roll,
        (hash(n, 'epic') % 100)::INTEGER AS epic_roll,
        (hash(n, 'prio') % 5)::INTEGER AS prio
    FROM range($lo, $hi) AS r(n)
),
shaped AS (
    SELECT
        *,
        CASE
            WHEN path_roll < 3 THEN 'backlog'
            WHEN path_roll < 8 THEN 'reopen'
            WHEN path_roll < 23 THEN 'closed'
            WHEN path_roll < 33 THEN 'parked'
            ELSE 'plain'
        END AS path,
        CASE WHEN res_roll < 4 THEN 1 WHEN res_roll = 4 THEN 2 WHEN res_roll = 5 THEN 3 ELSE 0 END
            AS res
    FROM base
)
SELECT
    *,
    CASE path
        WHEN 'backlog' THEN [1, 7, 1]
        ELSE list_concat(
            CASE WHEN path = 'parked' THEN [1, 7, 1] ELSE [1] END,
            list_transform(
                range(greatest(
                    k - CASE path WHEN 'reopen' THEN 4 WHEN 'closed' THEN 2
                        WHEN 'parked' THEN 3 ELSE 1 END,
                    0)),
                lambda i: [2, 3, 4][i % 3 + 1]
            ),
            CASE path WHEN 'reopen' THEN [5, 2, 4, 5] WHEN 'closed' THEN [5, 6] ELSE [5] END
        )
    END AS seq
FROM shaped
"""

# Every history of every item, with its JSON, before the cut at AS_OF. Slot 0 is a Rank change
# (noise the metrics must skip), slots 1..k the status changes (with a resolution item when the
# item becomes or stops being resolved), the last two slots a Flagged on/off pair in ~12 % of items,
# set and cleared between status changes 1 and 2 (mostly In Progress: active time is blocked) or
# 2 and 3 (mostly Ready for test, a waiting status).
EVENTS_SQL = """
CREATE OR REPLACE TEMP TABLE _b_events AS
WITH steps AS (
    SELECT n, created_at, res, flag_roll, seq, unnest(range(1, len(seq))) AS j
    FROM _b_items
),
gapped AS (
    SELECT
        n, created_at, res, flag_roll, j,
        seq[j] AS from_s,
        seq[j + 1] AS to_s,
        CASE
            WHEN j = 1 THEN 3600000 + (pow(_b_u(n, j, 'gap'), 2) * 40 * 86400000)::BIGINT
            ELSE 900000 + (pow(_b_u(n, j, 'gap'), 2) * 5 * 86400000)::BIGINT
        END AS gap_ms
    FROM steps
),
timed AS (
    SELECT
        *,
        created_at + to_milliseconds(sum(gap_ms) OVER (PARTITION BY n ORDER BY j)::BIGINT) AS at_ts
    FROM gapped
),
status_events AS (
    SELECT
        t.n, t.j AS slot, t.at_ts, 'status' AS kind, t.to_s, NULL::BOOLEAN AS flag_on,
        '{"field":"status","fieldtype":"jira","fieldId":"status","from":"' || f.sid
            || '","fromString":"' || f.name || '","to":"' || s.sid || '","toString":"'
            || s.name || '"}'
        || CASE
            WHEN t.to_s = 5 THEN
                ',{"field":"resolution","fieldtype":"jira","fieldId":"resolution","from":null,'
                || '"fromString":null,"to":"' || r.rid || '","toString":"' || r.name || '"}'
            WHEN t.from_s IN (5, 6) AND t.to_s NOT IN (5, 6) THEN
                ',{"field":"resolution","fieldtype":"jira","fieldId":"resolution","from":"'
                || r.rid || '","fromString":"' || r.name || '","to":null,"toString":null}'
            ELSE ''
        END AS items
    FROM timed AS t
    JOIN _b_status AS f ON f.s = t.from_s
    JOIN _b_status AS s ON s.s = t.to_s
    JOIN _b_resolution AS r ON r.res = t.res
),
flag_events AS (
    SELECT
        n, $stride - 2 AS slot, at_ts - to_milliseconds((gap_ms * 0.8)::BIGINT) AS at_ts,
        'flag' AS kind, NULL::INTEGER AS to_s, true AS flag_on,
        '{"field":"Flagged","fieldtype":"custom","fieldId":"$flagged","from":null,'
        || '"fromString":null,"to":"[10019]","toString":"Impediment"}' AS items
    FROM timed
    WHERE flag_roll < 12 AND j = 2 + flag_roll % 2
    UNION ALL
    SELECT
        n, $stride - 1, at_ts - to_milliseconds((gap_ms * 0.3)::BIGINT), 'flag', NULL, false,
        '{"field":"Flagged","fieldtype":"custom","fieldId":"$flagged","from":"[10019]",'
        || '"fromString":"Impediment","to":null,"toString":""}'
    FROM timed
    WHERE flag_roll < 12 AND j = 2 + flag_roll % 2
),
rank_events AS (
    SELECT
        n, 0 AS slot, at_ts - to_milliseconds(gap_ms // 2) AS at_ts, 'rank' AS kind,
        NULL::INTEGER AS to_s, NULL::BOOLEAN AS flag_on,
        '{"field":"Rank","fieldtype":"custom","fieldId":"customfield_10019","from":"",'
        || '"fromString":"","to":"","toString":"Ranked higher"}' AS items
    FROM timed
    WHERE j = 1
),
events AS (
    SELECT * FROM status_events
    UNION ALL SELECT * FROM flag_events
    UNION ALL SELECT * FROM rank_events
)
SELECT
    n, slot, at_ts, kind, to_s, flag_on,
    (10000000 + n * $stride + slot)::VARCHAR AS hid,
    '{"id":"' || (10000000 + n * $stride + slot)::VARCHAR || '","created":"' || _b_ts(at_ts)
        || '","items":[' || items || ']}' AS json
FROM events
WHERE at_ts <= $as_of::TIMESTAMPTZ
"""

# The issues as the search endpoint returns them (fields, then the changelog, histories newest
# first), landed straight into the raw layer.
ISSUES_SQL = """
INSERT INTO raw_jira_issues (source, team, id, fetched_at, payload)
WITH hist AS (
    SELECT
        n,
        count(*) AS c,
        '[' || string_agg(json, ',' ORDER BY at_ts DESC, slot DESC) || ']' AS histories,
        max(at_ts) AS updated_at,
        arg_max(to_s, at_ts) FILTER (WHERE kind = 'status') AS status_now,
        max(at_ts) FILTER (WHERE to_s = 5) AS resolved_at,
        arg_max(flag_on, at_ts) FILTER (WHERE kind = 'flag') AS flagged_now
    FROM _b_events
    GROUP BY n
),
issues AS (
    SELECT
        i.n,
        i.kind,
        i.created_at,
        i.res,
        i.prio,
        coalesce(h.c, 0) AS c,
        coalesce(h.histories, '[]') AS histories,
        coalesce(h.updated_at, i.created_at) AS updated_at,
        coalesce(h.status_now, 1) AS status_now,
        h.resolved_at,
        coalesce(h.flagged_now, false) AS flagged_now,
        CASE
            WHEN i.kind = 'subtask' THEN i.n - 1
            WHEN i.kind IN ('story', 'bug', 'task') AND i.epic_roll < 60 AND i.n >= 100
                THEN i.n // 100 * 100
        END AS parent_n
    FROM _b_items AS i
    LEFT JOIN hist AS h USING (n)
)
SELECT
    '$source', '$team', (10000 + i.n)::VARCHAR, $as_of::TIMESTAMPTZ,
    '{"expand":"renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"'
    || ',"id":"' || (10000 + i.n)::VARCHAR
    || '","self":"$base/rest/api/3/issue/' || (10000 + i.n)::VARCHAR
    || '","key":"BEN-' || i.n::VARCHAR
    || '","fields":{"summary":"' || CASE i.kind WHEN 'epic' THEN 'Epic' ELSE 'Item' END
        || ' BEN-' || i.n::VARCHAR || ': make the permit form shorter"'
    || ',"status":' || s.obj
    || ',"issuetype":' || t.obj
    || ',"priority":' || p.obj
    || ',"created":"' || _b_ts(i.created_at) || '"'
    || ',"updated":"' || _b_ts(i.updated_at) || '"'
    || ',"resolution":' || CASE WHEN i.status_now IN (5, 6) THEN r.obj ELSE 'null' END
    || ',"resolutiondate":' || CASE WHEN i.status_now IN (5, 6) AND i.resolved_at IS NOT NULL
        THEN '"' || _b_ts(i.resolved_at) || '"' ELSE 'null' END
    || ',"labels":' || CASE WHEN i.n % 3 = 0 THEN '["bench","permits"]' ELSE '[]' END
    || ',"components":' || CASE WHEN i.kind = 'epic' THEN '[]'
        ELSE '[{"self":"$base/rest/api/3/component/10020","id":"10020","name":"Portal"}]' END
    || CASE WHEN i.parent_n IS NULL THEN '' ELSE
        ',"parent":{"id":"' || (10000 + i.parent_n)::VARCHAR || '","key":"BEN-'
        || i.parent_n::VARCHAR || '","self":"$base/rest/api/3/issue/'
        || (10000 + i.parent_n)::VARCHAR || '","fields":{"summary":"'
        || CASE WHEN i.kind = 'subtask' THEN 'Item' ELSE 'Epic' END || ' BEN-'
        || i.parent_n::VARCHAR || '","status":' || s_parent.obj || ',"priority":' || p.obj
        || ',"issuetype":' || CASE WHEN i.kind = 'subtask' THEN t_story.obj ELSE t_epic.obj END
        || '}}' END
    || ',"$points":' || CASE WHEN i.kind IN ('story', 'bug', 'task')
        THEN [1, 2, 3, 5, 8][(hash(i.n, 'points') % 5)::INTEGER + 1]::VARCHAR ELSE 'null' END
    || ',"$flagged":' || CASE WHEN i.flagged_now
        THEN '[{"self":"$base/rest/api/3/customFieldOption/10019","value":"Impediment",'
            || '"id":"10019"}]'
        ELSE 'null' END
    || ',"customfield_10020":' || CASE WHEN i.kind = 'epic' THEN 'null'
        ELSE '[{"id":' || (i.n % 40 + 1)::VARCHAR || ',"name":"BEN Sprint '
            || (i.n % 40 + 1)::VARCHAR || '","state":"closed","boardId":1}]' END
    || ',"customfield_10019":"0|i' || lpad(i.n::VARCHAR, 7, '0') || ':"'
    || ',"description":' || CASE WHEN i.kind IN ('subtask', 'epic') THEN 'null' ELSE
        '{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text",'
        || '"text":"As a resident I want to apply for a permit in one go (BEN-'
        || i.n::VARCHAR || ')."}]}]}' END
    || ',"project":{"self":"$base/rest/api/3/project/10000","id":"10000","key":"BEN",'
        || '"name":"Benchmark","projectTypeKey":"software","simplified":false}'
    || '},"changelog":{"startAt":0,"maxResults":' || i.c::VARCHAR
    || ',"total":' || i.c::VARCHAR
    || ',"histories":' || i.histories || '}}'
FROM issues AS i
JOIN _b_status AS s ON s.s = i.status_now
JOIN _b_status AS s_parent ON s_parent.s = 2
JOIN _b_type AS t ON t.kind = i.kind
JOIN _b_type AS t_story ON t_story.kind = 'story'
JOIN _b_type AS t_epic ON t_epic.kind = 'epic'
JOIN _b_priority AS p ON p.prio = i.prio
JOIN _b_resolution AS r ON r.res = i.res
ORDER BY i.n
"""


def _fill(sql: str) -> str:
    """Constants that are spliced into the SQL text (none of them comes from the command line)."""
    for name, value in (
        ("$source", SOURCE),
        ("$team", TEAM),
        ("$base", BASE_URL),
        ("$flagged", FLAGGED_FIELD),
        ("$points", POINTS_FIELD),
    ):
        sql = sql.replace(name, value)
    return sql


def build(path: Path, items: int, changes: int) -> None:
    """A fresh warehouse at `path` with the catalogue and `items` raw issues."""
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = connect_write(path)
    info, statuses, fields = catalogue()
    write_jira_catalogue(con, SOURCE, AS_OF, info, statuses, fields)
    _lookups(con)
    con.execute(MACROS)
    stride = changes + 16  # history id slots per item: 0 rank, 1..k status, last two Flagged
    span_ms = HISTORY_DAYS * 86_400_000
    for lo in range(1, items + 1, CHUNK):
        hi = min(lo + CHUNK, items + 1)
        items_params = {"as_of": AS_OF, "span_ms": span_ms, "k": changes, "lo": lo, "hi": hi}
        con.execute(ITEMS_SQL, items_params)
        con.execute(_fill(EVENTS_SQL), {"as_of": AS_OF, "stride": stride})
        con.execute(_fill(ISSUES_SQL), {"as_of": AS_OF})
    con.execute("DROP TABLE _b_events")
    con.execute("DROP TABLE _b_items")
    con.execute("CHECKPOINT")
    con.close()


# --- measuring -----------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def size_mb(path: Path) -> float:
    wal = path.with_name(path.name + ".wal")
    return (path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 2**20


AGGREGATES: list[tuple[str, Callable[[TeamFlow, Period], Any]]] = [
    ("report", lambda f, p: f.report(p)),
    ("time_in_status", lambda f, p: f.time_in_status(p)),
    ("cfd_daily", lambda f, p: f.cfd_daily(p)),
    ("net_flow_weekly", lambda f, p: f.net_flow_weekly(p)),
    ("wip_daily", lambda f, p: f.wip_daily(p)),
    ("lead_time_weekly", lambda f, p: f.lead_time_weekly(p)),
    ("aging", lambda f, p: f.aging()),
]


def check(con: duckdb.DuckDBPyConnection) -> None:
    """Sanity figures of the generated data (not timed)."""
    row = con.execute(
        """
        SELECT
            (SELECT count(*) FROM work_items),
            (SELECT count(*) FROM work_items WHERE NOT in_flow),
            (SELECT count(*) FROM status_changes WHERE field = 'status'),
            (SELECT count(*) FROM status_changes WHERE field = 'flagged'),
            (SELECT count(*) FROM status_changes WHERE field = 'resolution'),
            (SELECT count(*) FROM work_items WHERE NOT changelog_complete),
            (SELECT count(*) FROM (
                SELECT from_id <> lag(to_id) OVER (PARTITION BY item_id ORDER BY seq) AS broken
                FROM status_changes WHERE field = 'status') WHERE broken),
            (SELECT count(*) FROM work_items AS w JOIN (
                SELECT item_id, arg_max(to_id, seq) AS last FROM status_changes
                WHERE field = 'status' GROUP BY item_id) AS c USING (item_id)
             WHERE c.last <> w.status_id),
            (SELECT min(changed_at) FROM status_changes),
            (SELECT max(changed_at) FROM status_changes)
        """
    ).fetchone()
    print(
        f"check       {row[0]} items ({row[1]} sub-tasks/epics), {row[2]} status, "
        f"{row[3]} Flagged and {row[4]} resolution changes; {row[5]} incomplete changelogs; "
        f"{row[6]} broken chains; {row[7]} current statuses differing from the last change; "
        f"changes from {row[8]:%Y-%m-%d} to {row[9]:%Y-%m-%d}"
    )


def connect_small_row_groups(raw: Path, work: Path, rows: int) -> duckdb.DuckDBPyConnection:
    """Experiment (--row-group-size): what `connect_write` would give if it attached the file
    with a smaller ROW_GROUP_SIZE. DuckDB scans a table in parallel per row group (122,880 rows
    by default), so at 100,000 issues the raw JSON is parsed on one core. The raw tables are
    copied in (untimed) as a sync through such a connection would have landed them."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")  # as store.warehouse's session settings
    con.execute(f"ATTACH ? AS warehouse (ROW_GROUP_SIZE {int(rows)})", [str(work)])
    con.execute("ATTACH ? AS raw (READ_ONLY)", [str(raw)])
    con.execute("COPY FROM DATABASE raw TO warehouse")
    con.execute("DETACH raw")
    con.execute("USE warehouse")
    migrate(con)
    return con


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has been busy (Linux /proc/stat), to spot other load."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def run_once(args: argparse.Namespace, raw: Path, work: Path, first: bool) -> dict[str, float]:
    """One measured pass on a fresh copy of the raw warehouse: wall and CPU seconds per step."""
    for leftover in (work, work.with_name(work.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if args.row_group_size:
        con = connect_small_row_groups(raw, work, args.row_group_size)
    else:
        shutil.copyfile(raw, work)
        con = connect_write(work)
    if args.threads:
        con.execute("SET threads = ?", [args.threads])
    if args.memory_limit:
        con.execute("SET memory_limit = ?", [args.memory_limit])
    if first:
        threads, limit = con.execute(
            "SELECT current_setting('threads'), current_setting('memory_limit')"
        ).fetchone()
        issues = con.execute("SELECT count(*) FROM raw_jira_issues").fetchone()[0]
        groups = con.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('raw_jira_issues')"
        ).fetchone()[0]
        print(f"duckdb      {duckdb.__version__}, threads {threads}, memory_limit {limit}")
        print(
            f"raw         {issues} issues in {groups} row group(s), {size_mb(raw):.0f} MB"
            + (
                f" (copied in with ROW_GROUP_SIZE {args.row_group_size})"
                if args.row_group_size
                else ""
            )
        )
    t: dict[str, float] = {
        "issues": con.execute("SELECT count(*) FROM raw_jira_issues").fetchone()[0]
    }
    cpu: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any]) -> Any:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        result = fn()
        t[name], cpu[name] = time.perf_counter() - wall0, time.process_time() - cpu0
        return result

    busy0, own0, wall0 = busy_seconds(), time.process_time(), time.perf_counter()
    step("normalize", lambda: normalize(con))
    if first and args.check:
        check(con)
    step("checkpoint", lambda: con.execute("CHECKPOINT"))
    con.close()
    # As in use: a sync writes (capped memory), the dashboard and the CLI read the swapped-in file.
    con = connect_read(work)
    if args.threads:
        con.execute("SET threads = ?", [args.threads])
    flow = step("facts", lambda: TeamFlow(con, team(), TZ, AS_OF))
    period = Period.default(AS_OF, TZ)
    results = {name: step(name, lambda fn=fn: fn(flow, period)) for name, fn in AGGREGATES}
    busy1, own1, wall1 = busy_seconds(), time.process_time(), time.perf_counter()
    if busy0 is not None and busy1 is not None:
        # cores kept busy by other processes while this run was measured
        t["others"] = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0)
    t["aggregates"] = sum(t[name] for name, _ in AGGREGATES)
    cpu["aggregates"] = sum(cpu[name] for name, _ in AGGREGATES)
    t["facts_aggregates"] = t["facts"] + t["aggregates"]
    t["whole"] = t["normalize"] + t["facts_aggregates"]
    if first:
        n_facts = flow.con.execute("SELECT count(*) FROM item_facts").fetchone()[0]
        report = results["report"]
        print(f"period      {period.start} .. {period.end} (exclusive), as_of {AS_OF.isoformat()}")
        print(
            f"data        {n_facts} item facts; in the period: {report['items_done']} done, "
            f"{report['items_discarded']} discarded, lead time p50 "
            f"{report['lead_time_days']['p50']:.1f} d, cycle time p85 "
            f"{report['cycle_time_days']['p85']:.1f} d, wip_avg {report['wip_avg']:.0f}, "
            f"{len(report['at_risk'])} at risk"
        )
    con.close()
    t["db_mb"] = size_mb(work)
    for leftover in (work, work.with_name(work.name + ".wal")):
        leftover.unlink(missing_ok=True)
    t.update({f"cpu_{name}": value for name, value in cpu.items()})
    return t


STEPS = [
    ("normalize", "normalize"),
    ("facts", "facts (TeamFlow: team_intervals + item_facts)"),
    *[(name, f"  {name}") for name, _ in AGGREGATES],
    ("aggregates", "aggregates"),
    ("facts_aggregates", "facts + aggregates"),
    ("whole", "whole path (normalize + facts + aggregates)"),
    ("checkpoint", "checkpoint after normalize (not in the whole path)"),
]


def measure(args: argparse.Namespace, raw: Path) -> None:
    work = raw.with_name(raw.stem + ".run.duckdb")
    runs = []
    for i in range(args.repeat):
        run = run_once(args, raw, work, first=i == 0)
        runs.append(run)
        others = (
            f"; other processes kept {run['others']:.1f} of {os.cpu_count()} cores busy meanwhile"
            if "others" in run
            else ""
        )
        print(f"run {i + 1}       whole path {run['whole']:.2f} s{others}")
    best = {key: min(run[key] for run in runs) for key in runs[0]}
    peak = peak_mb()

    label = "best" if len(runs) > 1 else ""
    header = "".join(f"{'run ' + str(i + 1):>9}" for i in range(len(runs)))
    print(f"\n{'seconds (wall)':<46}{header}{label:>9}".rstrip())
    for key, title in STEPS:
        cells = "".join(f"{run[key]:9.2f}" for run in runs)
        print(f"{title:<46}{cells}{best[key]:9.2f}" if label else f"{title:<46}{cells}")
    for key in ("normalize", "facts", "aggregates"):
        cells = "".join(f"{run['cpu_' + key]:9.2f}" for run in runs)
        print(f"{'cpu seconds, ' + key:<46}{cells}")
    print(f"\npeak memory {peak:.0f} MB  (ru_maxrss of this process; builds run in a child)")
    print(f"db size     {best['db_mb']:.0f} MB after normalize and checkpoint")

    which = f"best of {len(runs)} runs" if len(runs) > 1 else "one run"
    issues = int(runs[0]["issues"])
    changes = "" if args.reuse else f", {args.changes} changes"
    print(f"\nsummary: {issues} items{changes}, {which}")
    lines = []
    if issues == 100_000:
        goal = TARGETS_100K
        lines = [
            ("facts + aggregates", best["facts_aggregates"], goal["facts_aggregates"], "s"),
            ("normalize", best["normalize"], goal["normalize"], "s"),
        ]
    elif issues == 1_000_000:
        goal = TARGETS_1M
        lines = [
            ("facts + aggregates", best["facts_aggregates"], goal["facts_aggregates"], "s"),
            ("whole path", best["whole"], goal["whole"], "s"),
            ("peak memory", peak, goal["peak_mb"], "MB"),
        ]
    for title, value, limit, unit in lines:
        figure = f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} s"
        bound = f"{limit:.0f} MB" if unit == "MB" else f"{limit:g} s"
        print(f"  {verdict(value < limit)}  {title} {figure} (target < {bound})")
    if not lines:
        print("  (targets are set at 100000 and 1000000 items)")
        print(
            f"  facts + aggregates {best['facts_aggregates']:.2f} s, normalize "
            f"{best['normalize']:.2f} s, whole path {best['whole']:.2f} s, "
            f"peak memory {peak:.0f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="raw issues (default 100000)")
    parser.add_argument("--changes", type=int, default=8, help="status changes per item (8)")
    parser.add_argument("--db", type=Path, help="raw warehouse file (default: a temporary file)")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's own)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 3GB (default: DuckDB's)")
    parser.add_argument(
        "--row-group-size",
        type=int,
        help="experiment: attach the measured copy with this DuckDB ROW_GROUP_SIZE",
    )
    parser.add_argument("--repeat", type=int, default=1, help="measured runs (default 1)")
    parser.add_argument("--reuse", action="store_true", help="reuse the raw issues in --db")
    parser.add_argument("--check", action="store_true", help="print sanity figures of the data")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.items < 1 or args.changes < 1 or args.repeat < 1:
        parser.error("--items, --changes and --repeat must be at least 1")
    if args.row_group_size is not None and (
        args.row_group_size < 2048 or args.row_group_size % 2048
    ):
        parser.error("--row-group-size must be a multiple of DuckDB's vector size, 2048")

    if args.build_only:
        build(args.db, args.items, args.changes)
        return 0

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="koers-bench-")
        args.db = Path(tmp.name) / "bench.duckdb"
    path = args.db.resolve()
    try:
        if args.reuse and path.exists():
            print(f"build       reusing {path}")
        else:
            # A child process, so that its memory does not count towards the measured peak.
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--build-only",
                "--items",
                str(args.items),
                "--changes",
                str(args.changes),
                "--db",
                str(path),
            ]
            _, t_build = timed(lambda: subprocess.run(command, check=True, cwd=REPO))
            print(
                f"build       {t_build:.2f} s  (setup, not a target; {args.items} issues into "
                f"{path.name}, child peak {peak_mb(resource.RUSAGE_CHILDREN):.0f} MB)"
            )
        measure(args, path)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
