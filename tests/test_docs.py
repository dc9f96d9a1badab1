"""The repository's copy of the metric definitions is the shared contract, word for word."""

from __future__ import annotations

import pytest

from config import REPO_ROOT

SHARED = REPO_ROOT.parent / "shared" / "METRICS.md"


@pytest.mark.skipif(not SHARED.exists(), reason="no shared/ folder next to this checkout")
def test_docs_metrics_is_the_shared_contract() -> None:
    assert (REPO_ROOT / "docs" / "METRICS.md").read_text() == SHARED.read_text()


def test_readme_links_resolve() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    for target in ("docs/METRICS.md", "docs/overview-nl.png", "koers.example.toml"):
        assert target in readme and (REPO_ROOT / target).exists()
