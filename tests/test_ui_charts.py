"""The Altair theme: Dutch locale on axes, colours that pass contrast, exports with text."""

import io
import re
import tomllib
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc
from PIL import Image  # a dependency of Streamlit

from ui import charts

ROOT = Path(__file__).resolve().parents[1]


def _weekly() -> pd.DataFrame:
    weeks = pd.date_range("2026-02-23", periods=6, freq="7D")  # Mondays, across Feb–Mar
    return pd.DataFrame({"week": weeks, "days": [1.5, 2.5, 0.5, 3.0, 2.0, 1.0]})


def _chart(lang: str, df: pd.DataFrame | None = None) -> alt.TopLevelMixin:
    df = _weekly() if df is None else df
    chart = (
        alt.Chart(df)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", axis=charts.week_axis(df["week"]), title="Week"),
            y=alt.Y("days:Q", title="Doorlooptijd (dagen)"),
        )
        .properties(title="Doorlooptijd per week", width=400, height=200)
    )
    return charts.configure(chart, lang)


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _contrast(hex_colour: str) -> float:
    """WCAG contrast ratio against white."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_dutch_svg_has_dutch_months_and_decimal_comma() -> None:
    labels = _labels(charts.to_svg(_chart("nl")))
    assert "2 mrt" in labels  # "%-d %b" in Dutch: no zero padding, "mrt"
    assert "23 feb" in labels
    assert "0,5" in labels and "2,5" in labels
    assert not any(re.fullmatch(r"\d+\.\d", label) for label in labels)


def test_english_svg_uses_english_formats() -> None:
    labels = _labels(vlc.vegalite_to_svg(_chart("en").to_dict()))
    assert "2 Mar" in labels
    assert "0.5" in labels


def test_week_ticks_sit_on_the_given_mondays() -> None:
    labels = _labels(charts.to_svg(_chart("nl")))
    assert [x for x in labels if re.fullmatch(r"\d+ (feb|mrt|apr)", x)] == [
        "23 feb",
        "2 mrt",
        "9 mrt",
        "16 mrt",
        "23 mrt",
        "30 mrt",
    ]


def test_week_axis_thins_labels() -> None:
    mondays = pd.date_range("2026-01-05", periods=52, freq="7D")
    values = charts.week_axis(mondays, max_labels=12).to_dict()["values"]
    assert 9 <= len(values) <= 12
    assert values[0] == {"year": 2026, "month": 1, "date": 5}


def test_week_axis_accepts_iso_strings_and_dates() -> None:
    axis = charts.week_axis(["2026-03-09", date(2026, 3, 2), "2026-03-02"]).to_dict()
    assert axis["values"] == [
        {"year": 2026, "month": 3, "date": 2},
        {"year": 2026, "month": 3, "date": 9},
    ]
    assert axis["format"] == "%-d %b"


def _values_of(node: object, key: str) -> list[object]:
    if isinstance(node, dict):
        own = [node[key]] if key in node else []
        return own + [v for child in node.values() for v in _values_of(child, key)]
    if isinstance(node, list):
        return [v for child in node for v in _values_of(child, key)]
    return []


def test_spec_never_uses_a_week_time_unit() -> None:
    # Vega-Lite weeks start on Sunday; Koers's weeks are ISO weeks bucketed in SQL.
    spec = _chart("nl").to_dict()
    assert not any("week" in str(unit) for unit in _values_of(spec, "timeUnit"))
    assert not any("week" in str(count) for count in _values_of(spec, "tickCount"))


def test_png_export_draws_text() -> None:
    # Text only, no marks or axes: any dark pixel is a glyph. A missing font draws nothing.
    text = (
        alt.Chart(pd.DataFrame({"t": ["Doorlooptijd 3,5 dagen — mrt"]}))
        .mark_text(fontSize=24)
        .encode(text="t:N")
        .properties(width=400, height=60)
    )
    png = charts.to_png(charts.configure(text, "nl"))
    image = Image.open(io.BytesIO(png)).convert("L")
    dark = sum(1 for px in image.tobytes() if px < 128)
    assert image.width >= 800  # scale 2
    assert dark > 500


def test_locale_falls_back_to_dutch() -> None:
    assert charts.locale("nl").to_dict()["number"]["decimal"] == ","
    assert charts.locale("xx").to_dict()["time"]["shortMonths"][2] == "mrt"
    assert charts.locale("en").to_dict()["number"]["decimal"] == "."


def test_configure_sets_font_fallback_and_palette() -> None:
    config = _chart("nl").to_dict()["config"]
    assert config["font"].split(",")[-1].strip() == "sans-serif"
    assert config["range"]["category"] == charts.PALETTE
    assert config["mark"]["color"] == charts.PALETTE[0]
    assert config["locale"]["number"]["thousands"] == "."


@pytest.mark.parametrize("colour", [charts.GOOD, charts.BAD, charts.NEUTRAL, *charts.PALETTE[:5]])
def test_meaning_colours_reach_3_to_1(colour: str) -> None:
    assert _contrast(colour) >= 3.0


def test_text_colours_reach_aa() -> None:
    assert _contrast(charts.TEXT) >= 4.5
    assert _contrast(charts.TEXT_MUTED) >= 4.5


def test_streamlit_theme_matches_chart_theme() -> None:
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert [c.upper() for c in theme["chartCategoricalColors"]] == charts.PALETTE
    assert theme["font"] == charts.FONT
    assert theme["textColor"].upper() == charts.TEXT
    assert _contrast(theme["primaryColor"]) >= 4.5


def test_bundled_fonts_exist() -> None:
    assert sorted(p.name for p in charts.font_dir().glob("*.ttf")) == [
        "FiraSans-Bold.ttf",
        "FiraSans-Regular.ttf",
    ]
