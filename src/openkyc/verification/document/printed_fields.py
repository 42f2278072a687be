"""Printed fields beside the machine-readable zone: the issue date the zone lacks, and the
printed number, dates and sex checked against the zone (issue 26).

Layout-free, like the printed names: the words of the page above the zone are read (with
tesseract's confidence per word) and recognised by their form — a date, a document number, a
sex marker — not by a label's position, which changes from issuer to issuer. What they are is
decided against the zone the check digits verified:

* a printed date equal to the zone's birth or expiry date confirms it; of the remaining dates
  one that can be an issue date (after birth, not after today, before expiry) is reported as the
  issue date, with the printed source named (``VisualField(confirmed_by_mrz=False)``): no check
  digit covers it, and it never replaces a value from the zone;
* a disagreement is a finding (``document_printed_mismatch``) for the decision and the back
  office, never a correction: only printed values read with high confidence and of a form that
  cannot be mistaken for another field count, since tesseract's own errors are the commoner
  cause of a difference.

Names are not compared here: measured on specimens (see visual_zone.py), tesseract's letter
errors made a name disagreement a false alarm far more often than a catch.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from openkyc.verification.types import Finding

from . import reasons
from .results import VisualField

# Tesseract's word confidence (0-100) a printed value needs before it may contradict the zone.
MISMATCH_CONFIDENCE = 90.0
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{2})[.\-/ ](\d{2})[.\-/ ](\d{4})(?!\d)")
_MONTHS = {
    "JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9,
    "OCT": 10, "NOV": 11, "DEC": 12,
}  # fmt: skip
_WORDED_DATE = re.compile(r"(?<!\d)(\d{2}) ?([A-Z]{3})(?:/[A-Z]{3,4})? ?(\d{4})(?!\d)")
_SEX_WORDS = {
    "M": "M", "F": "F", "М": "M", "Ж": "F", "МУЖ": "M", "ЖЕН": "F", "ЕР": "M", "ӘЙЕЛ": "F",
    "MALE": "M", "FEMALE": "F",
}  # fmt: skip
# Letters OCR confuses with digits in a document number: folded before comparing, so that a
# misread O/0 is not taken for a different number.
_FOLD = str.maketrans("OQDIlLZSBG", "0001112586")


@dataclass(frozen=True, slots=True)
class PrintedWord:
    text: str
    confidence: float  # tesseract's, 0-100


@dataclass(frozen=True, slots=True)
class ZoneFacts:
    """What the verified zone says, for the comparison."""

    number: str
    birth_date: dt.date | None
    expiry_date: dt.date | None
    issue_date: dt.date | None  # only where the zone carries it (the RU internal passport)
    sex: str


@dataclass(frozen=True, slots=True)
class PrintedCheck:
    issue_date: dt.date | None  # printed, unverified; None where the zone has its own
    fields: tuple[VisualField, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class _Dated:
    date: dt.date
    confidence: float


def printed_dates(words: list[PrintedWord]) -> list[_Dated]:
    """Every date printed as DD.MM.YYYY (also with / - or a space) or DD MON YYYY."""
    found: list[_Dated] = []
    # Dates may be split over two or three words ("15 05 2021"): join neighbours, keep the
    # lowest confidence of the words used.
    for start in range(len(words)):
        for span in (1, 2, 3):
            group = words[start : start + span]
            if len(group) < span:
                break
            text = " ".join(w.text for w in group).upper()
            confidence = min(w.confidence for w in group)
            date = _parse_date(text)
            if date is not None:
                found.append(_Dated(date, confidence))
                break
    return found


def _parse_date(text: str) -> dt.date | None:
    match = _NUMERIC_DATE.fullmatch(text.strip(" ,;:"))
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        worded = _WORDED_DATE.fullmatch(text.strip(" ,;:"))
        if not worded or worded.group(2) not in _MONTHS:
            return None
        day, month, year = int(worded.group(1)), _MONTHS[worded.group(2)], int(worded.group(3))
    if not 1900 <= year <= 2100:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def check_printed(words: list[PrintedWord], zone: ZoneFacts, today: dt.date) -> PrintedCheck:
    fields: list[VisualField] = []
    findings: list[Finding] = []
    dates = printed_dates(words)
    values = {d.date for d in dates}
    for name, value in (
        ("birth_date", zone.birth_date),
        ("expiry_date", zone.expiry_date),
        ("issue_date", zone.issue_date),
    ):
        if value is not None and value in values:
            fields.append(VisualField(name, value.isoformat(), confirmed_by_mrz=True))
    findings.extend(_date_mismatches(dates, zone, today))
    issue = None
    if zone.issue_date is None:
        issue = _issue_date(dates, zone, today)
        if issue is not None:
            fields.append(VisualField("issue_date", issue.isoformat(), confirmed_by_mrz=False))
    number = _number_check(words, zone.number)
    if number is True:
        fields.append(VisualField("number", zone.number, confirmed_by_mrz=True))
    elif isinstance(number, str):
        findings.append(_mismatch("number", number, zone.number))
    sex = _printed_sex(words)
    if sex is not None and sex == zone.sex:
        fields.append(VisualField("sex", sex, confirmed_by_mrz=True))
    elif sex is not None and zone.sex in ("M", "F"):
        findings.append(_mismatch("sex", sex, zone.sex))
    return PrintedCheck(issue, tuple(fields), tuple(findings))


def _mismatch(field: str, printed: str, zone: str) -> Finding:
    return Finding(
        reasons.DOCUMENT_PRINTED_MISMATCH, {"field": field, "printed": printed, "zone": zone}
    )


def _issue_date(dates: list[_Dated], zone: ZoneFacts, today: dt.date) -> dt.date | None:
    """The one printed date that can be the issue date: not the birth or expiry date, after
    the birth date, not after today, before the expiry date. Several such dates: the one whose
    distance to the expiry date is a whole number of years (give or take a day), if only one."""
    candidates = sorted(
        {
            d.date
            for d in dates
            if d.date not in (zone.birth_date, zone.expiry_date)
            and (zone.birth_date is None or d.date > zone.birth_date)
            and d.date <= today
            and (zone.expiry_date is None or d.date < zone.expiry_date)
        }
    )
    if len(candidates) == 1:
        return candidates[0]
    if zone.expiry_date is None:
        return None
    whole = [d for d in candidates if _whole_years_apart(d, zone.expiry_date)]
    return whole[0] if len(whole) == 1 else None


def _whole_years_apart(issue: dt.date, expiry: dt.date) -> bool:
    for years in range(1, 21):
        try:
            same_day = issue.replace(year=issue.year + years)
        except ValueError:  # 29 February
            same_day = issue.replace(year=issue.year + years, day=28)
        if abs((expiry - same_day).days) <= 1:
            return True
    return False


def _date_mismatches(dates: list[_Dated], zone: ZoneFacts, today: dt.date) -> list[Finding]:
    """A confidently printed date that takes the birth (earliest) or expiry (latest) place on
    the page, yet differs from the zone's. Needs the zone's own date missing from the page:
    a page that prints it is consistent, whatever else it prints."""
    sure = sorted({d.date for d in dates if d.confidence >= MISMATCH_CONFIDENCE})
    every = {d.date for d in dates}
    findings: list[Finding] = []
    if len(sure) < 2:
        return findings
    earliest, latest = sure[0], sure[-1]
    birth, expiry = zone.birth_date, zone.expiry_date
    # A birth date comes years before the issue and expiry dates, so it is the earliest of
    # three; two dates (a card's back: issue and expiry) may hold no birth date at all, and an
    # earliest date a whole number of years before the expiry is an issue date.
    if (
        birth is not None
        and birth not in every
        and len(sure) >= 3
        and (sure[1] - earliest).days > 365 * 10
        and not (expiry is not None and _whole_years_apart(earliest, expiry))
        and earliest < today
    ):
        findings.append(_mismatch("birth_date", earliest.isoformat(), birth.isoformat()))
    # The latest date is an expiry date only if it is after every other by a year or more.
    if (
        expiry is not None
        and expiry not in every
        and latest > today - dt.timedelta(days=3650)
        and (latest - sure[-2]).days > 365
    ):
        findings.append(_mismatch("expiry_date", latest.isoformat(), expiry.isoformat()))
    return findings


def _number_check(words: list[PrintedWord], number: str) -> bool | str | None:
    """True: the zone's number is printed. A string: a confidently read word of the number's
    form (same length, letters and digits in the same places, Latin) that differs from it in
    one or two digits even with OCR's letter/digit confusions folded. None: neither."""
    number = number.replace("<", "")
    if len(number) < 6:
        return None
    tokens = [(w.text.strip(" .,:;№").upper().replace(" ", ""), w.confidence) for w in words]
    if any(text == number for text, _ in tokens):
        return True
    # Numbers printed in groups ("72 1234567"): join two neighbouring words.
    joined = [(a[0] + b[0], min(a[1], b[1])) for a, b in itertools.pairwise(tokens)]
    if any(text == number for text, _ in joined):
        return True
    shape = _shape(number)
    for text, confidence in tokens + joined:
        if (
            confidence >= MISMATCH_CONFIDENCE
            and text.isascii()
            and len(text) == len(number)
            and _shape(text) == shape
            and text.translate(_FOLD) != number.translate(_FOLD)
            and 1 <= _differences(text, number) <= 2
            and _digits_only_differ(text, number)
        ):
            return text
    return None


def _digits_only_differ(a: str, b: str) -> bool:
    """Letters are where OCR errs across scripts (a Latin N read as a Cyrillic or Latin M by a
    Cyrillic model, measured): only a digit printed in place of another digit counts."""
    return all(x == y or (x.isdigit() and y.isdigit()) for x, y in zip(a, b, strict=True))


def _shape(text: str) -> str:
    return "".join("9" if c.isdigit() else "A" if c.isalpha() else "-" for c in text)


def _differences(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=True))


def _printed_sex(words: list[PrintedWord]) -> str | None:
    """The sex the page prints, when every sex marker on it agrees and is read confidently."""
    seen: set[str] = set()
    for word in words:
        for part in word.text.upper().replace(".", "").split("/"):
            sex = _SEX_WORDS.get(part.strip())
            if sex is not None and word.confidence >= MISMATCH_CONFIDENCE:
                seen.add(sex)
    return seen.pop() if len(seen) == 1 else None
