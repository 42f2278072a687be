"""A shaken photo whose smeared zone no reading of the photo gets through: the whole frame is
deconvolved by the shake its cepstrum shows and read once more (:func:`.deblur.unshaken_frame`).
Read end to end with the real models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from openkyc.specimens.documents import Distortion, SpecimenIdentity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.verification.document import DocumentReader
from openkyc.verification.document import reader as reader_module

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def reader() -> Iterator[DocumentReader]:
    return DocumentReader(visual_zone=False)


def _shaken_id_card() -> tuple[bytes, list[str]]:
    """Hard seed 7 #54 (``--distortions motion_strong motion_blur glare_strong``): a TD2 card
    shaken by 12 px, 11 px a character. Refused whole before the frame was unshaken."""
    person = SpecimenIdentity(
        kind="td2_document", surname="SMITH", given_names="LUCAS", sex="M",
        birth_date=dt.date(1976, 12, 13), nationality="SRB", issuing_country="IND",
        number="E5D2WB6B", issue_date=dt.date(2015, 5, 8), expiry_date=dt.date(2017, 5, 7),
        document_code="AC",
    )  # fmt: skip
    distortion = Distortion(
        name="motion_strong", rotation_deg=3.312662895352422, perspective=0.01967152320148642,
        fill=0.7663964773487, offset=(0.025808854781803982, 0.022923203891125864),
        motion_blur=12, noise=1.2653541200065794, jpeg_quality=88,
        brightness=1.0293675746418987, background="dark", frame=(1280, 960),
    )  # fmt: skip
    doc = render_document(
        "td2_document", person, face_by_id("synth05"), distortion, 700054, varied=True
    )
    return doc.front_jpeg, doc.truth["mrz_lines"]


def test_a_photo_refused_whole_is_read_with_the_frame_unshaken(reader: DocumentReader) -> None:
    photo, lines = _shaken_id_card()
    result = reader.read(photo, today=TODAY)
    assert result.valid, result.findings
    assert list(result.mrz_lines) == lines
    assert any(".unshaken." in t.stage for t in result.timings)


def test_without_the_unshaken_frame_the_photo_is_refused(
    reader: DocumentReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise the test above would prove nothing.
    monkeypatch.setattr(reader_module, "unshaken_frame", lambda image: None)
    photo, _ = _shaken_id_card()
    assert not reader.read(photo, today=TODAY).valid
