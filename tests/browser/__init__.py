"""Real headless-Chromium tests of the running dashboard.

Fixtures `streamlit_server` and `browser_page` come from conftest.py; import the helpers with
`from .conftest import save_screenshot, wait_for_app`.
"""
