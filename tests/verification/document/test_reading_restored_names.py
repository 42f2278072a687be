"""A view restored whole (the frame unshaken) is no witness for its own name row: the row has no
check digit and the view's readings at other scales see the same restored pixels. Each name letter
must be read at least ``NAME_WITNESS`` by the photo as taken (``_restored_names_unwitnessed``):
a strong shake read ``BVKOVA`` for ``BYKOVA`` in the unshaken frame, where the photo as taken
read nothing that lines up with the name row (held-out hard seed 2611 #9)."""

from __future__ import annotations

import pytest
from tests.verification.document.readings import reading, restored_frame_reader

from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse

ZONE_LINES = (
    "P<RUSBVKOVA<<IULIIA<<<<<<<<<<<<<<<<<<<<<<<<<",
    "7284909137RUS6306081F3412237<<<<<<<<<<<<<<<0",
)
ZONE = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)


def test_names_the_photo_as_taken_cannot_read_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mrz = parse(list(ZONE_LINES))
    assert mrz.valid
    smeared = [reading("KKKCIC<<<<KKK", {}), reading(ZONE_LINES[1], {})]
    reader, restored = restored_frame_reader(monkeypatch, smeared)
    assert reader._restored_names_unwitnessed(restored, ZONE, False, mrz)  # type: ignore[arg-type]


def test_names_the_photo_as_taken_reads_unsurely_are_witnessed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mrz = parse(list(ZONE_LINES))
    unsure = {i: ("<", 0.38) for i, c in enumerate(ZONE_LINES[0]) if c != "<"}
    reader, restored = restored_frame_reader(monkeypatch, [reading(ZONE_LINES[0], unsure)])
    assert not reader._restored_names_unwitnessed(restored, ZONE, False, mrz)  # type: ignore[arg-type]
    # A letter the photo gave less than half (a Y, where the view read V) is refused.
    seen_y = ZONE_LINES[0][:6] + "Y" + ZONE_LINES[0][7:]
    reader, restored = restored_frame_reader(
        monkeypatch, [reading(seen_y, {**unsure, 6: ("V", 0.3)})]
    )
    assert reader._restored_names_unwitnessed(restored, ZONE, False, mrz)  # type: ignore[arg-type]


def test_the_photo_as_taken_needs_no_witness(monkeypatch: pytest.MonkeyPatch) -> None:
    mrz = parse(list(ZONE_LINES))
    reader, _ = restored_frame_reader(monkeypatch, [])
    assert not reader._restored_names_unwitnessed(reader._taken, ZONE, False, mrz)  # type: ignore[arg-type]


def test_a_digit_read_for_a_name_letter_witnesses_that_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The photo as taken read the O of the names as 0 (O 0.28 behind it): in the name row a 0
    # is the O the correction makes of it (a shaken visa's S0FIA, hard seed 7, motion filter,
    # n 24, #15).
    mrz = parse(list(ZONE_LINES))
    column = ZONE_LINES[0].index("OVA")
    zero = ZONE_LINES[0][:column] + "0" + ZONE_LINES[0][column + 1 :]
    reader, restored = restored_frame_reader(monkeypatch, [reading(zero, {column: ("O", 0.28)})])
    assert not reader._restored_names_unwitnessed(restored, ZONE, False, mrz)  # type: ignore[arg-type]
