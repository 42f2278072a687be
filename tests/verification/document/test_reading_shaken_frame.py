"""A shaken photo whose smeared zone no reading of the photo gets through: the whole frame is
deconvolved by the shake its cepstrum shows and read once more (:func:`.deblur.unshaken_frame`).
Read end to end with the real models."""

from __future__ import annotations

import pytest
from tests.verification.document.photos import TODAY, reads_exactly, rebuilt

from openkyc.specimens.documents import RenderedDocument
from openkyc.verification.document import DocumentReader
from openkyc.verification.document import reader as reader_module

pytestmark = pytest.mark.slow


def _shaken_id_card() -> RenderedDocument:
    """Hard seed 7 #54 (``--distortions motion_strong motion_blur glare_strong``): a TD2 card
    shaken by 12 px, 11 px a character. Refused whole before the frame was unshaken."""
    return rebuilt(
        "td2_document",
        {
            "surname": "SMITH", "given_names": "LUCAS", "sex": "M",
            "birth_date": "1976-12-13", "nationality": "SRB", "issuing_country": "IND",
            "number": "E5D2WB6B", "issue_date": "2015-05-08", "expiry_date": "2017-05-07",
            "document_code": "AC",
        },
        "synth05",
        700054,
        name="motion_strong", rotation_deg=3.312662895352422, perspective=0.01967152320148642,
        fill=0.7663964773487, offset=(0.025808854781803982, 0.022923203891125864),
        motion_blur=12, noise=1.2653541200065794, jpeg_quality=88,
        brightness=1.0293675746418987, background="dark", frame=(1280, 960),
    )  # fmt: skip


def test_a_photo_refused_whole_is_read_with_the_frame_unshaken(reader: DocumentReader) -> None:
    result = reads_exactly(reader, _shaken_id_card())
    assert any(".unshaken." in t.stage for t in result.timings)


def test_without_the_unshaken_frame_the_photo_is_refused(
    reader: DocumentReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise the test above would prove nothing.
    monkeypatch.setattr(reader_module, "unshaken_frame", lambda image: None)
    assert not reader.read(_shaken_id_card().front_jpeg, today=TODAY).valid
