"""The ICAO 9303 codec: check digits, layouts, generation, names, dates (no OCR involved)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from openkyc.specimens import mrz_generate
from openkyc.verification.document.checkdigits import check_digit, is_valid
from openkyc.verification.document.dates import resolve_expiry, resolve_past
from openkyc.verification.document.interpret import interpret
from openkyc.verification.document.mrz_parse import MrzError, parse
from openkyc.verification.document.ru_internal import is_ru_internal
from openkyc.verification.document.transliteration import (
    from_ru_internal,
    to_icao_latin,
    to_ru_internal,
)

TODAY = dt.date(2026, 1, 15)

# ICAO Doc 9303 Part 4, Appendix A: the TD3 specimen.
ICAO_TD3 = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
# ICAO Doc 9303 Part 5, Appendix A: the TD1 specimen.
ICAO_TD1 = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
# ICAO Doc 9303 Part 6, Appendix A: the TD2 specimen.
ICAO_TD2 = (
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
)


@pytest.mark.parametrize(
    ("data", "digit"),
    [
        ("L898902C3", "6"),
        ("740812", "2"),
        ("120415", "9"),
        ("ZE184226B<<<<<", "1"),
        ("D23145890", "7"),
    ],
)
def test_check_digits_of_icao_specimens(data: str, digit: str) -> None:
    assert check_digit(data) == digit
    assert is_valid(data, digit)
    assert not is_valid(data, str((int(digit) + 1) % 10))


def test_empty_field_may_use_filler_as_check_digit() -> None:
    assert is_valid("<<<<<<<<<<<<<<", "<")
    assert is_valid("<<<<<<<<<<<<<<", "0")
    assert not is_valid("12345<<<<<<<<<", "<")


def test_icao_td3_specimen_parses_with_every_check_passing() -> None:
    mrz = parse(ICAO_TD3)
    assert mrz.format == "TD3"
    assert mrz.valid
    assert (mrz.surname, mrz.given_names, mrz.number) == ("ERIKSSON", "ANNA MARIA", "L898902C3")
    assert [c.field for c in mrz.checks] == [
        "number",
        "birth_date",
        "expiry_date",
        "optional",
        "composite",
    ]
    fields = interpret(mrz, TODAY)
    assert fields.birth_date == dt.date(1974, 8, 12)
    assert fields.expiry_date == dt.date(2012, 4, 15)
    assert fields.document_type == "passport"
    assert fields.kind == "td3_passport"


def test_icao_td1_and_td2_specimens() -> None:
    td1 = parse(ICAO_TD1)
    assert td1.format == "TD1"
    assert td1.valid
    assert td1.number == "D23145890"
    assert interpret(td1, TODAY).kind == "td1_id_card"
    td2 = parse(ICAO_TD2)
    assert td2.format == "TD2"
    assert td2.valid
    assert td2.nationality == "UTO"


def test_a_single_wrong_character_fails_a_check() -> None:
    broken = (ICAO_TD3[0], ICAO_TD3[1].replace("7408122", "7408132"))
    mrz = parse(broken)
    assert not mrz.valid
    failed = {c.field for c in mrz.checks if not c.ok}
    assert failed == {"birth_date", "composite"}


def test_parse_rejects_other_shapes() -> None:
    with pytest.raises(MrzError):
        parse(["P<UTO", "123"])
    with pytest.raises(MrzError):
        parse([ICAO_TD3[0], ICAO_TD3[1][:-1] + "x"])


def test_generated_zones_round_trip() -> None:
    common = {
        "document_code": "P<",
        "issuing_country": "KAZ",
        "surname": "Жұмабаев",
        "given_names": "Асқар",
        "number": "N12345678",
        "nationality": "KAZ",
        "birth_date": "900131",
        "sex": "M",
        "expiry_date": "300101",
        "optional": "900131300123",
    }
    td3 = mrz_generate.td3(**common)
    assert td3[0] == "P<KAZZHUMABAEV<<ASKAR<<<<<<<<<<<<<<<<<<<<<<<"
    parsed = parse(td3)
    assert parsed.valid
    assert interpret(parsed, TODAY).personal_number == "900131300123"
    td1 = mrz_generate.td1(**{**common, "document_code": "ID", "number": "012345678"})
    assert parse(td1).valid
    assert interpret(parse(td1), TODAY).kind == "kz_id_card"
    td2 = mrz_generate.td2(**{**common, "document_code": "I<", "optional": ""})
    assert parse(td2).valid


def test_td1_long_document_number_overflows_into_optional_data() -> None:
    lines = mrz_generate.td1(
        document_code="I<", issuing_country="UTO", surname="DOE", given_names="JANE",
        number="AB1234567890", nationality="UTO", birth_date="800101", sex="F", expiry_date="300101",
    )  # fmt: skip
    assert lines[0][14] == "<"
    parsed = parse(lines)
    assert parsed.valid
    assert parsed.number == "AB1234567890"
    with_personal = mrz_generate.td1(
        document_code="I<", issuing_country="UTO", surname="DOE", given_names="JANE",
        number="AB1234567890", nationality="UTO", birth_date="800101", sex="F", expiry_date="300101",
        optional="12345",
    )  # fmt: skip
    assert with_personal[0][15:] == "890" + check_digit("AB1234567890") + "<12345<<<<<"
    assert parse(with_personal).number == "AB1234567890"
    assert parse(with_personal).valid


def test_long_names_are_truncated_to_the_field() -> None:
    line1, _ = mrz_generate.td3(
        document_code="P<", issuing_country="RUS", surname="Константинопольская",
        given_names="Александра Владимировна Мария", number="751234567", nationality="RUS",
        birth_date="800101", sex="F", expiry_date="300101",
    )  # fmt: skip
    assert len(line1) == 44
    assert line1 == "P<RUSKONSTANTINOPOLSKAIA<<ALEKSANDRA<VLADIMI"


def test_icao_transliteration_of_cyrillic() -> None:
    assert to_icao_latin("Щукин-Юрьев") == "SHCHUKIN<IUREV"
    assert to_icao_latin("Подъячев") == "PODIEIACHEV"
    assert to_icao_latin("Сәуле Қасым") == "SAULE<KASYM"


@pytest.mark.parametrize(
    ("cyrillic", "coded"),
    [
        ("ЁЖИК", "2JIK"),
        ("ЙОШКАР", "QO4KAR"),
        ("ЩЕЧКА", "WE3KA"),
        ("ПОДЪЕЗД", "PODXEZD"),
        ("ЫЬЭЮЯ", "Y9678"),
        ("ЦАХ", "CAH"),
        ("ЧЕРНЫШЁВ", "3ERNY42V"),
    ],
)
def test_ru_internal_letter_table_both_ways(cyrillic: str, coded: str) -> None:
    assert to_ru_internal(cyrillic) == coded
    assert from_ru_internal(coded) == cyrillic


def test_ru_internal_table_covers_the_whole_alphabet_one_to_one() -> None:
    alphabet = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
    coded = to_ru_internal(alphabet)
    assert len(set(coded)) == len(alphabet) == len(coded)
    assert from_ru_internal(coded) == alphabet


def test_ru_internal_passport_restores_cyrillic_name_issue_date_and_department() -> None:
    lines = mrz_generate.ru_internal(
        surname="Иванов", given_name="Иван", patronymic="Петрович", series="4509",
        number="123456", birth_date="800101", sex="M", issue_date="150101", department_code="770-001",
    )  # fmt: skip
    assert lines == (
        "PNRUSIVANOV<<IVAN<PETROVI3<<<<<<<<<<<<<<<<<<",
        "4501234568RUS8001014M<<<<<<<9150101770001<62",
    )
    mrz = parse(lines)
    assert mrz.valid
    assert [c.field for c in mrz.checks] == ["number", "birth_date", "optional", "composite"]
    fields = interpret(mrz, TODAY)
    assert fields.kind == "ru_internal_passport"
    assert (fields.surname_cyrillic, fields.given_names_cyrillic, fields.patronymic) == (
        "ИВАНОВ",
        "ИВАН",
        "ПЕТРОВИЧ",
    )
    assert (fields.surname, fields.given_names) == ("IVANOV", "IVAN")
    assert fields.number == "4509123456"
    assert fields.issue_date == dt.date(2015, 1, 1)
    assert fields.department_code == "770-001"
    assert fields.expiry_date is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("740812", dt.date(1974, 8, 12)), ("051231", dt.date(2005, 12, 31)), ("260114", dt.date(2026, 1, 14)),
     ("260116", dt.date(1926, 1, 16)), ("300101", dt.date(1930, 1, 1)), ("000229", dt.date(2000, 2, 29))],
)  # fmt: skip
def test_birth_dates_resolve_into_the_past(text: str, expected: dt.date) -> None:
    assert resolve_past(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("350101", dt.date(2035, 1, 1)), ("120415", dt.date(2012, 4, 15)), ("750101", dt.date(2075, 1, 1)),
     ("990101", dt.date(1999, 1, 1))],
)  # fmt: skip
def test_expiry_dates_resolve_around_today(text: str, expected: dt.date) -> None:
    assert resolve_expiry(text, TODAY) == expected


@pytest.mark.parametrize("text", ["741312", "740832", "12345", "ABCDEF", "010229"])
def test_impossible_dates_are_none(text: str) -> None:
    assert resolve_past(text, TODAY) is None


def test_ru_internal_double_surname_keeps_its_parts() -> None:
    lines = mrz_generate.ru_internal(
        surname="Римский-Корсаков", given_name="Пётр", patronymic="", series="4509",
        number="123456", birth_date="800101", sex="M", issue_date="150101", department_code="770-001",
    )  # fmt: skip
    fields = interpret(parse(lines), TODAY)
    assert fields.surname_cyrillic == "РИМСКИЙ КОРСАКОВ"
    assert fields.given_names_cyrillic == "ПЁТР"
    assert fields.patronymic is None


# ICAO Doc 9303 Part 7, Appendix A: the MRV-A and MRV-B specimens.
ICAO_MRV_A = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
)
ICAO_MRV_B = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
)
_ERIKSSON_VISA = {
    "document_code": "V<",
    "issuing_country": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "number": "L8988901C",
    "nationality": "XXX",
    "birth_date": "400907",
    "sex": "F",
    "expiry_date": "961210",
}


def test_visa_generator_reproduces_the_icao_specimens() -> None:
    assert mrz_generate.mrv(size="A", optional="6ZE184226B", **_ERIKSSON_VISA) == ICAO_MRV_A
    assert mrz_generate.mrv(size="B", **_ERIKSSON_VISA) == ICAO_MRV_B
    for lines, name in ((ICAO_MRV_A, "MRV-A"), (ICAO_MRV_B, "MRV-B")):
        mrz = parse(lines)
        assert (mrz.format, mrz.valid) == (name, True)
        # No composite, and the optional data has no check digit of its own.
        assert [c.field for c in mrz.checks] == ["number", "birth_date", "expiry_date"]
        fields = interpret(mrz, TODAY)
        assert (fields.kind, fields.document_type) == ("visa", "visa")
        assert fields.number == "L8988901C"
    # The optional data is still parsed, but with no check digit it is never reported.
    assert parse(ICAO_MRV_A).optional.rstrip("<") == "6ZE184226B"
    assert interpret(parse(ICAO_MRV_A), TODAY).personal_number is None


def test_visa_generator_refuses_what_would_not_read_back_as_a_visa() -> None:
    with pytest.raises(ValueError, match="starts with V"):
        mrz_generate.mrv(size="A", **{**_ERIKSSON_VISA, "document_code": "P<"})
    with pytest.raises(ValueError, match="A or B"):
        mrz_generate.mrv(size="C", **_ERIKSSON_VISA)


def test_visa_optional_data_and_long_names_are_cut_to_the_line() -> None:
    lines = mrz_generate.mrv(
        size="B",
        optional="ABCDEFGHIJK",
        **{**_ERIKSSON_VISA, "surname": "MARTINEZ DE LA FUENTE", "given_names": "JOSE ANTONIO"},
    )
    assert [len(line) for line in lines] == [36, 36]
    assert lines[1].endswith("ABCDEFGH")
    mrz = parse(lines)
    assert mrz.valid
    assert mrz.surname == "MARTINEZ DE LA FUENTE"


def test_td2_generator_reproduces_the_icao_specimen() -> None:
    lines = mrz_generate.td2(
        document_code="I<", issuing_country="UTO", surname="ERIKSSON", given_names="ANNA MARIA",
        number="D23145890", nationality="UTO", birth_date="740812", sex="F", expiry_date="120415",
    )  # fmt: skip
    assert lines == ICAO_TD2


def test_only_a_td3_zone_headed_pnrus_is_an_internal_passport() -> None:
    lines = mrz_generate.ru_internal(
        surname="Иванов", given_name="Иван", patronymic="Петрович", series="4509",
        number="123456", birth_date="800101", sex="M", issue_date="150101", department_code="770-001",
    )  # fmt: skip
    mrz = parse(lines)
    assert is_ru_internal(mrz)
    # Its fields and its name letters sit at TD3's columns: a zone of another shape headed
    # PN and RUS is no internal passport, and its names are read with the ICAO letters.
    for other in ("TD1", "TD2"):
        assert not is_ru_internal(dataclasses.replace(mrz, format=other))
