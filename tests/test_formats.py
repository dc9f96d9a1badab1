"""Hand-worked cases for i18n.formats, in both languages."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from i18n.formats import (
    fmt_date,
    fmt_days,
    fmt_delta_pct,
    fmt_int,
    fmt_number,
    fmt_pct,
    fmt_week,
)

M = "\u2212"  # the minus sign the formatters use


@pytest.mark.parametrize(
    ("x", "decimals", "nl", "en"),
    [
        (1234.5, 1, "1.234,5", "1,234.5"),
        (0, 1, "0,0", "0.0"),
        (3, 1, "3,0", "3.0"),
        (1.05, 1, "1,1", "1.1"),  # half up, although 1.05 is 1.0499… as a float
        (1.25, 1, "1,3", "1.3"),  # not banker's rounding
        (2.675, 2, "2,68", "2.68"),
        (-1.05, 1, f"{M}1,1", f"{M}1.1"),  # half away from zero
        (-1234567.891, 2, f"{M}1.234.567,89", f"{M}1,234,567.89"),
        (-0.04, 1, "0,0", "0.0"),  # no "−0,0"
        (1234567890.0, 0, "1.234.567.890", "1,234,567,890"),
        (999.96, 1, "1.000,0", "1,000.0"),  # rounding carries into the thousands
        (0.5, 0, "1", "1"),
    ],
)
def test_fmt_number(x: float, decimals: int, nl: str, en: str) -> None:
    assert fmt_number(x, "nl", decimals) == nl
    assert fmt_number(x, "en", decimals) == en


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), pd.NA, pd.NaT])
def test_missing_values_show_a_dash(missing: object) -> None:
    for lang in ("nl", "en"):
        assert fmt_number(missing, lang) == "–"  # type: ignore[arg-type]
        assert fmt_int(missing, lang) == "–"  # type: ignore[arg-type]
        assert fmt_pct(missing, lang) == "–"  # type: ignore[arg-type]
        assert fmt_delta_pct(missing, lang) == "–"  # type: ignore[arg-type]
        assert fmt_days(missing, lang) == "–"  # type: ignore[arg-type]


def test_fmt_number_default_is_one_decimal() -> None:
    assert fmt_number(2, "nl") == "2,0"


def test_language_variants() -> None:
    assert fmt_number(1234.5, "en-GB") == "1,234.5"
    assert fmt_number(1234.5, "nl-NL") == "1.234,5"
    assert fmt_number(1234.5, "EN") == "1,234.5"


@pytest.mark.parametrize(
    ("x", "nl", "en"),
    [
        (12345, "12.345", "12,345"),
        (0, "0", "0"),
        (-7, f"{M}7", f"{M}7"),
        (2.5, "3", "3"),
        (999, "999", "999"),
        (1000, "1.000", "1,000"),
    ],
)
def test_fmt_int(x: float, nl: str, en: str) -> None:
    assert fmt_int(x, "nl") == nl
    assert fmt_int(x, "en") == en


@pytest.mark.parametrize(
    ("x", "decimals", "nl", "en"),
    [
        (0.123, 0, "12 %", "12%"),
        (0.145, 0, "15 %", "15%"),  # 14.499… as floats, 14.5 as a person reads it
        (1, 0, "100 %", "100%"),
        (0, 0, "0 %", "0%"),
        (0.1234, 1, "12,3 %", "12.3%"),
        (-0.05, 0, f"{M}5 %", f"{M}5%"),
        (12.5, 0, "1.250 %", "1,250%"),
    ],
)
def test_fmt_pct(x: float, decimals: int, nl: str, en: str) -> None:
    assert fmt_pct(x, "nl", decimals) == nl
    assert fmt_pct(x, "en", decimals) == en


@pytest.mark.parametrize(
    ("x", "decimals", "nl", "en"),
    [
        (-0.12, 0, f"{M}12 %", f"{M}12%"),
        (0.05, 0, "+5 %", "+5%"),
        (0, 0, "0 %", "0%"),
        (-0.004, 0, "0 %", "0%"),  # rounds to zero: no sign
        (0.1234, 1, "+12,3 %", "+12.3%"),
        (-1.5, 0, f"{M}150 %", f"{M}150%"),
    ],
)
def test_fmt_delta_pct(x: float, decimals: int, nl: str, en: str) -> None:
    assert fmt_delta_pct(x, "nl", decimals) == nl
    assert fmt_delta_pct(x, "en", decimals) == en


def test_delta_uses_real_minus_sign() -> None:
    text = fmt_delta_pct(-0.12, "nl")
    assert text[0] == "\u2212"
    assert "-" not in text


@pytest.mark.parametrize(
    ("days", "nl", "en"),
    [
        (0.04, "1 uur", "1 hour"),  # 0,96 h
        (0.01, "0 uur", "0 hours"),  # 0,24 h
        (0, "0 uur", "0 hours"),
        (5 / 24, "5 uur", "5 hours"),
        (0.5, "12 uur", "12 hours"),
        (0.99, "1,0 dag", "1.0 day"),  # 23,76 h rounds to 24 h: show it as a day
        (1, "1,0 dag", "1.0 day"),
        (1.04, "1,0 dag", "1.0 day"),
        (1.05, "1,1 dagen", "1.1 days"),
        (3.5, "3,5 dagen", "3.5 days"),
        (12, "12,0 dagen", "12.0 days"),
        (1234.56, "1.234,6 dagen", "1,234.6 days"),
        (-0.25, f"{M}6 uur", f"{M}6 hours"),
        (-2.25, f"{M}2,3 dagen", f"{M}2.3 days"),
    ],
)
def test_fmt_days(days: float, nl: str, en: str) -> None:
    assert fmt_days(days, "nl") == nl
    assert fmt_days(days, "en") == en


@pytest.mark.parametrize(
    ("d", "nl", "en"),
    [
        (date(2026, 11, 27), "27 nov. 2026", "27 Nov 2026"),
        (date(2026, 3, 2), "2 mrt. 2026", "2 Mar 2026"),
        (date(2026, 5, 1), "1 mei 2026", "1 May 2026"),  # "mei" is not abbreviated
        (date(2027, 1, 1), "1 jan. 2027", "1 Jan 2027"),
        (date(2026, 10, 31), "31 okt. 2026", "31 Oct 2026"),
        (datetime(2026, 12, 24, 23, 59), "24 dec. 2026", "24 Dec 2026"),
        (datetime(2026, 6, 15, 8, 0, tzinfo=UTC), "15 jun. 2026", "15 Jun 2026"),
        (pd.Timestamp("2026-07-04 10:00"), "4 jul. 2026", "4 Jul 2026"),
        ("2026-09-09", "9 sep. 2026", "9 Sep 2026"),
        (None, "–", "–"),
        (pd.NaT, "–", "–"),
    ],
)
def test_fmt_date(d: object, nl: str, en: str) -> None:
    assert fmt_date(d, "nl") == nl  # type: ignore[arg-type]
    assert fmt_date(d, "en") == en  # type: ignore[arg-type]


def test_all_dutch_months() -> None:
    months = [fmt_date(date(2026, m, 1), "nl").split()[1] for m in range(1, 13)]
    expected = "jan. feb. mrt. apr. mei jun. jul. aug. sep. okt. nov. dec."
    assert months == expected.split()


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 11, 23), "week 48 (2026)"),  # a Monday
        (date(2026, 11, 29), "week 48 (2026)"),  # the Sunday of the same week
        (date(2026, 12, 31), "week 53 (2026)"),  # 2026 starts on a Thursday: 53 weeks
        (date(2027, 1, 1), "week 53 (2026)"),  # ISO year, not calendar year
        (date(2027, 1, 4), "week 1 (2027)"),
        (date(2025, 12, 29), "week 1 (2026)"),  # a Monday in December already in 2026
        (datetime(2026, 3, 2, 12, 0), "week 10 (2026)"),
        ("2026-03-02", "week 10 (2026)"),
        (None, "–"),
    ],
)
def test_fmt_week(d: object, expected: str) -> None:
    assert fmt_week(d, "nl") == expected  # type: ignore[arg-type]
    assert fmt_week(d, "en") == expected  # type: ignore[arg-type]
