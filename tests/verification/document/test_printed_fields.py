"""Printed fields the zone lacks (the issue date) and printed fields checked against the zone."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest

from openkyc.specimens import layouts
from openkyc.specimens.documents import Distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader
from openkyc.verification.document.printed_fields import (
    PrintedWord,
    ZoneFacts,
    check_printed,
    printed_dates,
)
from openkyc.verification.document.reasons import DOCUMENT_PRINTED_MISMATCH
from openkyc.verification.document.visual_zone import shared_visual_zone

TODAY = dt.date(2026, 1, 15)
ZONE = ZoneFacts(
    number="N12345678",
    birth_date=dt.date(1980, 3, 4),
    expiry_date=dt.date(2031, 5, 14),
    issue_date=None,
    sex="F",
)


def _words(*texts: str, confidence: float = 95.0) -> list[PrintedWord]:
    return [PrintedWord(t, confidence) for t in texts]


def test_dates_are_read_in_the_usual_printed_forms() -> None:
    words = _words("04.03.1980", "15", "05", "2021", "14", "MAY/MAI", "2031", "31.02.2020")
    dates = [d.date for d in printed_dates(words)]
    assert dates == [dt.date(1980, 3, 4), dt.date(2021, 5, 15), dt.date(2031, 5, 14)]


def test_the_remaining_plausible_date_is_the_issue_date_and_marked_unverified() -> None:
    check = check_printed(_words("04.03.1980", "15.05.2021", "14.05.2031"), ZONE, TODAY)
    assert check.issue_date == dt.date(2021, 5, 15)
    issue = next(f for f in check.fields if f.name == "issue_date")
    assert not issue.confirmed_by_mrz
    confirmed = {f.name for f in check.fields if f.confirmed_by_mrz}
    assert {"birth_date", "expiry_date"} <= confirmed
    assert check.findings == ()


def test_no_issue_date_where_it_cannot_be_one() -> None:
    # After today, and before the birth date: neither can be an issue date.
    check = check_printed(_words("04.03.1980", "15.05.2027", "01.01.1979"), ZONE, TODAY)
    assert check.issue_date is None


def test_a_zone_issue_date_is_never_replaced_by_the_printed_one() -> None:
    zone = dataclasses.replace(ZONE, issue_date=dt.date(2021, 5, 15))
    check = check_printed(_words("04.03.1980", "16.05.2021", "14.05.2031"), zone, TODAY)
    assert check.issue_date is None


def test_a_confident_printed_birth_date_that_differs_is_a_finding() -> None:
    check = check_printed(_words("05.03.1981", "15.05.2021", "14.05.2031"), ZONE, TODAY)
    assert [(f.code, (f.detail or {})["field"]) for f in check.findings] == [
        (DOCUMENT_PRINTED_MISMATCH, "birth_date")
    ]
    assert (check.findings[0].detail or {})["printed"] == "1981-03-05"


def test_a_card_back_with_issue_and_expiry_only_has_no_birth_date_to_contradict() -> None:
    check = check_printed(_words("15.05.2021", "14.05.2031"), ZONE, TODAY)
    assert check.findings == ()
    assert check.issue_date == dt.date(2021, 5, 15)


def test_a_doubtful_reading_contradicts_nothing() -> None:
    words = _words("05.03.1981", "15.05.2021", "14.05.2032", "F", confidence=70.0)
    assert check_printed(words, ZONE, TODAY).findings == ()


def test_number_sex_and_expiry_disagreements() -> None:
    words = _words("N12345679", "04.03.1980", "15.05.2021", "14.05.2032", "M")
    fields = {(f.detail or {})["field"] for f in check_printed(words, ZONE, TODAY).findings}
    assert fields == {"number", "expiry_date", "sex"}


def test_an_ocr_letter_for_digit_confusion_is_no_disagreement() -> None:
    words = _words("N1234S67B", "04.03.1980", "F")
    check = check_printed(words, ZONE, TODAY)
    assert check.findings == ()
    assert ("sex", "F", True) in {(f.name, f.text, f.confirmed_by_mrz) for f in check.fields}


needs_tesseract = pytest.mark.skipif(
    shared_visual_zone() is None, reason="tesseract kaz+rus data not installed"
)


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    return DocumentReader(visual_zone=True)


def _photo(kind: str, seed: int, **changes: Any) -> tuple[Any, Any]:
    rng = random.Random(seed)
    identity = random_identity(kind, rng)
    distortion = Distortion(name="test", rotation_deg=-2.0, fill=0.85, **changes)
    return identity, render_document(kind, identity, source_faces()[0], distortion, seed)


@pytest.mark.slow
@needs_tesseract
@pytest.mark.parametrize("kind", ["kz_passport", "kz_id_card", "td3_passport"])
def test_the_printed_issue_date_is_read(reader: DocumentReader, kind: str) -> None:
    identity, doc = _photo(kind, 31)
    result = reader.read(doc.front_jpeg, doc.back_jpeg, today=TODAY)
    assert result.valid
    assert result.issue_date == identity.issue_date
    assert ("issue_date", identity.issue_date.isoformat(), False) in {
        (f.name, f.text, f.confirmed_by_mrz) for f in result.visual_fields
    }
    assert not any(f.code == DOCUMENT_PRINTED_MISMATCH for f in result.findings)


@pytest.mark.slow
@needs_tesseract
def test_a_page_printing_another_birth_date_is_reported_and_the_zone_stands(
    reader: DocumentReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = layouts.mrz_lines_for
    zone_birth = dt.date(1977, 9, 21)

    def altered_zone(identity: Any, visa_size: str = "A") -> tuple[str, ...]:
        return real(dataclasses.replace(identity, birth_date=zone_birth), visa_size)

    monkeypatch.setattr(layouts, "mrz_lines_for", altered_zone)
    identity, doc = _photo("kz_passport", 32)
    result = reader.read(doc.front_jpeg, today=TODAY)
    assert result.valid
    assert result.birth_date == zone_birth
    mismatches = [f.detail for f in result.findings if f.code == DOCUMENT_PRINTED_MISMATCH]
    assert mismatches == [
        {"field": "birth_date", "printed": identity.birth_date.isoformat(),
         "zone": zone_birth.isoformat()}
    ]  # fmt: skip


def test_a_letter_read_in_another_script_is_no_disagreement() -> None:
    # tesseract's Cyrillic model read the Latin N of a KZ passport number as М (measured).
    check = check_printed(_words("М12345678", "N12345673".replace("N", "M")), ZONE, TODAY)
    assert check.findings == ()


@pytest.mark.slow
@needs_tesseract
def test_printed_names_are_found_when_the_photo_is_on_the_right(reader: DocumentReader) -> None:
    # Seed 2's varied layout puts the photo on the right and the names on the left.
    rng = random.Random(2)
    identity = random_identity("kz_passport", rng)
    distortion = Distortion(name="test", rotation_deg=-2.0, fill=0.85)
    doc = render_document("kz_passport", identity, source_faces()[0], distortion, 2, varied=True)
    assert doc.portrait_box[0] > 600
    result = reader.read(doc.front_jpeg, today=TODAY)
    assert result.valid
    assert result.surname_cyrillic == identity.surname_cyrillic
    assert result.given_names_cyrillic == identity.given_names_cyrillic
