"""Koers dashboard: `streamlit run dashboard.py`. A thin frame: page setup and navigation.

Without a koers.toml it opens on the built-in demo, building the demo warehouse on first use.
Each page draws the sidebar (team, period, language) itself, through `ui.app.page_view()`.
"""

from __future__ import annotations

import streamlit as st

from errors import KoersError
from i18n import t
from ui import app

st.set_page_config(page_title="Koers", page_icon=":material/explore:", layout="wide")

try:
    lang = app.chosen_language(app.load_config())
except KoersError:
    lang = app.chosen_language(None)  # the page shows the error itself

st.navigation([
    st.Page(path, title=t(f"nav.{name}", lang), icon=icon, url_path=url, default=not url)
    for path, name, icon, url in app.PAGES
]).run()  # fmt: skip
