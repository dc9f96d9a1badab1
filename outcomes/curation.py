"""What a team decided about its wins: hide, pin, reword, quote, make public (people's input).

Kept in `<data_dir>/outcomes/<team>/wins.toml`, one table per win id, written atomically like
the other outcomes files (`outcomes.store`), so it survives syncs and restarts:

    [wins."faster_lead_time:vergunningen:lead_time:2026-06-29"]
    hidden = false
    pinned = true
    sentence_nl = "Een aanvraag is nu in 12 dagen klaar, was 20."   # empty: the detected story
    sentence_en = ""
    quote = "Ik had mijn vergunning binnen twee weken."            # optional, no name needed
    quote_by = "een inwoner"                                        # optional role
    public = true

Win ids hold colons, so the keys are quoted. A curation whose win is no longer detected stays in
the file (the evidence may return after a sync) but is never shown: `curated()` starts from the
detected wins, so a win the evidence no longer supports cannot appear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from metrics.wins import Win
from outcomes.store import (
    _Checker,
    _toml_str,
    read_toml,
    team_dir,
    team_lock,
    write_atomic,
)

# Team text is short on purpose: one sentence on a slide or card, one quote under it.
MAX_CHARS = {"sentence_nl": 200, "sentence_en": 200, "quote": 280, "quote_by": 80}
MAX_ID_CHARS = 200


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


BOOLEANS = tuple(f.name for f in fields(Curation) if f.type in (bool, "bool"))
TEXTS = tuple(f.name for f in fields(Curation) if f.name not in BOOLEANS)


@dataclass(frozen=True)
class CuratedWin:
    win: Win
    curation: Curation

    @property
    def id(self) -> str:
        return self.win.id

    def own(self, lang: str) -> str:
        """The team's own wording in this language ("" when it wrote none)."""
        text = self.curation.sentence_en if lang.lower().startswith("en") else None
        return (self.curation.sentence_nl if text is None else text).strip()

    def sentence(self, lang: str) -> str:
        """The team's wording when it wrote one in this language, else the detected story."""
        return self.own(lang) or self.win.title(lang)

    def reworded(self, lang: str) -> bool:
        return bool(self.own(lang))


def wins_path(data_dir: Path, team: str) -> Path:
    return team_dir(data_dir, team) / "wins.toml"


def load_curation(data_dir: Path, team: str) -> dict[str, Curation]:
    """The team's choices by win id; none when the file does not exist yet."""
    path = wins_path(data_dir, team)
    raw = read_toml(path)
    return {} if raw is None else parse_curation(raw, path)


def parse_curation(raw: dict[str, Any], path: Path) -> dict[str, Curation]:
    check = _Checker(path)
    check.keys(raw, "", {"wins"})
    tables = raw.get("wins", {})
    if not isinstance(tables, dict):
        check.fail("wins", f'tables like [wins."ID"], got {type(tables).__name__}')
    return {win_id: _curation(check, win_id, value) for win_id, value in tables.items()}


def _curation(check: _Checker, win_id: str, value: Any) -> Curation:
    where = f'wins."{win_id}"'
    if not win_id.strip() or len(win_id) > MAX_ID_CHARS:
        check.fail(where, f"a win id of 1 to {MAX_ID_CHARS} characters")
    table = check.as_table(value, where)
    check.keys(table, where, set(BOOLEANS) | set(TEXTS))
    values: dict[str, Any] = {
        name: check.boolean(table, f"{where}.{name}", False) for name in BOOLEANS
    }
    for name in TEXTS:
        text = table.get(name, "")
        if not isinstance(text, str):
            check.fail(f"{where}.{name}", f"a text, got {text!r}")
        values[name] = text
    curation = Curation(**values)
    _check_lengths(check, where, curation)
    return curation


def _check_lengths(check: _Checker, where: str, curation: Curation) -> None:
    for name, limit in MAX_CHARS.items():
        length = len(getattr(curation, name))
        if length > limit:
            check.fail(f"{where}.{name}", f"at most {limit} characters, got {length}")


def save_curation(data_dir: Path, team: str, win_id: str, curation: Curation) -> Path:
    """Store one win's curation in one atomic write (the others are kept).

    Texts are trimmed; a curation equal to the defaults is removed from the file. Raises
    `OutcomesError` naming the file and key when a text is too long.
    """
    _write(data_dir, team, win_id, lambda _: curation)
    return wins_path(data_dir, team)


def update_curation(data_dir: Path, team: str, win_id: str, **changes: Any) -> Curation:
    """Change some of one win's choices (`pinned=True`, `quote="…"`) on top of what is saved
    now, in one locked read-modify-write, so two people changing different choices of the same
    win at once lose neither. Returns the win's curation as saved."""
    unknown = set(changes) - set(BOOLEANS) - set(TEXTS)
    if unknown:
        raise TypeError(f"unknown curation fields: {', '.join(sorted(unknown))}")
    return _write(data_dir, team, win_id, lambda current: replace(current, **changes))


def _write(
    data_dir: Path, team: str, win_id: str, change: Callable[[Curation], Curation]
) -> Curation:
    path = wins_path(data_dir, team)
    check = _Checker(path)
    where = f'wins."{win_id}"'
    if not win_id.strip() or len(win_id) > MAX_ID_CHARS:
        check.fail(where, f"a win id of 1 to {MAX_ID_CHARS} characters")
    with team_lock(data_dir, team):
        choices = load_curation(data_dir, team)
        curation = _trimmed(change(choices.get(win_id, Curation())))
        _check_lengths(check, where, curation)
        if curation == Curation():
            choices.pop(win_id, None)
        else:
            choices[win_id] = curation
        write_atomic(path, dump_curation(choices))
    return curation


def _trimmed(curation: Curation) -> Curation:
    return replace(curation, **{name: getattr(curation, name).strip() for name in TEXTS})


def dump_curation(choices: dict[str, Curation]) -> str:
    lines = [
        "# What the team decided about its wins (METRICS.md section 5), by win id: hide, pin,",
        "# its own sentence, a quote, public. Written by Koers; safe to edit by hand.",
    ]
    for win_id, curation in choices.items():
        lines += ["", f"[wins.{_toml_str(win_id)}]"]
        lines += [f"{name} = {str(getattr(curation, name)).lower()}" for name in BOOLEANS]
        lines += [f"{name} = {_toml_str(getattr(curation, name))}" for name in TEXTS]
    return "\n".join(lines) + "\n"


def curated(
    wins: list[Win], curation: dict[str, Curation], *, include_hidden: bool = False
) -> list[CuratedWin]:
    """The wins with the team's choices: hidden ones left out (unless asked), pinned ones first,
    the rest in the order given (newest first)."""
    result = [CuratedWin(win, curation.get(win.id, Curation())) for win in wins]
    if not include_hidden:
        result = [w for w in result if not w.curation.hidden]
    return sorted(result, key=lambda w: not w.curation.pinned)  # stable: keeps the given order


def public(wins: list[CuratedWin]) -> list[CuratedWin]:
    """Only the wins marked public and not hidden: what `publish` may put out."""
    return [w for w in wins if w.curation.public and not w.curation.hidden]
