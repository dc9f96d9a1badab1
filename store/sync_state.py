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
