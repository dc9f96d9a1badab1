"""Normalize the raw layer into domain tables, in SQL (one model per file in `store/sql/`).

The domain tables are derived, never edited: every build re-creates them from the raw payloads,
so a changed mapping or a fixed bug re-derives everything without fetching again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


def models() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def fingerprint() -> str:
    """Identifies the normalize SQL; stored with the domain tables it derived."""
    digest = hashlib.sha256()
    for model in models():
        digest.update(model.name.encode())
        digest.update(model.read_bytes())
    return digest.hexdigest()[:16]


def normalize(con: duckdb.DuckDBPyConnection) -> None:
    """Re-create every domain table from the raw tables on a writable connection."""
    for model in models():
        con.execute(model.read_text(encoding="utf-8"))
    con.execute("DROP TABLE IF EXISTS _issues")
    con.execute("DROP TABLE IF EXISTS _histories")
    con.execute("INSERT OR REPLACE INTO build_info VALUES ('normalize', ?)", [fingerprint()])
