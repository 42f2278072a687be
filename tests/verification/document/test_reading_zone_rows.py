"""The name row re-read from a zone crop is the zone's own, not a printed line the crop took in
beyond the zone (:func:`.rows.zone_rows`). Read end to end with the real models."""

from __future__ import annotations

import pytest
from tests.verification.document.photos import TODAY, reads_exactly, rebuilt

from openkyc.specimens.documents import RenderedDocument
from openkyc.verification.document import DocumentReader, zone_reader
from openkyc.verification.document.rows import Row

pytestmark = pytest.mark.slow


def _card_on_a_newspaper() -> RenderedDocument:
    """Hard seed 7 #21 (``--distortions motion_strong motion_blur glare_strong``): a TD1 back
    with glare above its zone, on a newspaper. The detector's rows read the zone exactly; the
    crop around them at the other scales takes in the headline below the card."""
    return rebuilt(
        "td1_id_card",
        {
            "surname": "XU", "given_names": "MARIA", "sex": "M",
            "birth_date": "1999-04-11", "nationality": "TUR", "issuing_country": "TUR",
            "number": "LY38AXTMJ", "issue_date": "2023-09-18", "expiry_date": "2028-09-18",
            "personal_number": "4634786122", "document_code": "I<",
        },
        "synth08",
        700021,
        name="glare_strong", rotation_deg=0.4030923378482605, perspective=0.013589582273273032,
        fill=0.7599101665568763, offset=(0.020739828616357113, -0.00580615810179945),
        noise=1.025865701344775, jpeg_quality=86, brightness=0.9366128449410736,
        glare=0.7473221339534448, background="newspaper", frame=(1440, 1080),
    )  # fmt: skip


def test_the_names_are_re_read_from_the_zones_rows(reader: DocumentReader) -> None:
    reads_exactly(reader, _card_on_a_newspaper())


def test_taking_the_last_rows_of_the_crop_refuses_the_card(
    reader: DocumentReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise the test above would prove nothing: the rule it replaced.
    def last(split: list[Row], count: int, height: int) -> list[Row]:
        return split[-count:]

    monkeypatch.setattr(zone_reader, "zone_rows", last)
    assert not reader.read(_card_on_a_newspaper().back_jpeg, today=TODAY).valid
