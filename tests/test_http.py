"""`connectors.http`: the one HTTP client, over real HTTP against the fake Jira on 127.0.0.1.

Timeouts on every call, retries that honour Retry-After (and the rate-limit reset headers when it
is missing) with a cap, read-only POSTs retried, a time budget, and every failure as one line
that names the source and says what to do, never showing a token.
"""

from __future__ import annotations

import base64
import logging
import socket
import threading
import time
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from connectors import http
from connectors.http import BasicAuth, BearerAuth, Budget, HttpError, get_json, post_json
from errors import KoersError
from tests.fakes.jira import FakeJira
from tests.jira_payloads import catalogue

EMAIL = "bot@gemeente.test"
TOKEN = "tok-3b1e9f-very-secret"
BASIC = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
SEARCH = "/rest/api/3/search/jql"
INFO = "/rest/api/2/serverInfo"


@pytest.fixture()
def fake() -> Iterator[FakeJira]:
    _, statuses, fields = catalogue()
    with FakeJira(
        "cloud", statuses=statuses, fields=fields, email=EMAIL, token=TOKEN, projects=["VERG"]
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(http.BACKOFF_ENV, "0.01")


def client(budget: Budget | None = None, read_posts: bool = True) -> http.Session:
    return http.session(
        BasicAuth(EMAIL, TOKEN),
        read_posts=read_posts,
        label="jira-cloud",
        token_env="KOERS_JIRA_TOKEN",
        email_env="KOERS_JIRA_EMAIL",
        budget=budget,
    )


def search(s: http.Session, fake: FakeJira) -> dict:
    return post_json(s, fake.url + SEARCH, {"jql": "project = VERG", "maxResults": 1})


def hits(fake: FakeJira, path: str) -> list[int | None]:
    return [r.status for r in fake.requests if r.path == path]


# --- timeouts and retries ----------------------------------------------------------------------


def test_every_call_has_connect_and_read_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that accepts connections and never answers: without a read timeout this hangs.
    monkeypatch.setattr(http, "READ_TIMEOUT", 0.2)
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(HttpError) as caught:
            get_json(client(), f"http://127.0.0.1:{port}/rest/api/2/serverInfo")
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()
    assert str(caught.value) == (
        f"jira-cloud: cannot reach 127.0.0.1:{port} (connected, but no answer in time); is the "
        "network down or the URL wrong?"
    )
    assert len(accepted) == 4  # the first try and 3 read retries, each cut off by the timeout


def test_retry_after_is_honoured_for_gets_and_read_only_posts(fake: FakeJira) -> None:
    s = client()
    fake.fail(INFO, 429, headers={"Retry-After": "1"})
    fake.fail(SEARCH, 503, headers={"Retry-After": "1"})
    started = time.monotonic()
    assert get_json(s, fake.url + INFO)["deploymentType"] == "Cloud"
    assert search(s, fake)["isLast"] is True
    assert time.monotonic() - started >= 2.0
    assert hits(fake, INFO) == [429, 200] and hits(fake, SEARCH) == [503, 200]


def test_a_writing_session_does_not_retry_posts(fake: FakeJira) -> None:
    fake.fail(SEARCH, 503)
    with pytest.raises(HttpError, match=r"HTTP 503"):
        search(client(read_posts=False), fake)
    assert hits(fake, SEARCH) == [503]


@pytest.mark.parametrize(
    "header",
    [
        lambda: {"RateLimit-Reset": str(int(time.time()) + 2)},  # GitLab: epoch seconds
        lambda: {  # Jira Cloud: ISO 8601
            "X-RateLimit-Reset": (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
        },
    ],
    ids=["RateLimit-Reset", "X-RateLimit-Reset"],
)
def test_reset_headers_stand_in_for_a_missing_retry_after(fake: FakeJira, header) -> None:
    fake.fail(INFO, 429, headers=header())
    started = time.monotonic()
    get_json(client(), fake.url + INFO)
    assert time.monotonic() - started >= 0.9
    assert hits(fake, INFO) == [429, 200]


def test_waits_are_capped_and_odd_headers_fall_back_to_backoff() -> None:
    retry = http.session(None).get_adapter("http://x").max_retries

    def response(**headers: str) -> SimpleNamespace:
        return SimpleNamespace(headers=headers)

    assert retry.get_retry_after(response(**{"Retry-After": "86400"})) == http.RETRY_AFTER_MAX
    far = (datetime.now(UTC) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%MZ")
    assert retry.get_retry_after(response(**{"X-RateLimit-Reset": far})) == http.RETRY_AFTER_MAX
    assert retry.get_retry_after(response(**{"Retry-After": "soon"})) is None
    assert retry.get_retry_after(response()) is None
    assert retry.backoff_jitter > 0 and retry.backoff_factor > 0
    assert "POST" in retry.allowed_methods and retry.raise_on_status is False
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}


# --- the time budget -------------------------------------------------------------------------


def test_the_budget_stops_a_sync_that_would_wait_too_long(fake: FakeJira) -> None:
    fake.fail(INFO, 429, headers={"Retry-After": "5"})
    started = time.monotonic()
    with pytest.raises(KoersError) as caught:
        get_json(client(Budget(1)), fake.url + INFO)
    assert time.monotonic() - started < 1
    assert str(caught.value) == (
        "jira-cloud: the sync ran out of its time budget of 1 s and stopped; the warehouse was "
        "left as it was. Try again later, or allow more time with KOERS_SYNC_BUDGET (seconds)"
    )


def test_every_request_checks_the_budget(fake: FakeJira) -> None:
    budget = Budget(0.3)
    s = client(budget)
    get_json(s, fake.url + INFO)
    time.sleep(0.35)
    with pytest.raises(KoersError, match="ran out of its time budget"):
        get_json(s, fake.url + INFO)
    assert len(hits(fake, INFO)) == 1


# --- one line per failure ----------------------------------------------------------------------


REMOVED = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."
CASES = {
    "401": (
        dict(status=401, body={"errorMessages": ["Client must be authenticated."]}),
        "jira-cloud: the credentials were rejected (HTTP 401: Client must be authenticated); "
        "check the token in $KOERS_JIRA_TOKEN and the e-mail address in $KOERS_JIRA_EMAIL",
    ),
    "403": (
        dict(status=403, body={"message": "Basic Authentication has been disabled."}),
        "jira-cloud: access denied to /rest/api/2/serverInfo (HTTP 403: Basic Authentication "
        "has been disabled); make sure the account behind $KOERS_JIRA_TOKEN may read this, or "
        "ask an administrator",
    ),
    "404": (
        dict(status=404, body={"errorMessages": ["No API exists at this path."]}),
        "jira-cloud: /rest/api/2/serverInfo was not found (HTTP 404: No API exists at this "
        "path); check the url in the config",
    ),
    "410": (
        dict(status=410, body={"errorMessages": [REMOVED]}),
        "jira-cloud: /rest/api/2/serverInfo has been removed from the server's API (HTTP 410: "
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API); "
        "upgrade Koers to a version that uses its successor",
    ),
    "400": (
        dict(status=400, body={"errorMessages": ["Error in the JQL Query."], "errors": {}}),
        "jira-cloud: the request to /rest/api/2/serverInfo was refused (HTTP 400: Error in the "
        "JQL Query)",
    ),
    "429": (
        dict(status=429, times=7, body={"errorMessages": ["Rate limit exceeded."]}),
        "jira-cloud: rate limited by {host} (HTTP 429: Rate limit exceeded) even after 6 "
        "retries; try again later",
    ),
    "502": (
        dict(status=502, times=7, body="Bad Gateway", content_type="text/plain"),
        "jira-cloud: the server failed on /rest/api/2/serverInfo (HTTP 502) after 6 retries; "
        "try again later, and tell its administrators if it persists",
    ),
    "html": (
        dict(status=200, body="<!DOCTYPE html><html><form>Sign in</form></html>",
             content_type="text/html"),
        "jira-cloud: got an HTML page where JSON was expected from /rest/api/2/serverInfo: a "
        "single-sign-on proxy or login page is in the way. Ask for the API to be let through "
        "for token access, or use the address the API answers on",
    ),
    "not json": (
        dict(status=200, body="ok", content_type="text/plain"),
        "jira-cloud: the answer from /rest/api/2/serverInfo is not JSON (text/plain); check the "
        "url in the config",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_each_failure_is_one_line(fake: FakeJira, case: str) -> None:
    kw, expected = dict(CASES[case][0]), CASES[case][1]
    status = kw.pop("status")
    fake.fail(INFO, status, **kw)
    with pytest.raises(HttpError) as caught:
        get_json(client(), fake.url + INFO)
    assert str(caught.value) == expected.format(host=fake.url.removeprefix("http://"))
    assert caught.value.status == status
    assert "\n" not in str(caught.value)


def test_unreachable_hosts(fake: FakeJira) -> None:
    with socket.create_server(("127.0.0.1", 0)) as spare:
        port = spare.getsockname()[1]  # closed again when the block ends: nothing listens
    with pytest.raises(HttpError) as refused:
        get_json(client(), f"http://127.0.0.1:{port}/rest/api/2/serverInfo")
    assert str(refused.value) == (
        f"jira-cloud: cannot reach 127.0.0.1:{port} (connection refused); is the network down "
        "or the URL wrong?"
    )
    with pytest.raises(HttpError) as unknown:
        get_json(client(), "http://jira.koers-does-not-exist.invalid/rest/api/2/serverInfo")
    assert str(unknown.value) == (
        "jira-cloud: cannot reach jira.koers-does-not-exist.invalid (the host name does not "
        "resolve); is the network down or the URL wrong?"
    )
    fake.down = True
    with pytest.raises(HttpError) as down:
        get_json(client(), fake.url + INFO)
    assert str(down.value) == (
        f"jira-cloud: cannot reach {fake.url.removeprefix('http://')} (the connection was "
        "closed without an answer); is the network down or the URL wrong?"
    )


# --- secrets ------------------------------------------------------------------------------------


def _everything_said(exc: BaseException) -> str:
    return "\n".join(
        [str(exc), repr(exc), repr(exc.args), *traceback.format_exception(exc, chain=True)]
    )


def test_tokens_never_appear_in_messages_exceptions_or_logs(
    fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    said = []
    for case, (kw, _) in CASES.items():
        kw = dict(kw)
        fake.fail(INFO, kw.pop("status"), **kw)
        with pytest.raises(HttpError) as caught:
            get_json(client(), fake.url + INFO)
        said.append(_everything_said(caught.value))
        assert case
    # a server that echoes the credentials back in its error text
    fake.fail(INFO, 401, body={"errorMessages": [f"Bad token {TOKEN} for Basic {BASIC}"]})
    with pytest.raises(HttpError) as echoed:
        get_json(client(), fake.url + INFO)
    assert "Bad token *** for Basic ***" in str(echoed.value)
    said.append(_everything_said(echoed.value))
    bearer = http.session(BearerAuth(TOKEN), label="jira-dc", token_env="KOERS_DC_TOKEN")
    fake.fail(INFO, 403, body={"errorMessages": [f"token {TOKEN} refused"]})
    with pytest.raises(HttpError) as refused:
        get_json(bearer, fake.url + INFO)
    said.append(_everything_said(refused.value))
    fake.down = True
    with pytest.raises(HttpError) as down:
        get_json(client(), fake.url + INFO)
    said.append(_everything_said(down.value))
    said.append(caplog.text)
    said.append(repr(client().auth) + repr(bearer.auth))
    text = "\n".join(said)
    assert "urllib3" in caplog.text  # the retries were logged …
    assert TOKEN not in text and BASIC not in text  # … and no secret anywhere
