"""Two visas shaken sideways (hard material, seed 7, filtered to ``motion_strong motion_blur
glare_strong``, n 128) were reported verified with a wrong character. The readings below are
the photos' own, as the recogniser gave them (per-character alternatives as traced).

* #95: the number's S was read as 8 at every scale of the photo (S 4-11% behind); S and 8 differ
  by 20 in value, so every check digit passed. Only the G/6 pair was checked against the unshaken
  view; the view read the S.
* #111: the ``<<`` between surname and given names was read ``≤≤`` (``<`` 0.39 and 0.23 behind),
  a mark the normalisation drops, so the name row became the surname ``OCONNORLAURA``; each
  letter was read surely, and the row has no check digit.
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.verification.document.readings import reading

from openkyc.verification.document import shaken_views, zone_confirmation, zone_reader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.deblur import Shake
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.name_doubts import names_confidence
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.row_doubts import unseen_rivals
from openkyc.verification.document.zone_reader import RowsReading, ZoneReader

NUMBER_TRUTH = (
    "VCCANBJORKLUND<<WEI<SOFIA<<<<<<<<<<<<<<<<<<<",
    "KF1D3SVC<7POL8806035M2603128<<<<<<<<<<<<<<<<",
)
NUMBER_MISREAD = (NUMBER_TRUTH[0], NUMBER_TRUTH[1].replace("D3S", "D38"))
# #95's number row as the photo read it at 1100 px (the state's O read as 0).
_SHAKEN_ROW = "KF1D38VC<7P0L8806035M2603128<<<<<<<<<<<<<<<<"
_SHAKEN_RIVALS = {5: (("8", 0.945), ("s", 0.044), ("S", 0.006))}

NAME_TRUTH = (
    "V<POLOCONNOR<<LAURA<<<<<<<<<<<<<<<<<<<<<<<<<",
    "TDD3BU7385GBR7901117M3001019<<<<<<<<<<<<<<<<",
)
NAME_MISREAD = ("V<POLOCONNORLAURA" + "<" * 27, NAME_TRUTH[1])
# #111's name row as the photo read it at 880 px, and the two marks between the names.
_SMEARED_NAMES = "V<POLOCONNOR≤≤LAURA" + "<" * 25
_SMEARED_MARKS = {
    12: (("≤", 0.513), ("<", 0.389), ("C", 0.019)),
    13: (("≤", 0.705), ("<", 0.227), ("C", 0.017)),
}

SHAKEN = Shake(length=9, angle=111.0, depth=-0.077)
ZONE = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)


def _read(text: str, marks: dict[int, tuple[tuple[str, float], ...]]) -> Recognised:
    """A reading of ``text``, sure of every character but those of ``marks``."""
    options = tuple(marks.get(i, ((c, 1.0),)) for i, c in enumerate(text))
    confidences = tuple(o[0][1] for o in options)
    return Recognised(text, float(np.mean(confidences)), confidences, options)


def _reader(monkeypatch: pytest.MonkeyPatch, name_row: Recognised, rows: RowsReading) -> ZoneReader:
    """A reader whose re-readings (of the photo or of its unshaken view) give ``rows``."""
    image = np.zeros((20, 20, 3), np.uint8)
    for module in (zone_confirmation, shaken_views, zone_reader):
        monkeypatch.setattr(module, "zone_shake", lambda *_: SHAKEN)
    monkeypatch.setattr(shaken_views, "deblurred_zone", lambda *_: (image, SHAKEN))
    monkeypatch.setattr(zone_reader, "deblurred_zone", lambda *_: (image, SHAKEN))
    reader = ZoneReader(None)  # type: ignore[arg-type]
    reader._name_row = lambda *_: name_row  # type: ignore[method-assign]
    reader._rows = lambda *_: rows  # type: ignore[method-assign]
    return reader


def _confirm_number(monkeypatch: pytest.MonkeyPatch, view: str) -> bool:
    """Confirm #95's misread zone from the photo's first reading; ``view`` is what the unshaken
    zone reads as the number row."""
    names = reading(NUMBER_MISREAD[0], {})
    unshaken = RowsReading(list(NUMBER_MISREAD), 0.97, None, 0.95, [names, reading(view, {})])
    reader = _reader(monkeypatch, names, unshaken)
    correction = correct([NUMBER_MISREAD[0], _SHAKEN_ROW])
    assert correction is not None
    assert correction.mrz.lines == NUMBER_MISREAD
    first = RowsReading(
        list(NUMBER_MISREAD), 0.99, correction, 0.99, [names, _read(_SHAKEN_ROW, _SHAKEN_RIVALS)]
    )
    reader._start_image(np.zeros((20, 20, 3), np.uint8))
    return reader._confirm(reader._photo, ZONE, False, correction, first) is not None  # type: ignore[arg-type]


def test_s_read_as_8_passes_every_check_digit() -> None:
    assert parse(list(NUMBER_TRUTH)).valid
    assert parse(list(NUMBER_MISREAD)).valid


def test_an_s_behind_an_accepted_8_is_a_rival_no_check_digit_sees() -> None:
    first = [reading(NUMBER_MISREAD[0], {}), _read(_SHAKEN_ROW, _SHAKEN_RIVALS)]
    assert (1, 5, "S") in unseen_rivals(first, parse(list(NUMBER_MISREAD)))


def test_the_shaken_8_is_refused_when_the_unshaken_view_reads_the_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # #95's unshaken view read ``KF1D3sVC<7P0L...``.
    assert not _confirm_number(monkeypatch, "KF1D3sVC<7P0L8806035M2603128<<<<<<<<<<<<<<<<")


def test_the_shaken_8_must_be_confirmed_as_an_8(monkeypatch: pytest.MonkeyPatch) -> None:
    # Blur makes the digit of a letter, so a view that reads neither does not vouch for the 8.
    assert not _confirm_number(monkeypatch, "KF1D35VC<7P0L8806035M2603128<<<<<<<<<<<<<<<<")
    # A view that reads the 8 does.
    assert _confirm_number(monkeypatch, _SHAKEN_ROW)


def test_marks_dropped_between_the_names_make_the_names_unsure() -> None:
    # The normalisation drops ``≤``: the reading corrects to the names run together.
    correction = correct([_SMEARED_NAMES, NAME_TRUTH[1]])
    assert correction is not None
    assert correction.mrz.lines == NAME_MISREAD
    smeared = _read(_SMEARED_NAMES, _SMEARED_MARKS)
    assert names_confidence(smeared, correction.mrz, 0) == 0.0
    # A speck there that could be no filler or letter costs nothing.
    speck = _read(_SMEARED_NAMES.replace("≤≤", "·"), {12: (("·", 0.99), (".", 0.01))})
    assert names_confidence(speck, correction.mrz, 0) == 1.0


def test_the_names_run_together_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # #111 was read at 880 px; its confirmation's re-read at 880 px gave the same reading.
    texts = [_SMEARED_NAMES, NAME_TRUTH[1]]
    correction = correct(texts)
    assert correction is not None
    reads = [_read(_SMEARED_NAMES, _SMEARED_MARKS), reading(NAME_TRUTH[1], {})]
    # A first row read less than surely (0.84) sends the zone to a full re-read.
    first = RowsReading(texts, 0.9, correction, 0.84, reads)
    reader = _reader(monkeypatch, reads[0], first)
    reader._start_image(np.zeros((20, 20, 3), np.uint8))
    assert reader._confirm(reader._photo, ZONE, False, correction, first) is None  # type: ignore[arg-type]


def test_a_reading_is_not_confirmed_by_its_own_crop_read_again() -> None:
    # #111 was first read at 880 px, and its confirmation's re-read at 880 px was the same crop
    # read again: it agreed with itself. Only readings at other scales can confirm it; here
    # they do not read the zone.
    texts = list(NAME_MISREAD)
    correction = correct(texts)
    assert correction is not None
    reads = [reading(NAME_MISREAD[0], {}), reading(NAME_MISREAD[1], {})]
    first = RowsReading(texts, 0.9, correction, 0.84, reads, width=880)
    widths: list[int] = []

    def rows(_image: object, _zone: object, _flip: object, width: int) -> RowsReading:
        widths.append(width)
        return first if width == 880 else RowsReading(texts, 0.6, None, 0.5, reads, width=width)

    reader = ZoneReader(None)  # type: ignore[arg-type]
    reader._rows = rows  # type: ignore[method-assign,assignment]
    reader._start_image(np.zeros((20, 20, 3), np.uint8))
    assert reader._confirm(reader._photo, ZONE, False, correction, first) is None  # type: ignore[arg-type]
    assert 880 not in widths
    assert sorted(widths) == [1100, 1320]
