"""Fields full of 0s: the recogniser leaves a faint O (0.5-0.9%) behind many printed 0s, and two
O-for-0 swaps at weights 7 and 3 cancel in a check digit (24 x 10). Two such faint doubts at
once are not a plausible other zone (``row_doubts._PAIR_PLAUSIBLE``); two errors as likely as
the cancelling ones met on photos (a Z a few percent behind each of two 2s) still are."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import cv2
import numpy as np
import pytest
from tests.verification.document.readings import reading

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader
from openkyc.verification.document.images import to_bgr
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.row_doubts import another_zone_passes

TODAY = dt.date(2026, 1, 15)
NAMES = "P<SRBGARCIA<LOPEZ<<SOFIA<<<<<<<<<<<<<<<<<<<<"
# An all-zero number (as on the Belarusian specimen passport) and optional data with 0s.
ZEROS = "0000000000CAN5501281M23100594010160000000378"


def test_both_o_readings_pass_every_check_digit() -> None:
    # Otherwise the cases below would prove nothing: O at columns 29 and 31 of the optional
    # data (weights 3 and 7 in its check digit and in the composite).
    assert parse([NAMES, ZEROS]).valid
    assert parse([NAMES, ZEROS[:29] + "O1O" + ZEROS[32:]]).valid


def test_two_faint_os_behind_zeros_are_no_other_zone() -> None:
    mrz = parse([NAMES, ZEROS])
    # As the recogniser saw the rendered photo below: O at 0.0089 and 0.0050.
    faint = [reading(NAMES, {}), reading(ZEROS, {29: ("O", 0.0089), 31: ("O", 0.0050)})]
    assert not another_zone_passes([faint], mrz)
    # A few percent behind each, the two errors are plausible together: still ambiguous.
    close = [reading(NAMES, {}), reading(ZEROS, {29: ("O", 0.02), 31: ("O", 0.01)})]
    assert another_zone_passes([close], mrz)


@pytest.mark.slow
def test_a_foreshortened_passport_with_an_all_zero_number_reads() -> None:
    # A passport photographed tilted (its height foreshortened to 60%) in light print (strokes
    # thinned by a 2 px maximum filter): its 0s draw O at 0.5-0.9% behind them, two of them at
    # weights 3 and 7 of the optional data. Refused as two cancelling errors before the pair's joint
    # probability was weighed.
    seed = 2
    rng = random.Random(seed)
    identity = random_identity("td3_passport", rng)
    identity = dataclasses.replace(identity, number="000000000", personal_number="40101600000003")
    distortion = random_distortion("clean", rng, kind="td3_passport")
    doc = render_document("td3_passport", identity, source_faces()[seed], distortion, seed)
    assert doc.truth["mrz_lines"] == [NAMES, ZEROS]
    photo = to_bgr(doc.front_jpeg)
    photo = cv2.resize(
        photo, (photo.shape[1], int(photo.shape[0] * 0.6)), interpolation=cv2.INTER_AREA
    )
    photo = cv2.dilate(photo, np.ones((2, 2), np.uint8))
    result = DocumentReader(visual_zone=False).read(photo, today=TODAY)
    assert result.valid, result.findings
    assert list(result.mrz_lines) == doc.truth["mrz_lines"]
