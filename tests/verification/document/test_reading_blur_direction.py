"""Blur turns a letter into its digit look-alike (D into 0, G into 6), hardly ever the reverse:
a digit close behind an accepted letter weighs less than a letter behind an accepted digit, and
two such digits never make two cancelling errors."""

from __future__ import annotations

from tests.verification.document.readings import reading

from openkyc.verification.document.correction import correct
from openkyc.verification.document.mrz_parse import parse
from openkyc.verification.document.row_doubts import (
    UNSEEN_SURE,
    another_zone_passes,
    unseen_confidence,
)

NAMES = "P<CANVILLANUEVA<<LAURA<<<<<<<<<<<<<<<<<<<<<<"
# Held-out seed 97 #220: a sharp, rotated passport whose number holds DD at columns 6 and 7.
LETTERS = (NAMES, "NH6290DDR6CAN0103244M2706258<<<<<<<<<<<<<<<4")
# The same number with both Ds as 0s: 13 x (7 + 3) = 130, so every check digit passes alike.
DIGITS = (NAMES, "NH629000R6CAN0103244M2706258<<<<<<<<<<<<<<<4")
# Held-out seed 97 #156: a G in the number, and the same zone with a 6 (values 16 and 6).
WITH_G = (NAMES, "PA8GZ8CJN2NLD0502135M32100199210487546<<<<06")
WITH_6 = (NAMES, "PA86Z8CJN2NLD0502135M32100199210487546<<<<06")


def test_both_readings_of_each_pair_pass_every_check_digit() -> None:
    # Otherwise the cases below would prove nothing.
    for lines in (LETTERS, DIGITS, WITH_G, WITH_6):
        assert parse(list(lines)).valid


def test_faint_digits_behind_accepted_letters_do_not_make_two_cancelling_errors() -> None:
    mrz = parse(list(LETTERS))
    # As the recogniser saw it: 0 at 0.021 and 0.010 behind the two Ds.
    faint = [reading(NAMES, {}), reading(LETTERS[1], {6: ("0", 0.021), 7: ("0", 0.010)})]
    assert not another_zone_passes([faint], mrz)
    # Nor close behind: both printed 0s would have to have been read as Ds.
    close = [reading(NAMES, {}), reading(LETTERS[1], {6: ("0", 0.3), 7: ("0", 0.2)})]
    assert not another_zone_passes([close], mrz)


def test_a_sharp_number_read_the_same_with_digits_behind_its_letters_is_not_ambiguous() -> None:
    # Held-out seed 53 #228, as the recogniser saw it: 2 at 0.10 and 0.45 behind the two Zs of
    # ZU2YZ00V7. 2U2Y200V7 passes every check digit too (33 x (7 + 3) = 330).
    names = "P<NGAVAN<DER<BERG<<JOSE<ANTONIO<<<<<<<<<<<<<"
    number = "ZU2YZ00V70NGA9902071M3103131<<<<<<<<<<<<<<<4"
    assert parse([names, "2U2Y200V70NGA9902071M3103131<<<<<<<<<<<<<<<4"]).valid
    read = reading(number, {0: ("2", 0.103), 4: ("2", 0.448)})
    assert not another_zone_passes([[reading(names, {}), read]], parse([names, number]))


def test_faint_letters_behind_accepted_digits_still_make_the_zone_ambiguous() -> None:
    # The direction blur does make: true Ds read as 0s with the D a little behind.
    mrz = parse(list(DIGITS))
    faint = [reading(NAMES, {}), reading(DIGITS[1], {6: ("D", 0.021), 7: ("D", 0.010)})]
    assert another_zone_passes([faint], mrz)


def test_a_six_behind_an_accepted_g_weighs_less_than_a_g_behind_an_accepted_six() -> None:
    g_read = reading(WITH_G[1], {3: ("6", 0.27)})
    assert unseen_confidence(g_read, parse(list(WITH_G)), 1) >= UNSEEN_SURE
    six_read = reading(WITH_6[1], {3: ("G", 0.27)})
    assert unseen_confidence(six_read, parse(list(WITH_6)), 1) < UNSEEN_SURE


def test_a_g_behind_an_accepted_six_counts_tenfold() -> None:
    # Printed 6s never drew a G above 0.011; a blurred G read as 6 drew it at 0.07 (a TD2
    # number AL4KL6GCN at 7 px per character, reported verified as AL4KL66CN).
    mrz = parse(list(WITH_6))
    assert unseen_confidence(reading(WITH_6[1], {3: ("G", 0.07)}), mrz, 1) < UNSEEN_SURE
    assert unseen_confidence(reading(WITH_6[1], {3: ("G", 0.011)}), mrz, 1) >= UNSEEN_SURE


# The Spanish specimen card (a real scan: Arg0s1080/mrz, docs/images/id_cards/Spain.png), whose
# support number BAA000589 every reading saw with D at 0.031 and 0.033 behind its first two 0s.
SPAIN = (
    "IDESPBAA000589599999999R<<<<<<",
    "8001014F2501017ESP<<<<<<<<<<<7",
    "ESPANOLA<ESPANOLA<<CARMEN<<<<<",
)
# A card of the older kind, the DNI number where the support number stands, with check digits.
SPAIN_OLDER = ("IDESP123000589499999999R<<<<<<", "8001014F2501017ESP<<<<<<<<<<<9", SPAIN[2])


def test_a_spanish_support_number_has_digits_where_two_ds_would_cancel() -> None:
    # BAADD0589 passes every check digit as BAA000589 does (13 x (7 + 3) = 130), but the
    # electronic DNI's support number is three letters then six digits: no other zone.
    assert parse([SPAIN[0].replace("BAA00", "BAADD"), *SPAIN[1:]]).valid
    faint = [reading(SPAIN[0], {8: ("D", 0.031), 9: ("D", 0.033)}), reading(SPAIN[1], {})]
    assert not another_zone_passes([faint], parse(list(SPAIN)))
    # A number read with letters there is not made digits (rendered cards carry any number).
    letters = (SPAIN[0].replace("BAA00", "BAADD"), *SPAIN[1:])
    read = correct(list(letters))
    assert read is not None
    assert read.mrz.lines == letters
    # Where the number does not open with the three letters, the Ds still make two errors.
    assert parse([SPAIN_OLDER[0].replace("12300", "123DD"), *SPAIN_OLDER[1:]]).valid
    older = [reading(SPAIN_OLDER[0], {8: ("D", 0.031), 9: ("D", 0.033)})]
    assert another_zone_passes([older], parse(list(SPAIN_OLDER)))
