"""Safeguards added for degraded photos: undoing camera shake, the names' per-letter confidence,
and zone shapes that filler runs could otherwise stretch into another shape."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.document import deblur
from openkyc.verification.document.checkdigits import is_valid
from openkyc.verification.document.correction import correct, name_row_variant
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.name_doubts import NAME_SURE, names_confidence
from openkyc.verification.document.ocr import Recognised
from openkyc.verification.document.row_doubts import UNSEEN_SURE, unseen_confidence

ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
ICAO_MRV_B = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
)


def _text_image() -> npt.NDArray[np.uint8]:
    image = np.full((220, 520), 235, np.uint8)
    for row, text in enumerate(("P<UTOERIKSSON<<ANNA", "L898902C36UTO7408122F")):
        cv2.putText(image, text, (12, 80 + 70 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.1, (20,), 2)
    return image


def _shaken(image: npt.NDArray[np.uint8], length: int, angle: float) -> npt.NDArray[np.uint8]:
    kernel = deblur.line_psf(length, angle)
    return np.asarray(cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REPLICATE), np.uint8)


def test_shake_length_and_direction_are_recovered_from_the_cepstrum() -> None:
    for length, angle in ((7, 30.0), (9, 100.0), (5, 0.0)):
        shake = deblur.estimate_shake(_shaken(_text_image(), length, angle))
        assert shake is not None
        assert abs(shake.length - length) <= 1
        gap = abs(shake.angle - angle) % 180
        assert min(gap, 180 - gap) <= 9


def test_only_the_region_around_the_zone_is_deconvolved() -> None:
    frame = np.full((600, 800, 3), 120, np.uint8)
    frame[200:420, 140:660] = cv2.cvtColor(_shaken(_text_image(), 8, 60.0), cv2.COLOR_GRAY2BGR)
    zone = ZoneCandidate(centre=(400.0, 300.0), size=(440.0, 120.0), angle=0.0, score=1.0)
    restored = deblur.deblurred_zone(frame, zone)
    assert restored is not None
    image, shake = restored
    assert image.shape == frame.shape
    assert abs(shake.length - 8) <= 1
    changed = np.argwhere(np.any(image != frame, axis=2))
    assert changed.size > 0
    # The box: the zone plus its margins (0.1 of its length, 1.2 of its height each side).
    assert changed[:, 1].min() >= 400 - 0.6 * 440 - 1
    assert changed[:, 1].max() <= 400 + 0.6 * 440
    assert changed[:, 0].min() >= 300 - 1.7 * 120 - 1
    assert changed[:, 0].max() <= 300 + 1.7 * 120


def _reading(text: str, low: dict[int, float], alternatives: dict[int, str]) -> Recognised:
    confidences = tuple(low.get(i, 0.99) for i in range(len(text)))
    alts = tuple(
        ((c, p), (alternatives[i], 1.0 - p)) if i in alternatives else ((c, p),)
        for i, (c, p) in enumerate(zip(text, confidences, strict=True))
    )
    return Recognised(text, sum(confidences) / len(text), confidences, alts)


def test_a_doubtful_letter_of_the_names_makes_the_row_unsure() -> None:
    mrz = parse(list(ICAO_TD3))
    sure = _reading(ICAO_TD3[0], {}, {})
    assert names_confidence(sure, mrz, 0) >= NAME_SURE
    # The second letter of ERIKSSON read with little confidence (say, R against B).
    doubtful = _reading(ICAO_TD3[0], {6: 0.55}, {6: "B"})
    assert names_confidence(doubtful, mrz, 0) < NAME_SURE
    # The state code and the fillers after the names do not count: they are settled elsewhere.
    assert names_confidence(_reading(ICAO_TD3[0], {2: 0.3, 40: 0.3}, {}), mrz, 0) >= NAME_SURE


def test_look_alikes_that_mean_the_same_letter_share_the_confidence() -> None:
    mrz = parse(list(ICAO_TD3))
    # O of ERIKSSON read as 0 at 0.55 with O as the runner-up: in a name both are the letter O.
    text = ICAO_TD3[0][:11] + "0" + ICAO_TD3[0][12:]
    assert names_confidence(_reading(text, {11: 0.55}, {11: "O"}), mrz, 0) >= NAME_SURE
    # Not so when the runner-up is another letter.
    assert names_confidence(_reading(text, {11: 0.55}, {11: "D"}), mrz, 0) < NAME_SURE


def test_a_letter_the_reading_missed_is_not_vouched_for() -> None:
    mrz = parse(list(ICAO_TD3))
    missing = ICAO_TD3[0][:8] + ICAO_TD3[0][9:]  # one S of ERIKSSON lost
    assert names_confidence(_reading(missing, {}, {}), mrz, 0) == 0.0


def test_a_look_alike_the_check_digit_cannot_see_makes_a_number_unsure() -> None:
    mrz = parse(list(ICAO_TD3))
    row = ICAO_TD3[1]
    assert unseen_confidence(_reading(row, {}, {}), mrz, 1) >= UNSEEN_SURE
    # The number's C (value 12) with a close 2 behind it: the same check digit either way.
    assert unseen_confidence(_reading(row, {7: 0.6}, {7: "2"}), mrz, 1) < UNSEEN_SURE
    # A runner-up the check digit does see (C against G) is no such doubt.
    assert unseen_confidence(_reading(row, {7: 0.6}, {7: "G"}), mrz, 1) >= UNSEEN_SURE
    # Dates are digits only: their look-alikes are settled by the position's class.
    assert unseen_confidence(_reading(row, {13: 0.6}, {13: "Y"}), mrz, 1) >= UNSEEN_SURE


def test_a_visa_row_is_not_stretched_into_a_passport_row() -> None:
    result = correct(list(ICAO_MRV_B))
    assert result is not None
    assert result.mrz.lines == ICAO_MRV_B
    assert result.mrz.format == "MRV-B"


def test_an_unplaceable_character_never_passes_a_check_digit() -> None:
    assert not is_valid("L898902C?", "3")
    assert is_valid("L898902C3", "6")


def test_a_name_row_read_without_its_first_letter_keeps_the_surname() -> None:
    mrz = parse(list(ICAO_TD3))
    # The P of the type lost: read at fixed columns, the state would eat the surname's E.
    assert name_row_variant(ICAO_TD3[0][1:], mrz, 0) == ICAO_TD3[0]
    # One extra character before the state, and a look-alike in the state, realign too.
    assert name_row_variant("P<<UTO" + ICAO_TD3[0][5:-1], mrz, 0) == ICAO_TD3[0]
    assert name_row_variant("P<UT0" + ICAO_TD3[0][5:], mrz, 0) == ICAO_TD3[0]
    # A start that is no reading of the type and state gives no variant to vote with.
    assert name_row_variant("XYZQW" + ICAO_TD3[0][5:], mrz, 0) is None
