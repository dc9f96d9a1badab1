"""Running the named SQL files in `metrics/sql/` with bound parameters."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).parent / "sql"
_PARAM = re.compile(r"\$([a-z_]+)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def _load(name: str) -> tuple[str, frozenset[str]]:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return text, frozenset(_PARAM.findall(_COMMENT.sub("", text)))


def _bound(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    # DuckDB rejects named parameters that a statement does not use: pass only the used ones.
    text, used = _load(name)
    return text, {key: params[key] for key in used}


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> None:
    text, bound = _bound(name, params)
    con.execute(text, bound)


def run_df(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    text, bound = _bound(name, params)
    return con.execute(text, bound).df()
