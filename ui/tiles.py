"""Headline tiles: value, change against the baseline in words and colour, and a one-line help."""

from __future__ import annotations

import streamlit as st

from i18n import t
from i18n.formats import fmt_days, fmt_delta_pct, fmt_number
from metrics.overview import Tile

DAY_TILES = {"lead_time_p50", "lead_time_p85", "cycle_time_p50"}


def value_text(tile: Tile, lang: str) -> str:
    if tile.key in DAY_TILES:
        return fmt_days(tile.value, lang) if tile.value is not None else t("tiles.too_few", lang)
    return fmt_number(tile.value, lang)


def delta_text(tile: Tile, lang: str) -> str | None:
    if tile.change_pct is None:
        return None
    word = {True: "better", False: "worse", None: "same"}[tile.good_news]
    change = fmt_delta_pct(tile.change_pct, lang)
    return t("tiles.vs_baseline", lang, change=change, word=t(f"tiles.{word}", lang))


def summary_sentence(tile: Tile, lang: str) -> str | None:
    """One plain sentence about a headline number's change since the baseline."""
    kind = tile.change_kind
    if kind is None:
        return None
    subject = t(f"overview.subject_{tile.key}", lang)
    after = value_text(tile, lang)
    if kind == "same":
        return t("overview.summary_same", lang, subject=subject, after=after)
    before = value_text(Tile(tile.key, tile.baseline, None, tile.better), lang)
    change = t(f"overview.change_{kind}", lang)
    return t(
        "overview.summary_sentence",
        lang,
        subject=subject,
        change=change,
        before=before,
        after=after,
    )


def render(tiles: list[Tile], lang: str) -> None:
    for column, tile in zip(st.columns(len(tiles)), tiles, strict=True):
        change = tile.change_pct
        help_text = t(f"tiles.{tile.key}_help", lang)
        if tile.key in DAY_TILES:
            help_text += " " + t("tiles.exact_help", lang)
        column.metric(
            t(f"tiles.{tile.key}", lang),
            value_text(tile, lang),
            delta=delta_text(tile, lang),
            # colour says good or bad news, the arrow which way the number moved
            delta_color={True: "green", False: "red", None: "gray"}[tile.good_news],
            delta_arrow="off" if tile.unchanged else ("down" if change < 0 else "up"),
            help=help_text,
            border=True,
        )
