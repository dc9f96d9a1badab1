"""The Successen / Wins page (AppTest): the detected wins with their evidence and charts, the
team's choices made through the page's widgets (saved at once, kept after a restart), the empty
state and the publish button."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

import config

# Import the package `outcomes` before any page runs: AppTest puts app_pages/ first on sys.path,
# where app_pages/outcomes.py would otherwise shadow it.
import outcomes.curation  # noqa: F401
import ui.wins_view
from config import REPO_ROOT, Config
from i18n.formats import fmt_date, fmt_delta_pct, fmt_int, fmt_number
from metrics.wins import Win, detect
from outcomes.curation import Curation, load_curation, save_curation, wins_path
from store.warehouse import connect_read

PAGE = "app_pages/wins.py"
TITLES = {"nl": "Successen", "en": "Wins"}
# The label above each figure: the rule in a few words (i18n/*/wins.toml), written out here.
RULE_LABELS = {
    "nl": {
        "faster_lead_time": "Sneller klaar",
        "more_predictable": "Voorspelbaarder",
        "more_delivered": "Meer afgerond",
        "first_production_deployment": "Eerste keer live",
        "deploying_more_often": "Vaker live",
        "deploy_streak": "Elke week live",
        "outcome_improved": "Uitkomst beter",
        "hypothesis_validated": "Hypothese bevestigd",
        "record_week": "Recordweek",
    },
    "en": {
        "faster_lead_time": "Faster lead time",
        "more_predictable": "More predictable",
        "more_delivered": "More delivered",
        "first_production_deployment": "First time live",
        "deploying_more_often": "Deploying more often",
        "deploy_streak": "Live every week",
        "outcome_improved": "Outcome improved",
        "hypothesis_validated": "Hypothesis validated",
        "record_week": "Record week",
    },
}
BARS = {
    "throughput_weekly_median",
    "deployments_per_week",
    "deploy_streak_weeks",
    "throughput_week",
    "first_deployment",
}


def run_page(team: str, lang: str, page: str = PAGE) -> AppTest:
    at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=90)
    at.query_params["team"] = team
    at.query_params["lang"] = lang
    return at.run()


def unescaped(markdown: str) -> str:
    """Text as the reader sees it: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def expected_wins(cfg: Config, team: str) -> list[Win]:
    """The wins computed in the test, straight from the metrics (newest first)."""
    con = connect_read(cfg.database)
    try:
        return detect(con, cfg, team, cfg.as_of)
    finally:
        con.close()


def key(kind: str, win_id: str) -> str:
    return f"win_{kind}_{win_id}"


def sentences(at: AppTest) -> list[str]:
    return [unescaped(h.value) for h in at.subheader]


def markdown_text(at: AppTest) -> str:
    return "\n".join(unescaped(m.value) for m in at.markdown)


# -- what the page shows ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_every_detected_win_with_its_figure_and_sentence(
    demo_env: Path, demo_config: Config, team: str, lang: str
) -> None:
    wins = expected_wins(demo_config, team)
    assert wins, "the demo gives both teams something to show"
    at = run_page(team, lang)
    assert not at.exception
    assert at.title[0].value == TITLES[lang]
    # no curation in the demo: the order is detection's (newest first)
    assert [m.value for m in at.metric] == [w.figure(lang) for w in wins]
    assert [m.label for m in at.metric] == [RULE_LABELS[lang][w.rule] for w in wins]
    assert sentences(at)[: len(wins)] == [w.title(lang) for w in wins]
    count = {"nl": f"{len(wins)} successen gevonden.", "en": f"{len(wins)} wins found."}[lang]
    assert count in [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_evidence_in_words(demo_env: Path, demo_config: Config, lang: str) -> None:
    wins = {w.rule: w for w in expected_wins(demo_config, "vergunningen")}
    text = markdown_text(run_page("vergunningen", lang))
    lead = wins["faster_lead_time"].evidence
    # before → after with one decimal for days, the change as a whole percentage
    before, after = fmt_number(lead.before, lang, 1), fmt_number(lead.after, lang, 1)
    arrow = {"nl": f"van {before} naar {after}", "en": f"from {before} to {after}"}[lang]
    assert f"{arrow} ({fmt_delta_pct(lead.change_pct, lang)})" in text
    # sample sizes, and the periods in the language's date format (half-open: the day before end)
    n = {
        "nl": "Aantal afgeronde items: {} ervoor, {} erna.",
        "en": "Finished items: {} before, {} after.",
    }
    assert n[lang].format(fmt_int(lead.n_before, lang), fmt_int(lead.n_after, lang)) in text
    first, end = lead.before_period
    last = end - timedelta(days=1)
    span = {"nl": "{} t/m {}", "en": "{} to {}"}[lang].format(
        fmt_date(first, lang), fmt_date(last, lang)
    )
    assert span in text
    if lang == "nl":
        assert re.search(r"\d+ (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\. 20\d\d", span)
    # the p-value in words: the demo's difference is far beyond chance
    assert lead.p_value < 0.001
    words = {
        "nl": "p < 0,001. Zonder echte verandering zie je zo'n groot verschil minder dan 1 op de "
        "1.000 keer.",
        "en": "p < 0.001. Without a real change, you would see a difference this large less than "
        "1 in 1,000 times.",
    }
    assert words[lang] in text
    # a rule without a test has no p-value line
    assert text.count("Mann") == 1


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("team", ["vergunningen", "subsidies"])
def test_charts_have_a_spec_and_alt_text(
    demo_env: Path, demo_config: Config, team: str, lang: str
) -> None:
    wins = [w for w in expected_wins(demo_config, team) if w.series]
    charts = run_page(team, lang).get("vega_lite_chart")
    assert len(charts) == len(wins)
    for chart, win in zip(charts, wins, strict=True):
        spec = json.loads(chart.proto.spec)
        series = next(layer for layer in spec["layer"] if layer.get("name") == "series")
        mark = series["mark"]["type"] if isinstance(series["mark"], dict) else series["mark"]
        assert mark == ("bar" if win.evidence.measure in BARS else "line")
        assert series["encoding"]["x"]["field"] == "x"
        assert series["encoding"]["y"]["title"] == win.y_title(lang)
        assert series["encoding"]["color"]["field"] == "label"
        if win.evidence.before is not None and win.evidence.after is not None:
            names = {layer.get("name") for layer in spec["layer"]}
            assert {"level_before", "level_after"} <= names
        alt_text = chart.proto.alt
        assert alt_text and win.y_title(lang) in alt_text
        assert fmt_int(len(win.series), lang) in alt_text


def test_each_win_links_to_its_presenter_screen(demo_env: Path, demo_config: Config) -> None:
    wins = expected_wins(demo_config, "vergunningen")
    at = run_page("vergunningen", "en")
    links = [b.proto.url for b in at.get("link_button")]
    assert len(links) == len(wins)
    for url, win in zip(links, wins, strict=True):
        parts = urlsplit(url)
        assert parts.path == "presenteren"
        assert parse_qs(parts.query) == {"team": ["vergunningen"], "lang": ["en"], "win": [win.id]}


# -- curation through the page's widgets --------------------------------------------------------


def test_pinning_and_making_public_save_at_once_and_survive_a_restart(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    wins = expected_wins(cfg, "vergunningen")
    third = wins[2]
    at = run_page("vergunningen", "nl")
    at.toggle(key=key("pinned", third.id)).set_value(True).run()
    assert not at.exception
    assert load_curation(cfg.data_dir, "vergunningen") == {third.id: Curation(pinned=True)}
    assert "Opgeslagen: dit succes staat nu bovenaan." in [unescaped(s.value) for s in at.success]
    at.toggle(key=key("public", third.id)).set_value(True).run()
    assert load_curation(cfg.data_dir, "vergunningen")[third.id] == Curation(
        pinned=True, public=True
    )
    # a restart: a fresh session reads the file
    fresh = run_page("vergunningen", "nl")
    assert not fresh.exception
    assert fresh.metric[0].value == third.figure("nl")  # pinned first
    assert [m.value for m in fresh.metric[1:]] == [w.figure("nl") for w in wins if w != third]
    assert fresh.toggle(key=key("pinned", third.id)).value is True
    assert fresh.toggle(key=key("public", third.id)).value is True
    assert fresh.toggle(key=key("pinned", wins[0].id)).value is False


def test_rewriting_and_quoting_save_the_text(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    win = expected_wins(cfg, "vergunningen")[0]
    at = run_page("vergunningen", "nl")
    at.text_area(key=key("sentence_nl", win.id)).input("Aanvragen zijn nu *twee keer* zo snel.")
    at.text_area(key=key("sentence_en", win.id)).input("  Applications are twice as fast.  ")
    at.text_area(key=key("quote", win.id)).input("Binnen twee weken mijn vergunning!")
    at.text_input(key=key("quote_by", win.id)).input("een inwoner")
    at.button(key=key("save", win.id)).click().run()
    assert not at.exception
    assert load_curation(cfg.data_dir, "vergunningen")[win.id] == Curation(
        sentence_nl="Aanvragen zijn nu *twee keer* zo snel.",
        sentence_en="Applications are twice as fast.",
        quote="Binnen twee weken mijn vergunning!",
        quote_by="een inwoner",
    )
    assert "Tekst opgeslagen." in [unescaped(s.value) for s in at.success]
    for lang, sentence in (
        ("nl", "Aanvragen zijn nu *twee keer* zo snel."),
        ("en", "Applications are twice as fast."),
    ):
        fresh = run_page("vergunningen", lang)
        assert sentences(fresh)[0] == sentence  # the team's words, as typed (no Markdown)
        if lang == "nl":  # shown as typed: the asterisks escaped, not turned into emphasis
            assert "\\*twee keer\\*" in fresh.subheader[0].value
        captions = " ".join(unescaped(c.value) for c in fresh.caption)
        assert win.title(lang) in captions  # the detected sentence stays in view
        assert "“Binnen twee weken mijn vergunning!”" in markdown_text(fresh)
        assert "— een inwoner" in captions


def test_team_text_is_limited_with_a_clear_message(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    win = expected_wins(cfg, "vergunningen")[0]
    at = run_page("vergunningen", "en")
    sentence = at.text_area(key=key("sentence_en", win.id))
    assert sentence.max_chars == 200 and "At most 200 characters." in sentence.help
    assert at.text_area(key=key("quote", win.id)).max_chars == 280
    # the widget keeps at most 200 characters (the browser types no more): that is what is saved
    sentence.set_value("x" * 201)  # what a client past the browser's limit would send
    at.button(key=key("save", win.id)).click().run()
    assert not at.exception
    assert load_curation(cfg.data_dir, "vergunningen")[win.id].sentence_en == "x" * 200
    # a hand-edited file past the limit is one clear error naming file and key
    path = wins_path(cfg.data_dir, "vergunningen")
    path.write_text(f'[wins."{win.id}"]\nquote = "{"q" * 281}"\n', encoding="utf-8")
    at.run()
    (error,) = at.error
    assert f'{path}: wins."{win.id}".quote: expected at most 280 characters, got 281' in (
        unescaped(error.value)
    )


def test_hiding_moves_a_win_to_the_hidden_list_and_back(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    wins = expected_wins(cfg, "vergunningen")
    first = wins[0]
    at = run_page("vergunningen", "en")
    at.button(key=key("hide", first.id)).click().run()
    assert not at.exception
    assert load_curation(cfg.data_dir, "vergunningen") == {first.id: Curation(hidden=True)}
    said = "Hidden. You find it at the bottom, with the hidden wins."
    assert [unescaped(s.value) for s in at.success] == [said]
    assert [unescaped(toast.value) for toast in at.toast] == [said]
    fresh = run_page("vergunningen", "en")
    assert [m.value for m in fresh.metric] == [w.figure("en") for w in wins[1:]]
    hidden = [e for e in fresh.expander if e.label.startswith("Hidden wins (1)")]
    assert len(hidden) == 1
    assert first.title("en") in " ".join(t.value for t in hidden[0].text)
    fresh.button(key=key("unhide", first.id)).click().run()
    assert not fresh.exception
    assert load_curation(cfg.data_dir, "vergunningen") == {}  # back to the defaults
    assert [unescaped(s.value) for s in fresh.success] == [f"Shown again: {first.title('en')}"]
    assert [m.value for m in fresh.metric] == [w.figure("en") for w in wins]
    assert not [e for e in fresh.expander if e.label.startswith("Hidden wins")]


def test_a_choice_for_a_win_no_longer_detected_is_kept_but_not_shown(
    writable_demo: Path,
) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    gone = "faster_lead_time:vergunningen:lead_time:2020-W01"
    save_curation(cfg.data_dir, "vergunningen", gone, Curation(pinned=True, sentence_nl="Oud."))
    at = run_page("vergunningen", "nl")
    assert not at.exception
    assert "Oud." not in sentences(at)
    assert len(at.metric) == len(expected_wins(cfg, "vergunningen"))
    assert gone in load_curation(cfg.data_dir, "vergunningen")


def test_a_broken_choices_file_is_one_clear_error(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    path = wins_path(cfg.data_dir, "vergunningen")
    path.write_text('[wins."x"]\npinned = "ja"\n', encoding="utf-8")
    at = run_page("vergunningen", "nl")
    assert not at.exception
    (error,) = at.error
    assert 'wins."x".pinned: expected true or false' in unescaped(error.value)
    assert not at.metric


# -- empty state and publishing ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_wins_explains_what_koers_looks_for(
    writable_demo: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    # The demo's teams both have wins; a warehouse without any (a fresh copy, so the cache
    # misses) stands in for a team that has none yet.
    monkeypatch.setattr(ui.wins_view, "detect", lambda *args, **kwargs: [])
    at = run_page("subsidies", lang)
    assert not at.exception
    assert not at.metric and not at.get("vega_lite_chart")
    empty = {
        "nl": "Koers heeft voor Team Subsidies nog geen successen gevonden.",
        "en": "Koers has not found any wins for Team Subsidies yet.",
    }
    assert any(unescaped(i.value).startswith(empty[lang]) for i in at.info)
    (how,) = [
        e for e in at.expander if e.label in ("Waar zoekt Koers naar?", "What does Koers look for?")
    ]
    listed = " ".join(m.value for m in how.markdown)
    for label in RULE_LABELS[lang].values():
        assert f"**{label}**" in listed
    assert "20 %" in listed if lang == "nl" else "20%" in listed
    assert at.button(key="wins_publish").disabled


def test_publish_is_disabled_until_a_win_is_public(writable_demo: Path) -> None:
    at = run_page("vergunningen", "nl")
    assert at.button(key="wins_publish").disabled
    none = (
        "Er is nog geen openbaar succes. Zet bij een succes 'Openbaar maken' aan om te publiceren."
    )
    assert none in [c.value for c in at.caption]


def test_publish_offers_the_public_report_as_one_zip(writable_demo: Path) -> None:
    cfg = config.load(writable_demo / "koers.toml")
    wins = expected_wins(cfg, "vergunningen")
    at = run_page("vergunningen", "en")
    for win in wins[:2]:
        at.toggle(key=key("public", win.id)).set_value(True).run()
    assert not at.button(key="wins_publish").disabled
    assert "2 public wins go along." in [c.value for c in at.caption]
    at.button(key="wins_publish").click().run()
    assert not at.exception
    assert "The report is ready: 4 files in one zip." in [s.value for s in at.success]
    assert len(at.get("download_button")) == 1
    _, data, count = at.session_state["_wins_report"]
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    # the page, the weeknote and one card per public win
    assert count == 4 and len(names) == 4
    assert "index.html" in names and "weeknote.md" in names
    assert len([n for n in names if n.startswith("cards/") and n.endswith(".png")]) == 2
    # a changed choice makes the report stale: it is not offered again
    at.toggle(key=key("public", wins[0].id)).set_value(False).run()
    assert not at.get("download_button")
