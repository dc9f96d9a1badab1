"""Presenteren / Present: one win per screen for a show & tell on a projector.

A very big figure, the team's sentence, the evidence chart, the quote if any, and previous/next.
The win is in the URL (`?team=…&lang=…&win=<id>`), so every screen has its own link. Hidden wins
are not presented. Sizes and colours for the projector are in `ui/style.css` (`present_*`).
"""

from __future__ import annotations

import streamlit as st

from i18n import t
from outcomes.store import OutcomesError
from ui import wins_view
from ui.app import page_view
from ui.charts_wins import evidence_alt
from ui.wins_view import plain

view = page_view()
lang = view.lang
with st.container(key="present_head"):
    st.title(t("present.title", lang))

try:
    items = [item for item in wins_view.all_wins(view) if not item.curation.hidden]
except OutcomesError as exc:
    st.error(plain(t("present.file_error", lang, error=str(exc))), icon=":material/error:")
    st.stop()

# A win id from another team (the sidebar switched teams) is not an error; an unknown or hidden
# win in a link for this team is worth a word.
last_team = st.session_state.get("_present_team")
st.session_state["_present_team"] = view.team.key

if not items:
    st.query_params.pop("win", None)
    st.info(plain(t("present.empty", lang, team=view.team.name)), icon=":material/info:")
    st.stop()

ids = [item.win.id for item in items]
wanted = st.query_params.get("win")
if wanted not in ids:
    if wanted and last_team in (None, view.team.key):
        st.info(t("present.unknown", lang), icon=":material/info:")
    wanted = ids[0]
st.query_params["win"] = wanted
index = ids.index(wanted)
item = items[index]
win = item.win


def go(win_id: str) -> None:
    st.query_params["win"] = win_id  # read at the top of the next run: the URL is the state


back, position, forward = st.columns([1, 2, 1], vertical_alignment="center")
back.button(
    t("present.previous", lang),
    icon=":material/arrow_back:",
    disabled=index == 0,
    on_click=go,
    args=(ids[max(index - 1, 0)],),
    key="present_previous",
    shortcut="Left",
    width="stretch",
)
with position.container(key="present_position"):
    st.text(t("present.position", lang, n=index + 1, m=len(items)))
forward.button(
    t("present.next", lang),
    icon=":material/arrow_forward:",
    icon_position="right",
    disabled=index == len(items) - 1,
    on_click=go,
    args=(ids[min(index + 1, len(ids) - 1)],),
    key="present_next",
    shortcut="Right",
    width="stretch",
)

words, chart = st.columns([2, 3], gap="large")
with words:
    # The figure as big as its length allows: "−66 %" fills the column, "39 weken op rij" wraps
    # onto two lines instead of pushing the sentence off the screen.
    figure = win.figure(lang)
    size = "xl" if len(figure) <= 7 else "l" if len(figure) <= 12 else "m"
    with st.container(key=f"present_figure_{size}"):
        st.text(figure)
    with st.container(key="present_sentence"):
        st.text(item.sentence(lang))
    if item.curation.quote:
        with st.container(key="present_quote"):
            st.text(t("present.quote", lang, quote=item.curation.quote))
            if item.curation.quote_by:
                st.text(t("present.quote_by", lang, by=item.curation.quote_by))
with chart:
    if win.series:
        st.vega_lite_chart(
            spec=wins_view.chart_spec(win, lang, height=400, large=True),
            alt=evidence_alt(win, lang),
        )
    else:
        st.caption(t("wins.no_chart", lang))
st.caption(t("present.keys", lang))
