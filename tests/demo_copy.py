"""A writable copy of the session's demo, for tests that change people's input or data."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_demo(demo_config_file: Path, folder: Path) -> Path:
    """Copy the session's demo folder (warehouse and outcome files) to `folder`, for a test that
    changes it; returns the copy's config file, which points at the copied warehouse."""
    shutil.copytree(demo_config_file.parent, folder)
    text = demo_config_file.read_text(encoding="utf-8").replace(
        str(demo_config_file.parent / "demo.duckdb"), str(folder / "demo.duckdb")
    )
    path = folder / "koers.toml"
    path.write_text(text, encoding="utf-8")
    return path
