"""Dutch-first number, duration and date formatting for the UI and reports.

Pure Python on purpose (no Babel): two languages, a handful of patterns, and the output must
match the Vega locale that ``ui.charts`` gives the charts ("1.234,5" and "mrt" in Dutch).

Conventions:
- ``lang`` is "nl" or "en"; anything starting with "en" is English, everything else Dutch,
  so a browser locale such as "en-GB" or "nl-NL" works too.
- Missing values (None, NaN, NaT) render as an en dash "–".
- Negative numbers use the real minus sign U+2212, as d3-format does on chart axes.
- Rounding is half away from zero ("1,05" → "1,1"), the way people round by hand, not
  binary-float or banker's rounding.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

MISSING = "–"  # en dash
MINUS = "\u2212"

_SEPARATORS = {"nl": (",", "."), "en": (".", ",")}  # (decimal, thousands)

_MONTHS = {
    "nl": [
        "jan.",
        "feb.",
        "mrt.",
        "apr.",
        "mei",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "okt.",
        "nov.",
        "dec.",
    ],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def normalize_lang(lang: str | None) -> str:
    """Return "nl" or "en" for a language or browser locale ("en-GB" → "en"); Dutch by default."""
    return "en" if (lang or "").lower().startswith("en") else "nl"


def _missing(x: object) -> bool:
    if x is None:
        return True
    try:
        # NaN and pandas' NaT are the values that differ from themselves.
        return bool(x != x)
    except TypeError:  # pandas.NA: comparing gives NA again, and bool(NA) raises
        return True


def _bad(x: object) -> bool:
    # Infinity means a bug upstream (a division by zero); show it as missing, not as "inf".
    return _missing(x) or math.isinf(x)  # type: ignore[arg-type]


def _dec(x: float) -> Decimal:
    # repr() gives the shortest decimal that round-trips, so 1.05 stays 1.05, not 1.04999….
    return Decimal(repr(float(x)))


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _digits(value: Decimal, lang: str) -> str:
    """Absolute value with the language's separators."""
    decimal_sep, thousands_sep = _SEPARATORS[lang]
    text = f"{abs(value):,f}"  # English grouping; swapped below
    return text.replace(",", "\0").replace(".", decimal_sep).replace("\0", thousands_sep)


def _signed(value: Decimal, lang: str, decimals: int, plus: bool = False) -> str:
    value = _round(value, decimals)
    if value.is_zero():  # never show "−0,0" for a tiny negative
        sign = ""
    elif value < 0:
        sign = MINUS
    else:
        sign = "+" if plus else ""
    return sign + _digits(value, lang)


def fmt_number(x: float | None, lang: str, decimals: int = 1) -> str:
    """1234.5 → "1.234,5" (nl) or "1,234.5" (en); None/NaN → "–"."""
    if _bad(x):
        return MISSING
    return _signed(_dec(x), normalize_lang(lang), decimals)


def fmt_int(x: float | None, lang: str) -> str:
    """A count or rounded number without decimals: 12345 → "12.345" (nl)."""
    return fmt_number(x, lang, decimals=0)


def _pct(x: float | None, lang: str, decimals: int, plus: bool) -> str:
    if _bad(x):
        return MISSING
    lang = normalize_lang(lang)
    number = _signed(_dec(x) * 100, lang, decimals, plus=plus)
    return f"{number} %" if lang == "nl" else f"{number}%"


def fmt_pct(x: float | None, lang: str, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.123 → "12 %" (nl) or "12%" (en)."""
    return _pct(x, lang, decimals, plus=False)


def fmt_delta_pct(x: float | None, lang: str, decimals: int = 0) -> str:
    """A relative change with its sign: -0.12 → "−12 %", 0.05 → "+5 %"; zero has no sign."""
    return _pct(x, lang, decimals, plus=True)


def fmt_days(days: float | None, lang: str) -> str:
    """A duration given in days.

    Under a day it shows whole hours ("5 uur", "1 hour"); otherwise days with one decimal
    ("3,5 dagen", "1,0 dag"), so a column of durations lines up. Values that round to 24 hours
    show as "1,0 dag" rather than "24 uur".
    """
    if _bad(days):
        return MISSING
    lang = normalize_lang(lang)
    hours = _round(_dec(days) * 24, 0)
    if abs(hours) < 24:
        unit = "uur" if lang == "nl" else ("hour" if abs(hours) == 1 else "hours")
        return f"{_signed(hours, lang, 0)} {unit}"
    value = _round(_dec(days), 1)
    if abs(value) == 1:
        unit = "dag" if lang == "nl" else "day"
    else:
        unit = "dagen" if lang == "nl" else "days"
    return f"{_signed(value, lang, 1)} {unit}"


def _as_date(d: date | datetime | str) -> date:
    if isinstance(d, str):
        return date.fromisoformat(d[:10])
    if isinstance(d, datetime):  # also pandas.Timestamp; callers convert time zones first
        return d.date()
    return d


def fmt_date(d: date | datetime | str | None, lang: str) -> str:
    """27 Nov 2026 → "27 nov. 2026" (nl) or "27 Nov 2026" (en); a datetime shows its date."""
    if _missing(d):
        return MISSING
    day = _as_date(d)
    return f"{day.day} {_MONTHS[normalize_lang(lang)][day.month - 1]} {day.year}"


def fmt_week(d: date | datetime | str | None, lang: str) -> str:
    """The ISO week holding ``d``: "week 48 (2026)". The year is the ISO year, so
    1 Jan 2027 is "week 53 (2026)". Same words in both languages."""
    if _missing(d):
        return MISSING
    iso = _as_date(d).isocalendar()
    return f"week {iso.week} ({iso.year})"
