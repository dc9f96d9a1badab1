"""What a team decided about its wins: hide, pin, reword, quote, make public (people's input).

INTERFACE STUB — the contract for the Wins page, the presenter view and `publish`; being written.

Kept in `<data_dir>/outcomes/<team>/wins.toml`, one table per win id, written atomically like
the other outcomes files, so it survives syncs and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metrics.wins import Win


@dataclass(frozen=True)
class Curation:
    """The team's choices for one win (defaults: shown, not pinned, detected wording, private)."""

    hidden: bool = False
    pinned: bool = False
    sentence_nl: str = ""  # the team's own wording; empty: the detected sentence
    sentence_en: str = ""
    quote: str = ""  # a short quote from a user or colleague (no name needed)
    quote_by: str = ""  # optional role, e.g. "a citizen", "contact centre" — never required
    public: bool = False


@dataclass(frozen=True)
class CuratedWin:
    win: Win
    curation: Curation

    def sentence(self, lang: str) -> str:
        """The team's wording when it wrote one in this language, else the detected story."""
        raise NotImplementedError


def load_curation(data_dir: Path, team: str) -> dict[str, Curation]:
    raise NotImplementedError


def save_curation(data_dir: Path, team: str, win_id: str, curation: Curation) -> Path:
    """Store one win's curation in one atomic write (the others are kept)."""
    raise NotImplementedError


def curated(wins: list[Win], curation: dict[str, Curation], *, include_hidden: bool = False) -> list[CuratedWin]:
    """The wins with the team's choices: hidden ones left out (unless asked), pinned ones first,
    the rest in the order given (newest first)."""
    raise NotImplementedError


def public(wins: list[CuratedWin]) -> list[CuratedWin]:
    """Only the wins marked public and not hidden: what `publish` may put out."""
    raise NotImplementedError
