"""One writer at a time: a sync holds an exclusive lock next to the warehouse."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from errors import KoersError


@contextmanager
def exclusive(database: Path) -> Iterator[None]:
    """Hold the warehouse's write lock, or refuse at once with who holds it.

    The lock is the operating system's (flock): it goes away with the process, so a killed
    sync never leaves a stale lock behind.
    """
    database.parent.mkdir(parents=True, exist_ok=True)
    lock_path = database.with_name(database.name + ".lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise KoersError(
                f"another sync is already running on {database} (process {holder}); "
                "wait until it has finished, then try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
