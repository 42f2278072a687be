"""Resolving the two-digit years of MRZ dates into real dates."""

from __future__ import annotations

import datetime as dt

# Expiry dates are resolved into [today - 50 years, today + 50 years): documents are valid for at
# most a few decades, so this only guards against nonsense.
_EXPIRY_PAST_YEARS = 50


def parse_yymmdd(text: str) -> tuple[int, int, int] | None:
    if len(text) != 6 or not text.isdigit():
        return None
    yy, mm, dd = int(text[:2]), int(text[2:4]), int(text[4:6])
    if not (1 <= mm <= 12 and 1 <= dd <= 31):
        return None
    return yy, mm, dd


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def resolve_past(text: str, today: dt.date) -> dt.date | None:
    """A birth or issue date: the latest century that does not put it in the future."""
    parts = parse_yymmdd(text)
    if parts is None:
        return None
    yy, mm, dd = parts
    century = today.year // 100 * 100
    for year in (century + yy, century - 100 + yy):
        candidate = _make(year, mm, dd)
        if candidate is not None and candidate <= today:
            return candidate
    return None


def resolve_expiry(text: str, today: dt.date) -> dt.date | None:
    """An expiry date: the century that puts it within the window around today."""
    parts = parse_yymmdd(text)
    if parts is None:
        return None
    yy, mm, dd = parts
    year = today.year // 100 * 100 + yy
    if year < today.year - _EXPIRY_PAST_YEARS:
        year += 100
    elif year >= today.year + _EXPIRY_PAST_YEARS:
        year -= 100
    return _make(year, mm, dd)


def to_yymmdd(date: dt.date) -> str:
    return date.strftime("%y%m%d")
