"""The report as one self-contained `index.html`: inline CSS, charts as inline SVG, nothing
fetched from anywhere (a Content-Security-Policy says so to the browser, too)."""

from __future__ import annotations

import re
from html import escape

from i18n import t
from i18n.formats import fmt_date
from publish.content import PublicWin, Report
from publish.text import before_after, p_value_text
from ui.charts import to_svg
from ui.charts_wins import evidence_alt, evidence_chart

# No scripts, fonts, frames or requests at all; only the inline style and inline images.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
CHART_WIDTH, CHART_HEIGHT = 640, 280

# Local fonts only (no web font is loaded); Fira Sans where installed, like the charts.
CSS = """
:root { --text: #1F2933; --muted: #4A5561; --accent: #0072B2; --line: #E3E6EA; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff; line-height: 1.5;
  font-family: "Fira Sans", "Source Sans Pro", "Segoe UI", Roboto, Arial, sans-serif; }
header, main, body > footer { max-width: 52rem; margin: 0 auto; padding: 0 1.25rem; }
header { border-top: 0.6rem solid var(--accent); padding-top: 1.5rem; }
.brand { margin: 0; color: var(--muted); font-weight: bold; letter-spacing: 0.05em; }
h1 { font-size: 2.2rem; line-height: 1.2; margin: 0.3rem 0; }
.as-of { color: var(--muted); margin: 0 0 1rem; }
.intro { font-size: 1.15rem; }
.win { border-top: 1px solid var(--line); padding: 1.5rem 0; }
.win h2 { font-size: 1.45rem; line-height: 1.3; margin: 0 0 0.5rem; }
.figure { font-size: 3.5rem; font-weight: bold; color: var(--accent); line-height: 1.1;
  margin: 0.25rem 0 0.5rem; }
.evidence { font-size: 1.1rem; margin: 0 0 0.5rem; }
.test { color: var(--muted); margin: 0 0 1rem; }
.chart { margin: 0 0 1rem; }
.chart svg { max-width: 100%; height: auto; display: block; }
blockquote { margin: 0; padding: 0.5rem 1rem; border-left: 0.3rem solid var(--accent);
  font-size: 1.1rem; }
blockquote p { margin: 0; font-style: italic; }
blockquote footer { color: var(--muted); margin-top: 0.25rem; }
.about { border-top: 1px solid var(--line); padding: 1rem 0; color: var(--muted); }
.about h2 { font-size: 1.1rem; color: var(--text); }
body > footer { color: var(--muted); font-size: 0.9rem; padding-bottom: 2rem; }
@media print { header { border-top: none; } .win { break-inside: avoid; } }
"""

_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def render_html(report: Report) -> bytes:
    lang = report.lang
    team = report.team_name
    date_text = fmt_date(report.day, lang)
    wins = "\n".join(_win(item, index, lang) for index, item in enumerate(report.wins, 1))
    page = f"""<!DOCTYPE html>
<html lang="{_e(lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(t("publish.title", lang, team=team))} · Koers</title>
<style>{CSS}</style>
</head>
<body>
<header>
<p class="brand">Koers</p>
<h1>{_e(t("publish.title", lang, team=team))}</h1>
<p class="as-of">{_e(t("publish.as_of", lang, date=date_text))}</p>
</header>
<main>
<p class="intro">{_e(t("publish.intro", lang, team=team))}</p>
{wins}
<section class="about" aria-labelledby="about">
<h2 id="about">{_e(t("publish.about_heading", lang))}</h2>
<p>{_e(t("publish.about", lang))}</p>
</section>
</main>
<footer><p>{_e(t("publish.footer", lang, date=date_text))}</p></footer>
</body>
</html>
"""
    return page.encode("utf-8")


def _win(item: PublicWin, index: int, lang: str) -> str:
    win = item.win
    parts = [
        f'<article class="win" aria-labelledby="win-{index}">',
        f'<h2 id="win-{index}">{_e(item.sentence)}</h2>',
        f'<p class="figure">{_e(win.figure(lang))}</p>',
    ]
    levels = before_after(win, lang)
    if levels is not None:
        before, after = (_e(text) for text in levels)
        parts.append(f'<p class="evidence">{before} <span aria-hidden="true">→</span> {after}</p>')
    test = p_value_text(win, lang)
    if test is not None:
        parts.append(f'<p class="test">{_e(test)}</p>')
    if win.series:  # a rule without a series has only its figure; no empty chart
        svg = to_svg(evidence_chart(win, lang, width=CHART_WIDTH, height=CHART_HEIGHT))
        chart = accessible_svg(svg, evidence_alt(win, lang))
        parts.append(f'<figure class="chart">{chart}</figure>')
    if item.quote:
        parts.append(f"<blockquote><p>{_e(item.quote)}</p>")
        if item.quote_by:
            parts.append(f"<footer>{_e(t('publish.quote_by', lang, by=item.quote_by))}</footer>")
        parts.append("</blockquote>")
    parts.append("</article>")
    return "\n".join(parts)


def accessible_svg(svg: str, alt: str) -> str:
    """The chart as one image for assistive technology: role="img", its text alternative as
    aria-label and <title> (vl-convert's SVG has neither)."""
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise ValueError("not an SVG document")
    opening = f'<svg{match.group(1)} role="img" aria-label="{_e(alt)}">'
    return svg[: match.start()] + opening + f"<title>{_e(alt)}</title>" + svg[match.end() :]


def _e(text: str) -> str:
    return escape(text, quote=True)
