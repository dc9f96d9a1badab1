"""The Uitkomsten / Outcomes page and the overview's outcome cards (AppTest), the editor's
row validation and the CSV upload of measurements."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

import config

# Import the package `outcomes` before any page runs: AppTest puts app_pages/ first on sys.path,
# where app_pages/outcomes.py would otherwise shadow it.
from config import REPO_ROOT, Config
from i18n.formats import fmt_date, fmt_number
from metrics.flow import TeamFlow
from metrics.outcomes import outcome_facts
from outcomes.store import (
    Indicator,
    Point,
    Source,
    load_hypotheses,
    load_indicators,
    load_measurements,
    measurements_path,
)
from store.warehouse import connect_read
from ui.outcome_cards import validate_rows

PAGE = "app_pages/outcomes.py"
OVERVIEW = "app_pages/overview.py"
TITLES = {"nl": "Uitkomsten", "en": "Outcomes"}
WORDS = {"nl": ("beter", "slechter"), "en": ("better", "worse")}
STATUS_WORDS = {
    "nl": {"testing": "Wordt getest", "validated": "Bevestigd", "invalidated": "Niet bevestigd"},
    "en": {"testing": "Testing", "validated": "Validated", "invalidated": "Invalidated"},
}
EMPTY = {"nl": "Een uitkomst-indicator is", "en": "An outcome indicator is"}
FIRST_HEADING = {"nl": "Eerste indicator toevoegen", "en": "Add a first indicator"}
ADD_LABEL = {"nl": "Indicator toevoegen", "en": "Add indicator"}
OVERVIEW_EMPTY = {"nl": "nog geen uitkomst-indicatoren", "en": "no outcome indicators yet"}


def run_page(team: str, lang: str, page: str = PAGE) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=60)
    at.query_params["team"] = team
    at.query_params["lang"] = lang
    return at.run()


def expected_facts(cfg: Config, team: str) -> dict:
    """Facts worked out in the test from the demo's files, at the demo's date."""
    as_of = cfg.as_of.astimezone(ZoneInfo(cfg.timezone)).date()
    indicators = load_indicators(cfg.data_dir, team)
    return {
        key: (ind, outcome_facts(ind, load_measurements(cfg.data_dir, team, key), as_of))
        for key, ind in indicators.items()
    }


def shown(value: float, indicator, lang: str) -> str:
    """How the page writes a value: two decimals for small-scale indicators (a 1–5 score)."""
    return fmt_number(value, lang, 2 if abs(indicator.baseline.value) < 10 else 1)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_cards_show_the_facts_of_each_indicator(
    demo_env: Path, demo_config: Config, lang: str
) -> None:
    at = run_page("vergunningen", lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    facts = expected_facts(demo_config, "vergunningen")
    assert len(facts) == 4
    metrics = {m.label: m for m in at.metric}
    assert len(metrics) == 4
    better, worse = WORDS[lang]
    for indicator, fact in facts.values():
        card = metrics[indicator.name(lang)]
        assert card.value.startswith(shown(fact.current.value, indicator, lang))
        assert card.delta.startswith(better if fact.improved else worse)
        assert shown(abs(fact.change), indicator, lang) in card.delta
    # the direction matters: processing time went down, which is better
    ind, fact = facts["processing_time_days"]
    assert ind.direction == "down" and fact.change < 0 and fact.improved
    assert metrics[ind.name(lang)].delta.startswith(better)
    # progress and on-track in words
    texts = [p.proto.text for p in at.get("progress")]
    of_target = {"nl": "van het doel", "en": "of the target"}[lang]
    assert len(texts) == 4 and all(of_target in text for text in texts)
    on, off = {"nl": ("Op koers", "Niet op koers"), "en": ("On track", "Not on track")}[lang]
    words = [md.value for md in at.markdown if on in md.value or off in md.value]
    expected = [on if f.on_track else off for _, f in facts.values()]
    assert [off if off in w else on for w in words] == expected
    assert on in expected and off in expected  # the demo tells an honest story


def layer(spec: dict, name: str) -> dict | None:
    return next((lyr for lyr in spec["layer"] if lyr.get("name") == name), None)


def mark(lyr: dict) -> str:
    return lyr["mark"]["type"] if isinstance(lyr["mark"], dict) else lyr["mark"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_have_baseline_target_and_epic_delivery(
    demo_env: Path, demo_config: Config, lang: str
) -> None:
    at = run_page("vergunningen", lang)
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4
    hypotheses = load_hypotheses(demo_config.data_dir, "vergunningen")
    items = TeamFlow(
        connect_read(demo_config.database),
        demo_config.team("vergunningen"),
        demo_config.timezone,
        demo_config.as_of,
    ).items()
    done = items.set_index("key")["done_at"]
    facts = expected_facts(demo_config, "vergunningen")
    for chart, (key, (indicator, fact)) in zip(charts, facts.items(), strict=True):
        spec = json.loads(chart.proto.spec)
        line = layer(spec, "measurements")
        assert mark(line) == "line" and line["mark"]["point"]
        assert line["encoding"]["x"]["field"] == "date"
        assert mark(layer(spec, "baseline")) == "rule"
        assert layer(spec, "baseline")["encoding"]["y"]["field"] == "value"
        assert mark(layer(spec, "baseline_label")) == "text"
        assert mark(layer(spec, "target")) == "point"
        assert layer(spec, "path")["mark"]["strokeDash"]
        alt_text = chart.proto.alt
        assert indicator.name(lang) in alt_text
        assert shown(fact.current.value, indicator, lang) in alt_text
        linked = [h.epic for h in hypotheses.values() if h.indicator == key]
        delivered = [e for e in linked if pd.notna(done.get(e))]
        if delivered:
            epic_rules = layer(spec, "epics")
            assert mark(epic_rules) == "rule" and epic_rules["encoding"]["x"]["field"] == "date"
            assert mark(layer(spec, "epic_labels")) == "text"
            for epic in delivered:
                assert epic in alt_text
        else:
            assert layer(spec, "epics") is None
    # the validated hypothesis's epic (the online form) has been delivered in the demo
    form = hypotheses["online_form_take_up"].epic
    assert pd.notna(done[form])
    take_up = json.loads(charts[0].proto.spec)
    assert layer(take_up, "epics") is not None


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_hypotheses_board_lists_each_under_its_status(
    demo_env: Path, demo_config: Config, lang: str
) -> None:
    at = run_page("vergunningen", lang)
    hypotheses = load_hypotheses(demo_config.data_dir, "vergunningen")
    assert {h.status for h in hypotheses.values()} == {"validated", "testing"}
    columns = at.columns
    # the board is the last row of three columns; each starts with its status heading
    board = {}
    for column in columns:
        headings = [h.value for h in column.subheader]
        if headings and headings[0] in STATUS_WORDS[lang].values():
            board[headings[0]] = " ".join(tx.value for tx in column.text)
    assert set(board) == set(STATUS_WORDS[lang].values())
    for h in hypotheses.values():
        assert h.statement(lang) in board[STATUS_WORDS[lang][h.status]]
        assert h.statement(lang) not in board[STATUS_WORDS[lang]["invalidated"]]
    buttons = [b for b in at.get("link_button")]
    assert {b.proto.url for b in buttons} == {
        f"https://gemeente-voorbeeld.atlassian.net/browse/{h.epic}" for h in hypotheses.values()
    }


def test_changing_a_hypothesis_status_writes_the_file(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    assert load_hypotheses(cfg.data_dir, "vergunningen")["mijnomgeving_satisfaction"].status == (
        "testing"
    )
    at = run_page("vergunningen", "nl")
    at.selectbox(key="hypothesis_status_mijnomgeving_satisfaction").set_value("invalidated")
    at.button(key="hypothesis_save_mijnomgeving_satisfaction").click()
    at.run()
    assert not at.exception
    saved = load_hypotheses(cfg.data_dir, "vergunningen")
    assert saved["mijnomgeving_satisfaction"].status == "invalidated"
    assert saved["online_form_take_up"].status == "validated"
    assert any("Niet bevestigd" in s.value for s in at.success)


def test_the_editor_saves_an_added_row(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    before = load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")
    at = run_page("vergunningen", "en")
    editor = at.data_editor[0]
    at.button(key="outcomes_editor_save").click()
    # AppTest cannot type into a data editor: send the edit the browser would send
    states = at._tree.get_widget_states()
    added = {"added_rows": [{"date": "2026-12-01", "value": 77.5}], "edited_rows": {}}
    states.widgets.append(
        WidgetState(id=editor.proto.id, string_value=json.dumps({**added, "deleted_rows": []}))
    )
    at._run(widget_state=states)
    assert not at.exception
    after = load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")
    assert len(after) == len(before) + 1
    assert after[-1].date == date(2026, 12, 1) and after[-1].value == 77.5
    assert after[:-1] == before
    assert any(f"{len(after)} measurements saved" in s.value for s in at.success)


def test_validate_rows_names_every_bad_row() -> None:
    table = pd.DataFrame(
        {
            "date": [date(2026, 1, 1), None, date(2026, 1, 1), date(2026, 2, 1)],
            "value": [1.5, 2.0, 3.0, None],
            "note": ["a", None, "", "b"],
        }
    )
    rows, problems = validate_rows(table, "en")
    assert problems == [
        "Row 2: enter a real date.",
        "Row 3: the date 1 Jan 2026 is also in row 1.",
        "Row 4: the value must be a number.",
    ]
    ok, none = validate_rows(table.iloc[[0]], "nl")
    assert none == [] and ok[0].value == 1.5 and ok[0].note == "a"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_team_without_indicators_gets_the_empty_state(demo_env: Path, lang: str) -> None:
    at = run_page("subsidies", lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    assert any(EMPTY[lang] in i.value for i in at.info)
    assert not at.metric and not at.get("vega_lite_chart")
    # it leads straight to the form for a first indicator: a key to type, nothing to pick
    assert [h.value for h in at.header] == [FIRST_HEADING[lang]]
    assert at.text_input(key="indicator_key").value == ""
    assert "indicator_pick" not in [s.key for s in at.selectbox]
    assert at.button(key="indicator_save").label == ADD_LABEL[lang]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_overview_leads_with_outcome_cards(demo_env: Path, demo_config: Config, lang: str) -> None:
    at = run_page("vergunningen", lang, OVERVIEW)
    assert not at.exception
    facts = expected_facts(demo_config, "vergunningen")
    names = [ind.name(lang) for ind, _ in facts.values()]
    labels = [m.label for m in at.metric]
    assert labels[:4] == names  # the outcome cards come before the flow tiles
    assert len(labels) > 4
    assert not any(OVERVIEW_EMPTY[lang] in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_overview_without_indicators_explains_how_to_add_one(demo_env: Path, lang: str) -> None:
    at = run_page("subsidies", lang, OVERVIEW)
    assert not at.exception
    hint = [i.value for i in at.info if OVERVIEW_EMPTY[lang] in i.value]
    page = {"nl": "op de pagina Uitkomsten", "en": "on the Outcomes page"}[lang]
    assert hint and page in hint[0]  # where the form is


# -- CSV upload -----------------------------------------------------------------------------------

UPLOAD_HEADINGS = {"nl": "Metingen uit een CSV-bestand", "en": "Measurements from a CSV file"}


def unescaped(markdown: str) -> str:
    """A message as the reader sees it: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_editor_has_a_csv_upload_for_the_selected_indicator(demo_env: Path, lang: str) -> None:
    at = run_page("vergunningen", lang)
    assert not at.exception
    assert UPLOAD_HEADINGS[lang] in [h.value for h in at.subheader]
    (uploader,) = at.file_uploader
    name = at.selectbox(key="outcomes_editor_indicator").format_func(
        at.selectbox(key="outcomes_editor_indicator").value
    )
    assert name in uploader.label
    assert uploader.allowed_type == [".csv"]
    assert not uploader.accept_multiple_files
    assert uploader.value is None
    assert not any("import-measurements" in c.value for c in at.caption)  # "comes later" is gone


def test_uploading_a_good_csv_imports_it_and_says_what_it_replaced(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    path = measurements_path(cfg.data_dir, "vergunningen", "digital_take_up")
    assert path.is_relative_to(writable_demo)
    before = {m.date: m for m in load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")}
    assert date(2026, 11, 1) in before and date(2026, 12, 1) not in before
    # what Excel writes in the Netherlands: BOM, ';', dd-mm-yyyy, decimal comma, '%', blank rows
    data = "\ufeffDatum;Waarde;Toelichting\r\n01-11-2026;75,0%;gecorrigeerd\r\n;;\r\n"
    data += "01-12-2026;78,4 %;\r\n"
    at = run_page("vergunningen", "nl")
    at.file_uploader[0].upload("metingen.csv", data.encode("utf-8"), "text/csv").run()
    assert not at.exception
    assert not at.error
    after = {m.date: m for m in load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")}
    assert after[date(2026, 11, 1)].value == 75.0
    assert after[date(2026, 11, 1)].note == "gecorrigeerd"
    assert after[date(2026, 12, 1)].value == 78.4
    assert {d: m for d, m in after.items() if d.month < 11 or d.year < 2026} == {
        d: m for d, m in before.items() if d.month < 11 or d.year < 2026
    }
    expected = f"2 metingen geïmporteerd; vervangen: {fmt_date(date(2026, 11, 1), 'nl')}."
    assert [s.value for s in at.success] == [expected]
    # the page shows the new data, and the uploader is empty again (no second import on a rerun)
    assert len(at.data_editor[0].value) == len(after)
    assert at.file_uploader[0].value is None
    text = path.read_bytes()
    at.run()
    assert not at.exception and not at.success
    assert path.read_bytes() == text


def test_an_upload_without_replaced_dates_says_only_how_many(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    before = load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")
    at = run_page("vergunningen", "en")
    at.file_uploader[0].upload("take-up.csv", b"date,value\n2027-01-01,80.5\n", "text/csv").run()
    assert not at.exception
    assert [s.value for s in at.success] == ["1 measurement imported."]
    after = load_measurements(cfg.data_dir, "vergunningen", "digital_take_up")
    assert after[:-1] == before and after[-1].date == date(2027, 1, 1)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_bad_csv_lists_every_bad_row_and_changes_nothing(writable_demo: Path, lang: str) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    folder = cfg.data_dir / "outcomes" / "vergunningen"
    files = {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    data = (
        "datum;waarde;toelichting\n"
        "01-11-2026;80,0;would replace a value\n"
        "31-02-2026;70,0;\n"
        "01-12-2026;**veel**;\n"
        "01-01-2027;71,0;[link](http://example.org)\n"
        "01-01-2027;72,0;\n"
    )
    at = run_page("vergunningen", lang)
    at.file_uploader[0].upload("fout_*bestand*.csv", data.encode("utf-8"), "text/csv").run()
    assert not at.exception
    assert not at.success
    (error,) = at.error
    shown = unescaped(error.proto.body)
    lead = {"nl": "Er is niets geïmporteerd uit", "en": "Nothing was imported from"}[lang]
    assert shown.startswith(f"{lead} fout_*bestand*.csv.")
    assert "fout_*bestand*.csv: 3 bad rows, nothing imported:" in shown
    assert "- line 3: '31-02-2026' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)" in shown
    assert "- line 4: '**veel**' is not a number (expected a number like 1.234,5)" in shown
    assert "- line 6: 2027-01-01 is also on line 5" in shown
    assert "line 2" not in shown and "line 5:" not in shown
    assert "koers-upload-" not in shown  # the temporary copy is not named
    # plain text: no Markdown from the file (bold, emphasis) gets through unescaped
    assert "**veel**" not in error.proto.body and "\\*\\*veel\\*\\*" in error.proto.body
    assert "_\\*bestand\\*" in error.proto.body
    # nothing half-imported: every file of the team byte for byte as it was
    assert {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} == files
    assert at.file_uploader[0].value is not None  # the file stays, so the list stays in view


def test_a_workbook_or_an_empty_upload_is_refused_with_its_reason(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    path = measurements_path(cfg.data_dir, "vergunningen", "digital_take_up")
    text = path.read_bytes()
    at = run_page("vergunningen", "en")
    at.file_uploader[0].upload("book.csv", b"PK\x03\x04rest of a zip", "text/csv").run()
    assert "book.csv: this is a spreadsheet workbook, not CSV" in unescaped(at.error[0].proto.body)
    at.file_uploader[0].set_value(("empty.csv", b"\n;;\n", "text/csv")).run()
    assert "empty.csv: the file is empty" in unescaped(at.error[0].proto.body)
    assert path.read_bytes() == text and not at.success


# -- the indicator form ---------------------------------------------------------------------------


def fill(at: AppTest, **values: object) -> AppTest:
    """Type into the indicator form (widgets keyed `indicator_<field>`)."""
    for name, value in values.items():
        key = f"indicator_{name}"
        if name.endswith("_date"):
            at.date_input(key=key).set_value(value)
        elif name == "direction":
            at.radio(key=key).set_value(value)
        elif name == "source_kind":
            at.selectbox(key=key).set_value(value)
        else:
            at.text_input(key=key).set_value(value)
    return at


def team_files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix}


def test_adding_an_indicator_on_subsidies(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    assert load_indicators(cfg.data_dir, "subsidies") == {}
    at = run_page("subsidies", "nl")
    fill(
        at,
        key="aanvragen_online",
        name_nl="Online aanvragen",
        name_en="Applications online",
        unit="%",
        direction="up",
        baseline_value="12,5",  # a Dutch decimal comma
        baseline_date=date(2026, 1, 1),
        target_value="1.030,25",  # thousands point and decimal comma: 1030.25
        target_date=date(2026, 12, 31),
        source_kind="url",
        source_url="https://statistiek.example.gov/subsidies.json",
        token_env="KOERS_STATS_TOKEN",
    )
    at.button(key="indicator_save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == ["Indicator Online aanvragen is toegevoegd."]
    assert load_indicators(cfg.data_dir, "subsidies") == {
        "aanvragen_online": Indicator(
            key="aanvragen_online",
            name_nl="Online aanvragen",
            name_en="Applications online",
            unit="%",
            direction="up",
            baseline=Point(12.5, date(2026, 1, 1)),
            target=Point(1030.25, date(2026, 12, 31)),
            source=Source(
                "url", "https://statistiek.example.gov/subsidies.json", "KOERS_STATS_TOKEN"
            ),
        )
    }
    # the page now shows the card (no measurement yet) and the form holds the new indicator
    assert [m.label for m in at.metric] == ["Online aanvragen"]
    assert at.selectbox(key="indicator_pick").value == "aanvragen_online"
    assert at.text_input(key="indicator_baseline_value").value == "12,5"
    # and so does a fresh session in the other language
    fresh = run_page("subsidies", "en")
    assert not fresh.exception
    assert [m.label for m in fresh.metric] == ["Applications online"]
    assert fresh.metric[0].value == "–"
    assert "No measurement yet. Enter one under Enter measurements." in [
        c.value for c in fresh.caption
    ]


def test_editing_the_target_of_a_vergunningen_indicator(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    folder = cfg.data_dir / "outcomes" / "vergunningen"
    before = load_indicators(cfg.data_dir, "vergunningen")
    hypotheses = (folder / "hypotheses.toml").read_bytes()
    at = run_page("vergunningen", "nl")
    at.selectbox(key="indicator_pick").set_value("digital_take_up").run()
    # the form shows the demo's values, numbers the Dutch way: baseline 40.5, target 65
    assert at.text_input(key="indicator_name_nl").value == "Digitale aanvragen"
    assert at.text_input(key="indicator_baseline_value").value == "40,5"
    assert at.date_input(key="indicator_baseline_date").value == date(2025, 12, 1)
    assert at.text_input(key="indicator_target_value").value == "65"
    assert at.date_input(key="indicator_target_date").value == date(2026, 12, 31)
    assert "indicator_key" not in [w.key for w in at.text_input]  # the key cannot change
    fill(at, target_value="72,5", target_date=date(2027, 6, 30))
    at.button(key="indicator_save").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [
        "De wijzigingen in Digitale aanvragen zijn opgeslagen."
    ]
    after = load_indicators(cfg.data_dir, "vergunningen")
    assert after["digital_take_up"].target == Point(72.5, date(2027, 6, 30))
    assert after["digital_take_up"].baseline == before["digital_take_up"].baseline
    assert list(after) == list(before)  # same order, the others untouched
    assert {k: v for k, v in after.items() if k != "digital_take_up"} == {
        k: v for k, v in before.items() if k != "digital_take_up"
    }
    assert (folder / "hypotheses.toml").read_bytes() == hypotheses
    # a fresh run shows it: latest 76.3 (2026-11-01), baseline 40.5, target 72.5:
    # progress = (76.3 − 40.5) / (72.5 − 40.5) = 35.8 / 32 = 1.119 → "112 %"
    fresh = run_page("vergunningen", "nl")
    captions = [c.value for c in fresh.caption]
    assert f"Doel: 72,5 % op {fmt_date(date(2027, 6, 30), 'nl')}" in captions
    texts = [p.proto.text for p in fresh.get("progress")]
    assert texts[0] == "112 % van het doel"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_bad_form_is_refused_with_a_message_per_mistake_and_nothing_changes(
    writable_demo: Path, lang: str
) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    files = team_files(cfg.data_dir / "outcomes" / "vergunningen")
    at = run_page("vergunningen", lang)
    at.selectbox(key="indicator_pick").set_value("digital_take_up").run()
    # direction up, baseline 40.5: a target of 30 is worse than the baseline
    fill(at, name_en="", target_value="30", baseline_value="veel")
    at.button(key="indicator_save").click().run()
    assert not at.exception and not at.success
    (error,) = at.error
    expected = {
        "nl": [
            "Er is niets opgeslagen. Verbeter dit:",
            "- Naam (Engels): vul dit in.",
            "- Basiswaarde: veel is geen getal. Schrijf bijvoorbeeld 40,5.",
        ],
        "en": [
            "Nothing was saved. Please fix this:",
            "- Name (English): fill this in.",
            "- Baseline value: veel is not a number. Write for example 40.5.",
        ],
    }[lang]
    assert [line for line in error.value.splitlines() if line] == expected
    # with a good baseline, the target's side is checked against it
    fill(at, name_en="Digital take-up", baseline_value="40,5" if lang == "nl" else "40.5")
    at.button(key="indicator_save").click().run()
    side = {
        "nl": "- Doelwaarde: hoger is beter, dus het doel moet minstens de basis zijn (40,5).",
        "en": "- Target value: higher is better, so the target must be at least the baseline "
        "(40.5).",
    }[lang]
    assert at.error[0].value.splitlines()[-1] == side
    assert team_files(cfg.data_dir / "outcomes" / "vergunningen") == files


def test_a_new_indicator_needs_a_free_key_and_a_whole_target(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    files = team_files(cfg.data_dir / "outcomes" / "vergunningen")
    at = run_page("vergunningen", "en")
    assert at.selectbox(key="indicator_pick").value == "__new__"
    fill(
        at,
        key="digital_take_up",
        name_nl="x",
        name_en="x",
        unit="%",
        baseline_value="1",
        baseline_date=date(2026, 1, 1),
        target_date=date(2025, 1, 1),
        source_kind="url",
    )
    at.button(key="indicator_save").click().run()
    assert [line for line in at.error[0].value.splitlines() if line] == [
        "Nothing was saved. Please fix this:",
        "- Key: digital\\_take\\_up already exists for this team. Pick another key.",
        "- Target value: also fill in the target's value, or leave the date empty.",
        "- Web address: fill this in.",
    ]
    assert team_files(cfg.data_dir / "outcomes" / "vergunningen") == files


def test_deleting_is_refused_while_a_hypothesis_refers_to_the_indicator(
    writable_demo: Path,
) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    files = team_files(cfg.data_dir / "outcomes" / "vergunningen")
    hypothesis = load_hypotheses(cfg.data_dir, "vergunningen")["online_form_take_up"]
    at = run_page("vergunningen", "en")
    at.selectbox(key="indicator_pick").set_value("digital_take_up").run()
    at.button(key="indicator_delete").click().run()
    assert not at.exception and not at.success
    (error,) = at.error
    text = unescaped(error.value)
    assert text.startswith("Digital take-up was not deleted, because a hypothesis uses this")
    assert f"{hypothesis.epic}: {hypothesis.statement('en')}" in text
    assert team_files(cfg.data_dir / "outcomes" / "vergunningen") == files


def test_deleting_an_indicator_keeps_its_measurements_file(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    kept = measurements_path(cfg.data_dir, "vergunningen", "completion_rate")
    data = kept.read_bytes()
    at = run_page("vergunningen", "nl")
    at.selectbox(key="indicator_pick").set_value("completion_rate").run()
    at.button(key="indicator_delete").click().run()
    assert not at.exception and not at.error
    (success,) = at.success
    assert unescaped(success.value) == (
        f"Indicator Voltooide aanvragen is verwijderd. Het bestand met de metingen is bewaard: "
        f"{kept}"
    )
    assert list(load_indicators(cfg.data_dir, "vergunningen")) == [
        "digital_take_up",
        "user_satisfaction",
        "processing_time_days",
    ]
    assert kept.read_bytes() == data
    assert at.selectbox(key="indicator_pick").value == "__new__"
    fresh = run_page("vergunningen", "nl")
    assert len(fresh.metric) == 3 and "Voltooide aanvragen" not in [m.label for m in fresh.metric]
