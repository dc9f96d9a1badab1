"""Koers dashboard: `streamlit run dashboard.py`. A thin frame: config, sidebar, navigation.

Without a koers.toml it opens on the built-in demo, building the demo warehouse on first use.
"""

from __future__ import annotations

import streamlit as st

from errors import KoersError
from i18n import t
from i18n.formats import fmt_date
from ui import app

st.set_page_config(page_title="Koers", page_icon="🧭", layout="wide")
st.html(app.STYLE)

try:
    cfg = app.load_config()
    db = app.warehouse_identity(cfg)
except KoersError as exc:
    st.error(str(exc), icon="⚠️")
    st.stop()

as_of = app.dashboard_now(cfg)
team_key, lang, period = app.sidebar(cfg, as_of)
# Streamlit serves <html lang="en">; screen readers need the page's real language (WCAG 3.1.1).
# The script is fixed text: `lang` is one of two known codes, never user data.
st.html(f"<script>document.documentElement.lang = '{lang}';</script>", unsafe_allow_javascript=True)

app.set_view(app.View(cfg, cfg.team(team_key), lang, as_of, period, db))

st.sidebar.caption(t("app.tagline", lang))
if cfg.demo:
    st.info(t("app.demo_banner", lang, date=fmt_date(as_of, lang)), icon="ℹ️")

pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon="🧭", default=True),
]
st.navigation(pages).run()
