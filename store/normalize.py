"""Normalize the raw layer into domain tables, in SQL (one model per file in `store/sql/`).

The domain tables are derived, never edited: every build re-creates them from the raw payloads,
so a changed mapping or a fixed bug re-derives everything without fetching again.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


def normalize(con: duckdb.DuckDBPyConnection) -> None:
    """Re-create every domain table from the raw tables on a writable connection."""
    for model in sorted(SQL_DIR.glob("*.sql")):
        con.execute(model.read_text(encoding="utf-8"))
    con.execute("DROP TABLE IF EXISTS _issues")
    con.execute("DROP TABLE IF EXISTS _histories")
