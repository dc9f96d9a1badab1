"""The warehouse file: migrations, upgrades in place, atomic builds and the privacy scrub."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

import config
from errors import KoersError
from store import schema
from store.lock import exclusive
from store.normalize import normalize
from store.privacy import scrub
from store.raw import write_jira_changelogs, write_jira_issues
from store.ready import ensure_ready, needs_upgrade
from store.sync_state import set_watermark, watermark
from store.warehouse import connect_read, connect_write, rebuild, update
from tests.jira_payloads import issue, move, warehouse


def test_a_new_warehouse_is_at_the_latest_version(tmp_path: Path) -> None:
    con = connect_write(tmp_path / "w.duckdb")
    assert schema.current_version(con) == schema.latest_version() >= 1
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert {"raw_jira_issues", "raw_jira_statuses", "source_state", "build_info"} <= tables


def _cfg(path: Path) -> config.Config:
    return dataclasses.replace(config.load(config.DEMO_CONFIG), database=path, demo=False)


def test_an_older_warehouse_is_upgraded_not_rebuilt(tmp_path: Path, monkeypatch) -> None:
    con = warehouse(
        tmp_path,
        [
            issue(
                "T-1",
                "2026-03-02 09:00 +0100",
                "Done",
                [move("2026-03-03 09:00 +0100", "To Do", "Done")],
            )
        ],
    )
    con.close()
    path = tmp_path / "test.duckdb"
    assert not needs_upgrade(path)
    # A newer Koers adds a column to the raw layer.
    newer = [*schema.MIGRATIONS, ("ALTER TABLE raw_jira_issues ADD COLUMN request VARCHAR",)]
    monkeypatch.setattr(schema, "MIGRATIONS", newer)
    assert needs_upgrade(path)
    ensure_ready(_cfg(path))
    con = connect_read(path)
    assert schema.current_version(con) == len(newer)
    assert con.execute("SELECT count(*), any_value(request) FROM raw_jira_issues").fetchone() == (
        1,
        None,
    )
    assert con.execute("SELECT key FROM work_items").fetchall() == [("T-1",)]


def test_changed_normalize_sql_re_derives_the_domain_tables(tmp_path: Path) -> None:
    con = warehouse(tmp_path, [issue("T-1", "2026-03-02 09:00 +0100", "To Do")])
    con.execute("UPDATE build_info SET value = 'older' WHERE key = 'normalize'")
    con.execute("DELETE FROM work_items")
    con.close()
    path = tmp_path / "test.duckdb"
    assert needs_upgrade(path)
    ensure_ready(_cfg(path))
    assert connect_read(path).execute("SELECT count(*) FROM work_items").fetchone() == (1,)


def test_a_warehouse_from_a_newer_koers_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = connect_write(path)
    con.execute("INSERT INTO schema_version VALUES (99, now())")
    con.close()
    with pytest.raises(KoersError, match="schema version 99, newer than this Koers knows"):
        ensure_ready(_cfg(path))


def test_a_failed_build_leaves_the_previous_warehouse(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with rebuild(path) as con:
        con.execute("INSERT INTO source_state (source, type) VALUES ('old', 'jira')")
    before = path.read_bytes()
    with pytest.raises(RuntimeError), rebuild(path) as con:
        con.execute("INSERT INTO source_state (source, type) VALUES ('new', 'jira')")
        raise RuntimeError("network down halfway")
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_a_reader_sees_the_swapped_file(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with rebuild(path) as con:
        con.execute("INSERT INTO source_state (source, type) VALUES ('first', 'jira')")
    reader = connect_read(path)
    with rebuild(path) as con:
        con.execute("INSERT INTO source_state (source, type) VALUES ('second', 'jira')")
    # the open reader keeps its snapshot; a new reader sees the new file
    assert reader.execute("SELECT source FROM source_state").fetchall() == [("first",)]
    assert connect_read(path).execute("SELECT source FROM source_state").fetchall() == [("second",)]


def test_the_reader_cannot_write(tmp_path: Path) -> None:
    with rebuild(tmp_path / "w.duckdb"):
        pass
    with pytest.raises(duckdb.Error):
        connect_read(tmp_path / "w.duckdb").execute("DELETE FROM source_state")


def test_missing_warehouse_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(KoersError, match="run `python -m koers sync` first"):
        ensure_ready(_cfg(tmp_path / "none.duckdb"))


def test_scrub_drops_people_at_any_depth() -> None:
    payload = {
        "key": "T-1",
        "fields": {
            "summary": "Formulier",
            "assignee": {"accountId": "x1", "displayName": "Ana"},
            "reporter": {"name": "jdoe", "emailAddress": "j@example.gov"},
            "status": {"id": "3", "name": "In uitvoering"},
        },
        "changelog": {
            "histories": [
                {
                    "id": "1",
                    "created": "2026-03-02T09:00:00.000+0100",
                    "author": {"displayName": "Ana"},
                    "items": [
                        {
                            "field": "assignee",
                            "fromString": "Ana",
                            "toString": "Bo",
                            "tmpToAccountId": "x2",
                        },
                        {"field": "Tester", "fieldtype": "custom", "toString": "Cees"},
                        {"field": "status", "from": "1", "to": "3", "toString": "In uitvoering"},
                    ],
                }
            ]
        },
    }
    clean = scrub(payload)
    text = repr(clean)
    for person in ("Ana", "Bo", "Cees", "jdoe", "j@example.gov", "x1", "x2"):
        assert person not in text
    assert clean["fields"]["status"]["name"] == "In uitvoering"
    assert clean["changelog"]["histories"][0]["items"] == [
        {"field": "status", "from": "1", "to": "3", "toString": "In uitvoering"}
    ]
    assert payload["fields"]["assignee"]  # the input itself is not changed


def test_an_update_works_on_a_copy_and_swaps_it_in(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with update(path) as con:  # no warehouse yet: starts empty
        con.execute("INSERT INTO source_state (source, type) VALUES ('a', 'jira')")
    with update(path) as con:  # the next one sees what the first wrote
        assert con.execute("SELECT source FROM source_state").fetchall() == [("a",)]
        con.execute("INSERT INTO source_state (source, type) VALUES ('b', 'jira')")
    before = path.read_bytes()
    with pytest.raises(KoersError), update(path) as con:
        con.execute("DELETE FROM source_state")
        raise KoersError("the token was rejected halfway")
    assert path.read_bytes() == before
    rows = connect_read(path).execute("SELECT source FROM source_state ORDER BY 1").fetchall()
    assert rows == [("a",), ("b",)]


def test_a_killed_update_leaves_a_copy_that_the_next_one_sweeps(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with update(path):
        pass
    # left by a process that no longer runs (above Linux's largest process id)
    leftover = tmp_path / f"w.duckdb.{2**22 + 17}.tmp"
    leftover.write_bytes(b"half a warehouse")
    with update(path):
        pass
    assert not leftover.exists()


def test_only_one_sync_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    refused = pytest.raises(KoersError, match="another sync is already running on .* wait until")
    with exclusive(path), refused, exclusive(path):
        pass
    with exclusive(path):  # released: the next one gets it
        pass


def test_a_completed_changelog_counts_as_complete(tmp_path: Path) -> None:
    # The embedded page holds 1 of 3 histories; bulkfetch, filtered to status changes, sent 2
    # (one history changed only a field Koers does not read) and the whole history was read.
    early = move("2026-03-03 09:00 +0100", "To Do", "In Progress", hid=701)
    late = move("2026-03-06 09:00 +0100", "In Progress", "Done", hid=703)
    truncated = issue("T-1", "2026-03-02 09:00 +0100", "Done", [late], total=3)
    con = warehouse(tmp_path, [truncated])
    assert con.execute("SELECT changelog_complete FROM work_items").fetchone() == (False,)
    fetched = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    write_jira_changelogs(con, "s", fetched, [("10001", early), ("10001", late)], ["10001"])
    normalize(con)
    assert con.execute("SELECT changelog_complete FROM work_items").fetchone() == (True,)


def test_watermarks_belong_to_a_query(tmp_path: Path) -> None:
    con = connect_write(tmp_path / "w.duckdb")
    moment = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    set_watermark(con, "s", "t", "project = T", moment)
    assert watermark(con, "s", "t", "project = T") == moment
    assert watermark(con, "s", "t", "project = T AND type = Bug") is None  # changed: read all


def test_a_fresh_writer_can_land_raw_rows_first(tmp_path: Path) -> None:
    # migrating reads results; none may stay half-read, or the first registered relation fails
    con = connect_write(tmp_path / "w.duckdb")
    fetched = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    write_jira_issues(con, "s", "t", fetched, [{"id": "1", "key": "T-1"}])
    assert con.execute("SELECT count(*) FROM raw_jira_issues").fetchall() == [(1,)]
