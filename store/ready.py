"""Making sure a usable, current warehouse exists before anything reads it.

The demo warehouse is built on first use. A warehouse written by an older Koers is upgraded, not
rebuilt: its raw layer is migrated and the domain tables re-derived, in a copy that is swapped in.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb

from config import Config
from errors import KoersError
from store.normalize import fingerprint, normalize
from store.schema import current_version, latest_version
from store.warehouse import connect_read, connect_write

Progress = Callable[[str], None]


def ensure_ready(cfg: Config, progress: Progress | None = None) -> Path:
    """The path of a current warehouse for this config, building or upgrading it if needed."""
    path = cfg.database
    if not path.exists():
        if not cfg.demo:
            raise KoersError(f"no warehouse at {path} yet: run `python -m koers sync` first")
        from demo import build  # the demo generator is only needed for a demo config

        build(cfg, progress=progress)
        return path
    if needs_upgrade(path):
        (progress or (lambda _m: None))("upgrading the warehouse to this version of Koers")
        upgrade(path)
    return path


def needs_upgrade(path: Path) -> bool:
    con = connect_read(path)
    try:
        if current_version(con) != latest_version():
            return True
        rows = con.execute("SELECT value FROM build_info WHERE key = 'normalize'").fetchall()
        return not rows or rows[0][0] != fingerprint()
    except duckdb.CatalogException:
        return True
    finally:
        con.close()


def upgrade(path: Path) -> None:
    """Migrate and re-normalize a copy, then swap it in; the original stays intact on failure."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.upgrade")
    shutil.copyfile(path, tmp)
    try:
        con = connect_write(tmp)  # runs the forward migrations
        normalize(con)
        con.execute("CHECKPOINT")
        con.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
