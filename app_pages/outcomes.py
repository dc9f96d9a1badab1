"""Uitkomsten / Outcomes: what the team wants to change for citizens (METRICS.md section 4).

One card per indicator, its chart with the baseline, the line to the target and the delivery
dates of linked epics, the hypotheses board, a table editor for measurements, a CSV upload
that runs the same import as `python -m koers import-measurements`, and a form to add, change or
delete indicators (`ui.outcome_indicator_form`; a team without any starts there).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from connectors.files import ImportResult, import_measurements
from errors import KoersError
from i18n import t
from i18n.formats import fmt_date
from outcomes.store import (
    HYPOTHESIS_STATUSES,
    OutcomesError,
    save_measurements,
    set_hypothesis_status,
)
from ui import charts_outcomes, outcome_cards, outcome_indicator_form
from ui.app import page_view
from ui.outcome_indicator_form import plain


def import_upload(
    data_dir: Path, team: str, indicator: str, name: str, data: bytes
) -> ImportResult:
    """The CLI's CSV import (`connectors.files`) for uploaded bytes: all rows or none.

    Raises `KoersError` with the import's message, naming the upload instead of the temporary copy.
    """
    shown = Path(name).name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="koers-upload-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            return import_measurements(data_dir, team, indicator, path)
        except KoersError as exc:
            raise KoersError(str(exc).replace(str(path), shown)) from None


def import_problems(message: str) -> str:
    """An import's error as Markdown that shows as plain text: the rows it lists as bullets."""
    parts = []
    for line in message.splitlines():
        if line[:1].isspace():
            parts.append(f"- {plain(line.strip())}")
        elif line.strip():
            parts.append(f"\n{plain(line)}\n")
    return "\n".join(parts)


view = page_view()
lang = view.lang
st.title(t("outcomes.title", lang))

try:
    outcomes = outcome_cards.load(view)
except OutcomesError as exc:
    st.error(t("outcomes.file_error", lang, error=str(exc)), icon=":material/error:")
    st.stop()

if not outcomes.indicators:  # the empty state leads to the form for a first indicator
    st.info(t("outcomes.empty_what", lang))
    st.info(t("outcomes.empty_how", lang))
    st.header(t("outcomes.manage_heading_first", lang))
    outcome_indicator_form.render(view, outcomes.indicators, outcomes.hypotheses)
    st.stop()

for flash in ("_outcomes_flash_status", "_outcomes_flash_saved"):
    if message := st.session_state.pop(flash, None):
        st.success(message, icon=":material/check:")

st.write(t("outcomes.intro", lang, team=view.team.name, date=fmt_date(view.as_of, lang)))
outcome_cards.render(outcomes, lang)

# -- charts ---------------------------------------------------------------------------------------

links = outcome_cards.epic_deliveries(view, outcomes)
st.header(t("outcomes.charts_heading", lang))
for key, indicator in outcomes.indicators.items():
    measurements = outcomes.measurements[key]
    st.subheader(indicator.name(lang))
    if not measurements:
        st.info(t("outcomes.no_measurements", lang))
        continue
    mine = links[(links["indicator"] == key) & links["done_at"].notna()]
    epics = mine[["epic", "done_at"]].drop_duplicates()
    facts = outcomes.facts[key]
    unit = outcome_cards.unit_text(indicator.unit, lang)
    alt_text = t(
        "outcomes.chart_alt",
        lang,
        name=indicator.name(lang),
        n=len(measurements),
        first=fmt_date(measurements[0].date, lang),
        baseline=outcome_cards.value_text(indicator.baseline.value, indicator, lang),
        current=outcome_cards.value_text(
            None if facts.current is None else facts.current.value, indicator, lang
        ),
        current_date=fmt_date(None if facts.current is None else facts.current.date, lang),
    )
    if indicator.target is not None:
        alt_text += " " + t(
            "outcomes.chart_alt_target",
            lang,
            target=outcome_cards.value_text(indicator.target.value, indicator, lang),
            date=fmt_date(indicator.target.date, lang),
        )
    for epic, done_at in epics.itertuples(index=False):
        alt_text += " " + t(
            "outcomes.chart_alt_epic", lang, epic=epic, date=fmt_date(done_at, lang)
        )
    st.altair_chart(
        charts_outcomes.indicator_chart(indicator, measurements, epics, lang, unit),
        alt=alt_text,
    )

# -- hypotheses -----------------------------------------------------------------------------------

st.header(t("outcomes.hypotheses_heading", lang))
st.caption(t("outcomes.hypotheses_help", lang))
if not outcomes.hypotheses:
    st.info(t("outcomes.no_hypotheses", lang))
else:
    source = view.cfg.sources[view.team.jira.source] if view.team.jira else None
    for column, status in zip(st.columns(3), HYPOTHESIS_STATUSES, strict=True):
        column.subheader(t(f"outcomes.status_{status}", lang))
        shown = [h for h in outcomes.hypotheses.values() if h.status == status]
        if not shown:
            column.caption(t("outcomes.status_none", lang))
        for h in shown:
            indicator = outcomes.indicators[h.indicator]
            with column.container(border=True):
                st.text(h.statement(lang))
                st.caption(
                    t(
                        "outcomes.hypothesis_line",
                        lang,
                        indicator=indicator.name(lang),
                        change=outcome_cards.delta_text(h.expected_change, indicator, lang),
                        date=fmt_date(h.by, lang),
                    )
                )
                if source is not None:
                    st.link_button(
                        t("outcomes.epic_link", lang, epic=h.epic),
                        f"{source.url.rstrip('/')}/browse/{h.epic}",
                        icon=":material/open_in_new:",
                    )
                choice = st.selectbox(
                    t("outcomes.status_label", lang),
                    HYPOTHESIS_STATUSES,
                    index=HYPOTHESIS_STATUSES.index(h.status),
                    format_func=lambda s: t(f"outcomes.status_{s}", lang),
                    key=f"hypothesis_status_{h.key}",
                )
                if st.button(t("outcomes.status_save", lang), key=f"hypothesis_save_{h.key}"):
                    if choice != h.status:
                        set_hypothesis_status(
                            view.cfg.data_dir, view.team.key, h.key, choice, on=view.today
                        )
                    st.session_state["_outcomes_flash_status"] = t(
                        "outcomes.status_saved",
                        lang,
                        epic=h.epic,
                        status=t(f"outcomes.status_{choice}", lang),
                    )
                    st.rerun()

# -- measurement editor ---------------------------------------------------------------------------

st.header(t("outcomes.editor_heading", lang))
st.caption(t("outcomes.editor_help", lang))
selected = st.selectbox(
    t("outcomes.editor_indicator", lang),
    list(outcomes.indicators),
    format_func=lambda k: outcomes.indicators[k].name(lang),
    key="outcomes_editor_indicator",
)
version = st.session_state.setdefault("_outcomes_editor_version", 0)
# explicit types: an indicator without measurements yet still gets a date and a number column
rows = pd.DataFrame(
    {
        "date": pd.Series([m.date for m in outcomes.measurements[selected]], dtype="object"),
        "value": pd.Series([m.value for m in outcomes.measurements[selected]], dtype="float64"),
        "note": pd.Series([m.note for m in outcomes.measurements[selected]], dtype="object"),
    }
)
edited = st.data_editor(
    rows,
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    column_config={
        "date": st.column_config.DateColumn(
            t("outcomes.col_date", lang), format="DD-MM-YYYY", required=True
        ),
        "value": st.column_config.NumberColumn(
            t(
                "outcomes.col_value",
                lang,
                unit=outcome_cards.unit_text(outcomes.indicators[selected].unit, lang),
            ),
            required=True,
        ),
        "note": st.column_config.TextColumn(t("outcomes.col_note", lang)),
    },
    key=f"outcomes_editor_{selected}_{version}",
)
if st.button(t("outcomes.editor_save", lang), key="outcomes_editor_save", type="primary"):
    measurements, problems = outcome_cards.validate_rows(edited, lang)
    if problems:
        st.error(
            t("outcomes.editor_invalid", lang) + "\n\n" + "\n".join(f"- {p}" for p in problems)
        )
    else:
        save_measurements(view.cfg.data_dir, view.team.key, selected, measurements)
        st.session_state["_outcomes_editor_version"] = version + 1
        st.session_state["_outcomes_flash_saved"] = t(
            "outcomes.editor_saved",
            lang,
            n=len(measurements),
            indicator=outcomes.indicators[selected].name(lang),
        )
        st.rerun()

st.subheader(t("outcomes.upload_heading", lang))
indicator_name = outcomes.indicators[selected].name(lang)
upload = st.file_uploader(
    t("outcomes.upload_label", lang, indicator=indicator_name),
    type=["csv"],
    help=t("outcomes.upload_help", lang),
    key=f"outcomes_upload_{selected}_{version}",
)
if message := st.session_state.pop("_outcomes_flash_imported", None):
    st.success(message, icon=":material/check:")
if upload is not None:
    try:
        result = import_upload(
            view.cfg.data_dir, view.team.key, selected, upload.name, upload.getvalue()
        )
    except KoersError as exc:
        st.error(
            t("outcomes.upload_failed", lang, file=plain(Path(upload.name).name))
            + "\n\n"
            + import_problems(str(exc)),
            icon=":material/error:",
        )
    else:
        count = (
            t("outcomes.upload_count_one", lang)
            if result.imported == 1
            else t("outcomes.upload_count", lang, n=result.imported)
        )
        replaced = ", ".join(fmt_date(d, lang) for d in result.merge.replaced)
        st.session_state["_outcomes_editor_version"] = version + 1  # fresh editor and uploader
        st.session_state["_outcomes_flash_imported"] = (
            t("outcomes.upload_done_replaced", lang, count=count, dates=replaced)
            if replaced
            else t("outcomes.upload_done", lang, count=count)
        )
        st.rerun()

# -- indicators -----------------------------------------------------------------------------------

st.header(t("outcomes.manage_heading", lang))
st.caption(t("outcomes.manage_help", lang))
outcome_indicator_form.render(view, outcomes.indicators, outcomes.hypotheses)
