"""The Outcomes page's indicator form: add an indicator, change one, or delete one (issue 6).

The form only collects what people type; `outcomes.store` decides what is right
(`indicator_from_form`: one `Problem` per mistake, worded here in the page's language) and writes
the file (`put_indicator` / `delete_indicator`: validated by parsing what is written, atomically,
under the team's lock). Numbers may be typed the Dutch way (`63,5`).

Widget values live in session state under `indicator_<field>`, filled from the chosen indicator
whenever the choice (or the language, or a save) changes, so a switch shows that indicator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from i18n import t
from i18n.formats import fmt_date, normalize_lang
from outcomes.store import (
    DIRECTIONS,
    SOURCE_KINDS,
    Hypothesis,
    Indicator,
    IndicatorForm,
    IndicatorInUse,
    OutcomesError,
    Problem,
    _number,
    delete_indicator,
    indicator_from_form,
    put_indicator,
)
from ui.app import View

NEW = "__new__"  # the choice "a new indicator"
FIELDS = (
    "key",
    "name_nl",
    "name_en",
    "unit",
    "direction",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "source_kind",
    "source_url",
    "token_env",
)
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
_PICK, _PENDING, _LOADED = "indicator_pick", "_indicator_pick_next", "_indicator_loaded"
_VERSION, _FLASH = "_indicator_version", "_indicator_flash"

# Every ASCII punctuation character may be backslash-escaped in Markdown; escaping them all makes
# text people typed (or a file held) show as itself in a (Markdown) message.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """Text from a person or a file made safe to put in a message: Markdown characters escaped."""
    return _PUNCTUATION.sub(r"\\\1", str(text))


def form_number(value: float, lang: str) -> str:
    """A number as the form shows it for editing: no thousands separators, a decimal comma in
    Dutch ("40,5"), as `store.parse_form_number` reads it back."""
    text = _number(value)
    if "e" in text:  # a huge or tiny value: write it out rather than in exponent form
        text = f"{value:f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if normalize_lang(lang) == "nl" else text


def prefill(indicator: Indicator | None, lang: str) -> dict[str, Any]:
    """The form's starting values: the indicator's, or an empty form for a new one."""
    if indicator is None:
        return {
            "key": "",
            "name_nl": "",
            "name_en": "",
            "unit": "",
            "direction": "up",
            "baseline_value": "",
            "baseline_date": None,
            "target_value": "",
            "target_date": None,
            "source_kind": "manual",
            "source_url": "",
            "token_env": "",
        }
    target = indicator.target
    return {
        "key": indicator.key,
        "name_nl": indicator.name_nl,
        "name_en": indicator.name_en,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline_value": form_number(indicator.baseline.value, lang),
        "baseline_date": indicator.baseline.date,
        "target_value": "" if target is None else form_number(target.value, lang),
        "target_date": None if target is None else target.date,
        "source_kind": indicator.source.kind,
        "source_url": indicator.source.url or "",
        "token_env": indicator.source.token_env or "",
    }


def problem_text(problem: Problem, lang: str) -> str:
    """ "Doel (waarde): moet hoger zijn dan …" in the page's language."""
    values: dict[str, Any] = {}
    for name, value in problem.values.items():
        if isinstance(value, date):
            values[name] = fmt_date(value, lang)
        elif isinstance(value, float):
            values[name] = form_number(value, lang)
        else:
            values[name] = plain(value)
    label = t(f"outcomes.form_{problem.part}", lang)
    return f"{label}: {t(f'outcomes.problem_{problem.code}', lang, **values)}"


def render(
    view: View, indicators: Mapping[str, Indicator], hypotheses: Mapping[str, Hypothesis]
) -> None:
    """The form section: a choice of indicator (when there are any), the form, and delete."""
    lang, state = view.lang, st.session_state
    if (pending := state.pop(_PENDING, None)) is not None:
        state[_PICK] = pending
    options = [NEW, *indicators]
    if state.get(_PICK) not in options:
        state[_PICK] = NEW
    if message := state.pop(_FLASH, None):
        st.success(message, icon=":material/check:")
    if indicators:
        selected = st.selectbox(
            t("outcomes.manage_pick", lang),
            options,
            format_func=lambda k: t("outcomes.manage_new", lang) if k == NEW else (
                indicators[k].name(lang)
            ),
            key=_PICK,
        )  # fmt: skip
    else:
        selected = NEW
    new = selected == NEW
    loaded = (view.team.key, selected, lang, state.get(_VERSION, 0))
    if state.get(_LOADED) != loaded:  # a fresh choice: show that indicator's values
        for name, value in prefill(indicators.get(selected), lang).items():
            state[f"indicator_{name}"] = value
        state[_LOADED] = loaded

    with st.form("indicator_form"):
        if new:
            st.text_input(
                t("outcomes.form_key", lang), help=t("outcomes.form_key_help", lang),
                key="indicator_key",
            )  # fmt: skip
        else:
            st.caption(t("outcomes.form_key_fixed", lang, indicator_key=selected))
        left, right = st.columns(2)
        left.text_input(t("outcomes.form_name_nl", lang), key="indicator_name_nl")
        right.text_input(t("outcomes.form_name_en", lang), key="indicator_name_en")
        left.text_input(
            t("outcomes.form_unit", lang), help=t("outcomes.form_unit_help", lang),
            key="indicator_unit",
        )  # fmt: skip
        right.radio(
            t("outcomes.form_direction", lang),
            DIRECTIONS,
            format_func=lambda d: t(f"outcomes.form_direction_{d}", lang),
            horizontal=True,
            key="indicator_direction",
        )
        date_format = "DD-MM-YYYY" if normalize_lang(lang) == "nl" else "YYYY-MM-DD"
        left.text_input(
            t("outcomes.form_baseline_value", lang), help=t("outcomes.form_number_help", lang),
            key="indicator_baseline_value",
        )  # fmt: skip
        right.date_input(
            t("outcomes.form_baseline_date", lang), min_value=EARLIEST, max_value=LATEST,
            format=date_format, key="indicator_baseline_date",
        )  # fmt: skip
        left.text_input(
            t("outcomes.form_target_value", lang), help=t("outcomes.form_target_help", lang),
            key="indicator_target_value",
        )  # fmt: skip
        right.date_input(
            t("outcomes.form_target_date", lang), min_value=EARLIEST, max_value=LATEST,
            format=date_format, help=t("outcomes.form_target_help", lang),
            key="indicator_target_date",
        )  # fmt: skip
        left.selectbox(
            t("outcomes.form_source_kind", lang),
            SOURCE_KINDS,
            format_func=lambda k: t(f"outcomes.source_{k}", lang),
            help=t("outcomes.form_source_kind_help", lang),
            key="indicator_source_kind",
        )
        right.text_input(
            t("outcomes.form_source_url", lang), help=t("outcomes.form_source_url_help", lang),
            key="indicator_source_url",
        )  # fmt: skip
        right.text_input(
            t("outcomes.form_token_env", lang), help=t("outcomes.form_token_env_help", lang),
            key="indicator_token_env",
        )  # fmt: skip
        submitted = st.form_submit_button(
            t("outcomes.form_add" if new else "outcomes.form_save", lang),
            type="primary",
            key="indicator_save",
        )
    if submitted:
        _save(view, indicators, selected, new)
    if not new:
        _delete(view, indicators[selected], hypotheses)


def _save(view: View, indicators: Mapping[str, Indicator], selected: str, new: bool) -> None:
    lang, state = view.lang, st.session_state
    values = {name: state.get(f"indicator_{name}") for name in FIELDS}
    texts = {k: "" if v is None else str(v) for k, v in values.items() if not k.endswith("_date")}
    form = IndicatorForm(
        **texts,
        baseline_date=values["baseline_date"],
        target_date=values["target_date"],
    )
    if not new:  # the key names the measurements file: it does not change
        form = replace(form, key=selected)
    indicator, problems = indicator_from_form(form, indicators, new=new)
    if problems:
        st.error(
            t("outcomes.form_invalid", lang)
            + "\n\n"
            + "\n".join(f"- {problem_text(p, lang)}" for p in problems),
            icon=":material/error:",
        )
        return
    assert indicator is not None
    try:
        put_indicator(view.cfg.data_dir, view.team.key, indicator, new=new)
    except OutcomesError as exc:
        st.error(t("outcomes.form_failed", lang, error=plain(str(exc))), icon=":material/error:")
        return
    state[_FLASH] = t(
        "outcomes.form_added" if new else "outcomes.form_saved",
        lang,
        name=plain(indicator.name(lang)),
    )
    state[_PENDING] = indicator.key
    state[_VERSION] = state.get(_VERSION, 0) + 1
    st.rerun()


def _delete(view: View, indicator: Indicator, hypotheses: Mapping[str, Hypothesis]) -> None:
    lang, state = view.lang, st.session_state
    name = indicator.name(lang)
    with st.expander(t("outcomes.delete_heading", lang, name=name), icon=":material/delete:"):
        st.caption(t("outcomes.delete_help", lang, file=f"measurements/{indicator.key}.csv"))
        if not st.button(t("outcomes.delete_button", lang, name=name), key="indicator_delete"):
            return
        try:
            kept = delete_indicator(view.cfg.data_dir, view.team.key, indicator.key)
        except IndicatorInUse as exc:
            users = "; ".join(
                t("outcomes.delete_user", lang, epic=h.epic, statement=h.statement(lang))
                for h in exc.hypotheses
            )
            st.error(
                t("outcomes.delete_refused", lang, name=plain(name), hypotheses=plain(users)),
                icon=":material/block:",
            )
            return
        except OutcomesError as exc:
            st.error(
                t("outcomes.form_failed", lang, error=plain(str(exc))), icon=":material/error:"
            )
            return
    state[_FLASH] = t("outcomes.delete_done", lang, name=plain(name), file=plain(str(Path(kept))))
    state[_PENDING] = NEW
    state[_VERSION] = state.get(_VERSION, 0) + 1
    st.rerun()
