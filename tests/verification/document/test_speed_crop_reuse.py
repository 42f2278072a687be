"""A zone is cut, and its rows found, once per image: the first reading, the faded-name test and
the name-row re-readings ask for the same crops (the faded-name test cut and split the zone
again, 9-20 ms a read)."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from openkyc.specimens.documents import Distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import zone_reader
from openkyc.verification.document.images import to_bgr
from openkyc.verification.document.ocr import shared_ocr


def test_a_read_cuts_each_crop_and_marks_each_crop_once(monkeypatch: pytest.MonkeyPatch) -> None:
    identity = random_identity("td3_passport", random.Random(5))
    doc = render_document("td3_passport", identity, source_faces()[0], Distortion("test"), 5)
    cuts: list[tuple[int, Any, bool, int]] = []
    marked: list[np.ndarray] = []
    crop, marks = zone_reader.upright_crop, zone_reader.character_marks

    def counted_crop(image: np.ndarray, zone: Any, *, flip: bool, target_width: int) -> Any:
        cuts.append((id(image), zone, flip, target_width))
        return crop(image, zone, flip=flip, target_width=target_width)

    def counted_marks(image: np.ndarray) -> Any:
        marked.append(image)
        return marks(image)

    monkeypatch.setattr(zone_reader, "upright_crop", counted_crop)
    monkeypatch.setattr(zone_reader, "character_marks", counted_marks)
    reading = zone_reader.ZoneReader(shared_ocr(), None).read(to_bgr(doc.front_jpeg))
    assert reading.correction is not None
    assert cuts
    assert len(set(cuts)) == len(cuts)
    assert len({id(m) for m in marked}) == len(marked)
