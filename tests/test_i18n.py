"""Both languages have every message, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from i18n import catalogue, t


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    nl, en = catalogue("nl"), catalogue("en")
    assert set(nl) == set(en)
    for key in nl:
        assert placeholders(nl[key]) == placeholders(en[key]), key


def test_lookup_and_fill() -> None:
    assert t("overview.title", "nl") == "Overzicht"
    assert t("overview.title", "en-GB") == "Overview"
    assert "Team X" in t("overview.intro", "en", team="Team X", period="p", baseline="b")
    with pytest.raises(KeyError):
        t("overview.nope", "nl")
