"""Days and months typed by people (query strings, forms, commands, CSV files), read strictly.

ASCII digits only (`str.isdigit` and `strptime` take "２０２６" and "٢٠٢٦"), and a year from
2000 to 2100: the shop's records start long after 2000, and a far year (0000, 9999) only
overflows a `date` the moment a view adds a day or a month to it. Each reader raises
`ValueError` for text that is not a day or month at all and its subclass `OutOfRange` for a real
day outside those years, so that a form can say which.
"""

from __future__ import annotations

import re
from datetime import date

FIRST_YEAR, LAST_YEAR = 2000, 2100
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
FIRST_MONTH, LAST_MONTH = "2000-01", "2100-12"

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DAY_FIRST = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class OutOfRange(ValueError):
    """A real day or month, but outside FIRST_YEAR to LAST_YEAR."""


def _checked(year: int, month: int, day: int, text: str) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"not a day from {FIRST_DAY} to {LAST_DAY}: {text!r}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"not a day: {text!r}") from None


def parse_day(text: str | None) -> date:
    """'2026-11-22' -> date(2026, 11, 22); exactly YYYY-MM-DD."""
    text = (text or "").strip()
    match = _ISO_DAY.fullmatch(text)
    if match is None:
        raise ValueError(f"not a day as YYYY-MM-DD: {text!r}")
    year, month, day = (int(part) for part in match.groups())
    return _checked(year, month, day, text)


def parse_day_either(text: str | None) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY as Vietnamese write a day ('31/12/2027', '1/1/2027')."""
    text = (text or "").strip()
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return parse_day(text)
    day, month, year = (int(part) for part in match.groups())
    return _checked(year, month, day, text)


def parse_month(text: str | None) -> date:
    """'2026-11' -> date(2026, 11, 1): the month's first day; exactly YYYY-MM."""
    text = (text or "").strip()
    match = _MONTH.fullmatch(text)
    if match is None:
        raise ValueError(f"not a month as YYYY-MM: {text!r}")
    year, month = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"not a month as YYYY-MM: {text!r}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise OutOfRange(f"not a month from {FIRST_MONTH} to {LAST_MONTH}: {text!r}")
    return date(year, month, 1)
