"""Per-source bookkeeping: flavour, last sync and watermark (shown on the Data page)."""

from __future__ import annotations

from datetime import datetime

import duckdb


def record_sync(
    con: duckdb.DuckDBPyConnection,
    source: str,
    kind: str,
    flavour: str | None,
    synced_at: datetime,
    watermark: datetime | None = None,
    demo: bool = False,
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO source_state "
        "(source, type, flavour, last_sync_at, watermark, demo) VALUES (?, ?, ?, ?, ?, ?)",
        [source, kind, flavour, synced_at, watermark, demo],
    )


def watermark(
    con: duckdb.DuckDBPyConnection, source: str, team: str, query: str
) -> datetime | None:
    """How far this team's query has been read; None when never, or when the query changed."""
    rows = con.execute(  # fetchall: a half-read result would block the next statement
        "SELECT watermark FROM sync_watermarks WHERE source = ? AND team = ? AND query = ?",
        [source, team, query],
    ).fetchall()
    return rows[0][0] if rows else None


def set_watermark(
    con: duckdb.DuckDBPyConnection, source: str, team: str, query: str, value: datetime
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO sync_watermarks (source, team, query, watermark) "
        "VALUES (?, ?, ?, ?)",
        [source, team, query, value],
    )
