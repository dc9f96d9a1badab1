"""Every value in a warehouse as text, for the privacy checks: no person may appear anywhere."""

from __future__ import annotations

from pathlib import Path

import duckdb

from store.warehouse import connect_read


def warehouse_tables(path: Path) -> list[str]:
    con = connect_read(path)
    try:
        return _tables(con)
    finally:
        con.close()


def warehouse_text(path: Path) -> str:
    """Every column of every row of every table, as tab-separated text."""
    con = connect_read(path)
    try:
        chunks = []
        for table in _tables(con):
            rows = con.execute("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM " + table).fetchall()
            chunks.append("\n".join("\t".join(str(v) for v in row) for row in rows))
    finally:
        con.close()
    return "\n".join(chunks)


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    query = "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'warehouse'"
    return [row[0] for row in con.execute(query).fetchall()]
