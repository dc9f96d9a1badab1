"""METRICS.md §7: no person's name, e-mail, username or account id anywhere in the warehouse.

The demo generator puts fictional people into the payloads exactly where Jira does (authors,
assignees, reporters, assignee changes); none of it may survive ingest, raw layer included.
"""

from __future__ import annotations

from config import Config
from demo.jira import FICTIONAL_PEOPLE
from tests.warehouse_text import warehouse_tables, warehouse_text


def all_text(cfg: Config) -> str:
    assert {"raw_jira_issues", "work_items", "status_changes"} <= set(
        warehouse_tables(cfg.database)
    )
    return warehouse_text(cfg.database)


def test_no_person_is_stored_anywhere(demo_config: Config) -> None:
    text = all_text(demo_config)
    assert len(text) > 1_000_000  # the payloads really are in there
    for person in FICTIONAL_PEOPLE:
        for value in (
            person.display_name,
            person.email,
            person.account_id,
            person.username,
            person.user_key,
        ):
            assert value not in text, f"{value!r} reached the warehouse"
    # no user objects under the keys Jira puts them (the field catalogue may name the fields)
    for key in ("author", "assignee", "reporter", "creator", "emailAddress", "accountId"):
        assert f'"{key}":' not in text
