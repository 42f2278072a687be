"""A strong shake read a passport number's G as 6 (hard seed 8, ``--distortions motion_blur
motion_strong --n 16``, #12): G and 6 differ by 10 in value, so every check digit passed. The
photo as taken failed its check digits; the unshaken zone read the 6 at 0.995 with the G 0.004
behind (too little to be a rival), its re-readings at other scales saw the same restored pixels,
and the whole frame unshaken read the same 6. The photo as taken read that 6 at only 0.80-0.91
(5 behind, never G): a digit blur can make of a letter no check digit sees, in a view restored
by deconvolution, must be read clearly by the photo as taken."""

from __future__ import annotations

import numpy as np
import pytest
from tests.verification.document.photos import exact_or_refused, rebuilt
from tests.verification.document.readings import reading, restored_frame_reader

from openkyc.verification.document import DocumentReader
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.row_doubts import blind_columns, read_clearly
from openkyc.verification.document.zone_reader import ZoneReader

TRUTH = (
    "P<BRAMUELLER<<EMMA<<<<<<<<<<<<<<<<<<<<<<<<<<",
    "XBK8H1VJG2BRA6208163F270321346771775<<<<<<68",
)
MISREAD = (TRUTH[0], TRUTH[1].replace("VJG2", "VJ62"))
# The number row as the photo as taken read it at the zone the unshaken frame found (the B of
# the nationality read as 8 and the H as 9); column 8 is the G.
_TAKEN_ROW = "XBK891VJ628RA6208163F270321346771775<<<<<<68"
_TAKEN_MARKS = {8: (("6", 0.907), ("5", 0.088), ("E", 0.002))}
ZONE = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)


def _read(text: str, marks: dict[int, tuple[tuple[str, float], ...]]) -> Recognised:
    options = tuple(marks.get(i, ((c, 1.0),)) for i, c in enumerate(text))
    confidences = tuple(o[0][1] for o in options)
    return Recognised(text, float(np.mean(confidences)), confidences, options)


def test_g_read_as_6_passes_every_check_digit() -> None:
    assert parse(list(TRUTH)).valid
    assert parse(list(MISREAD)).valid


def test_the_number_s_6_is_a_digit_no_check_digit_tells_from_its_letter() -> None:
    columns = blind_columns(parse(list(MISREAD)))
    assert (1, 8) in columns
    # Dates and check digits are digits only: no letter to mistake there.
    assert (1, 13) not in columns  # the birth date's 6
    assert (1, 42) not in columns  # a check digit's 6


def test_the_photo_as_taken_did_not_read_the_6_clearly() -> None:
    mrz = parse(list(MISREAD))
    columns = blind_columns(mrz)
    taken = [reading(MISREAD[0], {}), _read(_TAKEN_ROW, _TAKEN_MARKS)]
    assert not read_clearly(taken, mrz, columns)
    assert read_clearly([reading(MISREAD[0], {}), reading(_TAKEN_ROW, {})], mrz, columns)


def _reader(monkeypatch: pytest.MonkeyPatch, taken_row: Recognised) -> tuple[ZoneReader, object]:
    return restored_frame_reader(monkeypatch, [reading(MISREAD[0], {}), taken_row])


def test_a_restored_frame_s_6_needs_the_photo_as_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    mrz = parse(list(MISREAD))
    reader, restored = _reader(monkeypatch, _read(_TAKEN_ROW, _TAKEN_MARKS))
    assert reader._restored_blind(restored, ZONE, False, mrz)  # type: ignore[arg-type]
    sure, restored = _reader(monkeypatch, reading(_TAKEN_ROW, {}))
    assert not sure._restored_blind(restored, ZONE, False, mrz)  # type: ignore[arg-type]
    # The photo as taken vouches for itself through its own check digits and confirmation.
    assert not reader._restored_blind(reader._taken, ZONE, False, mrz)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_shaken_g_is_not_verified_as_6(reader: DocumentReader) -> None:
    doc = rebuilt(
        "td3_passport",
        {
            "surname": "MUELLER", "given_names": "EMMA", "sex": "F",
            "birth_date": "1962-08-16", "nationality": "BRA", "issuing_country": "BRA",
            "number": "XBK8H1VJG", "issue_date": "2022-03-21", "expiry_date": "2027-03-21",
            "personal_number": "46771775", "document_code": "P<",
        },
        "astronaut",
        800012,
        name="motion_strong", rotation_deg=-1.1090384890030478, perspective=0.01801384642726379,
        fill=0.7821581131600734, offset=(-0.002397570268549823, -0.009310027239800532),
        motion_blur=11, noise=2.4697024010382504, jpeg_quality=85, brightness=1.017300386517611,
        background="clutter", frame=(1280, 960),
    )  # fmt: skip
    assert list(doc.truth["mrz_lines"]) == list(TRUTH)
    exact_or_refused(reader, doc)


@pytest.mark.slow
def test_a_shaken_g_read_surely_as_6_is_not_verified(reader: DocumentReader) -> None:
    """Hard seed 7 (``--distortions motion_blur motion_strong --n 24``) #5: the photo as taken
    read the card number's G as 6 at 0.999, no G behind it, and every check digit passed; its
    unshaken view does not confirm the 6 (``ZoneConfirmation._shaken_blind``)."""
    doc = rebuilt(
        "td1_id_card",
        {
            "surname": "NGUYEN", "given_names": "SOFIA PIERRE", "sex": "M",
            "birth_date": "1967-02-06", "nationality": "UKR", "issuing_country": "UKR",
            "number": "E6P14DR9G", "issue_date": "2016-04-18", "expiry_date": "2026-04-18",
            "document_code": "IR",
        },
        "synth04",
        700005,
        name="motion_strong", rotation_deg=-3.0771718711294582, perspective=0.014642041771062325,
        fill=0.8760081400266149, offset=(-0.0015683916307481227, -0.015051814862558448),
        motion_blur=14, noise=2.221053673284282, jpeg_quality=84, brightness=0.9153281425122253,
        background="cloth", frame=(1280, 960),
    )  # fmt: skip
    assert "E6P14DR9G" in doc.truth["mrz_lines"][0]
    exact_or_refused(reader, doc)
