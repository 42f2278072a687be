"""Printed Cyrillic/Kazakh names read with Debian's tesseract (kaz+rus), confirmed by the MRZ."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest

from openkyc.specimens.documents import Distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader
from openkyc.verification.document.transliteration import fold_yo
from openkyc.verification.document.visual_zone import shared_visual_zone

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shared_visual_zone() is None, reason="tesseract kaz+rus data not installed"),
]


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    return DocumentReader(visual_zone=True)


@pytest.mark.parametrize(("kind", "seed"), [("kz_passport", 21), ("ru_international_passport", 22)])
def test_cyrillic_name_is_read_and_confirmed(reader: DocumentReader, kind: str, seed: int) -> None:
    rng = random.Random(seed)
    identity = random_identity(kind, rng)
    distortion = Distortion(name="test", rotation_deg=-2.0, fill=0.85)
    doc = render_document(kind, identity, source_faces()[2], distortion, seed)
    result = reader.read(doc.front_jpeg, today=dt.date(2026, 1, 15))
    assert result.valid
    assert result.surname_cyrillic == fold_yo(identity.surname_cyrillic)
    assert any(f.name == "surname" and f.confirmed_by_mrz for f in result.visual_fields)
    assert any(m.name.startswith("tesseract/") for m in result.models)


def test_internal_passport_printed_name_confirms_the_zone(reader: DocumentReader) -> None:
    rng = random.Random(23)
    identity = random_identity("ru_internal_passport", rng)
    distortion = dataclasses.replace(
        Distortion(name="test", fill=0.85, frame=(1536, 2048)), rotation_deg=1.0
    )
    doc = render_document("ru_internal_passport", identity, source_faces()[3], distortion, 23)
    result = reader.read(doc.front_jpeg, today=dt.date(2026, 1, 15))
    assert result.valid
    assert result.patronymic == identity.patronymic
    confirmed = {f.name for f in result.visual_fields if f.confirmed_by_mrz}
    assert "surname" in confirmed
