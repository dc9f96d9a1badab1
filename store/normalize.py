"""Normalize the raw layer into domain tables, in SQL (one model per file in `store/sql/`).

The domain tables are derived, never edited: every build re-creates them from the raw payloads,
so a changed mapping or a fixed bug re-derives everything without fetching again.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent / "sql"


def models() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def fingerprint() -> str:
    """Identifies the normalize SQL; stored with the domain tables it derived."""
    digest = hashlib.sha256(Path(__file__).read_bytes())  # the splicing below shapes the SQL too
    for model in models():
        digest.update(model.name.encode())
        digest.update(model.read_bytes())
    return digest.hexdigest()[:16]


_FIELD_ID = re.compile(r"[A-Za-z0-9_.]+")


def _custom_fields(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """Splice the custom field ids of `_custom_fields` into a model's json_transform spec."""
    if "__custom_spec__" not in text:
        return text
    ids = sorted(
        {
            row[0]
            for row in con.execute(
                "SELECT unnest([flagged_field, epic_link_field, points_field]) FROM _custom_fields"
            ).fetchall()
            if row[0] is not None and _FIELD_ID.fullmatch(row[0])
        }
    )
    spec = "".join(f', "{fid}": "JSON"' for fid in ids)
    entries = ", ".join(f"'{fid}': p.fields.\"{fid}\"" for fid in ids)
    mapping = f"MAP {{{entries}}}" if ids else "MAP {}::MAP(VARCHAR, JSON)"
    return text.replace("__custom_spec__", spec).replace("__custom_map__", mapping)


def normalize(con: duckdb.DuckDBPyConnection) -> None:
    """Re-create every domain table from the raw tables on a writable connection."""
    for model in models():
        con.execute(_custom_fields(con, model.read_text(encoding="utf-8")))
    con.execute("DROP TABLE IF EXISTS _issues")
    con.execute("DROP TABLE IF EXISTS _histories")
    con.execute("DROP TABLE IF EXISTS _custom_fields")
    con.execute("INSERT OR REPLACE INTO build_info VALUES ('normalize', ?)", [fingerprint()])
