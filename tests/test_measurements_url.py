"""Measurements read from a URL during `python -m koers sync` (issue 6), over real HTTP against
the loopback statistics fake (`tests/fakes/stats.py`).

Two teams without Jira or GitLab (so the sync reads only the URLs), except where a test adds the
GitLab fake to show that a failing URL does not stop the warehouse from landing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import config
from connectors.measurements import AnswerError, from_json, parse_answer
from connectors.sync import Progress, sync
from outcomes import store
from outcomes.store import Indicator, Measurement, Point, Source
from store.warehouse import connect_read
from tests.fakes.stats import CSV_TYPE, HTML_TYPE, LOGIN_PAGE, FakeStats
from tests.test_cli import koers

TOKEN = "stats-secret-token-7c3e"
TOKEN_ENV = "KOERS_TEST_STATS_TOKEN"
ENV = {TOKEN_ENV: TOKEN, "KOERS_RETRY_BACKOFF": "0.01"}


def indicator(key: str, unit: str, direction: str, url: str | None, base: float) -> Indicator:
    source = Source("url", url, TOKEN_ENV) if url else Source("manual")
    return Indicator(key, key, key, unit, direction, Point(base, date(2026, 1, 1)), source=source)


class Site:
    """A config with the teams vergunningen (take_up from JSON, days from CSV, one manual
    indicator) and subsidies (calls from JSON), all behind the fake's token."""

    def __init__(self, tmp: Path, gitlab_url: str | None = None) -> None:
        self.fake = FakeStats(token=TOKEN).start()
        self.data = tmp
        self.config_path = tmp / "koers.toml"
        gitlab_source = gitlab_team = ""
        if gitlab_url:
            gitlab_source = (
                f'[sources.gitlab]\ntype = "gitlab"\nurl = "{gitlab_url}"\n'
                'token_env = "KOERS_TEST_GITLAB_TOKEN"\n'
            )
            gitlab_team = 'gitlab = { source = "gitlab", projects = ["gov/app"] }\n'
        self.config_path.write_text(
            f'[koers]\ndatabase = "{tmp / "koers.duckdb"}"\nlanguage = "en"\n\n{gitlab_source}\n'
            f'[teams.vergunningen]\nname = "Team Vergunningen"\n{gitlab_team}\n'
            '[teams.subsidies]\nname = "Team Subsidies"\n',
            encoding="utf-8",
        )
        url = self.fake.url
        store.save_indicators(
            tmp,
            "vergunningen",
            [
                indicator("take_up", "%", "up", f"{url}/take-up.json", 40.0),
                indicator("days", "dagen", "down", f"{url}/days.csv", 36.0),
                indicator("satisfaction", "score", "up", None, 3.2),
            ],
        )
        store.save_indicators(
            tmp, "subsidies", [indicator("calls", "calls", "down", f"{url}/calls.json", 900.0)]
        )
        # what the service answers when nothing goes wrong
        self.fake.put(
            "/take-up.json",
            [
                {"date": "2026-02-01", "value": 41.5},
                {"date": "2026-03-01", "value": 44, "note": "na livegang", "extra": True},
            ],
        )
        self.fake.put("/days.csv", "datum;waarde;toelichting\n01-02-2026;35,5;\n", CSV_TYPE)
        self.fake.put("/calls.json", {"measurements": [{"date": "01-02-2026", "value": 850}]})

    @property
    def cfg(self) -> config.Config:
        return config.load(self.config_path)

    def sync(self, team: str | None = None) -> tuple[Any, str]:
        out = io.StringIO()
        summary = sync(self.cfg, team, False, Progress(out))
        return summary, out.getvalue()

    def measurements(self, team: str, key: str) -> list[Measurement]:
        return store.load_measurements(self.data, team, key)

    def file(self, team: str, key: str) -> bytes | None:
        path = store.measurements_path(self.data, team, key)
        return path.read_bytes() if path.exists() else None


@pytest.fixture()
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Site]]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KOERS_CONFIG", raising=False)
    sites: list[Site] = []

    def make(**kw: Any) -> Site:
        folder = tmp_path / f"site{len(sites)}"
        folder.mkdir()
        sites.append(Site(folder, **kw))
        return sites[-1]

    yield make
    for site in sites:
        site.fake.stop()


@pytest.fixture()
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


# --- the accepted answers -----------------------------------------------------------------------


def test_json_and_csv_with_dutch_decimals_land_for_every_team(site: Site) -> None:
    summary, err = site.sync()
    assert not summary.failures
    assert site.measurements("vergunningen", "take_up") == [
        Measurement(date(2026, 2, 1), 41.5),
        Measurement(date(2026, 3, 1), 44.0, "na livegang"),
    ]
    # "35,5" in a ';' file is 35.5 (decimal comma), as the CSV import reads it
    assert site.measurements("vergunningen", "days") == [Measurement(date(2026, 2, 1), 35.5)]
    # the {"measurements": [...]} shape, and a dd-mm-yyyy date in JSON
    assert site.measurements("subsidies", "calls") == [Measurement(date(2026, 2, 1), 850.0)]
    assert site.file("vergunningen", "satisfaction") is None  # manual: never requested
    assert site.file("vergunningen", "take_up") == (
        b"date,value,note\n2026-02-01,41.5,\n2026-03-01,44,na livegang\n"
    )
    # one request each, with the token as Bearer, asking for JSON or CSV
    assert [r.path for r in site.fake.requests] == ["/take-up.json", "/days.csv", "/calls.json"]
    assert site.fake.auth_schemes == ["Bearer"] * 3
    assert "application/json" in site.fake.requests[0].headers["Accept"]
    assert "text/csv" in site.fake.requests[0].headers["Accept"]
    # a line per indicator on stderr, and the totals in the summary: 2 + 1 + 1 = 4 new
    assert err.splitlines() == [
        "koers: measurements · vergunningen · take_up: 2 read, 2 new, 0 unchanged",
        "koers: measurements · vergunningen · days: 1 read, 1 new, 0 unchanged",
        "koers: measurements · subsidies · calls: 1 read, 1 new, 0 unchanged",
    ]
    assert "3 indicators read from URLs (4 new measurements, 0 replaced), " in summary.line()


def test_a_new_value_for_a_date_replaces_the_old_one_and_says_so(site: Site) -> None:
    store.save_measurements(
        site.data,
        "vergunningen",
        "take_up",
        [Measurement(date(2026, 1, 1), 40.0), Measurement(date(2026, 3, 1), 43.0, "voorlopig")],
    )
    summary, err = site.sync("vergunningen")
    # 2026-02-01 is new, 2026-03-01 changes from 43 to 44 with the service's note, 01-01 stays
    assert site.measurements("vergunningen", "take_up") == [
        Measurement(date(2026, 1, 1), 40.0),
        Measurement(date(2026, 2, 1), 41.5),
        Measurement(date(2026, 3, 1), 44.0, "na livegang"),
    ]
    assert (
        "koers: measurements · vergunningen · take_up: 2 read, 1 new, 1 replaced (2026-03-01), "
        "0 unchanged"
    ) in err.splitlines()
    assert "(2 new measurements, 1 replaced)" in summary.line()  # take_up 1 + days 1 new
    # the same answer again changes nothing
    before = site.file("vergunningen", "take_up")
    summary, err = site.sync("vergunningen")
    assert "take_up: 2 read, 0 new, 2 unchanged" in err
    assert "(0 new measurements, 0 replaced)" in summary.line()
    assert site.file("vergunningen", "take_up") == before


def test_without_content_type_json_is_tried_first_then_csv(site: Site) -> None:
    site.fake.put("/take-up.json", b'[{"date": "2026-02-01", "value": 41.5}]', "text/plain")
    site.fake.put("/days.csv", "date,value\n2026-02-01,35.5\n", "application/octet-stream")
    summary, _ = site.sync("vergunningen")
    assert not summary.failures
    assert site.measurements("vergunningen", "take_up") == [Measurement(date(2026, 2, 1), 41.5)]
    assert site.measurements("vergunningen", "days") == [Measurement(date(2026, 2, 1), 35.5)]


def test_a_percentage_in_the_csv_needs_a_percentage_indicator() -> None:
    take_up = indicator("take_up", "%", "up", "https://x.test/a.csv", 40.0)
    days = indicator("days", "dagen", "down", "https://x.test/b.csv", 36.0)
    body = b"\xef\xbb\xbfdatum;waarde\r\n01-03-2026;63,5%\r\n"  # BOM, CRLF, '%'
    assert parse_answer(body, "text/csv", take_up) == [Measurement(date(2026, 3, 1), 63.5)]
    with pytest.raises(AnswerError) as error:
        parse_answer(body, "text/csv", days)
    assert str(error.value) == (
        "as CSV: 1 bad row, nothing imported:\n"
        "  line 2: '63,5%' is a percentage, but the indicator's unit is 'dagen'"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"data": []},
            'expected a list of {"date", "value", "note"} objects, or {"measurements": [that '
            "list]}, got an object with the keys data",
        ),
        (
            "63.5",
            'expected a list of {"date", "value", "note"} objects, or {"measurements": '
            "[that list]}, got a JSON str",
        ),  # fmt: skip
        (
            [],
            'the answer has no measurements; expected a list of {"date", "value", "note"} '
            'objects, or {"measurements": [that list]}',
        ),  # fmt: skip
    ],
)
def test_a_json_answer_of_another_shape_is_named(body: Any, message: str) -> None:
    with pytest.raises(AnswerError) as error:
        from_json(body)
    assert str(error.value) == message


# --- failures: that indicator untouched, the others land, exit 1 --------------------------------


def test_bad_rows_and_items_are_all_listed_and_nothing_of_that_indicator_is_written(
    site: Site,
) -> None:
    store.save_measurements(site.data, "vergunningen", "days", [Measurement(date(2026, 1, 1), 36)])
    before = site.file("vergunningen", "days")
    site.fake.put(
        "/days.csv",
        "datum;waarde\n01-02-2026;35,5\n31-02-2026;34,0\n01-04-2026;veel\n",
        CSV_TYPE,
    )
    site.fake.put(
        "/take-up.json",
        [
            {"date": "2026-02-01", "value": 41.5},
            {"date": "2026-02-30", "value": 42},
            {"date": "2026-04-01", "value": "44,5"},
            {"date": "2026-02-01", "value": 43},
            {"value": 1},
        ],
    )
    summary, err = site.sync()
    url = site.fake.url
    assert [r.error for r in summary.failures] == [
        f"vergunningen · take_up ({url}/take-up.json): 4 bad items, nothing imported:\n"
        "  item 2: '2026-02-30' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)\n"
        '  item 3: the value for 2026-04-01 is not a JSON number like 63.5: "44,5"\n'
        "  item 4: 2026-02-01 is also item 1\n"
        '  item 5: no date (expected a text like "2026-03-01"), got null',
        f"vergunningen · days ({url}/days.csv): as CSV: 2 bad rows, nothing imported:\n"
        "  line 3: '31-02-2026' is not a valid date (expected dd-mm-yyyy or yyyy-mm-dd)\n"
        "  line 4: 'veel' is not a number (expected a number like 1.234,5)",
    ]
    assert site.file("vergunningen", "take_up") is None
    assert site.file("vergunningen", "days") == before
    assert site.measurements("subsidies", "calls") == [Measurement(date(2026, 2, 1), 850.0)]
    assert f"koers: measurements · failed: vergunningen · take_up ({url}/take-up.json)" in err
    assert "2 failed" in summary.line() and "1 indicator read from URLs" in summary.line()


@pytest.mark.parametrize("case", ["html", "sniffed", "login-redirect"])
def test_an_html_login_page_is_recognised(site: Site, case: str) -> None:
    if case == "html":
        site.fake.put("/take-up.json", LOGIN_PAGE, HTML_TYPE)
    elif case == "sniffed":  # a proxy that does not even say it is HTML
        site.fake.put("/take-up.json", LOGIN_PAGE, "application/octet-stream")
    else:  # an SSO proxy sends the client to its login page, which answers 200
        site.fake.redirect("/take-up.json", "/sso/login")
        site.fake.put("/sso/login", LOGIN_PAGE, HTML_TYPE)
    summary, _ = site.sync("vergunningen")
    (failure,) = summary.failures
    assert failure.indicator == "take_up"
    assert failure.error.startswith(
        f"vergunningen · take_up ({site.fake.url}/take-up.json): got an HTML page where JSON or "
        "CSV was expected: a login page or single-sign-on proxy is in the way."
    )
    assert site.file("vergunningen", "take_up") is None
    assert site.measurements("vergunningen", "days") == [Measurement(date(2026, 2, 1), 35.5)]


def test_a_server_error_is_retried_then_reported_in_one_line(site: Site) -> None:
    site.fake.fail("/take-up.json", 500, times=100)
    summary, _ = site.sync("vergunningen")
    (failure,) = summary.failures
    # http.session retries a 500 six times: 1 + 6 requests
    assert site.fake.hits("/take-up.json") == 7
    assert failure.error == (
        f"vergunningen · take_up ({site.fake.url}/take-up.json): the server failed on "
        "/take-up.json (HTTP 500: 500 Internal Server Error) after 6 retries; try again later, "
        "and tell its administrators if it persists"
    )
    assert "\n" not in failure.error
    assert site.measurements("vergunningen", "days") == [Measurement(date(2026, 2, 1), 35.5)]


def test_a_429_with_retry_after_is_waited_for(site: Site) -> None:
    site.fake.fail("/take-up.json", 429, times=1, headers={"Retry-After": "0"})
    summary, _ = site.sync("vergunningen")
    assert not summary.failures
    assert site.fake.hits("/take-up.json") == 2  # the 429, then the answer
    assert len(site.measurements("vergunningen", "take_up")) == 2


def test_a_429_that_does_not_stop_is_reported(site: Site) -> None:
    site.fake.fail("/take-up.json", 429, times=100, headers={"Retry-After": "0"})
    summary, _ = site.sync("vergunningen")
    (failure,) = summary.failures
    assert "rate limited by 127.0.0.1" in failure.error and "try again later" in failure.error
    assert failure.error.startswith(f"vergunningen · take_up ({site.fake.url}/take-up.json): ")


def test_team_limits_the_urls_read(site: Site) -> None:
    summary, err = site.sync("subsidies")
    assert [r.path for r in site.fake.requests] == ["/calls.json"]
    assert [(r.team, r.indicator) for r in summary.measurements] == [("subsidies", "calls")]
    assert site.file("vergunningen", "take_up") is None
    assert "vergunningen" not in err


def test_a_missing_token_variable_fails_that_indicator_without_a_request(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV)
    store.save_indicators(
        site.data,
        "subsidies",
        [Indicator("calls", "c", "c", "n", "down", Point(9, date(2026, 1, 1)),
                   source=Source("url", f"{site.fake.url}/calls.json"))],
    )  # fmt: skip
    site.fake.token = None  # this service is open; calls has no token_env
    summary, _ = site.sync()
    assert [r.error for r in summary.failures] == [
        f"vergunningen · take_up ({site.fake.url}/take-up.json): the environment variable "
        f"{TOKEN_ENV} (its token_env) is not set",
        f"vergunningen · days ({site.fake.url}/days.csv): the environment variable "
        f"{TOKEN_ENV} (its token_env) is not set",
    ]
    assert [r.path for r in site.fake.requests] == ["/calls.json"]
    assert site.fake.auth_schemes == [None]
    assert len(site.measurements("subsidies", "calls")) == 1


def test_a_broken_indicators_file_fails_its_team_only(site: Site) -> None:
    store.indicators_path(site.data, "subsidies").write_text("[indicators.x\n", encoding="utf-8")
    summary, _ = site.sync()
    (failure,) = summary.failures
    assert failure.error.startswith("subsidies: ") and "not valid TOML" in failure.error
    assert len(site.measurements("vergunningen", "take_up")) == 2


def test_the_cli_exits_1_listing_what_failed_and_never_shows_the_token(site: Site) -> None:
    # the server even echoes the token in its error: the message must still not show it
    site.fake.fail("/take-up.json", 500, times=100, body={"error": f"bad request for {TOKEN}"})
    site.fake.put("/days.csv", "datum;waarde\n01-02-2026;veel\n", CSV_TYPE)
    result = koers("sync", config=site.config_path)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert TOKEN not in output
    assert "***" in output  # where the echoed token was
    lines = result.stderr.splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("koers: synced "))
    assert "1 indicator read from URLs (1 new measurement, 0 replaced, 2 failed)" in lines[summary]
    assert lines[summary + 1] == (
        "koers: the measurements of 2 indicators could not be read from their URL (their files "
        "were left as they were; the rest of the sync landed):"
    )
    assert lines[summary + 2].startswith(
        f"  vergunningen · take_up ({site.fake.url}/take-up.json): the server failed"
    )
    assert lines[summary + 3] == (
        f"  vergunningen · days ({site.fake.url}/days.csv): as CSV: 1 bad row, nothing imported:"
    )
    assert (
        lines[summary + 4] == "    line 2: 'veel' is not a number (expected a number like 1.234,5)"
    )
    assert "Traceback" not in output
    assert site.file("vergunningen", "take_up") is None
    assert len(site.measurements("subsidies", "calls")) == 1


def test_a_wrong_token_names_its_variable_not_its_value(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "not-the-right-token")
    result = koers("sync", "--team", "subsidies", config=site.config_path)
    assert result.returncode == 1
    assert (
        "the credentials were rejected (HTTP 401: 401 Unauthorized: a valid token is needed); "
        f"check the token in ${TOKEN_ENV}"
    ) in result.stderr
    assert "not-the-right-token" not in result.stdout + result.stderr


def test_a_failing_url_does_not_stop_the_warehouse_from_landing(
    make_site: Callable[..., Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.gitlab import FakeGitLab
    from tests.test_gitlab_sync import TOKEN as GITLAB_TOKEN
    from tests.test_gitlab_sync import app_data

    monkeypatch.setenv("KOERS_TEST_GITLAB_TOKEN", GITLAB_TOKEN)
    with FakeGitLab(token=GITLAB_TOKEN, **app_data()) as gitlab:
        site = make_site(gitlab_url=gitlab.url)
        site.fake.down = True  # the statistics service does not answer at all
        summary, err = site.sync("vergunningen")
    assert summary.gitlab and summary.gitlab[0].merge_requests == 3
    con = connect_read(site.cfg.database)
    try:
        # app_data's project gov/app has merge requests 1, 2 and 3
        assert con.execute("SELECT count(*) FROM raw_gitlab_merge_requests").fetchone() == (3,)
    finally:
        con.close()
    assert [r.indicator for r in summary.failures] == ["take_up", "days"]
    assert all("cannot reach 127.0.0.1" in r.error for r in summary.failures)
    assert err.index("normalizing") < err.index("measurements · failed")
