"""The public wins report: static HTML, PNG cards and a weeknote, aggregates only.

INTERFACE STUB — `python -m koers publish --team KEY --out DIR` and the Wins page's button both
call this; being written.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from config import Config


def render(
    con: duckdb.DuckDBPyConnection, cfg: Config, team_key: str, as_of: datetime, lang: str
) -> dict[str, bytes]:
    """Every file of the team's public report by relative path: `index.html`, `weeknote.md`,
    `cards/<nn>-<rule>.png` (one per public win). Only the wins the team marked public."""
    raise NotImplementedError


def write(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the report into `out_dir` all at once: into a temporary folder next to it, then
    renamed, so a failure leaves no half-written report."""
    raise NotImplementedError
