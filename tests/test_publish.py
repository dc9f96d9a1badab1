"""Publishing wins (issue 7): the static HTML report, the PNG cards, the weeknote, the atomic
folder write and `python -m koers publish`. First with hand-made wins, then end to end on a
copy of the demo whose team marked some wins public, hid one and kept one private."""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import config
from config import REPO_ROOT, Config
from errors import KoersError
from i18n.formats import fmt_days, fmt_delta_pct, fmt_number
from metrics.flow import Period, TeamFlow
from metrics.overview import baseline_period
from metrics.wins import Evidence, SeriesPoint, Win, detect
from outcomes.curation import Curation, load_curation, save_curation
from publish import NothingToPublish, render, write
from publish.cards import HEIGHT, PAD, TEXT_W, TEXT_X, WIDTH, render_card
from publish.content import PublicWin, Report
from publish.html import render_html
from publish.weeknote import md, render_weeknote
from store.raw import RAW_TABLES
from store.warehouse import connect_read
from tests.demo_copy import copy_demo
from ui.charts_wins import evidence_alt

# -- hand-made wins --------------------------------------------------------------------------


def lead_time_win() -> Win:
    before_weeks = [date(2025, 12, 8) + timedelta(weeks=i) for i in range(12)]
    after_weeks = [date(2026, 10, 5) + timedelta(weeks=i) for i in range(8)]
    series = tuple(SeriesPoint(w, 12.0 + i % 3, "before") for i, w in enumerate(before_weeks))
    series += tuple(SeriesPoint(w, 4.0 + i % 2, "after") for i, w in enumerate(after_weeks))
    evidence = Evidence(
        "lead_time_p50",
        before=12.5,
        after=4.0,
        n_before=34,
        n_after=41,
        change_pct=-0.68,
        p_value=0.0004,
        before_period=(date(2025, 12, 8), date(2026, 3, 2)),
        after_period=(date(2026, 10, 5), date(2026, 11, 28)),
    )
    return Win(
        id="faster_lead_time:vergunningen:lead_time_p50:2026-11-27",
        rule="faster_lead_time",
        team="vergunningen",
        subject="lead_time_p50",
        date=date(2026, 11, 27),
        title_nl="De helft van het werk is nu binnen 4 dagen klaar; eerst was dat 12,5 dagen.",
        title_en="Half of the work is now done within 4 days; it used to take 12.5 days.",
        figure_nl="−68 %",
        figure_en="−68%",
        y_title_nl="Doorlooptijd (dagen)",
        y_title_en="Lead time (days)",
        evidence=evidence,
        series=series,
    )


def first_deployment_win() -> Win:
    return Win(
        id="first_production_deployment:vergunningen:production:2026-04-14",
        rule="first_production_deployment",
        team="vergunningen",
        subject="production",
        date=date(2026, 4, 14),
        title_nl="Op 14 april zette het team voor het eerst zelf iets live.",
        title_en="On 14 April the team put something live by itself for the first time.",
        figure_nl="14 apr.",
        figure_en="14 Apr",
        y_title_nl="Deploys",
        y_title_en="Deploys",
        evidence=Evidence("first_deployment"),
    )


HOSTILE = '<script>alert("x")</script> & <img src="https://example.org/t.png"> *bold* [a](b)'


def hand_report(lang: str, team: str = "Team Vergunningen") -> Report:
    return Report(
        team_name=team,
        lang=lang,
        day=date(2026, 11, 27),
        wins=(
            PublicWin(
                # an indicator's name (team text) becomes an axis title inside the SVG
                replace(lead_time_win(), y_title_nl=HOSTILE, y_title_en=HOSTILE),
                "Aanvragen zijn sneller klaar.",
                HOSTILE,
                "een inwoner",
            ),
            PublicWin(first_deployment_win(), "Voor het eerst zelf live."),
        ),
    )


# -- the HTML report -------------------------------------------------------------------------

# Anything in a page that makes a browser fetch something (file:// included): a fetching
# element, or an attribute or style pointing anywhere but inside the page ("#…").
FETCHING_TAGS = re.compile(r"<(script|link|iframe|object|embed|img|image|use|base)\b", re.I)
FETCHING_ATTRS = re.compile(r"\b(src|srcset|href|xlink:href|action|data)\s*=\s*['\"](?!#)", re.I)
FETCHING_CSS = re.compile(r"@import|url\(\s*['\"]?(?!#)", re.I)


def fetches(page: str) -> list[str]:
    tags = re.findall(r"<[^>]+>", page)  # escaped team text holds no "<", so no tags
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    return [
        *(tag for tag in tags if any(r.search(tag) for r in (FETCHING_ATTRS, FETCHING_CSS))),
        *(tag for tag in tags if FETCHING_TAGS.match(tag)),
        *(css for css in styles if FETCHING_CSS.search(css)),
    ]


def test_the_fetch_check_finds_fetches() -> None:
    assert fetches('<p>&lt;img src="x"&gt; <a href="#about">') == []
    for page in (
        '<img alt="">',
        '<a href="https://example.org">',
        '<g style="fill:url(https://x/y)">',
        "<style>@import 'x.css';</style>",
        '<svg><image xlink:href="data:x"/></svg>',
    ):
        assert fetches(page), page


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_html_is_self_contained_escaped_and_accessible(lang: str) -> None:
    report = hand_report(lang, team="Team <Vergunningen> & co")
    page = render_html(report).decode("utf-8")

    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in page
    csp = '<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;;'
    assert csp in page
    # every text escaped: the team's name, and a quote trying to inject markup
    assert "Team &lt;Vergunningen&gt; &amp; co" in page and "<Vergunningen>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert fetches(page) == []
    # one chart, for the win with a series: inline SVG, one image with the chart's alt text
    svgs = re.findall(r"<svg\b[^>]*>", page)
    assert len(svgs) == 1
    alt = evidence_alt(report.wins[0].win, lang)
    assert 'role="img"' in svgs[0]
    assert f'aria-label="{html.escape(alt)}"' in svgs[0]  # escaped like every text
    assert "<title>" in page.split(svgs[0], 1)[1][:2000]
    # per win: sentence, figure, before → after with sample sizes, the p-value line, the quote
    words = {
        "nl": [
            "Ervoor: 12,5 dagen (34 afgeronde items, 8 dec. 2025 t/m 1 mrt. 2026)",
            "Erna: 4,0 dagen (41 afgeronde items, 5 okt. 2026 t/m 27 nov. 2026)",
            "kleiner dan 0,001",  # p = 0.0004
            "−68 %",
            "— een inwoner",
        ],
        "en": [
            "Before: 12.5 days (34 finished items, 8 Dec 2025 to 1 Mar 2026)",
            "After: 4.0 days (41 finished items, 5 Oct 2026 to 27 Nov 2026)",
            "less than 0.001",
            "−68%",
            "— een inwoner",
        ],
    }[lang]
    for text in [*words, "Aanvragen zijn sneller klaar.", "Voor het eerst zelf live."]:
        assert text in page, text
    assert page.count('<article class="win"') == 2


# -- the cards -------------------------------------------------------------------------------


def ink(png: bytes, box: tuple[int, int, int, int]) -> tuple[int, int]:
    """(dark pixels, accent-blue pixels) inside `box` (left, top, right, bottom)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB").crop(box), dtype=int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    dark = int(((r + g + b) / 3 < 100).sum())
    blue = int(((b - r) > 80).sum())
    return dark, blue


# The card's text column, right of its accent bar (cards.py: PAD = 48, TEXT_X = 34, so text
# starts at x = 82 and the column ends at 48 + 560 = 608). The big figure sits at y = 48 + 44
# = 92 onwards, up to 110 px high; the sentence starts 30 px below it; the footer line is the
# bottom 22 px of the inner area (630 − 48 − 22 = 560 to 582).
FIGURE_BOX = (PAD + TEXT_X, 92, PAD + TEXT_W, 202)
SENTENCE_BOX = (PAD + TEXT_X, 232, PAD + TEXT_W, 480)
FOOTER_BOX = (PAD + TEXT_X, 555, PAD + TEXT_W, 590)


def assert_card_has_text(png: bytes) -> None:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert (WIDTH, HEIGHT) == (1200, 630)
    assert ink(png, FIGURE_BOX)[1] > 500, "no figure drawn"
    assert ink(png, SENTENCE_BOX)[0] > 500, "no sentence drawn"
    assert ink(png, FOOTER_BOX)[0] > 50, "no footer drawn"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cards_are_1200_by_630_with_text(lang: str) -> None:
    report = hand_report(lang)
    for item in report.wins:  # with a chart, and without one
        assert_card_has_text(render_card(report, item))


def test_card_text_check_fails_without_a_font(monkeypatch: pytest.MonkeyPatch) -> None:
    # The trap the check guards against: name only a font that does not exist and vl-convert
    # draws no text at all, silently. The same boxes must then come out empty.
    monkeypatch.setattr("ui.charts.FONT", "Koers Missing Font")
    report = hand_report("nl")
    png = render_card(report, report.wins[0])
    assert Image.open(io.BytesIO(png)).size == (1200, 630)
    assert ink(png, SENTENCE_BOX) == (0, 0)
    assert ink(png, FIGURE_BOX)[1] == 0


def test_a_long_sentence_still_fits_the_card() -> None:
    report = hand_report("nl")
    long = PublicWin(lead_time_win(), "Een heel lange zin over wat er beter ging. " * 6)
    png = render_card(report, long)
    assert Image.open(io.BytesIO(png)).size == (1200, 630)
    assert ink(png, SENTENCE_BOX)[0] > 500
    # cut to the room it has (cards.py: 534 − 22 − 24 − 184 = 304 px from y = 232, so down to
    # 536): the band between it and the footer (which starts at y = 560) stays empty
    assert ink(png, (PAD + TEXT_X, 540, PAD + TEXT_W, 556))[0] == 0


# -- the weeknote ----------------------------------------------------------------------------


def test_weeknote_with_hand_made_wins() -> None:
    note = render_weeknote(hand_report("nl"))
    assert note.startswith("# Weeknote Team Vergunningen, week 48 (2026)\n")  # 27 Nov 2026
    assert "Ervoor: 12,5 dagen (34 afgeronde items" in note
    # the team's quote is literal text inside its block quote, never markup
    assert '> \\<script\\>alert("x")\\</script\\> & \\<img' in note
    assert "\\*bold\\* \\[a\\](b)" in note
    assert "> — een inwoner" in note
    # no numbers without a Jira team
    assert "geen cijfers" in note


def test_markdown_escape() -> None:
    assert md("a *b* _c_ `d`\n# e | f") == "a \\*b\\* \\_c\\_ \\`d\\` \\# e \\| f"


# -- writing the folder ----------------------------------------------------------------------


def test_write_creates_and_replaces_a_report_all_at_once(tmp_path: Path) -> None:
    out = tmp_path / "report"
    written = write(out, {"index.html": b"one", "weeknote.md": b"w", "cards/01-a.png": b"p"})
    assert sorted(p.relative_to(out).as_posix() for p in written) == [
        "cards/01-a.png",
        "index.html",
        "weeknote.md",
    ]
    assert (out / "cards" / "01-a.png").read_bytes() == b"p"

    write(out, {"index.html": b"two", "weeknote.md": b"w2"})
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "cards").exists()  # the old report's cards went with it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temp folders left


def test_write_failure_keeps_the_old_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write(out, {"index.html": b"old", "weeknote.md": b"w"})
    with pytest.raises(ValueError):
        write(out, {"index.html": b"new", "../escape.txt": b"x"})
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_write_refuses_a_file_or_a_folder_that_is_not_a_report(tmp_path: Path) -> None:
    a_file = tmp_path / "report.html"
    a_file.write_text("x")
    with pytest.raises(KoersError, match="is a file"):
        write(a_file, {"index.html": b"x"})
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_text("precious")
    with pytest.raises(KoersError, match="other files than a Koers report"):
        write(home, {"index.html": b"x"})
    assert (home / "thesis.docx").read_text() == "precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    write(empty, {"index.html": b"x"})
    assert (empty / "index.html").read_bytes() == b"x"


# -- end to end on the demo ------------------------------------------------------------------

TEAM = "vergunningen"
OWN = {"nl": "Onze eigen zin over dit succes.", "en": "Our own sentence about this win."}
QUOTE, QUOTE_BY = "Ik had mijn vergunning binnen twee weken.", "een inwoner"
PRIVATE_QUOTE = "Alleen voor ons eigen team, niet voor buiten."


class CuratedDemo(NamedTuple):
    cfg: Config
    roles: dict[str, Win]  # quoted, plain (both public), hidden, private
    wins: list[Win]  # every win detected


def curated_demo(folder: Path, demo_config_file: Path) -> CuratedDemo:
    """A copy of the session's demo (`copy_demo`) whose team
    made its choices: two wins public (one reworded, quoted and pinned), one public but hidden,
    one kept private (with a quote that must not go out either)."""
    cfg = config.load(copy_demo(demo_config_file, folder))
    wins = detect(connect_read(cfg.database), cfg, TEAM, cfg.now())
    assert len(wins) >= 4, [w.id for w in wins]
    # A different rule per role where the demo has it: a comparison with a test, a measured
    # outcome, a hypothesis the team wrote (hidden), a first deployment (private).
    preferred = (
        "faster_lead_time",
        "outcome_improved",
        "hypothesis_validated",
        "first_production_deployment",
    )
    by_rule: dict[str, Win] = {}
    for win in wins:
        by_rule.setdefault(win.rule, win)
    firsts = [by_rule[rule] for rule in preferred if rule in by_rule]
    chosen = (firsts + [w for w in wins if w not in firsts])[:4]
    roles = dict(zip(("quoted", "plain", "hidden", "private"), chosen, strict=True))
    choices = {
        "quoted": Curation(
            public=True,
            pinned=True,
            sentence_nl=OWN["nl"],
            sentence_en=OWN["en"],
            quote=QUOTE,
            quote_by=QUOTE_BY,
        ),
        "plain": Curation(public=True),
        "hidden": Curation(public=True, hidden=True),
        "private": Curation(quote=PRIVATE_QUOTE),
    }
    for role, curation in choices.items():
        save_curation(cfg.data_dir, TEAM, roles[role].id, curation)
    assert len(load_curation(cfg.data_dir, TEAM)) == 4
    return CuratedDemo(cfg, roles, wins)


@pytest.fixture(scope="module")
def demo_copy(demo_config_file: Path, tmp_path_factory: pytest.TempPathFactory) -> CuratedDemo:
    return curated_demo(tmp_path_factory.mktemp("publish") / "demo", demo_config_file)


@pytest.fixture(scope="module")
def published(demo_copy: CuratedDemo) -> dict[str, dict[str, bytes]]:
    cfg = demo_copy.cfg
    con = connect_read(cfg.database)
    return {lang: render(con, cfg, TEAM, cfg.now(), lang) for lang in ("nl", "en")}


def texts(files: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    """Every published file as text to search: HTML also unescaped (a title with "&" would be
    "&amp;" in it), PNGs as Latin-1 so text chunks in their metadata would show."""
    for name, content in files.items():
        if name.endswith(".png"):
            yield name, content.decode("latin-1")
            continue
        text = content.decode("utf-8")
        yield name, text
        if name.endswith(".html"):
            yield name, html.unescape(text)


def string_leaves(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from string_leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from string_leaves(v)


# Exclusions from "no raw string may appear", and why:
# - shorter than 5 characters ("nl", "Bug", "true", "10"): such a token sits inside ordinary
#   words and numbers, so finding it says nothing (item keys are checked separately, whatever
#   their length);
# - numbers, ISO dates and timestamps: not identifying on their own, and the report's own
#   aggregates and periods are numbers and dates;
# - one lowercase word ("array", "number", "success", "description"): the APIs' own vocabulary
#   (field types, states, attribute names), no item's or person's content; such words also sit
#   inside ordinary text ("Successen", the SVG's "aria-roledescription");
# - the words of the team's name as configured ("Vergunningen" is also the Jira project's
#   name): the report names its team on purpose.
# Titles are checked in full, whatever their shape, from work_items as well.
NUMBER_OR_DATE = re.compile(r"^[\d\s.,:+\-TZ%/]*$")
API_WORD = re.compile(r"^[a-z][a-z_]*$")


def raw_strings(cfg: Config, team: str) -> tuple[set[str], set[str]]:
    """(item keys and titles, every other string leaf of the raw payloads worth checking)."""
    con = connect_read(cfg.database)
    items = {
        s for row in con.execute("SELECT key, summary FROM work_items").fetchall() for s in row if s
    }
    leaves: set[str] = set()
    for table in sorted(RAW_TABLES):  # a fixed set of names: identifiers cannot be bound
        for (payload,) in con.execute("SELECT payload FROM " + table).fetchall():
            leaves.update(s.strip() for s in string_leaves(json.loads(payload)))
    team_words = set(cfg.team(team).name.split())
    others = {
        s
        for s in leaves
        if len(s) >= 5
        and not NUMBER_OR_DATE.match(s)
        and not API_WORD.match(s)
        and s not in team_words
    }
    return items, others


KEY = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*-\d+(?!\d)")  # whole keys: "VERG-1" not in "VERG-12"


def leaks(files: dict[str, bytes], items: set[str], others: set[str]) -> list[tuple[str, str]]:
    """(file, string) for every item key, item title or other raw string found in the files."""
    keys = {s for s in items if KEY.fullmatch(s)}
    strings = (items - keys) | others
    found = []
    for name, text in texts(files):
        found += [(name, key) for key in set(KEY.findall(text)) & keys]
        # A string can only be in the text if its first 5 characters are: that cheap test
        # first, the full search only for the few that pass it.
        grams = {text[i : i + 5] for i in range(len(text) - 4)}
        found += [(name, s) for s in strings if s[:5] in grams and s in text]
    return sorted(set(found))


def test_demo_report_holds_no_raw_string(
    demo_copy: CuratedDemo, published: dict[str, dict[str, bytes]]
) -> None:
    items, others = raw_strings(demo_copy.cfg, TEAM)
    assert len(items) > 100 and len(others) > 1000  # the payloads really were read
    assert any(KEY.fullmatch(s) for s in items)
    for lang, files in published.items():
        assert leaks(files, items, others) == [], lang
    # the check finds what it looks for: a key, a title and a raw string put into a copy
    key = min(s for s in items if KEY.fullmatch(s))
    title = max((s for s in items if not KEY.fullmatch(s)), key=len)
    other = max(others, key=len)
    files = dict(published["nl"])
    files["index.html"] += f"<p>{key} {title}</p>".encode()
    files["weeknote.md"] += other.encode()
    expected = {("index.html", key), ("index.html", title), ("weeknote.md", other)}
    assert expected <= set(leaks(files, items, others))  # (shorter titles inside them, too)


def test_demo_report_has_only_the_public_wins(
    demo_copy: CuratedDemo, published: dict[str, dict[str, bytes]]
) -> None:
    roles = demo_copy.roles
    for lang, files in published.items():
        # pinned first: the quoted win is number 1
        assert sorted(files) == [
            f"cards/01-{roles['quoted'].rule}.png",
            f"cards/02-{roles['plain'].rule}.png",
            "index.html",
            "weeknote.md",
        ]
        page = files["index.html"].decode("utf-8")
        note = files["weeknote.md"].decode("utf-8")
        assert page.count('<article class="win"') == 2
        for text in (page, note):
            assert OWN[lang] in text and QUOTE in text and QUOTE_BY in text
            assert md(roles["plain"].title(lang)) in text or roles["plain"].title(lang) in text
            assert roles["quoted"].title(lang) not in text  # reworded: the team's words instead
            assert PRIVATE_QUOTE not in text
            # every other win (the hidden one, the private one, those nobody chose) stays out
            shown = {roles["quoted"].id, roles["plain"].id}
            others = [w for w in demo_copy.wins if w.id not in shown]
            assert roles["hidden"] in others and roles["private"] in others
            for win in others:
                for title in (win.title_nl, win.title_en):
                    assert title not in text and md(title) not in text, (win.id, title)


def test_demo_cards(published: dict[str, dict[str, bytes]]) -> None:
    for files in published.values():
        pngs = [content for name, content in files.items() if name.endswith(".png")]
        assert len(pngs) == 2
        for png in pngs:
            assert_card_has_text(png)


def weeknote_rows(note: str) -> dict[str, list[str]]:
    rows = [line.strip("| ").split(" | ") for line in note.splitlines() if line.startswith("| ")]
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_weeknote_numbers_are_the_team_aggregates(
    demo_copy: CuratedDemo, published: dict[str, dict[str, bytes]], lang: str
) -> None:
    cfg = demo_copy.cfg
    team, as_of, tz = cfg.team(TEAM), cfg.now(), cfg.timezone
    note = published[lang]["weeknote.md"].decode("utf-8")
    # The demo's as_of is Friday 27 Nov 2026, ISO week 48.
    assert note.startswith("# Weeknote Team Vergunningen, week 48 (2026)\n")
    # The period: the 12 full ISO weeks before as_of's week plus that week to date, i.e.
    # Mon 31 Aug 2026 up to and including Fri 27 Nov (88 days); the baseline: the 12 weeks
    # before pilot_start 2 Mar 2026, i.e. 8 Dec 2025 up to and including 1 Mar 2026 (84 days).
    period = Period(date(2026, 8, 31), date(2026, 11, 28))
    baseline = Period(date(2025, 12, 8), date(2026, 3, 2))
    assert period == Period.default(as_of, tz) and baseline == baseline_period(team, as_of, tz)

    flow = TeamFlow(connect_read(cfg.database), team, tz, as_of)
    items = flow.items()
    done_items = items[items["in_flow"] & ~items["discarded"] & items["done_at"].notna()]
    zone = ZoneInfo(tz)

    def done_in(p: Period) -> pd.DataFrame:
        day = pd.to_datetime(done_items["done_at"], utc=True).dt.tz_convert(zone).dt.date
        return done_items[(day >= p.start) & (day < p.end)]

    def stats(p: Period) -> dict[str, float]:
        done = done_in(p)
        assert len(done) >= 10  # enough work in each period to compare
        return {
            # METRICS.md §1–2: linear-interpolated percentiles over the items done in the period
            "lead_time_p50": float(np.percentile(done["lead_time_days"], 50)),
            "lead_time_p85": float(np.percentile(done["lead_time_days"], 85)),
            "cycle_time_p50": float(np.percentile(done["cycle_time_days"], 50)),
            # per week: items done ÷ (the period's days ÷ 7)
            "throughput": len(done) / (p.days / 7),
            # the mean of the end-of-day counts (those are tested in test_flow_aggregates.py)
            "wip": float(flow.wip_daily(p)["wip"].mean()),
        }

    now, before = stats(period), stats(baseline)
    labels = {
        "nl": {
            "lead_time_p50": "Doorlooptijd (50 %)",
            "lead_time_p85": "Doorlooptijd (85 %)",
            "cycle_time_p50": "Werktijd (50 %)",
            "throughput": "Afgerond per week",
            "wip": "Onderhanden werk",
        },
        "en": {
            "lead_time_p50": "Lead time (50%)",
            "lead_time_p85": "Lead time (85%)",
            "cycle_time_p50": "Cycle time (50%)",
            "throughput": "Finished per week",
            "wip": "Work in progress",
        },
    }[lang]
    rows = weeknote_rows(note)
    for key, label in labels.items():
        if key in ("throughput", "wip"):
            shown = [fmt_number(now[key], lang, 1), fmt_number(before[key], lang, 1)]
        else:
            shown = [fmt_days(now[key], lang), fmt_days(before[key], lang)]
        change = (now[key] - before[key]) / abs(before[key])  # (after − before) / |before|
        assert rows[label] == [*shown, fmt_delta_pct(change, lang)], label
    assert len(rows) == 2 + 5  # the header, its separator and the five headline numbers


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "koers", "publish", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_publishes_the_folder(demo_copy: CuratedDemo, tmp_path: Path) -> None:
    cfg, roles = demo_copy.cfg, demo_copy.roles
    out = tmp_path / "verslag"
    result = run_cli("--config", str(cfg.path), "--team", TEAM, "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "rendering" in result.stderr  # progress while the cards render
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        f"cards/01-{roles['quoted'].rule}.png",
        f"cards/02-{roles['plain'].rule}.png",
        "index.html",
        "weeknote.md",
    ]
    assert '<html lang="en">' in (out / "index.html").read_text(encoding="utf-8")
    # again: the report is replaced, and nothing is left beside it
    assert run_cli("--config", str(cfg.path), "--team", TEAM, "--out", str(out)).returncode == 0
    assert '<html lang="nl">' in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["verslag"]


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("koers: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_cli_mistakes_are_one_line(
    demo_copy: CuratedDemo, demo_config_file: Path, tmp_path: Path
) -> None:
    cfg = demo_copy.cfg
    out = tmp_path / "out"
    one_line_error(
        run_cli("--config", str(cfg.path), "--team", "nope", "--out", str(out)),
        "unknown team 'nope'",
    )
    a_file = tmp_path / "report.html"
    a_file.write_text("x")
    one_line_error(
        run_cli("--config", str(cfg.path), "--team", TEAM, "--out", str(a_file)), "is a file"
    )
    # the session's demo has no choices made: nothing is public, so nothing is written
    one_line_error(
        run_cli("--config", str(demo_config_file), "--team", TEAM, "--out", str(out)),
        "no public wins",
    )
    assert not out.exists()


def test_nothing_public_is_refused(demo_config: Config) -> None:
    with pytest.raises(NothingToPublish, match="team 'subsidies' has no public wins"):
        con = connect_read(demo_config.database)
        render(con, demo_config, "subsidies", demo_config.now(), "nl")
