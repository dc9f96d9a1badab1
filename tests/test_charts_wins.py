"""A win's evidence chart: bars or a line, before/after told apart by more than colour, the
levels as labelled rules, Dutch formats, and offline SVG/PNG exports with text."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import vl_convert as vlc
from PIL import Image  # a dependency of Streamlit

from metrics.wins import Evidence, SeriesPoint, Win
from ui import charts
from ui.charts_wins import evidence_alt, evidence_chart, value_text

START = date(2025, 12, 1)  # a Monday


def weekly_win() -> Win:
    """12 baseline weeks (3 items, then 4, …), 4 weeks between, 8 recent weeks of 6 or 7."""
    before = [3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4]  # median 3.5
    between = [5, 5, 5, 5]
    after = [6, 7, 6, 7, 6, 6, 7, 6]  # sorted 6,6,6,6,6,7,7,7: median 6
    values = before + between + after
    phases = ["before"] * 12 + [""] * 4 + ["after"] * 8
    series = tuple(
        SeriesPoint(START + timedelta(weeks=i), float(v), p)
        for i, (v, p) in enumerate(zip(values, phases, strict=True))
    )
    evidence = Evidence(
        "throughput_weekly_median",
        before=3.5,
        after=6.0,
        n_before=12,
        n_after=8,
        change_pct=(6.0 - 3.5) / 3.5,  # 0.714…: "+71 %"
        before_period=(START, START + timedelta(weeks=12)),
        after_period=(START + timedelta(weeks=16), START + timedelta(weeks=24)),
    )
    return Win(
        id="more_delivered:t:throughput:2026-05-18",
        rule="more_delivered",
        team="t",
        subject="throughput",
        date=date(2026, 5, 17),
        title_nl="Het team rondt meer werk af.",
        title_en="The team finishes more work.",
        figure_nl="+71 %",
        figure_en="+71%",
        y_title_nl="Afgerond per week",
        y_title_en="Finished per week",
        evidence=evidence,
        series=series,
    )


def lead_time_win() -> Win:
    """Weekly medians: 20.5 days before, 12.25 after (a 40 % drop)."""
    series = tuple(
        SeriesPoint(
            START + timedelta(weeks=i), 20.5 if i < 3 else 12.25, "before" if i < 3 else "after"
        )
        for i in range(6)
    )
    evidence = Evidence(
        "lead_time_p50",
        before=20.5,
        after=12.25,
        n_before=31,
        n_after=28,
        change_pct=(12.25 - 20.5) / 20.5,  # −0.402…: "−40 %"
        p_value=0.0004,
    )
    return Win(
        id="faster_lead_time:t:lead_time:2026-01-05",
        rule="faster_lead_time",
        team="t",
        subject="lead_time",
        date=date(2026, 1, 4),
        title_nl="Werk is sneller klaar.",
        title_en="Work is done sooner.",
        figure_nl="−40 %",
        figure_en="−40%",
        y_title_nl="Doorlooptijd (dagen)",
        y_title_en="Lead time (days)",
        evidence=evidence,
        series=series,
    )


def bare_win() -> Win:
    return Win(
        id="hypothesis_validated:t:form:2026-03-02",
        rule="hypothesis_validated",
        team="t",
        subject="form",
        date=date(2026, 3, 2),
        title_nl="Het formulier werkt.",
        title_en="The form works.",
        figure_nl="Bevestigd",
        figure_en="Validated",
        y_title_nl="",
        y_title_en="",
        evidence=Evidence("hypothesis"),
    )


def layers(spec: dict) -> dict[str, dict]:
    return {layer["name"]: layer for layer in spec["layer"] if "name" in layer}


def mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def dataset(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_weekly_counts_are_bars_told_apart_by_colour_and_opacity(lang: str) -> None:
    spec = evidence_chart(weekly_win(), lang).to_dict()
    series = layers(spec)["series"]
    assert mark(series) == "bar"
    enc = series["encoding"]
    assert enc["x"]["field"] == "x" and enc["x"]["type"] == "temporal"
    assert enc["x2"]["field"] == "x_end"  # a bar spans its week
    assert enc["y"]["title"] == weekly_win().y_title(lang)
    words = {
        "nl": ["Ervoor (nulmeting)", "Erna (recent)", "Overig"],
        "en": ["Before (baseline)", "After (recent)", "Other"],
    }[lang]
    assert enc["color"]["scale"]["domain"] == words  # the legend names the phases
    colours = enc["color"]["scale"]["range"]
    assert len(set(colours)) == 3
    opacities = enc["opacity"]["scale"]["range"]  # a second cue besides colour
    assert enc["opacity"]["field"] == "label" and len(set(opacities)) == 3
    rows = dataset(spec, series)
    assert len(rows) == 24
    assert [r["label"] for r in rows].count(words[0]) == 12
    assert [r["label"] for r in rows].count(words[1]) == 8


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_other_measures_are_a_line_with_dash_and_shape_per_phase(lang: str) -> None:
    spec = evidence_chart(lead_time_win(), lang).to_dict()
    series = layers(spec)["series"]
    assert mark(series) == "line" and series["mark"]["point"]
    enc = series["encoding"]
    dashes = enc["strokeDash"]["scale"]["range"]
    shapes = enc["shape"]["scale"]["range"]
    assert dashes[0] != dashes[1] and shapes[0] != shapes[1]
    assert enc["y"]["title"] == lead_time_win().y_title(lang)


def test_levels_are_labelled_rules_over_their_phase() -> None:
    spec = evidence_chart(weekly_win(), "nl").to_dict()
    named = layers(spec)
    before, after = named["level_before"], named["level_after"]
    assert mark(before) == "rule" and mark(after) == "rule"
    assert before["mark"]["strokeDash"] != after["mark"]["strokeDash"]
    (row,) = dataset(spec, before)
    assert row["level"] == 3.5
    # the first baseline week's Monday to the end of the 12th week: 1 Dec 2025 + 11 weeks + 6 days
    assert row["start"].startswith("2025-12-01") and row["end"].startswith("2026-02-22")
    (row,) = dataset(spec, after)
    # week 17 of the series (1 Dec + 16 weeks = 23 Mar 2026) to the end of week 24 (17 May)
    assert row["level"] == 6.0
    assert row["start"].startswith("2026-03-23") and row["end"].startswith("2026-05-17")
    assert dataset(spec, named["level_label_before"])[0]["text"] == "ervoor: 3,5"
    assert dataset(spec, named["level_label_after"])[0]["text"] == "erna: 6"
    # labels stay inside the plot: the before one from its rule's start, the after one to its end
    before_label, after_label = named["level_label_before"], named["level_label_after"]
    assert before_label["mark"]["align"] == "left"
    assert before_label["encoding"]["x"]["field"] == "start"
    assert after_label["mark"]["align"] == "right"
    assert after_label["encoding"]["x"]["field"] == "end"


def test_dutch_svg_renders_offline_with_dutch_formats() -> None:
    labels = texts(charts.to_svg(evidence_chart(weekly_win(), "nl", width=500, height=240)))
    assert "ervoor: 3,5" in labels and "erna: 6" in labels
    assert "Afgerond per week" in labels
    assert any(label.endswith("mrt") for label in labels)  # "%-d %b" in Dutch
    assert "Erna (recent)" in labels


def test_english_svg_renders_offline() -> None:
    labels = texts(charts.to_svg(evidence_chart(lead_time_win(), "en", width=500, height=240)))
    assert "before: 20.5" in labels and "after: 12.3" in labels  # 12.25 rounds half up
    assert "Lead time (days)" in labels


def near_black(spec: dict) -> int:
    png = vlc.vegalite_to_png(spec, scale=2)
    return sum(1 for px in Image.open(io.BytesIO(png)).convert("L").tobytes() if px < 50)


def test_png_export_has_text_pixels() -> None:
    charts.register_fonts()
    chart = evidence_chart(weekly_win(), "nl", width=500, height=240)
    assert Image.open(io.BytesIO(charts.to_png(chart))).width >= 1000  # scale 2
    spec = chart.to_dict()
    with_text = near_black(spec)
    # The same chart without its level labels: the near-black pixels they drew are glyphs (the
    # bars are grey or blue, lighter than 50). A missing font would draw none.
    spec["layer"] = [layer for layer in spec["layer"] if mark(layer) != "text"]
    assert with_text - near_black(spec) > 300
    # the chart of a win without a series is text only: the figure and a sentence
    assert near_black(evidence_chart(bare_win(), "nl", width=400).to_dict()) > 1000


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_win_without_a_series_gets_its_figure_not_a_broken_chart(lang: str) -> None:
    win = bare_win()
    spec = evidence_chart(win, lang).to_dict()
    assert "empty" in layers(spec)
    assert win.figure(lang) in texts(charts.to_svg(evidence_chart(win, lang, width=400)))
    alt_text = evidence_alt(win, lang)
    assert win.title(lang) in alt_text


def test_alt_text_has_the_numbers() -> None:
    # 24 bars, 1 Dec 2025 … 11 May 2026 (1 Dec + 23 weeks), lowest 3, highest 7;
    # before 3.5, after 6, change (6 − 3.5) / 3.5 = +71 %
    assert evidence_alt(weekly_win(), "nl") == (
        "Staafdiagram van Afgerond per week, 24 staven van 1 dec. 2025 tot en met 11 mei 2026, "
        "van 3 tot 7. Ervoor was het 3,5, erna 6 (+71 %)."
    )
    assert evidence_alt(lead_time_win(), "en") == (
        "Line chart of Lead time (days), 6 points from 1 Dec 2025 to 5 Jan 2026, "
        "from 12.3 to 20.5. Before it was 20.5, after 12.3 (−40%)."
    )


def test_value_text() -> None:
    assert value_text(6.0, "nl") == "6"
    assert value_text(3.5, "nl") == "3,5"
    assert value_text(1234.56, "en") == "1,234.6"
    assert value_text(None, "nl") == "–"
