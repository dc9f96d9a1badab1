"""The public wins report: static HTML, PNG cards and a weeknote, aggregates only.

`python -m koers publish --team KEY --out DIR` and the Wins page's button both call this.
Only what `publish.content` gathers goes out: the team's name, its public wins (evidence, the
team's sentence and quote) and team-level aggregates; no item, title or person.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from config import Config
from publish.cards import card_name, render_card
from publish.content import NothingToPublish, gather
from publish.files import check_out_dir
from publish.files import write as _write
from publish.html import render_html
from publish.weeknote import render_weeknote

__all__ = ["NothingToPublish", "check_out_dir", "render", "write"]


def render(
    con: duckdb.DuckDBPyConnection,
    cfg: Config,
    team_key: str,
    as_of: datetime,
    lang: str,
    *,
    progress: Callable[[str], None] | None = None,
) -> dict[str, bytes]:
    """Every file of the team's public report by relative path: `index.html`, `weeknote.md`,
    `cards/<nn>-<rule>.png` (one per public win). Only the wins the team marked public;
    NothingToPublish (a KoersError) when there is none."""
    report = gather(con, cfg, team_key, as_of, lang)
    if progress is not None:
        progress(f"rendering the report and {len(report.wins)} card(s)")
    files = {
        "index.html": render_html(report),
        "weeknote.md": render_weeknote(report).encode("utf-8"),
    }
    for index, item in enumerate(report.wins, 1):
        files[card_name(index, item.win)] = render_card(report, item)
    return files


def write(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the report into `out_dir` all at once: into a temporary folder next to it, then
    renamed, so a failure leaves no half-written report."""
    return _write(out_dir, files)
