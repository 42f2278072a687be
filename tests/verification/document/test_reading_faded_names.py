"""A letter of the names faded out by glare right behind the last letter read is a faded name,
like one inside them (:meth:`.ZoneConfirmation._names_faded`). Read end to end with the real
models."""

from __future__ import annotations

import pytest
from tests.verification.document.photos import exact_or_refused, rebuilt

from openkyc.verification.document import DocumentReader

pytestmark = pytest.mark.slow


def test_a_name_cut_short_by_glare_is_not_vouched_for(reader: DocumentReader) -> None:
    """Hard seed 7 #90 (``--distortions motion_strong motion_blur glare_strong``): glare over
    the end of ``SAULE``; every reading gave ``SAUL`` and the zone was reported valid."""
    doc = rebuilt(
        "kz_passport",
        {
            "surname": "ZHUMABAEVA", "given_names": "SAULE", "sex": "F",
            "birth_date": "1962-04-10", "nationality": "KAZ", "issuing_country": "KAZ",
            "number": "N50093741", "issue_date": "2016-07-12", "expiry_date": "2026-07-11",
            "surname_cyrillic": "ЖҰМАБАЕВА", "given_names_cyrillic": "СӘУЛЕ",
            "patronymic": "ҚАЙРАТҚЫЗЫ", "personal_number": "620410426197",
            "place_of_birth": "АСТАНА", "authority": "ҚР ІІМ / МВД РК",
        },
        "synth05",
        700090,
        name="glare_strong", rotation_deg=3.34003911782567, perspective=0.026123234410880845,
        fill=0.7302409133766355, offset=(0.019634730721398597, -0.012688372251922004),
        noise=0.7178998449373495, jpeg_quality=80, brightness=1.0238445709522246,
        glare=0.809883516872018, background="wood", frame=(1280, 960),
    )  # fmt: skip
    exact_or_refused(reader, doc)


def test_names_faded_in_the_photo_are_faded_in_its_restored_views(reader: DocumentReader) -> None:
    """Hard seed 13 (``--distortions motion_blur motion_strong glare_strong --n 40``) #18: glare
    over ``SALTANAT``; the photo read it right and was refused as faded, then its unshaken
    zone read ``SALTA`` with no faint cell left behind the A, and was reported valid. Faded
    cells are measured on the photo as taken, whatever view read the zone."""
    doc = rebuilt(
        "kz_passport",
        {
            "surname": "ABENOVA", "given_names": "SALTANAT", "sex": "F",
            "birth_date": "1990-06-15", "nationality": "KAZ", "issuing_country": "KAZ",
            "number": "N22398918", "issue_date": "2022-09-24", "expiry_date": "2032-09-23",
            "surname_cyrillic": "ӘБЕНОВА", "given_names_cyrillic": "САЛТАНАТ",
            "patronymic": "ҚАЙРАТҚЫЗЫ", "personal_number": "900615468265",
            "place_of_birth": "АҚТӨБЕ", "authority": "ҚР ІІМ / МВД РК", "document_code": "P<",
        },
        "synth05",
        1300018,
        name="glare_strong", rotation_deg=-2.0348329676339896, perspective=0.009264626492564721,
        fill=0.7812303242002945, offset=(0.02010108709722628, -0.03145306660875821),
        noise=0.7923775170821792, jpeg_quality=94, brightness=0.9686155180280581,
        glare=0.7855963050090347, background="dark", frame=(1440, 1080),
    )  # fmt: skip
    assert "SALTANAT" in doc.truth["mrz_lines"][0]
    exact_or_refused(reader, doc)
