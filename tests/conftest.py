"""Shared fixtures: the demo warehouse is built once per test session, in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from tests.demo_copy import copy_demo


@pytest.fixture(scope="session")
def demo_config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed demo config whose warehouse lives in a temp folder, built once."""
    from demo import build

    folder = tmp_path_factory.mktemp("demo")
    text = config.DEMO_CONFIG.read_text(encoding="utf-8").replace(
        'database = "data/demo.duckdb"', f'database = "{folder / "demo.duckdb"}"'
    )
    path = folder / "koers.toml"
    path.write_text(text, encoding="utf-8")
    build(config.load(path))
    return path


@pytest.fixture(scope="session")
def demo_config(demo_config_file: Path) -> config.Config:
    return config.load(demo_config_file)


@pytest.fixture()
def demo_env(demo_config_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app and the CLI at the session's demo warehouse."""
    monkeypatch.setenv("KOERS_CONFIG", str(demo_config_file))
    return demo_config_file


@pytest.fixture()
def writable_demo(demo_config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the session's demo folder that a test may change, with the app and the CLI
    pointed at it; returns the folder."""
    folder = tmp_path / "demo"
    monkeypatch.setenv("KOERS_CONFIG", str(copy_demo(demo_config_file, folder)))
    return folder
