"""A win's evidence chart: bars or a line, before/after told apart by more than colour, a
comparison in two panels (own weeks, shared y), the levels as labelled rules, Dutch formats,
and offline SVG/PNG exports with text."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
import vl_convert as vlc
from PIL import Image  # a dependency of Streamlit

from metrics.wins import Evidence, SeriesPoint, Win
from ui import charts
from ui.charts_wins import SERIES, evidence_alt, evidence_chart, value_text

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


def record_win() -> Win:
    """Six weeks of 2, 3, 4, 3, 8, 5 finished: the record (8) in the fifth week, the sixth
    week after it (neither earlier weeks nor the record: "other")."""
    values = [2, 3, 4, 3, 8, 5]
    monday = START + timedelta(weeks=4)  # 29 Dec 2025
    series = tuple(SeriesPoint(START + timedelta(weeks=i), float(v)) for i, v in enumerate(values))
    evidence = Evidence(
        "throughput_week",
        before=4.0,
        after=8.0,
        n_before=4,
        n_after=1,
        change_pct=1.0,
        before_period=(START, monday),
        after_period=(monday, monday + timedelta(days=7)),
    )
    return Win(
        id="record_week:t:throughput:2026-W01",
        rule="record_week",
        team="t",
        subject="throughput",
        date=date(2026, 1, 4),
        title_nl="Recordweek.",
        title_en="Record week.",
        figure_nl="8",
        figure_en="8",
        y_title_nl="Afgerond per week",
        y_title_en="Finished per week",
        evidence=evidence,
        series=series,
    )


def indicator_win() -> Win:
    """An outcome's measurements: before its baseline's date and after it, with no gap."""
    days = [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15), date(2026, 4, 15)]
    series = tuple(
        SeriesPoint(day, value, phase)
        for day, value, phase in zip(
            days, [3.0, 3.1, 3.6, 3.9], ["before", "before", "after", "after"], strict=True
        )
    )
    return Win(
        id="outcome_improved:t:satisfaction:2026-04-15",
        rule="outcome_improved",
        team="t",
        subject="satisfaction",
        date=date(2026, 4, 15),
        title_nl="Tevredenheid steeg.",
        title_en="Satisfaction rose.",
        figure_nl="+26 %",
        figure_en="+26%",
        y_title_nl="Tevredenheid",
        y_title_en="Satisfaction",
        evidence=Evidence("indicator", before=3.1, after=3.9, change_pct=0.8 / 3.1),
        series=series,
    )


def layers(spec: dict) -> dict[str, dict]:
    """Every named layer, also those inside a panel's layer."""
    found: dict[str, dict] = {}
    for layer in spec.get("layer", []):
        if "name" in layer:
            found[layer["name"]] = layer
        found |= layers(layer)
    return found


def without_text(spec: dict) -> dict:
    """The spec without its text marks (the level labels and panel names), at any depth."""
    spec = dict(spec)
    if "layer" in spec:
        spec["layer"] = [
            without_text(layer)
            for layer in spec["layer"]
            if "layer" in layer or mark(layer) != "text"
        ]
    return spec


def mark(layer: dict) -> str:
    return layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]


def dataset(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


WORDS = {
    "nl": ["Ervoor (nulmeting)", "Erna (recent)", "Overig"],
    "en": ["Before (baseline)", "After (recent)", "Other"],
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_weekly_counts_are_bars_told_apart_by_colour_and_opacity(lang: str) -> None:
    spec = evidence_chart(weekly_win(), lang).to_dict()
    named = layers(spec)
    # a comparison: a series layer per panel, the first keeping the one panel's name
    before, after = named["series"], named["series_after"]
    words = WORDS[lang]
    for series in (before, after):
        assert mark(series) == "bar"
        enc = series["encoding"]
        assert enc["x"]["field"] == "x" and enc["x"]["type"] == "temporal"
        assert enc["x2"]["field"] == "x_end"  # a bar spans its week
        assert enc["y"]["title"] == weekly_win().y_title(lang)
        assert enc["color"]["scale"]["domain"] == words[:2]  # the phases, in both panels
        assert len(set(enc["color"]["scale"]["range"])) == 2
        opacities = enc["opacity"]["scale"]["range"]  # a second cue besides colour
        assert enc["opacity"]["field"] == "label" and len(set(opacities)) == 2
    # the 12 baseline weeks on the left, the 8 recent ones on the right; the 4 weeks between
    # are in neither panel
    assert [r["label"] for r in dataset(spec, before)] == [words[0]] * 12
    assert [r["label"] for r in dataset(spec, after)] == [words[1]] * 8
    # the panels' names say which is which (words besides colour)
    assert dataset(spec, named["panel_before"])[0]["text"] == words[0]
    assert dataset(spec, named["panel_after"])[0]["text"] == words[1]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_one_panel_tells_three_parts_apart(lang: str) -> None:
    # A record week: 4 earlier weeks, the record week, 1 week after it ("other").
    spec = evidence_chart(record_win(), lang).to_dict()
    named = layers(spec)
    assert "series_after" not in named and "resolve" not in spec
    enc = named["series"]["encoding"]
    assert mark(named["series"]) == "bar"
    words = {
        "nl": ["Eerdere weken", "Recordweek", "Overig"],
        "en": ["Earlier weeks", "Record week", "Other"],
    }[lang]
    assert enc["color"]["scale"]["domain"] == words  # the legend names the parts
    assert enc["color"]["legend"] is not None
    assert len(set(enc["color"]["scale"]["range"])) == 3
    assert len(set(enc["opacity"]["scale"]["range"])) == 3
    rows = dataset(spec, named["series"])
    assert [r["label"] for r in rows] == [words[0]] * 4 + [words[1], words[2]]
    # an outcome's measurements before and after its baseline follow on: one panel too
    named = layers(evidence_chart(indicator_win(), lang).to_dict())
    assert mark(named["series"]) == "line" and "series_after" not in named


def test_a_comparison_is_two_panels_with_their_own_weeks_and_a_shared_y() -> None:
    spec = evidence_chart(weekly_win(), "nl", width=536).to_dict()
    assert spec["resolve"]["scale"]["x"] == "independent"  # a time axis per panel
    assert "y" not in spec["resolve"]["scale"]  # shared: heights compare honestly
    named = layers(spec)
    scales = {p: named[n]["encoding"]["x"]["scale"] for p, n in SERIES.items()}
    day = {"year": 2025, "month": 12, "date": 1}
    # the baseline's 12 weeks: Monday 1 Dec 2025 to Sunday 22 Feb 2026 (1 Dec + 12 weeks − 1)
    assert scales["before"]["domainMin"] == day
    assert scales["before"]["domainMax"] == {"year": 2026, "month": 2, "date": 22}
    # the recent 8 weeks: 1 Dec + 16 weeks = 23 Mar 2026 to 1 Dec + 24 weeks − 1 = 17 May
    assert scales["after"]["domainMin"] == {"year": 2026, "month": 3, "date": 23}
    assert scales["after"]["domainMax"] == {"year": 2026, "month": 5, "date": 17}
    # the level rules and labels of a panel lie on the same scale as its series
    assert named["level_after"]["encoding"]["x"]["scale"] == scales["after"]
    # Widths follow the weeks: 84 days and 56 days (12 : 8 weeks) share 536 − 36 (the gap) px:
    # 500 · 84 / 140 = 300 px, then the gap, then 500 · 56 / 140 = 200 px.
    assert scales["before"]["range"] == pytest.approx([0, 300])
    assert scales["after"]["range"] == pytest.approx([336, 536])
    # Compiled: one y scale for both panels; x scales over two ranges (the panels) and the
    # whole width (the frame the y grid lines span)
    vega = vlc.vegalite_to_vega(spec)
    assert [scale["name"] for scale in vega["scales"]].count("y") == 1
    x_ranges = {json.dumps(s["range"]) for s in vega["scales"] if s["name"].endswith("_x")}
    assert len(x_ranges) == 3
    labels = texts(charts.to_svg(evidence_chart(weekly_win(), "nl", width=536)))
    assert labels.count("Afgerond per week") == 1  # the y title once
    assert "Ervoor (nulmeting)" in labels and "Erna (recent)" in labels
    assert labels.count("Week") == 2  # each panel its own week axis
    assert "9 mrt" not in labels  # a week between the two phases: no room for the gap


def test_two_panels_fill_the_container_and_grow_for_a_projector() -> None:
    spec = evidence_chart(weekly_win(), "en", width="container", height=400, large=True)
    spec = spec.to_dict()
    # one view, so the page's container width applies (a concat cannot take "container")
    assert spec["width"] == "container" and "hconcat" not in spec
    named = layers(spec)

    def px(end: float | dict, width: int = 800, height: int = 300) -> float:
        """A position as Vega works it out once the container's size is known."""
        if isinstance(end, int | float):
            return end
        return eval(end["expr"], {"width": width, "height": height})

    # the panels follow the width Vega gets: at 800 px, 800 − 52 (a projector's gap) = 748 px
    # shared 84 : 56 days: 748 · 0.6 = 448.8 px, the gap to 500.8, then 299.2 px to 800
    ranges = [named[name]["encoding"]["x"]["scale"]["range"] for name in SERIES.values()]
    assert [px(end) for end in ranges[0]] == pytest.approx([0, 448.8])
    assert [px(end) for end in ranges[1]] == pytest.approx([500.8, 800])
    gap = named["gap"]["mark"]
    assert [px(gap[k]) for k in ("x", "x2", "y", "y2")] == pytest.approx([448.8, 500.8, 0, 300])
    assert spec["config"]["axis"]["labelFontSize"] == 18
    assert named["panel_after"]["mark"]["fontSize"] == 20


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_other_measures_are_a_line_with_dash_and_shape_per_phase(lang: str) -> None:
    spec = evidence_chart(lead_time_win(), lang).to_dict()
    named = layers(spec)
    for name in ("series", "series_after"):  # 3 weeks at 20.5, then 3 at 12.25
        series = named[name]
        assert mark(series) == "line" and series["mark"]["point"]
        enc = series["encoding"]
        assert enc["strokeDash"]["scale"]["domain"] == WORDS[lang][:2]
        dashes = enc["strokeDash"]["scale"]["range"]
        shapes = enc["shape"]["scale"]["range"]
        assert dashes[0] != dashes[1] and shapes[0] != shapes[1]
        assert enc["y"]["title"] == lead_time_win().y_title(lang)
        assert len(dataset(spec, series)) == 3
    # one panel: the line of an outcome's measurements, dashed and square before its baseline
    enc = layers(evidence_chart(indicator_win(), lang).to_dict())["series"]["encoding"]
    assert enc["strokeDash"]["scale"]["range"][0] != enc["strokeDash"]["scale"]["range"][1]
    assert enc["shape"]["scale"]["range"] == ["square", "circle"]


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
    # The same chart without its level labels (and panel names): the near-black pixels they drew
    # are glyphs (the bars are grey or blue, lighter than 50). A missing font would draw none.
    assert with_text - near_black(without_text(spec)) > 300
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
