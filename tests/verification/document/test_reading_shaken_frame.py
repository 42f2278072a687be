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


def test_a_shaken_g_the_photo_saw_behind_its_6_is_read_with_the_frame_unshaken(
    reader: DocumentReader,
) -> None:
    """Hard seed 7 (``--distortions motion_blur motion_strong --n 24``) #15: a visa number
    GFZ05G59 whose second G every reading of the photo took for 6 (G 0.37-0.46 behind), and the
    zone unshaken too (0.60); the frame unshaken reads the G (0.63-0.90). The unshaken zone's 6
    is no witness against a G the photo saw behind its 6 (``row_doubts.blurred_letter_witnessed``),
    and the photo's S0FIA witnesses the names' O (``row_doubts.clearest``)."""
    doc = rebuilt(
        "visa",
        {
            "surname": "NGUYEN", "given_names": "SOFIA", "sex": "F",
            "birth_date": "1953-02-02", "nationality": "UZB", "issuing_country": "UTO",
            "number": "GFZ05G59", "issue_date": "2025-06-26", "expiry_date": "2025-09-24",
            "document_code": "VD",
        },
        "synth02",
        700015,
        name="motion_blur", rotation_deg=-0.8481708751622357, perspective=0.008989381783659283,
        fill=0.8133405777953991, offset=(-0.03324138308430715, 0.036610974388831576),
        motion_blur=7, noise=1.1685494131813499, jpeg_quality=84,
        brightness=0.9986315509969009, background="desk", frame=(1280, 960),
    )  # fmt: skip
    reads_exactly(reader, doc)
