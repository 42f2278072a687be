"""The name row re-read from a zone crop is the zone's own, not a printed line the crop took in
beyond the zone (:func:`.rows.zone_rows`). Read end to end with the real models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from openkyc.specimens.documents import Distortion, SpecimenIdentity, render_document
from openkyc.specimens.faces import face_by_id
from openkyc.verification.document import DocumentReader, zone_reader
from openkyc.verification.document.rows import Row

pytestmark = pytest.mark.slow

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def reader() -> Iterator[DocumentReader]:
    return DocumentReader(visual_zone=False)


def _card_on_a_newspaper() -> tuple[bytes, list[str]]:
    """Hard seed 7 #21 (``--distortions motion_strong motion_blur glare_strong``): a TD1 back
    with glare above its zone, on a newspaper. The detector's rows read the zone exactly; the
    crop around them at the other scales takes in the headline below the card."""
    person = SpecimenIdentity(
        kind="td1_id_card", surname="XU", given_names="MARIA", sex="M",
        birth_date=dt.date(1999, 4, 11), nationality="TUR", issuing_country="TUR",
        number="LY38AXTMJ", issue_date=dt.date(2023, 9, 18), expiry_date=dt.date(2028, 9, 18),
        personal_number="4634786122", document_code="I<",
    )  # fmt: skip
    distortion = Distortion(
        name="glare_strong", rotation_deg=0.4030923378482605, perspective=0.013589582273273032,
        fill=0.7599101665568763, offset=(0.020739828616357113, -0.00580615810179945),
        noise=1.025865701344775, jpeg_quality=86, brightness=0.9366128449410736,
        glare=0.7473221339534448, background="newspaper", frame=(1440, 1080),
    )  # fmt: skip
    doc = render_document(
        "td1_id_card", person, face_by_id("synth08"), distortion, 700021, varied=True
    )
    assert doc.back_jpeg is not None
    return doc.back_jpeg, doc.truth["mrz_lines"]


def test_the_names_are_re_read_from_the_zones_rows(reader: DocumentReader) -> None:
    photo, lines = _card_on_a_newspaper()
    result = reader.read(photo, today=TODAY)
    assert result.valid, result.findings
    assert list(result.mrz_lines) == lines


def test_taking_the_last_rows_of_the_crop_refuses_the_card(
    reader: DocumentReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Otherwise the test above would prove nothing: the rule it replaced.
    def last(split: list[Row], count: int, height: int) -> list[Row]:
        return split[-count:]

    monkeypatch.setattr(zone_reader, "zone_rows", last)
    photo, _ = _card_on_a_newspaper()
    assert not reader.read(photo, today=TODAY).valid
