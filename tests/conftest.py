"""Shared fixtures: the demo warehouse is built once per test session, in a temp folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import config


@pytest.fixture(scope="session")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> config.Config:
    """The committed demo config, pointed at a warehouse in a temp folder, built once."""
    from demo import build

    cfg = config.load(config.DEMO_CONFIG)
    cfg = dataclasses.replace(cfg, database=tmp_path_factory.mktemp("demo") / "demo.duckdb")
    build(cfg)
    return cfg


@pytest.fixture()
def repo_root() -> Path:
    return config.REPO_ROOT
