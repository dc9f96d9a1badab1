"""The one Altair theme for Koers: colours, fonts, Dutch/English locale, week axes, exports.

Build a chart as usual, then pass the finished top-level chart through ``configure(chart, lang)``
as the last step (Vega-Lite only accepts ``config`` on the top level, so configure after layering).

Exports (PNG/SVG) go through vl-convert. Call ``to_png``/``to_svg`` (or ``register_fonts()``
before ``chart.save``) so the bundled Fira Sans is used; every font list ends in "sans-serif"
because vl-convert draws *no text at all* when none of the named fonts exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path

import altair as alt
import vl_convert as vlc

from i18n.formats import normalize_lang

# Same stack as theme.font in .streamlit/config.toml. Fira Sans (the open stand-in for the
# Rijkshuisstijl's proprietary RO Sans) is bundled for exports; in the browser "Source Sans",
# which Streamlit serves, is the fallback. "sans-serif" must stay last (see module docstring).
FONT = "Fira Sans, Source Sans, Source Sans Pro, sans-serif"

# Okabe–Ito, reordered so the first five reach 3:1 against white (WCAG 1.4.11, non-text
# contrast); orange, sky blue and yellow (below 3:1) only appear with six or more series.
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
]

# Meaning colours for marks (≥3:1 on white), from the same palette so they stay apart for
# colour-blind readers. Never the only cue: pair them with a label, shape or dash.
GOOD = "#009E73"  # bluish green, 3.4:1
BAD = "#D55E00"  # vermillion, 3.9:1
NEUTRAL = "#6B6B6B"  # grey, 5.3:1

TEXT = "#1F2933"  # 14.8:1 on white, same as theme.textColor
TEXT_MUTED = "#4A5561"  # axis labels; 7.6:1 on white
GRID = "#E3E6EA"  # decoration only, needs no contrast
DOMAIN = "#6B6B6B"

_VL_LOCALES = {"nl": "nl-NL", "en": "en-GB"}


def font_dir() -> Path:
    """The folder of bundled TTFs (Fira Sans Regular and Bold, SIL OFL 1.1)."""
    return Path(__file__).parent / "fonts"


@cache
def register_fonts() -> None:
    """Make the bundled fonts known to vl-convert; once per process is enough."""
    vlc.register_font_directory(str(font_dir()))


def locale(lang: str) -> alt.Locale:
    """Number and time formats for Vega: "1.234,5" and "mrt" in Dutch."""
    name = _VL_LOCALES[normalize_lang(lang)]
    try:
        number, time = vlc.get_format_locale(name), vlc.get_time_format_locale(name)
    except ValueError:  # an older vl-convert without en-GB
        number, time = vlc.get_format_locale("en-US"), vlc.get_time_format_locale("en-US")
    return alt.Locale(number=number, time=time)


def configure(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """Apply the Koers theme and the language's locale to a finished top-level chart."""
    label = {"labelColor": TEXT_MUTED, "labelFont": FONT, "labelFontSize": 12}
    title = {"titleColor": TEXT, "titleFont": FONT, "titleFontSize": 12, "titleFontWeight": "bold"}
    return (
        chart.configure(locale=locale(lang), font=FONT, background="white")
        .configure_range(category=PALETTE)
        # Single-series marks in the first palette colour; text and rules stay neutral.
        .configure_mark(color=PALETTE[0])
        .configure_text(color=TEXT)
        .configure_rule(color=NEUTRAL)
        .configure_axis(**label, **title, gridColor=GRID, domainColor=DOMAIN, tickColor=DOMAIN)
        .configure_legend(**label, **title)
        .configure_header(**label, **title)
        .configure_title(
            font=FONT,
            fontSize=15,
            fontWeight="bold",
            color=TEXT,
            subtitleColor=TEXT_MUTED,
            anchor="start",
        )
        .configure_view(stroke=None)
    )


def _as_date(d: date | datetime | str) -> date:
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    return d.date() if isinstance(d, datetime) else d


def week_axis(
    weeks: Iterable[date | datetime | str] | None = None, *, max_labels: int = 12
) -> alt.Axis:
    """Axis for an x field of ISO-week Monday dates (bucketed in SQL): labels like "2 mrt".

    Use it as ``alt.X("week:T", axis=week_axis(df["week"]))``. Never use a Vega-Lite
    ``week``/``yearweek`` time unit: Vega weeks start on Sunday. Given the weeks, the ticks sit
    exactly on those Mondays (every n-th one, at most ``max_labels``); without them Vega picks
    the tick dates itself. Pass the weeks as naive dates or datetimes (local time, like the
    tick values), not as time-zone-aware timestamps.
    """
    axis: dict = {"format": "%-d %b", "labelAngle": 0, "labelOverlap": True}
    if weeks is not None:
        mondays = sorted({_as_date(w) for w in weeks})
        step = max(1, -(-len(mondays) // max(1, max_labels)))  # ceiling division
        axis["values"] = [
            alt.DateTime(year=d.year, month=d.month, date=d.day) for d in mondays[::step]
        ]
    return alt.Axis(**axis)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a configured chart to SVG with the bundled fonts, offline."""
    register_fonts()
    return vlc.vegalite_to_svg(chart.to_dict())


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render a configured chart to PNG (``scale`` 2 for sharp text on screens and in print)."""
    register_fonts()
    return vlc.vegalite_to_png(chart.to_dict(), scale=scale)
