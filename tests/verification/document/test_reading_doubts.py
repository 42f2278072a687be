"""Doubts that must reject a zone even though every check digit passes and the readings agree:
two look-alike errors that cancel in a check digit, an internal-passport name letter whose
runner-up is another letter of the code, a filler that may be a letter, and doubts that a later
reading of the same image must not overrule."""

from __future__ import annotations

import numpy as np
from tests.verification.document.readings import reading

from openkyc.verification.document.checkdigits import is_valid
from openkyc.verification.document.correction import correct
from openkyc.verification.document.locate import ZoneCandidate
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.name_doubts import NAME_SURE, doubted_columns, names_confidence
from openkyc.verification.document.portrait import _PAGE
from openkyc.verification.document.row_doubts import another_zone_passes, blurred_letter_witnessed
from openkyc.verification.document.zone_reader import ZoneReader

# A visa whose number ZZ7NY4NDE was read 227NY4NDE: Z to 2 twice, and the errors cancel.
VISA_READ = (
    "V<TURERIKSSON<<QUENTIN<<<<<<<<<<<<<<<<<<<<<<",
    "227NY4NDE8UTO5911251M2505303<<<<<<<<<<<<<<<<",
)

# An internal passport whose surname ends in Q (Й) read as G (Г).
RU_READ = (
    "PNRUSKONSTANTINOPOL9SKIG<<KIRILL<KUZ9MI3<<<<",
    "4028498117RUS7703078M<<<<<<<4240325545395<18",
)
ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


def test_the_two_errors_really_cancel_in_the_check_digit() -> None:
    # Otherwise the case below would prove nothing.
    assert is_valid("227NY4NDE", "8")
    assert is_valid("ZZ7NY4NDE", "8")
    assert parse(list(VISA_READ)).valid


def test_look_alikes_that_would_also_pass_every_check_make_the_zone_ambiguous() -> None:
    mrz = parse(list(VISA_READ))
    sure = [reading(line, {}) for line in VISA_READ]
    assert not another_zone_passes([sure], mrz)
    # Z a few percent behind each 2, as the recogniser saw it: ZZ7... passes too.
    doubtful = [sure[0], reading(VISA_READ[1], {0: ("Z", 0.01), 1: ("Z", 0.04)})]
    assert another_zone_passes([doubtful], mrz)
    # One such doubt alone changes the check digit's sum, so the checks still decide.
    single = [sure[0], reading(VISA_READ[1], {1: ("Z", 0.04)})]
    assert not another_zone_passes([single], mrz)
    # A runner-up far below plausibility is no doubt.
    faint = [sure[0], reading(VISA_READ[1], {0: ("Z", 0.001), 1: ("Z", 0.001)})]
    assert not another_zone_passes([faint], mrz)


def test_an_internal_passport_letter_with_another_code_letter_behind_is_doubted() -> None:
    mrz = parse(list(RU_READ))
    assert not doubted_columns(reading(RU_READ[0], {}), mrz, 0)
    # G at 0.98 with Q (another real letter of the code: Й) at 0.02 behind it.
    doubtful = reading(RU_READ[0], {23: ("Q", 0.02)})
    assert doubted_columns(doubtful, mrz, 0)
    assert names_confidence(doubtful, mrz, 0) < NAME_SURE
    # A look-alike that means the same letter there is no rival (lower-case g is G).
    assert not doubted_columns(reading(RU_READ[0], {23: ("g", 0.3)}), mrz, 0)


def test_elsewhere_only_a_filler_rival_doubts_the_names() -> None:
    mrz = parse(list(ICAO_TD3))
    # The "<<" separator after ERIKSSON with C behind it: the names could run together.
    assert doubted_columns(reading(ICAO_TD3[0], {13: ("C", 0.08)}), mrz, 0)
    # A letter rival outside the internal passport is left to the confidence threshold.
    assert not doubted_columns(reading(ICAO_TD3[0], {6: ("B", 0.05)}), mrz, 0)
    # Fillers after the names and the state code do not count.
    assert not doubted_columns(reading(ICAO_TD3[0], {30: ("C", 0.2), 1: ("K", 0.2)}), mrz, 0)


def test_a_doubted_zone_stays_rejected_for_the_rest_of_the_image() -> None:
    from openkyc.verification.document import zone_reader

    zone = ZoneCandidate(centre=(10.0, 10.0), size=(400.0, 40.0), angle=0.0, score=1.0)
    image = np.zeros((20, 20, 3), np.uint8)
    correction = correct(list(RU_READ))
    assert correction is not None
    assert correction.mrz.lines == RU_READ

    def reader() -> ZoneReader:
        made = ZoneReader(None)  # type: ignore[arg-type]
        # The re-reading of the name row at other scales: sure of every letter.
        made._name_row = lambda *_: reading(RU_READ[0], {})  # type: ignore[method-assign]
        return made

    sure = zone_reader.RowsReading(
        list(RU_READ), 1.0, correction, 1.0, [reading(r, {}) for r in RU_READ]
    )
    assert reader()._confirm(image, zone, False, correction, sure) is not None
    doubtful = [reading(RU_READ[0], {23: ("Q", 0.02)}), reading(RU_READ[1], {})]
    first = zone_reader.RowsReading(list(RU_READ), 0.99, correction, 0.99, doubtful)
    once_doubted = reader()
    assert once_doubted._confirm(image, zone, False, correction, first) is None
    # A later, surer-looking reading of the same image does not overrule the doubt...
    assert once_doubted._confirm(image, zone, False, correction, sure) is None
    # ...until the next image.
    once_doubted._doubtful.clear()
    assert once_doubted._confirm(image, zone, False, correction, sure) is not None


def test_visas_place_the_portrait_like_the_data_page_of_their_size() -> None:
    assert _PAGE["MRV-A"] == _PAGE["TD3"]
    assert _PAGE["MRV-B"] == _PAGE["TD2"]


def test_a_letter_behind_the_filler_after_the_names_is_a_doubt() -> None:
    # KATIA<E read as KATIA<<: the E dropped to a filler, with the E still behind it. No check
    # digit covers the names, so the column after them must be as sure as the names.
    line = "P<UTOERIKSSON<<KATIA<<<<<<<<<<<<<<<<<<<<<<<<"
    mrz = parse([line, ICAO_TD3[1]])
    dropped = line.index("KATIA") + len("KATIA") + 1
    assert not doubted_columns(reading(line, {}), mrz, 0)
    assert doubted_columns(reading(line, {dropped: ("E", 0.2)}), mrz, 0)


def test_a_runner_up_repair_that_may_be_one_of_three_cancelling_errors_is_ambiguous() -> None:
    # A shaken number Z3JJNYSMZ read 23JJNYSM2, Z a little behind each 2; the runner-up 3 for
    # the second J made 233JNYSM2, which passes every check digit. Put back as read, that J with
    # both Zs passes too (the truth): the zone is ambiguous (hard seed 7 #52).
    accepted = (
        "P<TURJOVANOVIC<<MEHMET<<<<<<<<<<<<<<<<<<<<<<",
        "233JNYSM26TUR8008150F2908236<<<<<<<<<<<<<<<4",
    )
    mrz = parse(list(accepted))
    assert mrz.valid
    assert parse([accepted[0], "Z3JJNYSMZ" + accepted[1][9:]]).valid
    blurred = {0: ("Z", 0.007), 8: ("Z", 0.04)}
    as_read = [reading(accepted[0], {}), reading("23J" + accepted[1][3:], blurred)]
    assert another_zone_passes([as_read], mrz)
    # Read as accepted, the two Zs alone make no zone that passes.
    assert not another_zone_passes([[as_read[0], reading(accepted[1], blurred)]], mrz)


def test_a_repair_that_may_be_one_of_two_cancelling_errors_is_ambiguous() -> None:
    # A shaken KS9ZY read KS92Y (Z at 0.07 behind the 2), and the check digit repaired the Y to
    # V. Put back as read, that Y with the Z passes too (the truth): Z for 2 and V for Y cancel
    # in the number's check digit (hard seed 7, motion filter, n 24, #12).
    accepted = (
        "P<CANOCONNOR<<SOFIA<<<<<<<<<<<<<<<<<<<<<<<<<",
        "KS92VL5H30CAN5707175F2806228<<<<<<<<<<<<<<<0",
    )
    mrz = parse(list(accepted))
    assert mrz.valid
    assert parse([accepted[0], "KS9ZY" + accepted[1][5:]]).valid
    as_read = [reading(accepted[0], {}), reading("KS92Y" + accepted[1][5:], {3: ("Z", 0.07)})]
    assert another_zone_passes([as_read], mrz)
    # Without the Z behind the 2, the Y put back alone fails its check digit.
    assert not another_zone_passes([[as_read[0], reading("KS92Y" + accepted[1][5:], {})]], mrz)


def test_a_letter_the_photo_saw_behind_its_blurred_digit_is_witnessed() -> None:
    # A visa number GFZ05G59: the photo as taken read its second G as 6, G 0.45 behind. A view
    # that reads the 6 there is no witness against the G (hard seed 7, motion filter, n 24, #15).
    accepted = ("VDUTONGUYEN<<SOFIA<<<<<<<<<<<<<<<<<<", "GFZ05G59<5UZB5302020F2509242<<<<<<<<")
    mrz = parse(list(accepted))
    assert mrz.valid
    blurred = "GFZ056" + accepted[1][6:]
    assert blurred_letter_witnessed([reading(blurred, {5: ("G", 0.45)})], mrz, (1, 5, "6"))
    # A G the photo hardly saw (printed 6s drew G up to 0.011 behind them) is no witness.
    assert not blurred_letter_witnessed([reading(blurred, {5: ("G", 0.01)})], mrz, (1, 5, "6"))
    # Nor is any rival but the digit blur makes of the letter.
    assert not blurred_letter_witnessed([reading(accepted[1], {})], mrz, (1, 5, "Q"))
