"""Writing a report folder all at once: a temporary folder next to it, renamed into place.

An existing folder is replaced only after the new report is complete, and only when it holds
nothing but a report (or nothing at all): `--out ~` must never wipe a home folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from errors import KoersError

# What a report folder may hold: the files `publish` writes, and nothing else.
REPORT_FILES = frozenset({"index.html", "weeknote.md"})
CARDS = "cards"


def check_out_dir(out_dir: Path) -> None:
    """Refuse, in one line, an --out that `write` could not or must not replace."""
    if out_dir.exists() and not out_dir.is_dir():
        raise KoersError(f"--out {out_dir}: is a file, not a folder; name a new folder")
    if out_dir.is_dir() and not _is_report(out_dir):
        raise KoersError(
            f"--out {out_dir}: the folder holds other files than a Koers report; "
            "name a new or empty folder"
        )
    parent = out_dir.absolute().parent
    if not parent.is_dir():
        raise KoersError(f"--out {out_dir}: the folder {parent} does not exist")


def _is_report(folder: Path) -> bool:
    for entry in folder.iterdir():
        if entry.is_file() and not entry.is_symlink() and entry.name in REPORT_FILES:
            continue
        if (
            entry.name == CARDS
            and entry.is_dir()
            and not entry.is_symlink()
            and all(c.is_file() and c.suffix == ".png" for c in entry.iterdir())
        ):
            continue
        return False
    return True


def _relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"not a path inside the report: {name!r}")
    return path


def write(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the report into `out_dir` all at once: into a temporary folder next to it, then
    renamed, so a failure leaves no half-written report (and the previous one in place)."""
    check_out_dir(out_dir)
    target = out_dir.absolute()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    shutil.rmtree(tmp, ignore_errors=True)  # a leftover of a killed run with the same pid
    try:
        for name, content in files.items():
            path = tmp.joinpath(*_relative(name).parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        if target.exists():
            # A directory cannot be renamed over a non-empty one: move the old report aside,
            # put the new one in, and only then delete the old one (put back on failure).
            os.rename(target, old)
            try:
                os.rename(tmp, target)
            except OSError:
                os.rename(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except OSError as exc:
        raise KoersError(f"--out {out_dir}: cannot write the report ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out_dir / name for name in sorted(files)]
