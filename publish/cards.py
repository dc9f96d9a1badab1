"""One PNG card per public win, 1200 × 630 (the size intranets and social posts expect): the
team, the big figure, the sentence, a small evidence chart, "Koers" and the date.

Drawn by vl-convert through `ui.charts.to_png`, which registers the bundled Fira Sans (without a
font vl-convert draws no text at all). The card is one Vega-Lite concat: text on the left, the
win's evidence chart on the right. `autosize: none` with fixed `width`/`height` signals makes
the canvas exactly the card's size whatever the chart's axes need (overflow is cut off, not
grown), and the fixed layout below keeps everything inside it.
"""

from __future__ import annotations

import re
import textwrap

import altair as alt

from i18n import t
from i18n.formats import fmt_date
from metrics.wins import Win
from publish.content import PublicWin, Report
from ui.charts import PALETTE, TEXT, TEXT_MUTED, configure, to_png
from ui.charts_wins import evidence_chart

WIDTH, HEIGHT = 1200, 630
PAD = 48  # inside the canvas on every side
INNER_W, INNER_H = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
TEXT_W = 560  # the text column beside a chart; the whole width without one
GAP = 40
CHART_W, CHART_H = 420, 300  # the chart's plot; its axes and legend take about 70 px more
ACCENT = PALETTE[0]
BAR_W, TEXT_X = 10, 34  # the accent bar at the column's left edge, and where text starts

TEAM_Y, TEAM_SIZE = 0, 26
FIGURE_Y, FIGURE_MAX = 44, 110
FOOTER_SIZE = 22
SENTENCE_SIZES = (34, 30, 26, 22)  # the largest size at which the sentence fits is used
LINE_HEIGHT = 1.3
# Fira Sans averages about 0.5 em per character; wrapping at that width leaves a margin,
# and `limit` cuts off (with "…") whatever would still run over.
CHAR_EM = 0.5
FIGURE_CHAR_EM = 0.6  # bold digits are wider


def card_name(index: int, win: Win) -> str:
    """`cards/01-faster_lead_time.png`: the order of the report, then the rule."""
    rule = re.sub(r"[^a-z0-9_]+", "_", win.rule.lower())
    return f"cards/{index:02d}-{rule}.png"


def render_card(report: Report, item: PublicWin) -> bytes:
    """The card as PNG bytes, exactly WIDTH × HEIGHT pixels."""
    win, lang = item.win, report.lang
    has_chart = bool(win.series)
    text_w = TEXT_W if has_chart else INNER_W
    column = _text_column(
        team=report.team_name,
        figure=win.figure(lang),
        sentence=item.sentence,
        footer=t("publish.card_footer", lang, date=fmt_date(report.day, lang)),
        width=text_w,
    )
    if has_chart:
        chart = evidence_chart(win, lang, width=CHART_W, height=CHART_H).copy(deep=True)
        chart.config = alt.Undefined  # configured once below, on the whole card
        card: alt.TopLevelMixin = alt.hconcat(column, chart, spacing=GAP, center=True)
        # Legends beside their own chart, not above the whole card.
        independent = dict.fromkeys(("color", "opacity", "strokeDash", "shape"), "independent")
        card = card.resolve_legend(**independent)
    else:
        card = alt.hconcat(column)
    card = configure(card, lang)
    _card_config(card)
    return to_png(card, scale=1)


def _card_config(card: alt.TopLevelMixin) -> None:
    """Bigger chart text for a card seen small in a feed, and the fixed canvas."""
    for part in (card.config.axis, card.config.legend):
        part.labelFontSize = 15
        part.titleFontSize = 15
    card.autosize = alt.AutoSizeParams(type="none", contains="padding")
    card.padding = PAD
    # Vega reads the canvas size from these signals when autosize is "none".
    card.params = [
        alt.VariableParameter(name="width", value=WIDTH),
        alt.VariableParameter(name="height", value=HEIGHT),
    ]


def _text_column(team: str, figure: str, sentence: str, footer: str, width: int) -> alt.LayerChart:
    room_w = width - TEXT_X
    figure_size = int(min(FIGURE_MAX, room_w / (FIGURE_CHAR_EM * max(1, len(figure)))))
    sentence_y = FIGURE_Y + figure_size + 30
    room_h = INNER_H - FOOTER_SIZE - 24 - sentence_y
    size, lines = _fit(sentence, room_w, room_h)
    data = alt.Data(
        values=[{"team": team, "figure": figure, "sentence": "\n".join(lines), "footer": footer}]
    )
    base = alt.Chart(data)

    def text(field: str, y: int, size: int, **mark: object) -> alt.Chart:
        return base.mark_text(
            align="left", baseline="top", fontSize=size, limit=width - TEXT_X, **mark
        ).encode(text=f"{field}:N", x=alt.value(TEXT_X), y=alt.value(y))

    # Inside the column's own box: the layout places the chart after whatever the column draws.
    bar = base.mark_rect(color=ACCENT).encode(
        x=alt.value(0), x2=alt.value(BAR_W), y=alt.value(0), y2=alt.value(INNER_H)
    )
    return alt.layer(
        bar,
        text("team", TEAM_Y, TEAM_SIZE, color=TEXT_MUTED),
        text("figure", FIGURE_Y, figure_size, color=ACCENT, fontWeight="bold"),
        text(
            "sentence",
            sentence_y,
            size,
            color=TEXT,
            lineBreak="\n",
            lineHeight=round(size * LINE_HEIGHT),
        ),
        text("footer", INNER_H - FOOTER_SIZE, FOOTER_SIZE, color=TEXT_MUTED),
    ).properties(width=width, height=INNER_H)


def _fit(sentence: str, width: int, room: float) -> tuple[int, list[str]]:
    """The largest font size at which the wrapped sentence fits `room` pixels of height; at the
    smallest size, the lines that fit, the last one ending in "…"."""
    words = " ".join(sentence.split())
    for size in SENTENCE_SIZES:
        lines = textwrap.wrap(words, width=int(width / (CHAR_EM * size))) or [""]
        if len(lines) * size * LINE_HEIGHT <= room:
            return size, lines
    fits = max(1, int(room // (size * LINE_HEIGHT)))
    kept = lines[:fits]
    kept[-1] = kept[-1].rstrip(" .,;:") + "…"
    return size, kept
