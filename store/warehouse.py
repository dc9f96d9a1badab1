"""Opening the warehouse: writers build a new file and swap it in; readers attach read-only.

DuckDB allows one writing process and a reader blocks a writer, so nothing ever writes the file the
dashboard is reading: a build writes `<name>.<pid>.tmp` next to it and renames it into place only
when everything landed. A failed or killed build leaves the previous warehouse as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import duckdb

from errors import KoersError
from store.schema import migrate


def _session_settings(con: duckdb.DuckDBPyConnection) -> None:
    # Timestamps leave DuckDB in UTC; bucketing into the team's zone is explicit in the SQL.
    con.execute("SET TimeZone = 'UTC'")


# A build or sync runs beside the dashboard on a modest server: past this DuckDB spills to disk
# rather than taking 80 % of the memory (1,000,000 items then peak at about 3 GB).
WRITE_MEMORY_LIMIT = "3GB"


def connect_write(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection, migrated to the current schema."""
    con = duckdb.connect(str(path))
    _session_settings(con)
    con.execute("SET memory_limit = ?", [WRITE_MEMORY_LIMIT])
    migrate(con)
    return con


def connect_read(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse that never blocks a writer's swap.

    The file is attached to a fresh in-memory database: a plain `connect()` would be served from
    DuckDB's instance cache and keep showing the old file after a swap.
    """
    if not path.exists():
        raise KoersError(f"no warehouse at {path}: run `python -m koers sync` (or `demo`) first")
    con = duckdb.connect()
    _session_settings(con)
    try:
        con.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(path)])
    except duckdb.Error as exc:
        con.close()
        raise KoersError(f"cannot open the warehouse {path}: {exc}") from None
    con.execute("USE warehouse")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor for one thread or one piece of work, with the same settings as its parent."""
    cur = con.cursor()
    _session_settings(cur)
    if con.execute("SELECT current_database()").fetchall()[0][0] == "warehouse":
        cur.execute("USE warehouse")
    return cur


def rebuild(path: Path) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Build a complete new warehouse at a temporary path; swap it in only on success."""
    return _swapped_in(path, start_from_current=False)


def update(path: Path) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    """Change a copy of the warehouse (a sync); swap it in only when everything landed.

    Readers keep the old file until the swap. A failure, or a killed process, leaves the
    warehouse as it was: the copy is removed, or swept up by the next update.
    """
    return _swapped_in(path, start_from_current=True)


@contextmanager
def _swapped_in(path: Path, start_from_current: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(path)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    _remove(tmp)
    if start_from_current and path.exists():
        shutil.copyfile(path, tmp)
    con = connect_write(tmp)
    try:
        yield con
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)  # atomic: readers see the old file or the new one, never a mix
    except BaseException:
        con.close()
        _remove(tmp)
        raise


def sweep_leftovers(path: Path) -> None:
    """Remove temporary copies left by builds whose process no longer runs (killed syncs)."""
    for leftover in path.parent.glob(f"{path.name}.*.tmp"):
        pid = leftover.name.removeprefix(f"{path.name}.").removesuffix(".tmp")
        if pid.isdigit() and not _running(int(pid)):
            _remove(leftover)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
