"""The team's choices about its wins: one plain file per team, atomic saves, clear errors, and
the rules that decide what is shown and what may be published."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from metrics.wins import Evidence, Win
from outcomes.curation import (
    Curation,
    curated,
    load_curation,
    public,
    save_curation,
    update_curation,
    wins_path,
)
from outcomes.store import OutcomesError


def win(win_id: str, title: str = "Detected") -> Win:
    return Win(
        id=win_id,
        rule=win_id.split(":")[0],
        team="t",
        subject="s",
        date=date(2026, 3, 2),
        title_nl=f"{title} (nl)",
        title_en=f"{title} (en)",
        figure_nl="+1",
        figure_en="+1",
        y_title_nl="y",
        y_title_en="y",
        evidence=Evidence("throughput_week"),
    )


A, B, C = "record_week:t:throughput:2026-03-02", "deploy_streak:t:deploys:2026-02-23", "x:t:s:1"


def test_no_file_means_no_choices(tmp_path: Path) -> None:
    assert load_curation(tmp_path, "t") == {}


def test_save_and_load_round_trip_keeps_other_wins(tmp_path: Path) -> None:
    first = Curation(pinned=True, sentence_nl='Een "record" week\\ met één regel', public=True)
    second = Curation(hidden=True, quote="Snel geholpen!\nTwee regels.", quote_by="een inwoner")
    save_curation(tmp_path, "t", A, first)
    path = save_curation(tmp_path, "t", B, second)
    assert path == tmp_path / "outcomes" / "t" / "wins.toml" == wins_path(tmp_path, "t")
    assert load_curation(tmp_path, "t") == {A: first, B: second}
    # a change to one win rewrites only that table's values
    save_curation(tmp_path, "t", A, replace(first, public=False))
    assert load_curation(tmp_path, "t") == {A: replace(first, public=False), B: second}
    assert not list(path.parent.glob(".wins.toml.*"))  # no temporary file left behind


def test_texts_are_trimmed_and_defaults_leave_the_file(tmp_path: Path) -> None:
    save_curation(tmp_path, "t", A, Curation(sentence_en="  Faster.  ", quote=" \n"))
    assert load_curation(tmp_path, "t")[A] == Curation(sentence_en="Faster.")
    save_curation(tmp_path, "t", A, Curation(sentence_en="   "))
    assert load_curation(tmp_path, "t") == {}


@pytest.mark.parametrize(
    ("field", "limit"), [("sentence_nl", 200), ("sentence_en", 200), ("quote", 280)]
)
def test_team_text_has_a_length_limit(tmp_path: Path, field: str, limit: int) -> None:
    save_curation(tmp_path, "t", A, Curation(**{field: "x" * limit}))  # exactly the limit: fine
    with pytest.raises(OutcomesError) as error:
        save_curation(tmp_path, "t", B, Curation(**{field: "x" * (limit + 1)}))
    message = str(error.value)
    assert f'wins."{B}".{field}: expected at most {limit} characters, got {limit + 1}' in message
    assert str(wins_path(tmp_path, "t")) in message
    assert list(load_curation(tmp_path, "t")) == [A]  # nothing written


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('[wins."a:b"]\nhidden = "yes"\n', 'wins."a:b".hidden', "true or false, got 'yes'"),
        ('[wins."a:b"]\ncolour = "red"\n', 'wins."a:b".colour', "one of the known keys"),
        ('[wins."a:b"]\nquote = 5\n', 'wins."a:b".quote', "a text, got 5"),
        ('[wins."a:b"]\nquote = "' + "q" * 281 + '"\n', 'wins."a:b".quote', "at most 280"),
        ("wins = 3\n", "wins", "tables like"),
        ("[other]\n", "other", "one of the known keys"),
    ],
)
def test_a_bad_file_is_one_clear_error(tmp_path: Path, text: str, key: str, expected: str) -> None:
    path = wins_path(tmp_path, "t")
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OutcomesError) as error:
        load_curation(tmp_path, "t")
    assert str(error.value).startswith(f"{path}: {key}: expected ")
    assert expected in str(error.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = wins_path(tmp_path, "t")
    path.parent.mkdir(parents=True)
    path.write_text("[wins\n", encoding="utf-8")
    with pytest.raises(OutcomesError, match=r"wins\.toml: not valid TOML"):
        load_curation(tmp_path, "t")


def test_curated_hides_pins_first_and_keeps_order() -> None:
    wins = [win(A), win(B), win(C)]  # newest first, as detected
    choices = {C: Curation(pinned=True), A: Curation(hidden=True)}
    shown = curated(wins, choices)
    assert [w.id for w in shown] == [C, B]  # pinned C first, hidden A left out
    everything = curated(wins, choices, include_hidden=True)
    assert [w.id for w in everything] == [C, A, B]
    assert everything[1].curation.hidden


def test_a_curation_without_its_win_is_never_shown(tmp_path: Path) -> None:
    # The evidence no longer supports win B: its choices stay in the file but nothing shows it.
    save_curation(tmp_path, "t", B, Curation(pinned=True, public=True))
    choices = load_curation(tmp_path, "t")
    shown = curated([win(A)], choices, include_hidden=True)
    assert [w.id for w in shown] == [A]
    assert public(shown) == []
    assert B in load_curation(tmp_path, "t")


def test_public_needs_public_and_not_hidden() -> None:
    wins = [win(A), win(B), win(C)]
    choices = {A: Curation(public=True), B: Curation(public=True, hidden=True), C: Curation()}
    assert [w.id for w in public(curated(wins, choices, include_hidden=True))] == [A]


def test_sentence_is_the_teams_wording_per_language() -> None:
    (item,) = curated([win(A, "Record")], {A: Curation(sentence_nl="Eigen zin.")})
    assert item.sentence("nl") == "Eigen zin." and item.reworded("nl")
    assert item.sentence("en") == "Record (en)" and not item.reworded("en")


def test_update_changes_only_the_named_choices(tmp_path: Path) -> None:
    save_curation(tmp_path, "t", A, Curation(sentence_nl="Eigen zin.", public=True))
    saved = update_curation(tmp_path, "t", A, pinned=True)
    assert saved == Curation(sentence_nl="Eigen zin.", public=True, pinned=True)
    assert load_curation(tmp_path, "t")[A] == saved
    assert update_curation(tmp_path, "t", B, quote="  Top!  ") == Curation(quote="Top!")
    with pytest.raises(OutcomesError, match="at most 280 characters, got 281"):
        update_curation(tmp_path, "t", B, quote="q" * 281)
    assert load_curation(tmp_path, "t")[B] == Curation(quote="Top!")
    with pytest.raises(TypeError, match="colour"):
        update_curation(tmp_path, "t", A, colour="red")
