"""Voorspelling / Forecast: Monte Carlo "how many by a date" and "when will N items be done"
(METRICS.md section 6), for pilot teams and product owners."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from i18n import t
from i18n.formats import fmt_date, fmt_int, fmt_number, fmt_pct
from metrics import forecast
from ui import charts_forecast, data
from ui.app import page_view

DEFAULT_WEEKS_AHEAD = 4
DEFAULT_ITEMS = 20
MAX_ITEMS = 1000
MAX_DAYS_AHEAD = 2 * 365
QUOTED = 85  # the likelihood in the sentence people say out loud

view = page_view()
lang = view.lang
st.title(t("forecast.title", lang))

if view.team.jira is None:
    st.info(t("app.no_jira", lang))
    st.stop()


def pct(likelihood: int) -> str:
    return fmt_pct(likelihood / 100, lang)


def spoken_date(day: date) -> str:
    """A date as people say it: "14 januari 2027"."""
    return f"{day.day} {t(f'forecast.month_{day.month}', lang)} {day.year}"


def items_text(n: int) -> str:
    return t(
        "forecast.n_items_one" if n == 1 else "forecast.n_items_many", lang, n=fmt_int(n, lang)
    )


history = data.call(view, forecast.history)
st.caption(t("forecast.how_it_works", lang))
st.caption(t("forecast.limits", lang))

if history.items == 0:
    st.info(
        t(
            "forecast.empty",
            lang,
            first=fmt_date(history.first_day, lang),
            last=fmt_date(history.last_day, lang),
        )
    )
    st.stop()

st.write(
    t(
        "forecast.history",
        lang,
        items=fmt_int(history.items, lang),
        first=fmt_date(history.first_day, lang),
        last=fmt_date(history.last_day, lang),
        per_week=fmt_number(history.per_week, lang),
    )
)

today = data.call(view, forecast.today)
date_format = "DD-MM-YYYY" if lang == "nl" else "DD/MM/YYYY"
how_many_tab, when_tab = st.tabs([t("forecast.tab_how_many", lang), t("forecast.tab_when", lang)])

with how_many_tab:
    until = st.date_input(
        t("forecast.until", lang),
        value=today + timedelta(weeks=DEFAULT_WEEKS_AHEAD),
        min_value=today + timedelta(days=1),
        max_value=today + timedelta(days=MAX_DAYS_AHEAD),
        format=date_format,
        help=t("forecast.until_help", lang),
        key="until",
        bind="query-params",
    )
    result = data.call(view, forecast.forecast_how_many, until)
    quoted = result.items[QUOTED]
    if quoted == 0:
        key = "forecast.how_many_sentence_zero"
    else:
        key = "forecast.how_many_sentence_one" if quoted == 1 else "forecast.how_many_sentence"
    with st.container(border=True):
        st.markdown(
            "**"
            + t(key, lang, pct=pct(QUOTED), date=spoken_date(until), what=items_text(quoted))
            + "**"
        )
    left, right = st.columns([1, 2])
    with left:
        st.dataframe(
            pd.DataFrame(
                {
                    t("forecast.likelihood", lang): [pct(q) for q in result.items],
                    t("forecast.at_least", lang): [fmt_int(n, lang) for n in result.items.values()],
                }
            ),
            hide_index=True,
        )
        st.caption(t("forecast.table_help", lang))
    with right:
        st.altair_chart(
            charts_forecast.how_many_histogram(result.distribution, result.items, until, lang),
            alt=t(
                "forecast.how_many_alt",
                lang,
                date=fmt_date(until, lang),
                p50=fmt_int(result.items[50], lang),
                p85=fmt_int(result.items[85], lang),
                p95=fmt_int(result.items[95], lang),
            ),
        )

with when_tab:
    n_items = int(
        st.number_input(
            t("forecast.items_input", lang),
            min_value=1,
            max_value=MAX_ITEMS,
            value=DEFAULT_ITEMS,
            step=1,
            help=t("forecast.items_input_help", lang),
            key="items",
            bind="query-params",
        )
    )
    result = data.call(view, forecast.forecast_when, n_items)
    what = items_text(n_items)

    def date_text(day: date | None) -> str:
        return (
            fmt_date(day, lang)
            if day
            else t("forecast.later_than", lang, date=fmt_date(result.latest, lang))
        )

    quoted_date = result.dates[QUOTED]
    with st.container(border=True):
        if quoted_date is None:
            sentence = t(
                "forecast.when_too_far",
                lang,
                pct=pct(QUOTED),
                what=what,
                date=spoken_date(result.latest),
            )
        else:
            key = "forecast.when_sentence_one" if n_items == 1 else "forecast.when_sentence"
            sentence = t(key, lang, pct=pct(QUOTED), what=what, date=spoken_date(quoted_date))
        st.markdown(f"**{sentence}**")
    left, right = st.columns([1, 2])
    with left:
        st.dataframe(
            pd.DataFrame(
                {
                    t("forecast.likelihood", lang): [pct(q) for q in result.dates],
                    t("forecast.on_or_before", lang): [date_text(d) for d in result.dates.values()],
                    t("forecast.days_ahead", lang): [
                        fmt_int(d, lang) for d in result.days.values()
                    ],
                }
            ),
            hide_index=True,
        )
        st.caption(t("forecast.table_help", lang))
    with right:
        if not result.distribution.empty:
            st.altair_chart(
                charts_forecast.when_cumulative(result.distribution, result.dates, what, lang),
                alt=t(
                    "forecast.when_alt",
                    lang,
                    what=what,
                    d50=date_text(result.dates[50]),
                    d85=date_text(result.dates[85]),
                    d95=date_text(result.dates[95]),
                ),
            )
