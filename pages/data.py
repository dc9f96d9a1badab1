"""Placeholder while this page is being built (issue 3)."""

import streamlit as st

from i18n import t
from ui.app import page_view

view = page_view()
st.title(t("nav.data", view.lang))
