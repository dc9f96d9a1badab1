"""The weeknote in Markdown: the ISO week, the team's headline numbers against the baseline,
and the public wins with the team's sentences and quotes."""

from __future__ import annotations

import re

from i18n import t
from i18n.formats import fmt_date, fmt_week
from publish.content import Report
from publish.text import before_after, p_value_text, period_text, tile_change, tile_value

# Characters that Markdown (or the HTML a renderer lets through) would read as markup in the
# team's own text; escaped so a sentence or quote stays the words it was.
_MARKUP = re.compile(r"([\\`*_\[\]<>|#])")


def render_weeknote(report: Report) -> str:
    lang, week = report.lang, fmt_week(report.day, report.lang)
    title = t("publish.weeknote_title", lang, team=report.team_name, week=week)
    lines = [
        f"# {md(title)}",
        "",
        t("publish.weeknote_intro", lang, date=fmt_date(report.day, lang)),
        "",
        f"## {t('publish.numbers_heading', lang)}",
        "",
        *_numbers(report),
        f"## {t('publish.wins_heading', lang)}",
        "",
    ]
    for item in report.wins:
        win = item.win
        lines += [f"### {md(item.sentence)}", "", f"**{md(win.figure(lang))}**", ""]
        levels = before_after(win, lang)
        if levels is not None:
            lines += [f"{md(levels[0])} → {md(levels[1])}", ""]
        test = p_value_text(win, lang)
        if test is not None:
            lines += [md(test), ""]
        if item.quote:
            lines.append(f"> {md(item.quote)}")
            if item.quote_by:
                lines += [">", f"> {md(t('publish.quote_by', lang, by=item.quote_by))}"]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _numbers(report: Report) -> list[str]:
    lang, numbers = report.lang, report.numbers
    if numbers is None:
        return [t("publish.numbers_none", lang), ""]
    header = [
        t(f"publish.column_{name}", lang) for name in ("measure", "now", "baseline", "change")
    ]
    rows = [
        [
            t(f"tiles.{tile.key}", lang),
            tile_value(tile, tile.value, lang),
            tile_value(tile, tile.baseline, lang),
            tile_change(tile, lang),
        ]
        for tile in numbers.tiles
    ]
    intro = t(
        "publish.numbers_intro",
        lang,
        period=period_text(numbers.period, lang),
        baseline=period_text(numbers.baseline, lang),
    )
    return [
        intro,
        "",
        _row(header),
        _row(["---", "---:", "---:", "---:"]),
        *(_row(row) for row in rows),
        "",
    ]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(md(cell) for cell in cells) + " |"


def md(text: str) -> str:
    """Team text as literal Markdown on one line: markup characters escaped, line breaks
    folded (a quote must stay inside its block)."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))
