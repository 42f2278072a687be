"""OCR correction with the check digits, and the guard against 'valid but wrong' readings."""

from __future__ import annotations

import random

from openkyc.specimens import mrz_generate
from openkyc.verification.document.correction import correct, normalise
from openkyc.verification.document.mrz_parse import parse

ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)


def test_look_alikes_in_fixed_class_positions_are_undone() -> None:
    raw = [
        "P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<",
        "L898902C36UT07408I22F12O4159ZE184226B<<<<<10",
    ]
    result = correct(raw)
    assert result is not None
    assert result.mrz.lines == ICAO_TD3


def test_lost_fillers_and_ocr_chevrons_are_rebuilt() -> None:
    raw = [
        "P<UTOERIKSSON<<ANNA<MARIAくくくくく<<<<<<<",
        "L898902C36UTO7408122F1204159ZE184226B<<<<10",
    ]
    result = correct(raw)
    assert result is not None
    assert result.mrz.lines == ICAO_TD3


def test_document_code_second_letter_is_kept_as_read() -> None:
    # ICAO 9303 leaves the second letter to the issuer: a real "PC" passport was rewritten to
    # "P<" and reported valid. Whether a letter there is a misread chevron is for the readings'
    # confidences to settle (row_doubts.document_code_doubted), not for the correction.
    raw = ["PCUTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", ICAO_TD3[1]]
    result = correct(raw)
    assert result is not None
    assert result.mrz.document_code == "PC"


def test_a_state_code_missing_from_the_table_is_kept_as_read() -> None:
    # No known code is one look-alike away from XYZ: the zone is exact, so it is not refused
    # (the reader reports the unknown code as a finding instead).
    raw = [
        "P<XYZERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36XYZ7408122F1204159ZE184226B<<<<<10",
    ]
    result = correct(raw)
    assert result is not None
    assert (result.mrz.issuing_country, result.mrz.nationality) == ("XYZ", "XYZ")


def test_one_field_alone_never_vouches_for_an_unknown_state_code() -> None:
    # A blurred internal passport's nationality RUS read BOS, every check digit passing: two
    # look-alike letters away from RUS, so no single swap repaired it.
    raw = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36BOS7408122F1204159ZE184226B<<<<<10",
    ]
    assert correct(raw) is None


def test_interpols_issuer_code_stands_beside_a_national_code() -> None:
    # Interpol's travel document names INP as issuer and the holder's state as nationality:
    # its specimen, read exactly, was refused while INP was missing from the table.
    raw = [
        "P<INPSPECIMEN<<SAMPLE<<<<<<<<<<<<<<<<<<<<<<<",
        "XX000000<0FRA7501012F19073021234567890<<<<70",
    ]
    result = correct(raw)
    assert result is not None
    assert (result.mrz.issuing_country, result.mrz.nationality) == ("INP", "FRA")


def test_a_former_state_code_is_kept_as_read() -> None:
    # Yugoslavia's code is in no current table; both state fields read it, so it stands.
    raw = [
        "P<YUGERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36YUG7408122F1204159ZE184226B<<<<<10",
    ]
    result = correct(raw)
    assert result is not None
    assert result.mrz.issuing_country == "YUG"
    assert result.changed == 0


def test_a_malformed_state_code_refuses_the_zone() -> None:
    raw = [
        "P<U1?ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
        "L898902C36U1?7408122F1204159ZE184226B<<<<<10",
    ]
    assert correct(raw) is None


def test_chevrons_read_as_letters_after_the_names_become_fillers() -> None:
    raw = ["P<UTOERIKSSON<<ANNA<MARIA<<<<K<<<<<C<<<<<<<<", ICAO_TD3[1]]
    result = correct(raw)
    assert result is not None
    assert result.mrz.lines[0] == ICAO_TD3[0]


def test_an_alphanumeric_number_is_repaired_only_through_its_check_digit() -> None:
    # "L898902C3" read as "L8989O2C3": both are legal characters, only the check digit decides.
    raw = [ICAO_TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"]
    result = correct(raw)
    assert result is not None
    assert result.mrz.number == "L898902C3"
    assert result.changed == 1


def test_normalise_maps_scripts_and_refuses_unknown_letters() -> None:
    assert normalise("Р<RUSЖД") == "P<RUS??"
    assert normalise("p < u t o") == "P<UTO"
    assert normalise("«A»") == "<A"


def test_isolated_chevrons_read_as_letters_after_the_names() -> None:
    raw = [
        "P<RUSSHISHKIN<<FEDOR<C<C<CE<<C<<<<<<<<<<<<<<",
        "7647187136RUS5503078M2711128<<<<<<<<<<<<<<<6",
    ]
    result = correct(raw)
    assert result is not None
    assert result.mrz.lines[0] == "P<RUSSHISHKIN<<FEDOR<<<<<<<<<<<<<<<<<<<<<<<<"


def test_fillers_read_as_letters_throughout_are_not_a_name() -> None:
    # Seen on a blurred photo: every chevron of the name row read as C or E, checks all passing.
    raw = [
        "PERUSFEDOROVEEILIACCEECCEEECEE<ECECE<ECCCEEE",
        "7586751834RUS6403234M3205172<<<<<<<<<<<<<<<0",
    ]
    assert correct(raw) is None


def test_unreadable_garbage_gives_no_zone() -> None:
    assert correct(["HELLO WORLD", "THIS IS NOT A ZONE AT ALL OK"]) is None
    assert correct([]) is None


def test_ru_internal_digits_in_names_are_letters_not_errors() -> None:
    lines = mrz_generate.ru_internal(
        surname="Щёкин", given_name="Юлия", patronymic="Ильинична", series="4012",
        number="230275", birth_date="951222", sex="F", issue_date="160308", department_code="334-781",
    )  # fmt: skip
    result = correct(list(lines))
    assert result is not None
    assert result.mrz.lines == lines
    assert lines[0].startswith("PNRUSW2KIN<<7LI8<IL9INI3NA<<<")


_LOOKALIKES = {"0": "OQD", "O": "0Q", "1": "IL", "I": "1L", "8": "B", "B": "8", "5": "S", "S": "5",
               "2": "Z", "Z": "2", "6": "G", "G": "6", "<": "KCE"}  # fmt: skip
# Positions of the second TD3 row that some check digit covers (not sex, not nationality).
_PROTECTED = [i for i in range(44) if not (10 <= i < 13 or i == 20)]
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"


def _value(char: str) -> int:
    return 0 if char == "<" else int(char) if char.isdigit() else ord(char) - 55


def _corrupt(line: str, rng: random.Random, count: int, *, lookalike: bool) -> str:
    chars = list(line)
    # Arbitrary errors only where the format is known to be digits (number and dates).
    positions = _PROTECTED if lookalike else [*range(9), *range(13, 19), *range(21, 27)]
    for _ in range(count):
        i = rng.choice(positions)
        options = _LOOKALIKES.get(chars[i], "") if lookalike else _ALPHABET
        # A change of value by a multiple of ten is invisible to every ICAO check digit
        # (e.g. "<" and "A", "6" and "G"): no reader can catch it, so it is not tested here.
        options = "".join(o for o in options if (_value(o) - _value(chars[i])) % 10)
        if options:
            chars[i] = rng.choice(options)
    return "".join(chars)


def _zones(rng: random.Random, issuer: str) -> list[tuple[str, ...]]:
    zones: list[tuple[str, ...]] = []
    for i in range(12):
        number = (
            f"7{rng.randrange(10**8):08d}"
            if issuer == "RUS"
            else "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(9))
        )
        zones.append(
            mrz_generate.td3(
                document_code="P<", issuing_country=issuer, surname="IVANOVA", given_names="OLGA",
                number=number, nationality=issuer,
                birth_date=f"{rng.randrange(50, 99)}0{rng.randrange(1, 9)}1{rng.randrange(0, 9)}",
                sex="F", expiry_date=f"3{i % 5}0{rng.randrange(1, 9)}2{rng.randrange(0, 8)}",
                optional=rng.choice(("", "", "1234567890")),
            )
        )  # fmt: skip
    return zones


def test_false_valid_guard_on_corrupted_zones() -> None:
    """Corruptions of the protected characters must be repaired to the truth or rejected, never
    turned into a different zone that passes every check: one or two realistic look-alike
    errors anywhere, and one arbitrary error where the format is known to be digits."""
    rng = random.Random(20260115)
    cases = [(z, True) for z in _zones(rng, "UTO") + _zones(rng, "RUS")] + [
        (z, False) for z in _zones(rng, "RUS")
    ]
    accepted = wrong = repaired = 0
    for _ in range(900):
        truth, lookalike = rng.choice(cases)
        # Two arbitrary errors can cancel out in a mod-10 sum (ICAO's own limit): one at most.
        count = rng.choice((1, 2)) if lookalike else 1
        raw = [truth[0], _corrupt(truth[1], rng, count, lookalike=lookalike)]
        result = correct(raw)
        if result is None:
            continue
        accepted += 1
        repaired += raw[1] != truth[1]
        if result.mrz.lines[1] != truth[1]:
            wrong += 1
    assert wrong == 0
    # The guard must not simply reject everything: most single look-alike errors are repaired.
    assert accepted > 300
    assert repaired > 200
    assert parse(ICAO_TD3).valid


def test_a_one_letter_given_name_is_kept() -> None:
    # A real passport's KATIA<E came back as KATIA<< and was reported verified.
    raw = ["P<UTOERIKSSON<<KATIA<E<<<<<<<<<<<<<<<<<<<<<<", ICAO_TD3[1]]
    result = correct(raw)
    assert result is not None
    assert result.mrz.lines[0] == raw[0]
    assert result.mrz.given_names == "KATIA E"
