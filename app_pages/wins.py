"""Successen / Wins: the team's small successes that the data supports (METRICS.md section 5).

Each win shows its big figure, its sentence, the evidence and its chart. The team curates them
here: pin, make public, reword, quote, hide (and bring back). Every choice is saved at once in
the team's `wins.toml` (`outcomes.curation`). The publish button makes the public report
(`publish.render`) and offers it as one zip. Team text is shown escaped, never as HTML.
"""

from __future__ import annotations

import streamlit as st

import publish
from errors import KoersError
from i18n import t
from i18n.formats import fmt_date, fmt_int
from metrics.wins import RULES
from outcomes.curation import MAX_CHARS, CuratedWin, public, update_curation
from outcomes.store import OutcomesError
from store import warehouse
from ui import wins_view
from ui.app import connection, page_view
from ui.charts_wins import evidence_alt
from ui.wins_view import plain

view = page_view()
lang = view.lang
st.title(t("wins.title", lang))


def key(kind: str, win_id: str) -> str:
    """A widget's key: stable per win (the id survives syncs), so tests and reruns find it."""
    return f"win_{kind}_{win_id}"


def flash(where: str, kind: str, message: str) -> None:
    """A message for the next run: on a win's card (`where` is its id) or at the top."""
    st.session_state[f"_wins_flash_{where}"] = (kind, message)


def save(win_id: str, message: str, where: str | None = None, **changes: object) -> None:
    """Save some of one win's choices at once, and say so (or say why not) on the next run."""
    try:
        update_curation(view.cfg.data_dir, view.team.key, win_id, **changes)
    except OutcomesError as exc:
        flash(where or win_id, "error", t("wins.save_failed", lang, error=str(exc)))
    else:
        flash(where or win_id, "success", message)


def on_toggle(win_id: str, field: str, on: str, off: str) -> None:
    value = bool(st.session_state[key(field, win_id)])
    save(win_id, t(on if value else off, lang), **{field: value})


def on_hide(win_id: str, hidden: bool, sentence: str) -> None:
    # The card leaves (or comes back elsewhere in the list): say it at the top and in a toast.
    message = (
        t("wins.saved_hidden", lang) if hidden else t("wins.saved_shown", lang, sentence=sentence)
    )
    save(win_id, message, where="page", hidden=hidden)


def on_text(win_id: str) -> None:
    texts = {f: st.session_state[key(f, win_id)] or "" for f in MAX_CHARS}
    save(win_id, t("wins.saved_text", lang), **texts)


def show_flash(where: str, toast: bool = False) -> None:
    if found := st.session_state.pop(f"_wins_flash_{where}", None):
        kind, message = found
        if kind == "error":
            st.error(plain(message), icon=":material/error:")
            return
        st.success(plain(message), icon=":material/check:")
        if toast:
            st.toast(plain(message), icon=":material/check:")


def card(item: CuratedWin, number: int) -> None:
    win, choice = item.win, item.curation
    with st.container(border=True):
        show_flash(win.id)
        left, right = st.columns([1, 3], vertical_alignment="top")
        with left, st.container(key=f"wins_figure_{number}"):
            st.metric(t(f"wins.rule_{win.rule}", lang), win.figure(lang))
            if choice.pinned:
                st.badge(t("wins.pinned", lang), icon=":material/keep:", color="blue")
            if choice.public:
                st.badge(t("wins.public_badge", lang), icon=":material/public:", color="green")
            st.link_button(
                t("wins.present_link", lang),
                wins_view.present_url(view, win.id),
                help=t("wins.present_help", lang),
                icon=":material/slideshow:",
            )
        with right:
            st.subheader(plain(item.sentence(lang)), anchor=False)
            if item.reworded(lang):
                st.caption(plain(t("wins.own_words", lang, detected=win.title(lang))))
            if choice.quote:
                st.markdown("> " + plain(t("wins.quote_shown", lang, quote=choice.quote)))
                if choice.quote_by:
                    st.caption(plain(t("wins.quote_by_shown", lang, by=choice.quote_by)))
            lines = wins_view.evidence_lines(win, lang)
            st.markdown("\n".join(f"- {plain(line)}" for line in lines))
        if win.series:
            st.vega_lite_chart(
                spec=wins_view.chart_spec(win, lang, height=240),
                alt=evidence_alt(win, lang),
                key=key("chart", win.id),
            )
        else:
            st.caption(t("wins.no_chart", lang))
        controls(item)


def controls(item: CuratedWin) -> None:
    win, choice = item.win, item.curation
    with st.expander(t("wins.controls", lang), icon=":material/edit:"):
        pin, make_public, hide = st.columns(3, vertical_alignment="center")
        pin.toggle(
            t("wins.pin", lang),
            value=choice.pinned,
            help=t("wins.pin_help", lang),
            key=key("pinned", win.id),
            on_change=on_toggle,
            args=(win.id, "pinned", "wins.saved_pinned", "wins.saved_unpinned"),
        )
        make_public.toggle(
            t("wins.public", lang),
            value=choice.public,
            help=t("wins.public_help", lang),
            key=key("public", win.id),
            on_change=on_toggle,
            args=(win.id, "public", "wins.saved_public", "wins.saved_private"),
        )
        hide.button(
            t("wins.hide", lang),
            help=t("wins.hide_help", lang),
            icon=":material/visibility_off:",
            key=key("hide", win.id),
            on_click=on_hide,
            args=(win.id, True, item.sentence(lang)),
        )
        with st.form(key("text", win.id), border=False):
            for field, label, help_key in (
                ("sentence_nl", "wins.sentence_nl", "wins.sentence_help"),
                ("sentence_en", "wins.sentence_en", "wins.sentence_help"),
                ("quote", "wins.quote", "wins.quote_help"),
            ):
                st.text_area(
                    t(label, lang),
                    value=getattr(choice, field),
                    max_chars=MAX_CHARS[field],
                    height=68,
                    placeholder=win.title(field[-2:]) if field.startswith("sentence") else "",
                    help=t(help_key, lang, max=MAX_CHARS[field]),
                    key=key(field, win.id),
                )
            st.text_input(
                t("wins.quote_by", lang),
                value=choice.quote_by,
                max_chars=MAX_CHARS["quote_by"],
                placeholder=t("wins.quote_by_placeholder", lang),
                help=t("wins.quote_by_help", lang),
                key=key("quote_by", win.id),
            )
            st.form_submit_button(
                t("wins.save_text", lang),
                type="primary",
                key=key("save", win.id),
                on_click=on_text,
                args=(win.id,),
            )


try:
    items = wins_view.all_wins(view)
except OutcomesError as exc:
    st.error(plain(t("wins.file_error", lang, error=str(exc))), icon=":material/error:")
    st.stop()

st.write(plain(t("wins.intro", lang, team=view.team.name, date=fmt_date(view.today, lang))))
st.caption(t("wins.period_note", lang))
# No wins yet: what Koers looks for is the useful answer, so show it open.
with st.expander(t("wins.how_heading", lang), icon=":material/help:", expanded=not items):
    st.markdown(t("wins.how_intro", lang))
    st.markdown(
        "\n".join(f"- **{t(f'wins.rule_{r}', lang)}**: {t(f'wins.how_{r}', lang)}" for r in RULES)
    )
    st.caption(t("wins.baseline_note", lang))

show_flash("page", toast=True)

shown = [item for item in items if not item.curation.hidden]
hidden = [item for item in items if item.curation.hidden]
if not items:
    st.info(plain(t("wins.empty", lang, team=view.team.name)), icon=":material/search:")
    st.info(t("wins.empty_next", lang))
elif not shown:
    st.info(t("wins.all_hidden", lang))
else:
    st.caption(
        t("wins.count_one", lang) if len(shown) == 1 else t("wins.count", lang, n=len(shown))
    )
for number, item in enumerate(shown):
    card(item, number)

if hidden:
    with st.expander(
        t("wins.hidden_heading", lang, n=len(hidden)), icon=":material/visibility_off:"
    ):
        for item in hidden:
            text, button = st.columns([4, 1], vertical_alignment="center")
            text.text(f"{item.win.figure(lang)} · {item.sentence(lang)}")
            button.button(
                t("wins.unhide", lang),
                key=key("unhide", item.win.id),
                icon=":material/visibility:",
                on_click=on_hide,
                args=(item.win.id, False, item.sentence(lang)),
            )

# -- publish -------------------------------------------------------------------------------------

st.header(t("wins.publish_heading", lang), anchor=False)
st.write(t("wins.publish_intro", lang))
chosen = public(items)
if not chosen:
    st.button(t("wins.publish_make", lang), key="wins_publish", disabled=True)
    st.caption(t("wins.publish_none", lang))
    st.stop()
st.caption(
    t("wins.publish_count_one", lang)
    if len(chosen) == 1
    else t("wins.publish_count", lang, n=fmt_int(len(chosen), lang))
)
# A report belongs to exactly this choice of wins and words: a later change needs a new one.
signature = (view.team.key, lang, view.as_of, tuple((w.win.id, w.curation) for w in chosen))
if st.button(t("wins.publish_make", lang), key="wins_publish", type="primary"):
    cursor = warehouse.cursor(connection(*view.db))
    try:
        with st.spinner(t("wins.publish_make", lang)):
            files = publish.render(cursor, view.cfg, view.team.key, view.as_of, lang)
    except KoersError as exc:
        st.error(plain(t("wins.publish_failed", lang, error=str(exc))), icon=":material/error:")
    else:
        st.session_state["_wins_report"] = (signature, wins_view.zip_files(files), len(files))
    finally:
        cursor.close()
report = st.session_state.get("_wins_report")
if report and report[0] == signature:
    _, data, count = report
    st.success(t("wins.publish_ready", lang, n=fmt_int(count, lang)), icon=":material/check:")
    st.download_button(
        t("wins.publish_download", lang),
        data,
        file_name=f"koers-{view.team.key}-{view.today.isoformat()}.zip",
        mime="application/zip",
        icon=":material/download:",
        key="wins_download",
        on_click="ignore",
    )
