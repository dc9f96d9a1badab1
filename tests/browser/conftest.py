"""Real-browser tests: `streamlit run dashboard.py` plus Debian's headless Chromium.

Playwright drives /usr/bin/chromium; it never downloads a browser of its own. Without that
binary the tests skip on a developer's machine and fail in CI (CI must not pass by skipping).
Screenshots and the server log land in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
APP = "dashboard.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # No calls home: the machines reach only the package registries.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_TIMEOUT_S = 60
APP_TIMEOUT_MS = 90_000  # the first run builds the demo warehouse


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Mark everything under tests/browser/, so `-m "not browser"` skips the lot.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def _log_tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and anything it started (its own process group), politely first."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_streamlit(
    app: str, log_path: Path, config: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `streamlit run APP` on a free loopback port, on `config` (default: the committed
    demo config); return the process and base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "KOERS_CONFIG"}
    if config is not None:
        env["KOERS_CONFIG"] = str(config)
    env["PYTHONUNBUFFERED"] = "1"
    command = [
        sys.executable, "-m", "streamlit", "run", app,
        "--server.port", str(port),
        "--server.address", "127.0.0.1",  # loopback only
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can end all of it
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_TIMEOUT_S
    while not _healthy(f"{base_url}/_stcore/health"):
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{_log_tail(log_path)}")
        if time.monotonic() > deadline:
            _stop(process)
            pytest.fail(f"streamlit not healthy after {SERVER_TIMEOUT_S} s:\n{_log_tail(log_path)}")
        time.sleep(0.25)
    return process, base_url


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Base URL of `streamlit run dashboard.py`, started once for the whole session."""
    process, base_url = start_streamlit(APP, ARTIFACTS / "streamlit.log")
    try:
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, shared by the session (each test gets its own context)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: apt-get install chromium")
        pytest.skip("Debian chromium not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium: Browser) -> Iterator[Page]:
    """A fresh page (own cookies and storage) at 1400×1000, browser language nl-NL."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def wait_for_app(page: Page, timeout_ms: int = APP_TIMEOUT_MS) -> None:
    """Wait until the app is on screen and its script run has finished."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    # Finished means: connected, the script run state is "notRunning" (or a compile error, so
    # the test can look at it), no "Running…" status widget, and still so half a second later,
    # because a fresh page has not started its first run yet and st.rerun() starts another.
    page.evaluate("delete window.__koersIdleSince")
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const connection = app?.getAttribute('data-test-connection-state');
            const state = app?.getAttribute('data-test-script-state');
            const idle = !!app
                && !document.querySelector('[data-testid="stStatusWidget"]')
                && (connection == null || connection === 'CONNECTED')
                && (state == null || state === 'notRunning' || state === 'compilationError');
            if (!idle) {
                window.__koersIdleSince = undefined;
                return false;
            }
            window.__koersIdleSince ??= performance.now();
            return performance.now() - window.__koersIdleSince >= 500;
        }""",
        timeout=timeout_ms,
        polling=100,
    )


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/NAME.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
