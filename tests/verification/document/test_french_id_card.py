"""The French national identity card's own 2 x 36 zone (issued 1988-2021): its layout, the
arbitration between it and TD2 by check digits, and a rendered card read end to end."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from openkyc.specimens import mrz_generate
from openkyc.specimens.documents import (
    DOCUMENT_KINDS,
    EXTRA_KINDS,
    Distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader
from openkyc.verification.document.correction import correct
from openkyc.verification.document.interpret import interpret
from openkyc.verification.document.mrz_parse import parse

TODAY = dt.date(2026, 1, 15)

# The specimen card of the French interior ministry's leaflets (a made-up holder), as its zone is
# printed: card 8806 923 10285 issued June 1988 in the Hauts-de-Seine, check digits 8, 8 and 6.
SPECIMEN = (
    "IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<",
    "8806923102858CORINNE<<<<<<<6512068F6",
)


def _zone(**changes: str) -> tuple[str, str]:
    values = {
        "surname": "MARTIN DUPONT",
        "given_names": "JEAN PIERRE",
        "number": "190375012345",
        "birth_date": "900101",
        "sex": "M",
        "office": "750123",
    }
    values.update(changes)
    return mrz_generate.french_id(**values)


def test_the_generator_writes_the_specimen_zone() -> None:
    zone = mrz_generate.french_id(
        surname="BERTHIER",
        given_names="CORINNE",
        number="880692310285",
        birth_date="651206",
        sex="F",
        office="",
    )
    assert zone == SPECIMEN


def test_the_specimen_parses_as_the_french_layout() -> None:
    mrz = parse(SPECIMEN)
    assert mrz.format == "FR-ID"
    assert mrz.valid
    assert [c.field for c in mrz.checks] == ["number", "birth_date", "composite"]
    assert (mrz.surname, mrz.given_names, mrz.number) == ("BERTHIER", "CORINNE", "880692310285")
    assert (mrz.birth_date, mrz.sex, mrz.nationality) == ("651206", "F", "FRA")
    fields = interpret(mrz, TODAY)
    assert fields.kind == "fr_id_card"
    assert fields.document_type == "id_card"
    assert fields.birth_date == dt.date(1965, 12, 6)
    # No expiry date in the zone, and the six characters after the surname are an office code.
    assert fields.expiry_date is None
    assert fields.personal_number is None


def test_given_names_apart_by_double_fillers_and_compound_surnames() -> None:
    mrz = parse(_zone())
    assert mrz.lines[1][13:27] == "JEAN<<PIERRE<<"
    assert (mrz.surname, mrz.given_names) == ("MARTIN DUPONT", "JEAN PIERRE")
    assert mrz.optional == "750123"


def test_the_last_check_digit_covers_the_names_of_both_rows() -> None:
    line1, line2 = _zone()
    surname_changed = line1.replace("DUPONT", "DUPOND")
    given_changed = line2.replace("PIERRE", "PIERRF")
    assert not parse((surname_changed, line2)).valid
    assert not parse((line1, given_changed)).valid
    assert correct([surname_changed, line2]) is None
    assert correct([line1, given_changed]) is None


def test_ocr_look_alikes_are_undone_and_checked() -> None:
    line1, line2 = _zone(surname="OCONNOR", given_names="BO")
    read1 = "1DFRA0C0NN0R" + line1[12:]
    read2 = line2.replace("BO<<", "B0<<")
    corrected = correct([read1, read2])
    assert corrected is not None
    assert corrected.mrz.lines == (line1, line2)
    assert corrected.mrz.format == "FR-ID"


def test_the_card_numbers_digits_are_digits() -> None:
    """G weighs 16, ten more than 6: neither the number's check digit nor the last one sees a 6
    read as G, so the card number's digit positions are made digits before any check."""
    line1, line2 = _zone(number="190375012346")
    misread = line2[:11] + "G" + line2[12:]
    assert parse((line1, misread)).valid  # what the check digits alone would vouch for
    corrected = correct([line1, misread])
    assert corrected is not None
    assert corrected.mrz.number == "190375012346"


def test_a_td2_zone_headed_idfra_is_read_as_td2() -> None:
    td2 = mrz_generate.td2(
        document_code="ID",
        issuing_country="FRA",
        surname="DUBOIS",
        given_names="EMMA",
        number="X4RTBPFW4",
        nationality="FRA",
        birth_date="900101",
        sex="F",
        expiry_date="300101",
    )
    mrz = parse(td2)
    assert mrz.format == "TD2"
    assert mrz.valid
    corrected = correct(list(td2))
    assert corrected is not None
    assert corrected.mrz.format == "TD2"


def test_the_french_card_is_rendered_on_request_only() -> None:
    assert "fr_id_card" in EXTRA_KINDS
    assert "fr_id_card" not in DOCUMENT_KINDS


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_a_photographed_french_card_reads_exactly(seed: int) -> None:
    identity = random_identity("fr_id_card", random.Random(seed))
    distortion = Distortion(name="test", rotation_deg=2.0, fill=0.8, frame=(1280, 960))
    face = source_faces()[seed % len(source_faces())]
    doc = render_document("fr_id_card", identity, face, distortion, seed)
    result = DocumentReader(visual_zone=False).read(doc.front_jpeg, today=TODAY)
    assert result.valid, result.findings
    assert list(result.mrz_lines) == doc.truth["mrz_lines"]
    assert result.kind == "fr_id_card"
    assert result.number == identity.number
    assert result.surname == identity.surname
    assert result.birth_date == identity.birth_date
    assert result.expiry_date is None
    assert result.nationality == "FRA"
